"""Bulk work on the pages: choose items or incidents with the lists' checkboxes, then assign, tag,
untag, link to an incident, change the review state or ask for a package, after a confirmation that
says how many. Tags on an item's or an incident's page (``_tags.html``).

``POST /cases/{case}/bulk`` takes the selection and the action and shows the confirmation: the count,
and what the action needs (a tag, an incident, an assignee, a state, a recipient). Confirming posts
to ``/cases/{case}/bulk/apply``, which calls the one use case of that action with every target: all
or nothing in one transaction, a refusal naming the record at fault beside the form, the outcome
summarised after. Every rule is the use case's (docs/bulk.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import Response

from testament.documentation import bulk, incidents, legal, tags
from testament.documentation.results import TagView
from testament.domain.tags import TAG_CHARS
from testament.errors import ConsentRequired, InvalidInput, NotFound, PermissionDenied
from testament.packages import sharing
from testament.review import states, workflow
from testament.transfer.disclosure import Audience
from testament.web.i18n import LANGUAGES, language
from testament.web.pages import Viewer, instance_of, render, templates_for
from testament.web.records import go

ACTIONS = {
    "item": ("assign", "status", "tag", "untag", "link", "package"),
    "incident": ("assign", "status", "tag", "untag", "package"),
}
Targets = Annotated[list[str], Form(max_length=tags.MAX_TARGETS)]
Short = Annotated[str, Form(max_length=200)]


@dataclass(frozen=True)
class Choice:
    """What the confirmation page was asked to confirm."""

    kind: str
    action: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Done:
    """What a confirmed action did, as the summary shows it."""

    changed: int
    unchanged: int
    request_id: str | None = None


def _choice(kind: str, action: str, targets: list[str]) -> Choice:
    if kind not in ACTIONS:
        raise InvalidInput("choose items or incidents", where="kind")
    if action not in ACTIONS[kind]:
        raise InvalidInput("choose an action", where="action", hint=", ".join(ACTIONS[kind]))
    chosen = tuple(dict.fromkeys(t.strip() for t in targets if t.strip()))
    return Choice(kind, action, chosen)


def _confirm_page(
    request: Request, case_name: str, choice: Choice, code: int = 200, problem: str = ""
) -> Response:
    inst, lang = instance_of(request), language(request)
    extra: dict[str, Any] = {}
    if choice.action == "link":
        extra["incidents"] = incidents.list_for_case(inst, case_name, limit=500)
    if choice.action == "status":
        extra["states"] = [(s.code, s.label(lang)) for s in states.states(inst)]
    if choice.action == "package":
        extra["classes"] = legal.vocabulary_terms("recipient-classes", lang)
        extra["purposes"] = legal.vocabulary_terms("consent-purposes", lang)
    return render(request, "bulk.html", code, case_name=case_name, choice=choice,
                  problem=problem, tag_chars=TAG_CHARS, **extra)  # fmt: skip


@dataclass(frozen=True)
class Fields:
    """The confirmation form's fields, whichever the action uses."""

    tag: str = ""
    incident_id: str = ""
    relevance: str = ""
    assignee: str = ""
    state: str = ""
    note: str = ""
    recipient_class: str = ""
    purpose: str = ""
    recipient: str = ""


def _package(inst: Any, case_name: str, choice: Choice, given: Fields) -> Done:
    items = choice.targets if choice.kind == "item" else ()
    found = choice.targets if choice.kind == "incident" else ()
    if not choice.targets:
        raise InvalidInput("nothing is selected", where="targets")
    audience = Audience(given.recipient_class, given.purpose, given.recipient)
    request_id = sharing.ask(inst, case_name, audience, sharing.Selection(items, found))
    return Done(len(choice.targets), 0, request_id)


def _apply(inst: Any, case_name: str, choice: Choice, given: Fields) -> Done:
    """The one use case of the action, on every target."""
    pairs = [(choice.kind, target) for target in choice.targets]
    actions: dict[str, Callable[[], Any]] = {
        "tag": lambda: tags.add(inst, choice.kind, choice.targets, given.tag, case=case_name),
        "untag": lambda: tags.remove(inst, choice.kind, choice.targets, given.tag, case=case_name),
        "link": lambda: bulk.link_items(
            inst, choice.targets, given.incident_id, given.relevance, case=case_name
        ),
        "assign": lambda: workflow.assign(
            inst, _selected(pairs), given.assignee or None, case=case_name
        ),
        "status": lambda: workflow.transition(
            inst, _selected(pairs), given.state, given.note, case=case_name
        ),
    }
    if choice.action == "package":
        return _package(inst, case_name, choice, given)
    done = actions[choice.action]()
    return Done(len(done.changed), len(done.unchanged))


