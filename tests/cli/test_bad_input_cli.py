"""The CLI answers hostile files and text with a diagnosis and the user-error exit code (2), never the
internal-error code (70) and never a traceback.

One test starts the real `testament` process; the others run the same entry point,
:func:`testament.cli.main.main`, in this process, since each new process costs seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from testament.cli.main import INTERNAL_ERROR_EXIT, main
from testament.config import Settings
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.domain.boundedjson import MAX_DEPTH
from testament.domain.text import LONG_CHARS
from testament.errors import InvalidInput
from tests.conftest import SQLITE_ONLY, Cli, settings_env

pytestmark = SQLITE_ONLY

DEEP = "[" * 100_000 + "]" * 100_000
USER_ERROR = InvalidInput.exit_code


def _in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings
) -> Callable[..., tuple[int, str]]:
    """Run ``testament ARGS`` through its entry point here: (exit code, what it wrote to stderr)."""
    for name, value in settings_env(settings).items():
        if name.startswith("TESTAMENT_"):
            monkeypatch.setenv(name, value)

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        err = capsys.readouterr().err
        assert "Traceback" not in err, err
        return code, err

    return run


def test_import_of_json_nested_100000_deep_exits_2_with_a_diagnosis(
    instance: Instance, cli: Cli, tmp_path: Path
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP, encoding="utf-8")
    result = cli("import", "timemap", str(deep), "--case", "C")
    assert result.returncode == USER_ERROR != INTERNAL_ERROR_EXIT, result.stderr
    assert f"more than {MAX_DEPTH} levels deep" in result.stderr


def test_every_bad_input_exits_2_naming_what_and_where(
    instance: Instance,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = _in_process(monkeypatch, capsys, settings)
    deep = tmp_path / "deep.jsonl"
    deep.write_text(DEEP, encoding="utf-8")
    huge = tmp_path / "huge.json"
    huge.write_text(f'[{{"id": "E1", "date": "03/05/2022", "latitude": {"9" * 400}}}]')
    mapping = tmp_path / "map.yaml"
    spec = {"testament-csv-mapping": 1, "id": "Ref", "fields": {"title": "Title"}}
    mapping.write_text(json.dumps(spec))
    cut = tmp_path / "cut.csv"
    cut.write_text("Ref,Title\n1,A\n2,B\n1")
    cases.create_case(instance, "Typed")
    commands = [
        (["import", "jsonl", str(deep), "--case", "C"], "levels deep"),
        (["gazetteer", "load", str(deep), "--level", "1", "--name-field", "N"], "levels deep"),
        (["import", "timemap", str(huge), "--case", "C"], "400 digits"),
        (["import", "csv", str(cut), "--mapping", str(mapping), "--case", "C"], "truncated"),
        (["incident", "add", "--case", "Typed", "--title", "T", "--description", "x" * (LONG_CHARS + 1)],
         "the description is 100,001 characters long; at most 100,000"),
    ]  # fmt: skip
    for args, expected in commands:
        code, err = run(*args)
        assert code == USER_ERROR, (args[:2], err)
        assert expected in err, err
        assert "where:" in err or args[0] == "incident", err  # a file's diagnosis names the spot
    assert run("incident", "list", "--case", "C")[0] != 0  # no import made the case
    assert incidents.list_for_case(instance, "Typed") == []
