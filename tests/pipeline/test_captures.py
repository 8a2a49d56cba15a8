"""Web captures as evidence, on both databases: refused before anything is written, stored as a WACZ
item with a capture event whose agent asked for it, in the custody log and in `verify` (issue 16,
part 5, and its bad inputs)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from testament.custody import custody_log, verification
from testament.custody.cases import create_case
from testament.custody.instance import Instance
from testament.errors import InvalidInput
from testament.packages import create, verifier
from testament.packages.layout import ITEMS, original_path
from testament.pipeline import captures, runner, service
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event, web_capture
from tests.conftest import Cli
from tests.pipeline.capture.site import Site, page, served

pytestmark = pytest.mark.slow


@pytest.fixture
def site() -> Iterator[Site]:
    pages = Site(
        files={"/page": ("text/html; charset=utf-8", page("Shelling report", "<p>Kharkiv</p>"))}
    )
    with served(pages) as running:
        yield running


@pytest.fixture
def allowing(instance: Instance) -> Instance:
    """The instance with captures of private addresses allowed (the test site is on 127.0.0.1)."""
    create_case(instance, "Kharkiv")
    return replace(
        instance,
        settings=replace(instance.settings, capture_allow_private=True, capture_timeout_s=5),
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/x",
        "http://169.254.169.254/latest/",
        "http://localhost:8000/",
    ],
)
def test_a_private_address_is_refused_naming_the_switch_and_nothing_is_written(
    instance: Instance, url: str
) -> None:
    create_case(instance, "Kharkiv")
    with pytest.raises(InvalidInput) as caught:
        captures.request_capture(instance, url, case_name="Kharkiv")
    assert "TESTAMENT_CAPTURE_ALLOW_PRIVATE" in caught.value.what
    assert caught.value.where == "url"
    with read_transaction(instance.engine) as connection:
        assert connection.execute(select(web_capture)).first() is None
    assert service.list_jobs(instance) == []


@pytest.mark.parametrize(
    "url", ["ftp://example.org/x", "javascript:alert(1)", "http://", "", "http://a b/"]
)
def test_a_url_that_is_not_a_web_address_is_refused(instance: Instance, url: str) -> None:
    create_case(instance, "Kharkiv")
    with pytest.raises(InvalidInput) as caught:
        captures.request_capture(instance, url, case_name="Kharkiv")
    assert caught.value.where == "url"


def test_a_capture_becomes_a_wacz_item_with_a_capture_event(allowing: Instance, site: Site) -> None:
    asked = captures.request_capture(allowing, f"{site.base}/redirect/2", case_name="Kharkiv")
    assert asked.state == "queued"
    runner.drain(allowing)
    view = captures.capture_view(allowing, asked.id)
    assert view.state == "done" and view.complete is True and view.http_status == 200
    assert view.final_url == f"{site.base}/page"
    assert view.redirects == [f"{site.base}/redirect/2", f"{site.base}/redirect/1"]
    assert (
        view.tool and view.tool_version and view.user_agent and view.started_at <= view.finished_at
    )
    runner.drain(allowing)  # the WACZ's own processing: its screenshot becomes its preview
    found = service.item_processing(allowing, view.item_id or "")
    assert found.capture is not None and found.capture.id == asked.id
    (thumb,) = [d for d in found.derivatives if d.role == "thumbnail"]
    assert thumb.parameters["from"] == "the capture's full-page screenshot"
    assert found.preview_item_id == thumb.item_id
    assert not [d for d in found.derivatives if d.role == "member"]  # a WACZ is not unpacked
    with read_transaction(allowing.engine) as connection:
        event = connection.execute(
            select(custody_event).where(custody_event.c.item_id == view.item_id)
        ).first()
    assert event is not None and event.event_type == "capture"
    detail = json.loads(event.detail)
    assert detail["complete"] is True and len(detail["metadata_sha256"]) == 64
    assert "Kharkiv" not in event.detail and site.base not in event.detail  # no URL in the log
    _valid_wacz(allowing, view.item_id or "")
    assert [f for f in verification.run(allowing) if not f.ok] == []


def _valid_wacz(instance: Instance, item_id: str) -> None:
    with read_transaction(instance.engine) as connection:
        digest = connection.execute(
            select(custody_event.c.sha256).where(custody_event.c.item_id == item_id)
        ).scalar()
    target = instance.settings.home / "out.wacz"
    with target.open("wb") as out:
        for chunk in instance.blobs.read(str(digest)):
            out.write(chunk)
    with zipfile.ZipFile(target) as wacz:
        assert "datapackage.json" in wacz.namelist()
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "wacz"), "validate", "-f", str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_capture_goes_into_an_evidence_package_and_verifies(
    allowing: Instance, site: Site, tmp_path: Path
) -> None:
    asked = captures.request_capture(allowing, f"{site.base}/page", case_name="Kharkiv")
    runner.drain(allowing)
    view = captures.capture_view(allowing, asked.id)
    out = tmp_path / "package"
    create.create(
        allowing,
        create.PackageRequest(
            "Kharkiv", "icc-otp", "criminal-investigation", "ICC OTP", out,
            item_ids=(view.item_id or "",),
        ),
    )  # fmt: skip
    held = (out / original_path(view.sha256 or "", "capture.wacz")).parent
    assert [p.suffix for p in held.iterdir()] == [".wacz"]
    lines = (out / ITEMS).read_text().splitlines()
    assert any(json.loads(line)["sha256"] == view.sha256 for line in lines)
    checked = verifier.verify(out, custody_log.verifier_key(allowing))
    assert checked.exit_code == 0, checked.as_json()


def test_a_page_that_never_finishes_is_kept_incomplete(allowing: Instance, site: Site) -> None:
    quick = replace(allowing, settings=replace(allowing.settings, capture_timeout_s=2))
    asked = captures.request_capture(quick, f"{site.base}/hang-document", case_name="Kharkiv")
    runner.drain(quick)
    view = captures.capture_view(quick, asked.id)
    assert view.state == "done" and view.complete is False
    assert view.incomplete_reason and view.item_id


def test_a_redirect_loop_gives_a_clean_answer(allowing: Instance, site: Site) -> None:
    asked = captures.request_capture(allowing, f"{site.base}/loop/1", case_name="Kharkiv")
    runner.drain(allowing)
    view = captures.capture_view(allowing, asked.id)
    assert view.state in ("done", "failed")
    if view.state == "done":
        assert view.complete is False and "redirect" in (view.incomplete_reason or "")
    else:
        assert view.error and "Traceback" not in view.error


def test_the_capture_command_prints_the_item_its_digest_and_completeness(
    allowing: Instance, site: Site, cli: Cli
) -> None:
    allow = {"TESTAMENT_CAPTURE_ALLOW_PRIVATE": "1"}
    done = cli("capture", f"{site.base}/page", "--case", "Kharkiv", "--json", extra_env=allow)
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout.splitlines()[0])
    assert line["complete"] is True and len(line["sha256"]) == 64 and line["item_id"]
    shown = cli("evidence", "show", line["item_id"], "--json", check=True)
    processing = json.loads(shown.stdout)["processing"]
    assert processing["capture"]["final_url"] == f"{site.base}/page"
    jobs = cli("jobs", "--json", check=True)
    states = {json.loads(j)["task"]: json.loads(j)["state"] for j in jobs.stdout.splitlines()}
    assert states["capture"] == "done"
    text = cli("capture", f"{site.base}/missing", "--case", "Kharkiv", extra_env=allow)
    assert text.returncode == 0 and "complete" in text.stdout and "sha256:" in text.stdout


def test_the_capture_command_refuses_a_private_address_without_the_switch(
    instance: Instance, cli: Cli
) -> None:
    create_case(instance, "Kharkiv")
    done = cli("capture", "http://127.0.0.1:9/", "--case", "Kharkiv")
    assert done.returncode != 0
    assert "TESTAMENT_CAPTURE_ALLOW_PRIVATE" in done.stderr
