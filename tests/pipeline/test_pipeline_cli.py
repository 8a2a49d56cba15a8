"""The processing commands as a user runs them: reprocess with a progress bar, jobs, evidence show with
what processing found, evidence duplicates, the worker, and their bad input (issue 16, "Commands")."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from PIL import Image

from testament.custody import ingest
from testament.custody.instance import Instance
from testament.pipeline import runner, service
from tests.conftest import Cli
from tests.pipeline.test_processing import photo


@pytest.fixture
def run(cli: Cli) -> Callable[..., CompletedProcess[str]]:
    """The command in this process (so its coverage counts), as a user runs it."""

    def invoke(_instance: Instance, *args: str, check: bool = True) -> CompletedProcess[str]:
        return cli(*args, check=check)

    return invoke


def test_reprocess_waits_with_progress_and_show_and_duplicates_tell_what_was_found(
    instance: Instance, tmp_path: Path, run: Callable[..., CompletedProcess[str]]
) -> None:
    original = photo(tmp_path / "a.jpg")
    copy = tmp_path / "b.jpg"
    with Image.open(original) as image:
        image.resize((300, 225)).save(copy, "JPEG", quality=70)
    a, b = (
        r.item_id for r in ingest.ingest(instance, [original, copy], case_name="Kharkiv").results
    )
    done = run(instance, "reprocess", "--case", "Kharkiv", "--wait", "--json")
    report, progress = (json.loads(line) for line in done.stdout.splitlines())
    assert report["items"] == 2 and progress["queued"] == progress["running"] == 0
    assert progress["done"] >= 2 and progress["failed"] == 0
    shown = json.loads(run(instance, "evidence", "show", str(a), "--json").stdout)["processing"]
    kinds = {e["kind"]: e for e in shown["extractions"]}
    assert kinds["metadata"]["tool"] == "ExifTool" and kinds["metadata"]["tool_version"]
    thumb = next(d for d in shown["derivatives"] if d["role"] == "thumbnail")
    assert thumb["tool"] == "Pillow" and thumb["parameters"] and thumb["parent_id"] == a
    text = run(instance, "evidence", "show", str(a)).stdout
    assert "ExifTool" in text and "thumbnail" in text
    lines = run(instance, "evidence", "duplicates", str(a), "--json").stdout.splitlines()
    (match,) = (json.loads(line) for line in lines)
    assert match["item_id"] == b and 0 <= match["distance"] <= 31
    jobs = [json.loads(line) for line in run(instance, "jobs", "--json").stdout.splitlines()]
    assert {j["state"] for j in jobs} == {"done"} and len(jobs) >= 4
    assert run(instance, "jobs", "--failed", "--json").stdout == ""


def test_bad_input_to_the_commands_is_named(
    instance: Instance, tmp_path: Path, run: Callable[..., CompletedProcess[str]]
) -> None:
    ingest.ingest(instance, [photo(tmp_path / "a.jpg")], case_name="Kharkiv")
    wrong_kind = run(instance, "reprocess", "--case", "Kharkiv", "--kind", "astrology", check=False)
    assert wrong_kind.returncode == 2 and "astrology" in wrong_kind.stderr
    no_case = run(instance, "reprocess", "--case", "Nowhere", check=False)
    assert no_case.returncode != 0 and "Traceback" not in no_case.stderr
    far = run(
        instance, "evidence", "duplicates", "no-such-item", "--max-distance", "300", check=False
    )
    assert far.returncode == 2 and "300" in far.stderr
    missing = run(
        instance, "evidence", "duplicates", "01a250ea-0000-7000-8000-000000000000", check=False
    )
    assert missing.returncode != 0 and "Traceback" not in missing.stderr


def test_the_worker_runs_what_is_due_once(
    instance: Instance, tmp_path: Path, run: Callable[..., CompletedProcess[str]]
) -> None:
    ingest.ingest(instance, [photo(tmp_path / "a.jpg")], case_name="Kharkiv")
    done = run(instance, "worker", "--once")
    assert "1 job(s) run" in done.stderr
    assert service.progress(instance).done == 1


def test_nested_archives_unpack_to_the_configured_depth(instance: Instance, tmp_path: Path) -> None:
    level = photo(tmp_path / "deepest.jpg")
    for depth in range(4):
        outer = tmp_path / f"level{depth}.zip"
        with zipfile.ZipFile(outer, "w") as z:
            z.write(level, level.name)
        level = outer
    (top,) = (r.item_id for r in ingest.ingest(instance, [level], case_name="Kharkiv").results)
    runner.drain(instance)
    names = []
    current = service.item_processing(instance, top)
    while current.derivatives:
        (member,) = [d for d in current.derivatives if d.role == "member"]
        names.append(member.name)
        current = service.item_processing(instance, member.item_id)
    # The default depth is 3: the top archive and two nested ones are unpacked, the fourth is not.
    assert names == ["level2.zip", "level1.zip", "level0.zip"]
