"""Sharing with investigators on the pages (docs/packages.md, "Sharing from the browser").

``/cases/{case}/share`` chooses what to share and for whom, and previews what goes in, what is withheld
and why, and the size; asking files a request. ``/sharing`` lists the requests of the cases the user may
read: a coordinator other than the asker approves or refuses one; an approved package is built on a
thread of the server (architecture decision 5: on the embedded default, work runs in process) while its
row shows a progress bar; the person who asked downloads it. ``/disclosures`` is the disclosure
register. Every rule is the use case's (:mod:`testament.packages.sharing`).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import FileResponse, Response

from testament.custody.instance import Instance
from testament.documentation import evidence, incidents, legal
from testament.errors import ConsentRequired, InvalidInput
from testament.packages import sharing
from testament.packages.create import MEDIA_FAMILIES, Narrowing
from testament.packages.results import Preview
from testament.transfer.disclosure import Audience
from testament.web.i18n import language
from testament.web.pages import Viewer, instance_of, render
from testament.web.records import go

PAGE = "/sharing"
REGISTER = "/disclosures"


def _form_page(
    request: Request,
    case_name: str,
    code: int = 200,
    *,
    chosen: dict[str, object] | None = None,
    preview: Preview | None = None,
    problem: str | None = None,
) -> Response:
    inst = instance_of(request)
    lang = language(request)
    return render(
        request, "share.html", code, case_name=case_name,
        incidents=incidents.list_for_case(inst, case_name, limit=500),
        items=evidence.list_for_case(inst, case_name, limit=500),
        classes=legal.vocabulary_terms("recipient-classes", lang),
        purposes=legal.vocabulary_terms("consent-purposes", lang),
        chosen=chosen or {}, preview=preview, problem=problem, families=MEDIA_FAMILIES,
    )  # fmt: skip


Chosen = Annotated[list[str], Form()]


def _choice(
    audience: Audience, items: list[str], incident: list[str], only: Narrowing
) -> tuple[sharing.Selection, dict[str, object]]:
    chosen: dict[str, object] = {
        "recipient_class": audience.recipient_class, "purpose": audience.purpose,
        "recipient": audience.recipient, "items": set(items), "incidents": set(incident),
        "media_types": set(only.media_types), "dated_from": only.dated_from or "",
        "dated_to": only.dated_to or "",
    }  # fmt: skip
    narrowed = only if only.media_types or only.dated_from or only.dated_to else None
    return sharing.Selection(tuple(items), tuple(incident), narrowed), chosen


def routes(site: FastAPI) -> None:
    sharing.interrupted(site.state.instance)  # builds a stopped server cut short: failed, with why
    _form_routes(site)
    _request_routes(site)


def _form_routes(site: FastAPI) -> None:
    @site.get("/cases/{case_name}/share", include_in_schema=False)
    def share(request: Request, case_name: str, who: Viewer) -> Response:
        del who  # signed in; the preview and the request ask the policy
        return _form_page(request, case_name)

    @site.post("/cases/{case_name}/share", include_in_schema=False)
    def ask_or_preview(  # noqa: PLR0917 - the form's fields
        request: Request,
        case_name: str,
        who: Viewer,
        action: Annotated[str, Form(max_length=16)] = "preview",
        recipient_class: Annotated[str, Form(max_length=48)] = "",
        purpose: Annotated[str, Form(max_length=48)] = "",
        recipient: Annotated[str, Form(max_length=300)] = "",
        items: Chosen = [],  # noqa: B006 - FastAPI copies a form default
        incident: Chosen = [],  # noqa: B006 - as above
        media_type: Chosen = [],  # noqa: B006 - as above
        dated_from: Annotated[str, Form(max_length=10)] = "",
        dated_to: Annotated[str, Form(max_length=10)] = "",
    ) -> Response:
        del who
        inst = instance_of(request)
        audience = Audience(recipient_class, purpose, recipient)
        only = Narrowing(tuple(media_type), dated_from or None, dated_to or None)
        selection, chosen = _choice(audience, items, incident, only)
        try:
            if action == "ask":
                sharing.ask(inst, case_name, audience, selection)
                return go(request, PAGE)
            shown = sharing.preview(inst, case_name, audience, selection)
        except (
            InvalidInput,
            ConsentRequired,
        ) as exc:  # said beside the form; a refusal is the site's
            return _form_page(request, case_name, 422, chosen=chosen, problem=exc.what)
        return _form_page(request, case_name, chosen=chosen, preview=shown)


def _request_routes(site: FastAPI) -> None:
    @site.get(PAGE, include_in_schema=False)
    def requests(request: Request, who: Viewer) -> Response:
        del who
        return render(request, "sharing.html", requests=sharing.requests(instance_of(request)))

    @site.post(PAGE + "/{request_id}/decide", include_in_schema=False)
    def decide(
        request: Request,
        request_id: str,
        who: Viewer,
        decision: Annotated[str, Form(max_length=16)] = "",
        reason: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        del who
        inst = instance_of(request)
        if decision not in ("approve", "refuse"):
            raise InvalidInput("choose to approve or to refuse", where="decision")
        sharing.decide(inst, request_id, approve=decision == "approve", reason=reason)
        if decision == "approve":
            _build_in_background(inst, request_id)
        return go(request, PAGE)

    @site.get(PAGE + "/{request_id}/download", include_in_schema=False)
    def download(request: Request, request_id: str, who: Viewer) -> Response:
        del who
        path, name = sharing.download(instance_of(request), request_id)
        return FileResponse(path, media_type="application/zip", filename=name)

    @site.get(REGISTER, include_in_schema=False)
    def register(request: Request, who: Viewer) -> Response:
        del who
        return render(request, "disclosures.html", entries=sharing.register(instance_of(request)))


def _build_in_background(inst: Instance, request_id: str) -> threading.Thread:
    """Build the approved package on a thread; its progress and outcome are kept on the request."""

    def work() -> None:
        with contextlib.suppress(Exception):  # marked failed on the request, with the reason
            sharing.build(inst, request_id)

    thread = threading.Thread(target=work, name=f"package-{request_id}", daemon=True)
    thread.start()
    return thread
