"""Review on the pages: the review part of an item's and an incident's page (``_review.html``), the
reviewer's queue (``/review``) and the administrators' page of review states (``/admin/review-states``).

Every form posts to the use cases of :mod:`testament.review`, which ask the policy themselves. A
refused form (an unknown user, an empty comment, the author asking to verify their own) comes back on
a page of its own (``review.html``: the target's kind and ID and this part) with the reason on the
form that was sent and what was typed still in it; with htmx the part is swapped in place. Nothing is
half-written: each use case is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import Response

from testament.domain.access import Action
from testament.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TestamentError
from testament.http.auth import Principal
from testament.http.guard import require_admin
from testament.review import comments, reading, rules, states, workflow
from testament.review.results import ReviewState, ReviewStatus
from testament.web import records
from testament.web.i18n import LANGUAGES
from testament.web.pages import Viewer, instance_of, render, templates_for

REFUSED = (InvalidInput, Conflict, NotFound, PermissionDenied)
Short = Annotated[str, Form(max_length=64)]
Body = Annotated[str, Form(max_length=comments.COMMENT_CHARS * 2)]
Back = Annotated[str, Form(max_length=2000)]
Label = Annotated[str, Form(max_length=500)]


@dataclass(frozen=True)
class ReviewPanel:
    """What ``_review.html`` shows: where the target stands, and the forms its reader may use."""

    kind: str
    target_id: str
    status: ReviewStatus
    states: tuple[ReviewState, ...]
    reviewers: tuple[str, ...]
    may_document: bool
    problem: dict[str, Any] | None = None
    form: str = ""
    typed: dict[str, str] = field(default_factory=dict)

    def label(self, code: str, lang: str) -> str:
        for state in self.states:
            if state.code == code:
                return state.label(lang)
        return code


def panel(request: Request, kind: str, target_id: str, **refusal: Any) -> ReviewPanel | None:
    """The review part of a page (None where the reader may not see it)."""
    inst = instance_of(request)
    try:
        status = reading.review(inst, kind, target_id)
    except (NotFound, PermissionDenied, InvalidInput):
        return None
    who: Principal | None = getattr(request.state, "principal", None)
    may = who is not None and records.may(
        request, who, Action.DOCUMENT, kind=rules.KINDS[kind], record_id=target_id
    )
    found = tuple(reading.reviewers(inst, kind, target_id)) if may else ()
    return ReviewPanel(kind, target_id, status, tuple(states.states(inst)), found, may, **refusal)


def _back(back: str, kind: str, target_id: str) -> str:
    """Where a form returns: the page it was on, if it is one of this site's (else the target's)."""
    if back.startswith("/") and not back.startswith("//") and "\\" not in back:
        return back.split("#", maxsplit=1)[0] + "#review"
    return ("/evidence/" if kind == "item" else "/incidents/") + target_id + "#review"


def _kind(kind: str) -> str:
    if kind not in rules.KINDS:
        raise NotFound("no such page", where=kind)
    return kind


def _refused(request: Request, kind: str, target_id: str, exc: TestamentError, *, form: str,
             typed: dict[str, str], back: str) -> Response:  # fmt: skip
    problem = {"message": exc.what, "hint": exc.hint, "where": exc.where}
    shown = panel(request, kind, target_id, problem=problem, form=form, typed=typed)
    if shown is None:
        raise exc
    code = 403 if isinstance(exc, PermissionDenied) else 409 if isinstance(exc, Conflict) else 422
    return render(request, "review.html", code, review=shown, back=_back(back, kind, target_id))


def _done(request: Request, kind: str, target_id: str, back: str) -> Response:
    """After a form: with htmx, the review part drawn again in place (the reader keeps their place
    on the page); without, back to the page it was on."""
    if request.headers.get("hx-request") != "true":
        return records.go(request, _back(back, kind, target_id))
    shown = panel(request, kind, target_id)
    if shown is None:
        return records.go(request, _back(back, kind, target_id))
    return render(request, "review.html", review=shown, back=_back(back, kind, target_id))


def routes(site: FastAPI) -> None:
    for code in LANGUAGES:  # the pages' one way to read a record's review (_review.html)
        templates_for(code).env.globals["review_panel"] = panel
    _target_routes(site)
    _queue_routes(site)


def _target_routes(site: FastAPI) -> None:
    @site.post("/review/{kind}/{target_id}/state", include_in_schema=False)
    def transition(  # noqa: PLR0917 - the form's fields
        request: Request, kind: str, target_id: str, who: Viewer, state: Short = "",
        note: Body = "", back: Back = "",
    ) -> Response:  # fmt: skip
        del who  # signed in; the use case asks the policy
        try:
            workflow.transition(instance_of(request), [(_kind(kind), target_id)], state, note)
        except REFUSED as exc:
            return _refused(request, kind, target_id, exc, form="review-state",
                            typed={"state": state, "note": note}, back=back)  # fmt: skip
        return _done(request, kind, target_id, back)

    @site.post("/review/{kind}/{target_id}/assign", include_in_schema=False)
    def assign(  # noqa: PLR0917 - the form's fields
        request: Request, kind: str, target_id: str, who: Viewer, assignee: Short = "",
        back: Back = "",
    ) -> Response:  # fmt: skip
        del who
        try:
            workflow.assign(instance_of(request), [(_kind(kind), target_id)], assignee or None)
        except REFUSED as exc:
            return _refused(request, kind, target_id, exc, form="review-assign",
                            typed={"assignee": assignee}, back=back)  # fmt: skip
        return _done(request, kind, target_id, back)

    @site.post("/review/{kind}/{target_id}/comment", include_in_schema=False)
    def comment(  # noqa: PLR0917 - the form's fields
        request: Request, kind: str, target_id: str, who: Viewer, body: Body = "",
        back: Back = "",
    ) -> Response:  # fmt: skip
        del who
        try:
            comments.comment(instance_of(request), (_kind(kind), target_id), body)
        except REFUSED as exc:
            return _refused(request, kind, target_id, exc, form="review-comment",
                            typed={"body": body}, back=back)  # fmt: skip
        return _done(request, kind, target_id, back)


def _queue_routes(site: FastAPI) -> None:
    @site.get("/review", include_in_schema=False)
    def queue(request: Request, who: Viewer) -> Response:
        inst = instance_of(request)
        listed = states.states(inst)
        labels = {s.code: s for s in listed}
        return render(request, "review_queue.html", entries=reading.queue(inst),
                      labels=labels, is_admin=bool(who.actor and who.actor.is_admin))  # fmt: skip

    @site.get("/admin/review-states", include_in_schema=False)
    def review_states(request: Request, who: Viewer) -> Response:
        require_admin(who)
        return _states_page(request, 200)

    @site.post("/admin/review-states", include_in_schema=False)
    def set_state(  # noqa: PLR0917 - the form's fields
        request: Request, who: Viewer, code: Short = "", label_en: Label = "",
        label_uk: Label = "", second_person: Short = "", queued: Short = "", label_ar: Label = "",
    ) -> Response:  # fmt: skip
        require_admin(who)
        try:
            states.set_state(instance_of(request), code.strip(), label_en=label_en,
                             label_uk=label_uk, second_person=bool(second_person),
                             queued=bool(queued), label_ar=label_ar)  # fmt: skip
        except REFUSED as exc:
            return _states_page(request, 422, exc, code)
        return records.go(request, "/admin/review-states")

    @site.post("/admin/review-states/{code}/move", include_in_schema=False)
    def move_state(request: Request, code: str, who: Viewer, position: Short = "") -> Response:
        require_admin(who)
        try:
            states.move_state(instance_of(request), code, _number(position))
        except REFUSED as exc:
            return _states_page(request, 422, exc, code)
        return records.go(request, "/admin/review-states")

    @site.post("/admin/review-states/{code}/remove", include_in_schema=False)
    def remove_state(request: Request, code: str, who: Viewer) -> Response:
        require_admin(who)
        try:
            states.remove_state(instance_of(request), code)
        except REFUSED as exc:
            return _states_page(request, 409 if isinstance(exc, Conflict) else 422, exc, code)
        return records.go(request, "/admin/review-states")


def _number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput("a position is a whole number", where="position") from None


def _states_page(
    request: Request, code: int, exc: TestamentError | None = None, state: str = ""
) -> Response:
    problem = None if exc is None else {"message": exc.what, "hint": exc.hint, "state": state}
    return render(request, "review_states.html", code,
                  states=states.states(instance_of(request)), problem=problem)  # fmt: skip
