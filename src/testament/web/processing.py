"""What processing found, on the pages (docs/web.md, "Processing and capture").

- ``/cases/{case}/gallery``: the case's items with their previews, a page at a time, filtered by kind
  of media (``?media=``) and incident link (``?linked=yes|no``). Previews are content, so the gallery
  first asks why (as an item's page does); stating it records a ``view`` of each item shown, and the page
  then carries those views' log entries (``?access=N``), never the purpose. For a viewer who blurs
  graphic content a preview is fetched only when they press "Show" (``templates/_thumbs.html``).
- ``/evidence/{id}/preview?access=N``: an item's preview (a thumbnail, a keyframe, a PDF's first page),
  shown as part of the view recorded at entry N.
- ``/evidence/{id}/text?access=N[&q=words]``: the text found in an item, with where it is, the words
  searched for marked; ``/evidence/{id}/hits?q=`` says where (never what) the text matched, for search.
- ``/capture`` ("Preserve a link") and ``/captures/{id}``: ask for a capture, then follow it.
- ``/jobs``: the jobs, their progress, and "Process again" for a case.

Every rule is the use cases' (:mod:`testament.pipeline.service`, :mod:`testament.pipeline.captures`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import Response, StreamingResponse

from testament.custody import access_log, cases
from testament.custody.instance import Instance
from testament.documentation import evidence
from testament.documentation.results import EvidenceListed
from testament.domain.access import Action
from testament.errors import InvalidInput, NotFound
from testament.http.auth import Principal
from testament.http.guard import allow
from testament.pipeline import captures, registry, service
from testament.pipeline.results import CaptureView, TextSpanView
from testament.web import records
from testament.web.pages import Viewer, instance_of, render

GALLERY_PAGE = 24
JOBS_SHOWN = 200
AccessRef = Annotated[int | None, Query(ge=0, le=2**62)]
Offset = Annotated[int, Query(ge=0, le=10**9)]
Words = Annotated[str, Query(max_length=500)]
CaseName = Annotated[str, Query(max_length=500)]
Filter = Annotated[str, Query(max_length=40)]
LINKED: dict[str, bool | None] = {"": None, "yes": True, "no": False}
PREVIEW_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, no-store",
}


def _held_back(request: Request, who: Principal, item_id: str) -> None:
    """Refuse before asking for a purpose when the reader may not see what is in the item: the use
    cases' own rule (:func:`testament.pipeline.service.check_content`), a survivor's recording and
    what was derived from it being only for those who may read the person's words."""
    del who
    service.check_content(instance_of(request), item_id)


def routes(site: FastAPI) -> None:
    _gallery_routes(site)
    _preview_routes(site)
    _text_routes(site)
    _capture_routes(site)
    _job_routes(site)


# --- The gallery and previews ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What the gallery shows: which page (``offset``) of which items (a kind of media, linked to an
    incident or not), as the page's query names them."""

    offset: int = 0
    media: str = ""
    linked: str = ""

    def linked_filter(self) -> bool | None:
        """The ``linked`` filter as the use case takes it; refuses a value the form never sends."""
        if self.linked not in LINKED:
            raise InvalidInput(
                f"{self.linked[:40]!r} is not a choice of incident links",
                where="linked",
                hint="use yes, no, or leave it empty",
            )
        return LINKED[self.linked]

    def filters(self) -> str:
        """The filters as a query string, for the links that turn pages."""
        return urlencode([(k, v) for k, v in (("media", self.media), ("linked", self.linked)) if v])


def _gallery_page(
    inst: Instance, case_name: str, shown: Shown
) -> tuple[list[EvidenceListed], bool]:
    rows = evidence.list_for_case(
        inst, case_name, limit=GALLERY_PAGE + 1, offset=shown.offset, copies=False,
        media=shown.media or None, linked=shown.linked_filter(),
    )  # fmt: skip
    return rows[:GALLERY_PAGE], len(rows) > GALLERY_PAGE


