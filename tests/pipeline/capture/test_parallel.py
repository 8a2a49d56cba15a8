"""Several captures at once never mix their records (auto-archiver #213): 8 in parallel, each on its own
thread with its own Playwright, Chromium, relay and work directory."""

from __future__ import annotations

import concurrent.futures
from dataclasses import replace
from pathlib import Path

import pytest

from testament.pipeline.capture import CaptureResult, capture
from tests.pipeline.capture.conftest import OPTIONS, PARALLEL, assert_valid, records
from tests.pipeline.capture.site import Site

# Eight Chromiums at once on a small machine, beside the suite's other worker, may take longer than the
# other tests' 3 s to load a page; this test is about records never mixing, not about time, so it waits
# as long as a real capture would.
UNHURRIED = replace(OPTIONS, timeout_s=60.0)


@pytest.mark.slow
def test_eight_captures_at_once_each_hold_only_their_own_page(site: Site, tmp_path: Path) -> None:
    def one(number: int) -> CaptureResult:
        return capture(f"{site.base}/parallel/{number}", tmp_path / str(number), UNHURRIED)

    with concurrent.futures.ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        results = list(pool.map(one, range(PARALLEL)))

    assert len({result.wacz for result in results}) == PARALLEL
    for number, result in enumerate(results):
        own = {
            f"{site.base}/parallel/{number}",
            f"{site.base}/parallel/{number}.png",
            f"{site.base}/favicon.ico",
        }
        assert_valid(result.wacz)
        assert result.complete, result.incomplete_reason
        found = records(result.wacz)
        exchanges = {r.uri for r in found if r.kind in {"request", "response"}}
        assert exchanges <= own and f"{site.base}/parallel/{number}.png" in exchanges
        resources = {r.uri.split(":", 3)[3] for r in found if r.kind == "resource"}
        assert resources == {f"{site.base}/parallel/{number}"}
        dom = next(r for r in found if r.uri.startswith("urn:testament:dom:"))
        assert f"<h1>Page {number}</h1>".encode() in dom.payload
        assert sorted(path.name for path in (tmp_path / str(number)).iterdir()) == [
            "capture.wacz",
            "capture.warc.gz",
        ], "no temporary file is left behind"
