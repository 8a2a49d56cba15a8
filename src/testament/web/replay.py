"""A web capture replayed in the browser (docs/web.md, "Processing and capture").

- ``/evidence/{id}/replay``: the capture's WACZ replayed by ReplayWeb.page (vendored, so it works with no
  network), at the address the capture ended on. Replaying is viewing the item's content, so the page
  first asks why, as the item's own page does (``purpose.html``, posted back here); the page then carries
  that view's log entry (``?access=N``), never the purpose.
- ``/evidence/{id}/replay.wacz?access=N``: the WACZ's bytes for ReplayWeb.page's service worker, as part
  of the view recorded at entry N, answering ``Range`` requests (the worker reads the archive's index
  and then only the records it replays).
- ``/replay/sw.js``, ``/replay/ui.js``: ReplayWeb.page's service worker and interface, the vendored files
  (``static/vendor/replaywebpage-2.5.3``). The worker's scope is ``/replay/``: it answers the frames the
  replay is shown in, and nothing else on the site. ``/replay/`` itself is what such a frame shows in
  the moment before the newly installed worker takes over; it then loads itself again, for the worker
  to answer.

Only a capture's WACZ is replayed; any other item is answered as having no replay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse

from testament.custody import access_log
from testament.custody.instance import Instance
from testament.documentation import evidence
from testament.documentation.results import EvidenceItem
from testament.domain.access import Action
from testament.errors import NotFound
from testament.http.guard import allow
from testament.pipeline import service
from testament.web import records
from testament.web.pages import Viewer, instance_of, render

WACZ = "application/wacz"
REPLAYER = Path(__file__).parent / "static" / "vendor" / "replaywebpage-2.5.3"
AccessRef = Annotated[int | None, Query(ge=0, le=2**62)]
ByteRange = re.compile(r"bytes=(\d*)-(\d*)")
CONTENT_HEADERS = {
    "Accept-Ranges": "bytes",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, no-store",
}
# The replay page keeps every page's policy (pages.render): its default-src 'self' already lets it
# register the worker below and frame what the worker answers, so it needs no allowance of its own.
# The service worker's own policy (a worker script's headers set its policy): it fetches nothing but
# this site (the WACZ, by Range), so a replayed page can never reach the live web through it.
# 'wasm-unsafe-eval': it computes hashes with WebAssembly (hash-wasm); blob: and data: are URLs it
# makes itself from what it has already read.
WORKER_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' blob: data:"
)
# What a replay frame shows before the worker takes over: nothing, until the worker is active, and then
# the same address again, which the worker answers. (ReplayWeb.page tries that itself a few times at
# once, which a slow machine can outlast.) Framed only by this site's own replay page, and loading
# only this site's scripts, as ReplayWeb.page's frame page that replaces it does.
WAITING = '<!doctype html><title>Replay</title><script src="/replay/waiting.js"></script>'
WAITING_SCRIPT = "navigator.serviceWorker.ready.then(() => location.reload());\n"
WAITING_POLICY = "default-src 'self'; frame-ancestors 'self'"
SCRIPT_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def byte_range(header: str | None, size: int) -> range | None:
    """The bytes a ``Range`` header asks for out of ``size`` (answered as part, even when that is all of
    it: ReplayWeb.page reads a range's answer as the range); None for the whole (no header, or one that
    is not a single byte range), and an empty range if none of it exists."""
    found = ByteRange.fullmatch((header or "").strip())
    if found is None or found.group(1) == found.group(2) == "":
        return None
    first, last = found.group(1), found.group(2)
    if first == "":  # the last N bytes
        start, stop = max(size - int(last), 0), size
    else:
        start, stop = int(first), size if last == "" else min(int(last) + 1, size)
    if start >= size or stop <= start:
        return range(size, size)
    return range(start, stop)


def sliced(chunks: Iterator[bytes], wanted: range) -> Iterator[bytes]:
    """The bytes of ``wanted`` out of the item's checked stream. Reading goes on to the end of the
    stream, so the digest is checked (``access_log.stream_item``) before the slice's last piece leaves:
    a damaged copy never yields a complete-looking answer."""
    at = 0
    held = b""
    for chunk in chunks:
        piece = chunk[max(wanted.start - at, 0) : max(wanted.stop - at, 0)]
        at += len(chunk)
        if piece:
            if held:
                yield held
            held = piece
    if held:
        yield held


def _capture_item(inst: Instance, item_id: str) -> EvidenceItem:
    """The item, if it is a web capture's WACZ the reader may see into (the pipeline's content rule:
    a survivor's recording only for those who may read the person's words); NotFound otherwise."""
    shown = evidence.show(inst, item_id)
    if shown.media_type != WACZ:
        raise NotFound("this item is not a web capture (WACZ), so it has no replay", where=item_id)
    service.check_content(inst, item_id)
    return shown


def routes(site: FastAPI) -> None:
    _replayer_routes(site)
    _page_routes(site)
    _content_routes(site)


def _replayer_routes(site: FastAPI) -> None:
    @site.get("/replay/", include_in_schema=False)
    def waiting() -> Response:
        return HTMLResponse(WAITING, headers={"Content-Security-Policy": WAITING_POLICY})

    @site.get("/replay/waiting.js", include_in_schema=False)
    def waiting_script() -> Response:
        return Response(WAITING_SCRIPT, media_type="text/javascript", headers=SCRIPT_HEADERS)

    @site.get("/replay/sw.js", include_in_schema=False)
    def worker() -> Response:
        headers = SCRIPT_HEADERS | {"Content-Security-Policy": WORKER_POLICY}
        return FileResponse(REPLAYER / "sw.js", media_type="text/javascript", headers=headers)

    @site.get("/replay/ui.js", include_in_schema=False)
    def interface() -> Response:
        return FileResponse(
            REPLAYER / "ui.js", media_type="text/javascript", headers=SCRIPT_HEADERS
        )


def _page_routes(site: FastAPI) -> None:
    @site.get("/evidence/{item_id}/replay", include_in_schema=False)
    def replay(request: Request, item_id: str, who: Viewer, access: AccessRef = None) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="evidence", record_id=item_id)
        item = _capture_item(inst, item_id)
        if access is None or not records.viewing(request, "evidence_item", item_id, access):
            return render(request, "purpose.html", what="evidence", labels=[], then="view",
                          action=f"/evidence/{item_id}/replay")  # fmt: skip
        capture = service.item_processing(inst, item_id).capture
        address = (capture.final_url or capture.requested_url) if capture else ""
        return render(request, "replay.html", item=item, access_index=access, address=address,
                          source=f"/evidence/{item_id}/replay.wacz?access={access}")  # fmt: skip

    @site.post("/evidence/{item_id}/replay", include_in_schema=False)
    def replay_purpose(
        request: Request, item_id: str, who: Viewer, purpose: Annotated[str, Form(max_length=1000)]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="evidence", record_id=item_id)
        index = access_log.item_opened(inst, item_id, "view", purpose)
        return records.go(request, f"/evidence/{item_id}/replay?access={index}")


def _content_routes(site: FastAPI) -> None:
    @site.api_route("/evidence/{item_id}/replay.wacz", methods=["GET", "HEAD"],
                    include_in_schema=False)  # fmt: skip
    def replay_content(
        request: Request, item_id: str, who: Viewer, access: Annotated[int, Query(ge=0, le=2**62)]
    ) -> Response:
        """The WACZ's bytes (or those a ``Range`` asks for), as part of the view at entry ``access``."""
        del who  # the view's entry is the acting user's own, checked against the item
        inst = instance_of(request)
        access_log.item_reopened(inst, item_id, "view", access)
        item = _capture_item(inst, item_id)
        wanted = byte_range(request.headers.get("range"), item.size)
        if wanted is not None and not wanted:
            return Response(status_code=416, headers={"Content-Range": f"bytes */{item.size}"})
        span = wanted or range(item.size)
        headers = CONTENT_HEADERS | {"Content-Length": str(len(span))}
        if wanted is not None:
            headers["Content-Range"] = f"bytes {span.start}-{span.stop - 1}/{item.size}"
        code = 200 if wanted is None else 206
        if request.method == "HEAD":
            return Response(status_code=code, media_type=WACZ, headers=headers)
        chunks = access_log.stream_item(inst, item.sha256)
        body = chunks if wanted is None else sliced(chunks, span)
        return StreamingResponse(body, status_code=code, media_type=WACZ, headers=headers)