def _gallery(  # noqa: PLR0917 - what the page shows
    request: Request,
    who: Principal,
    case_name: str,
    shown: Shown,
    access: list[int],
    code: int = 200,
    problem: str | None = None,
) -> Response:
    inst = instance_of(request)
    allow(inst, who, Action.READ, case=case_name)
    filter_problem: str | None = None
    try:
        items, more = _gallery_page(inst, case_name, shown)
    except InvalidInput as exc:  # a filter the form never sends: said beside the filters
        items, more, code = [], False, 422
        filter_problem = exc.what + (f" ({exc.hint})" if exc.hint else "")
    previews = service.previews(inst, [item.id for item in items])
    seen = [item.id for item in items if item.id in previews]
    views = dict(zip(seen, access, strict=False))
    return render(request, "gallery.html", code, case_name=case_name, items=items,
                  previews=previews, views=views, offset=shown.offset, problem=problem,
                  media=shown.media, linked=shown.linked, filters=shown.filters(),
                  filter_problem=filter_problem, shown_names=records.shown_names(inst, items),
                  page_size=GALLERY_PAGE,
                  next_offset=shown.offset + GALLERY_PAGE if more else None,
                  may_document=records.may(request, who, Action.DOCUMENT, case=case_name),
                  kinds=registry.KINDS, progress=service.progress(inst, case_name=case_name),
                  names=_case_names(inst), case_filter=case_name, report=None,
                  refreshed=False)  # fmt: skip


def _gallery_routes(site: FastAPI) -> None:
    @site.get("/cases/{case_name}/gallery", include_in_schema=False)
    def gallery(  # noqa: PLR0917 - the query's parameters
        request: Request,
        case_name: str,
        who: Viewer,
        offset: Offset = 0,
        access: Annotated[list[int], Query(max_length=GALLERY_PAGE)] = [],  # noqa: B006 - copied
        media: Filter = "",
        linked: Filter = "",
    ) -> Response:
        return _gallery(request, who, case_name, Shown(offset, media, linked), access)

    @site.post("/cases/{case_name}/gallery", include_in_schema=False)
    def gallery_views(  # noqa: PLR0917 - the form's fields
        request: Request,
        case_name: str,
        who: Viewer,
        offset: Annotated[int, Form(ge=0, le=10**9)] = 0,
        purpose: Annotated[str, Form(max_length=1000)] = "",
        again: Annotated[int | None, Form(ge=0, le=2**62)] = None,
        again_item: Annotated[str, Form(max_length=36)] = "",
        media: Annotated[str, Form(max_length=40)] = "",
        linked: Annotated[str, Form(max_length=40)] = "",
    ) -> Response:
        """Record a view of each previewed item of the page, for the purpose stated (or the one stated
        at entry ``again``, the previous page's view of ``again_item``), then show the page."""
        inst = instance_of(request)
        shown = Shown(offset, media, linked)
        if again is not None:
            purpose = access_log.stated_purpose(inst, again, "evidence_item", again_item)
        allow(inst, who, Action.READ, case=case_name)
        try:
            items, _more = _gallery_page(inst, case_name, shown)
        except InvalidInput:  # a filter the form never sends: the page names it
            return _gallery(request, who, case_name, shown, [])
        previews = service.previews(inst, [item.id for item in items])
        try:
            access_log.check_purpose(purpose)
        except InvalidInput as exc:
            return _gallery(request, who, case_name, shown, [], 422, exc.what)
        seen = [access_log.item_opened(inst, item.id, "view", purpose)
                for item in items if item.id in previews]  # fmt: skip
        query = urlencode([("offset", offset), *(("access", index) for index in seen)])
        more = f"&{shown.filters()}" if shown.filters() else ""
        return records.go(request, f"/cases/{quote(case_name)}/gallery?{query}{more}")


