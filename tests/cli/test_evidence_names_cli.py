"""The command line names evidence as the pages do, and an upgrade rebuilds the search index, so that
an existing home finds its evidence by file name too (docs/search.md, docs/web.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command

from testament.cli.main import main
from testament.config import Settings
from testament.custody import ingest
from testament.custody.instance import Instance
from testament.documentation import search
from testament.search import index_for
from testament.search.base import SearchQuery
from testament.storage import migrate
from testament.storage.engine import write_transaction
from tests.conftest import SQLITE_ONLY, Cli, settings_env

pytestmark = SQLITE_ONLY


def _item(instance: Instance, folder: Path, name: str) -> str:
    folder.mkdir()
    (folder / name).write_bytes(b"\xff\xd8\xff" + bytes(300))
    found = ingest.ingest(instance, [folder], case_name="Case A").results[0].item_id
    assert found is not None
    return found


def test_evidence_show_prints_the_name_with_its_controls_visible(
    instance: Instance, cli: Cli, tmp_path: Path
) -> None:
    item = _item(instance, tmp_path / "in", "photo\u202egpj.exe")
    shown = cli("evidence", "show", item, check=True).stdout
    assert "name: photo[U+202E]gpj.exe" in shown and "\u202e" not in shown
    kept = json.loads(cli("evidence", "show", item, "--json", check=True).stdout)
    assert kept["original_name"] == "photo\u202egpj.exe"  # the data keeps it byte for byte


def test_an_upgrade_rebuilds_the_search_index(instance: Instance, cli: Cli, tmp_path: Path) -> None:
    item = _item(instance, tmp_path / "in", "kharkiv-school-gate.jpg")
    with write_transaction(instance.engine) as connection:  # as an older Testament indexed it
        index_for(connection.dialect.name).delete(connection, "item", [item])
    with instance.engine.connect() as connection:  # and a schema one revision behind
        config = migrate._config()  # the same Alembic set-up as `testament init`
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
        connection.commit()
    assert search.search(instance, SearchQuery("kharkiv gate")).hits == []
    report = json.loads(cli("init", "--json", check=True).stdout)
    assert report["schema_before"] != report["schema_after"]
    assert report["search_reindexed"] >= 1
    hits = search.search(instance, SearchQuery("kharkiv gate")).hits
    assert [hit.doc_id for hit in hits] == [item]
    again = json.loads(cli("init", "--json", check=True).stdout)
    assert again["search_reindexed"] is None  # nothing to rebuild when nothing was upgraded


def test_search_prints_a_file_name_with_its_controls_visible(
    instance: Instance,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`testament search` names an item as `evidence show` does (in this process: a new one costs
    seconds, and the entry point is the same)."""
    item = _item(instance, tmp_path / "in", "kharkiv-gate\u202egpj.exe")
    for name, value in settings_env(settings).items():
        if name.startswith("TESTAMENT_"):
            monkeypatch.setenv(name, value)

    def run(*args: str) -> str:
        capsys.readouterr()
        main(list(args))  # a failure would exit
        return capsys.readouterr().out

    printed = run("search", "kharkiv")
    assert f"kharkiv-gate[U+202E]gpj.exe  [{item}]" in printed and "\u202e" not in printed
    hit = json.loads(run("search", "kharkiv", "--json").splitlines()[0])
    assert hit["title"] == "kharkiv-gate\u202egpj.exe"  # the data keeps it byte for byte