def _selected(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if not pairs:
        raise InvalidInput(
            "nothing is selected", where="targets", hint="select at least one record"
        )
    return pairs


def record_tags(request: Request, kind: str, record_id: str) -> list[TagView]:
    """The tags shown on an item's or an incident's page (none where the reader may not see them)."""
    try:
        return tags.of_record(instance_of(request), kind, record_id)
    except (NotFound, PermissionDenied, InvalidInput):
        return []


def routes(site: FastAPI) -> None:
    for code in LANGUAGES:  # the pages' one way to read a record's tags (_tags.html)
        templates_for(code).env.globals["record_tags"] = record_tags
    _bulk_routes(site)
    _tag_routes(site)


def _bulk_routes(site: FastAPI) -> None:
    @site.post("/cases/{case_name}/bulk", include_in_schema=False)
    def confirm(  # noqa: PLR0917 - the form's fields
        request: Request,
        case_name: str,
        who: Viewer,
        kind: Annotated[str, Form(max_length=16)] = "",
        action: Annotated[str, Form(max_length=16)] = "",
        target: Targets = [],  # noqa: B006 - FastAPI copies a form default
    ) -> Response:
        del who  # signed in; the use case asks the policy when the action is confirmed
        choice = _choice(kind, action, target)
        if not choice.targets:
            return _confirm_page(request, case_name, choice, 422, "nothing is selected")
        return _confirm_page(request, case_name, choice)

    @site.post("/cases/{case_name}/bulk/apply", include_in_schema=False)
    def apply(  # noqa: PLR0917 - the form's fields
        request: Request,
        case_name: str,
        who: Viewer,
        kind: Annotated[str, Form(max_length=16)] = "",
        action: Annotated[str, Form(max_length=16)] = "",
        target: Targets = [],  # noqa: B006 - FastAPI copies a form default
        tag: Short = "",
        incident_id: Short = "",
        relevance: Annotated[str, Form(max_length=2000)] = "",
        assignee: Short = "",
        state: Short = "",
        note: Annotated[str, Form(max_length=2000)] = "",
        recipient_class: Short = "",
        purpose: Short = "",
        recipient: Annotated[str, Form(max_length=300)] = "",
    ) -> Response:
        del who
        choice = _choice(kind, action, target)
        given = Fields(tag, incident_id, relevance, assignee, state, note, recipient_class,
                       purpose, recipient)  # fmt: skip
        try:
            done = _apply(instance_of(request), case_name, choice, given)
        except (InvalidInput, NotFound, PermissionDenied, ConsentRequired) as exc:
            where = f" ({exc.where})" if exc.where else ""
            return _confirm_page(request, case_name, choice, 422, exc.what + where)
        return render(request, "bulk_done.html", case_name=case_name, choice=choice, done=done)


def _tag_routes(site: FastAPI) -> None:
    @site.get("/cases/{case_name}/tags", include_in_schema=False)
    def case_tags(
        request: Request,
        case_name: str,
        who: Viewer,
        tag: Annotated[str, Query(max_length=TAG_CHARS * 4)] = "",
    ) -> Response:
        """The case's tags with their counts; with ``tag``, the items and incidents that carry it."""
        del who
        inst = instance_of(request)
        counts = tags.of_case(inst, case_name)
        found = tags.tagged_records(inst, case_name, tag) if tag.strip() else []
        return render(request, "tags.html", case_name=case_name, counts=counts, tag=tag.strip(),
                      found=found)  # fmt: skip

    @site.post("/tags/{kind}/{record_id}", include_in_schema=False)
    def change_tag(  # noqa: PLR0917 - the form's fields
        request: Request,
        kind: str,
        record_id: str,
        who: Viewer,
        tag: Annotated[str, Form(max_length=TAG_CHARS * 4)] = "",
        remove: Annotated[str, Form(max_length=8)] = "",
        back: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        del who
        inst = instance_of(request)
        if remove:
            tags.remove(inst, kind, [record_id], tag)
        else:
            tags.add(inst, kind, [record_id], tag)
        page = ("/incidents/" if kind == "incident" else "/evidence/") + record_id
        # Back to the page the form was on (an item's page keeps its view's log entry).
        return go(request, back if back.split("?")[0] == page else page)