def _preview_routes(site: FastAPI) -> None:
    @site.get("/evidence/{item_id}/preview", include_in_schema=False)
    def preview(
        request: Request, item_id: str, who: Viewer, access: Annotated[int, Query(ge=0, le=2**62)]
    ) -> Response:
        """The item's preview image, as part of the view recorded at log entry ``access``."""
        inst = instance_of(request)
        access_log.item_reopened(inst, item_id, "view", access)
        _held_back(request, who, item_id)
        preview_id = service.previews(inst, [item_id]).get(item_id)
        shown = evidence.show(inst, preview_id) if preview_id else None
        if shown is None or not shown.media_type.startswith("image/"):
            raise NotFound("this item has no preview image", where=item_id)
        chunks = access_log.stream_item(inst, shown.sha256)
        headers = PREVIEW_HEADERS | {"Content-Length": str(shown.size)}
        return StreamingResponse(chunks, media_type=shown.media_type, headers=headers)


# --- Text -----------------------------------------------------------------------------------------------


def marked(text: str, words: str) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each with whether it is one of ``words`` (any case), to mark."""
    wanted = sorted({w for w in words.split() if w}, key=len, reverse=True)
    if not wanted:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(w) for w in wanted), re.IGNORECASE)
    pieces: list[tuple[str, bool]] = []
    at = 0
    for found in pattern.finditer(text):
        if found.start() > at:
            pieces.append((text[at : found.start()], False))
        pieces.append((found.group(), True))
        at = found.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def _text_routes(site: FastAPI) -> None:
    @site.get("/evidence/{item_id}/text", include_in_schema=False)
    def text_page(
        request: Request, item_id: str, who: Viewer, access: AccessRef = None, q: Words = ""
    ) -> Response:
        """The item's text, span by span with where it is; the words of ``q`` marked."""
        inst = instance_of(request)
        item = evidence.show(inst, item_id)  # an item of a case one may not read: absent
        _held_back(request, who, item_id)
        if not records.viewing(request, "evidence_item", item_id, access):
            action = f"/evidence/{item_id}/text/purpose" + (f"?{urlencode({'q': q})}" if q else "")
            return render(request, "purpose.html", what="evidence", labels=[], then="view",
                          action=action)  # fmt: skip
        spans = service.item_text(inst, item_id)
        hits = service.text_hits(inst, item_id, q) if q.strip() else []
        return render(request, "text.html", item=item, spans=spans,
                      hits=hits, q=q, access=access, marked=marked)  # fmt: skip

    @site.post("/evidence/{item_id}/text/purpose", include_in_schema=False)
    def text_purpose(
        request: Request,
        item_id: str,
        who: Viewer,
        purpose: Annotated[str, Form(max_length=1000)],
        q: Words = "",
    ) -> Response:
        del who
        index = access_log.item_opened(instance_of(request), item_id, "view", purpose)
        query = urlencode({"access": index} | ({"q": q} if q else {}))
        return records.go(request, f"/evidence/{item_id}/text?{query}")

    @site.get("/evidence/{item_id}/hits", include_in_schema=False)
    def hits(request: Request, item_id: str, who: Viewer, q: Words = "") -> Response:
        """Where in the item its text matched ``q`` (page 3, the image): never the text itself."""
        found: list[TextSpanView] = []
        if q.strip():
            _held_back(request, who, item_id)
            found = service.text_hits(instance_of(request), item_id, q)
        return render(request, "_text_hits.html", item_id=item_id, hits=found, q=q)


# --- "Preserve a link" ----------------------------------------------------------------------------------


def _capture(inst: Instance, capture_id: str) -> CaptureView:
    """The capture, or one answer for a capture that does not exist and one of a case not readable."""
    try:
        return captures.capture_view(inst, capture_id)
    except NotFound:
        raise NotFound("no capture has this ID", where=capture_id) from None


def _capture_page(
    request: Request,
    case_name: str,
    *,
    url: str = "",
    capture: CaptureView | None = None,
    problem: str | None = None,
    code: int = 200,
) -> Response:
    readable = cases.list_cases(instance_of(request))
    return render(request, "capture.html", code, cases=readable, case_name=case_name, url=url,
                  capture=capture, problem=problem)  # fmt: skip


def _capture_routes(site: FastAPI) -> None:
    @site.get("/capture", include_in_schema=False)
    def capture_form(request: Request, who: Viewer, case: CaseName = "") -> Response:
        del who
        return _capture_page(request, case)

    @site.post("/capture", include_in_schema=False)
    def capture_asked(
        request: Request,
        who: Viewer,
        url: Annotated[str, Form(max_length=captures.MAX_URL)] = "",
        case: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        del who
        try:
            asked = captures.request_capture(instance_of(request), url, case_name=case)
        except (
            InvalidInput
        ) as exc:  # said beside the field; a refusal (a case not theirs) is the site's
            return _capture_page(request, case, url=url, problem=exc.what, code=422)
        return _capture_page(request, case, capture=asked)

    @site.get("/captures/{capture_id}", include_in_schema=False)
    def capture_page(request: Request, capture_id: str, who: Viewer) -> Response:
        del who
        shown = _capture(instance_of(request), capture_id)
        return _capture_page(request, "", capture=shown)

    @site.get("/captures/{capture_id}/state", include_in_schema=False)
    def capture_state(request: Request, capture_id: str, who: Viewer) -> Response:
        """The capture's state alone, which the page asks for every 2 s until it is done."""
        del who
        return render(request, "_capture_state.html",
                      capture=_capture(instance_of(request), capture_id))  # fmt: skip


# --- Jobs -----------------------------------------------------------------------------------------------


def _case_names(inst: Instance) -> dict[str, str]:
    return {case.id: case.name for case in cases.list_cases(inst)}


def _reprocess_form(  # noqa: PLR0917 - what the form shows
    request: Request,
    case_name: str,
    scope: str,
    done: str | None = None,
    problem: str | None = None,
    code: int = 200,
) -> Response:
    """The form again, with what was queued or why not, and the page's progress, refreshed."""
    inst = instance_of(request)
    return render(request, "_reprocess.html", code, case_name=case_name, kinds=registry.KINDS,
                  report=done, problem=problem, names=_case_names(inst),
                  progress=service.progress(inst, case_name=scope or None),
                  case_filter=scope, refreshed=True)  # fmt: skip


def _job_routes(site: FastAPI) -> None:
    @site.get("/jobs", include_in_schema=False)
    def jobs_page(
        request: Request, who: Viewer, case: CaseName = "", failed: bool = False
    ) -> Response:
        del who
        inst = instance_of(request)
        found = service.list_jobs(inst, case_name=case or None, failed_only=failed)
        return render(request, "jobs.html", jobs=found[:JOBS_SHOWN], case_filter=case,
                      failed=failed, names=_case_names(inst), kinds=registry.KINDS,
                      progress=service.progress(inst, case_name=case or None),
                      case_name=case, report=None, problem=None, refreshed=False)  # fmt: skip

    @site.get("/jobs/progress", include_in_schema=False)
    def progress(request: Request, who: Viewer, case: CaseName = "") -> Response:
        """The counts and the bar alone, which the page asks for every 2 s while jobs wait or run."""
        del who
        shown = service.progress(instance_of(request), case_name=case or None)
        return render(request, "_progress.html", progress=shown, case_filter=case, refreshed=False)

    @site.post("/jobs/reprocess", include_in_schema=False)
    def reprocess(
        request: Request,
        who: Viewer,
        case: Annotated[str, Form(max_length=500)] = "",
        kind: Annotated[str, Form(max_length=32)] = "",
        scope: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        """Process a case's items again (only one kind of processing, if chosen)."""
        del who
        inst = instance_of(request)
        try:
            if not case:
                raise InvalidInput("choose a case", where="case", errors={"case": "required"})
            report = service.reprocess(inst, case_name=case, kinds=[kind] if kind else None)
        except InvalidInput as exc:
            return _reprocess_form(request, case, scope, problem=exc.what, code=422)
        return _reprocess_form(request, case, scope, done=str(report.jobs))
