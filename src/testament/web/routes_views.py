"""A record's own page: an incident, an evidence item with its custody timeline.

Opening an evidence item, or an incident with sensitivity labels, first asks why (``purpose.html``); the
purpose is posted and logged, and the page carries the view's log entry (``?access=N``) in its place, so
the purpose itself never travels in a URL (docs/web.md).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import Response

from testament.custody import access_log, custody_log
from testament.documentation import evidence, incidents, item_uses
from testament.domain.access import Action
from testament.http.guard import allow
from testament.pipeline import service
from testament.survivors import testimony
from testament.web import legal, people, records
from testament.web.pages import Viewer, instance_of, render

# A view's log entry, which the pages carry in place of its stated purpose (docs/web.md).
AccessRef = Annotated[int | None, Query(ge=0, le=2**62)]


def routes(site: FastAPI) -> None:
    _incident_routes(site)
    _evidence_routes(site)


def _incident_routes(site: FastAPI) -> None:
    @site.get("/incidents/{incident_id}", include_in_schema=False)
    def incident_page(
        request: Request, incident_id: str, who: Viewer, access: AccessRef = None
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="incident", record_id=incident_id)
        data = incidents.show(inst, incident_id)
        if data.sensitivity and not records.viewing(request, "incident", incident_id, access):
            return records.ask_purpose(request, "incident", incident_id, data.sensitivity)
        history = incidents.versions(inst, "incident", incident_id)
        return render(request, "incident.html", incident=data, history=history,
                      access=access if data.sensitivity else None,
                      may_edit=records.may(request, who, Action.DOCUMENT, kind="incident",
                                           record_id=incident_id),
                      linkable=records.linkable(request, who, data),
                      links=people.incident_links(request, who, data),
                      legal=legal.panel(request, who, data))  # fmt: skip

    @site.post("/incidents/{incident_id}/purpose", include_in_schema=False)
    def incident_purpose(
        request: Request,
        incident_id: str,
        who: Viewer,
        purpose: Annotated[str, Form(max_length=1000)],
        then: Annotated[str, Form(max_length=8)] = "view",
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="incident", record_id=incident_id)
        index = access_log.sensitive_record_viewed(inst, incident_id, purpose)
        target = f"/incidents/{incident_id}" + ("/edit" if then == "edit" else "")
        return records.go(request, target + (f"?access={index}" if index is not None else ""))


def _evidence_routes(site: FastAPI) -> None:
    @site.get("/evidence/{item_id}", include_in_schema=False)
    def evidence_page(
        request: Request, item_id: str, who: Viewer, access: AccessRef = None
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="evidence", record_id=item_id)
        if access is None or not records.viewing(request, "evidence_item", item_id, access):
            return records.ask_purpose(request, "evidence", item_id, [])
        item = evidence.show(inst, item_id)
        timeline = custody_log.item_timeline(inst, item_id)
        named = custody_log.agents_named(inst, [event.agent for event in timeline])
        agents = {agent.agent: (agent.kind, agent.name) for agent in named}
        # A testimony's recording plays only for those who may read the words (the API refuses others).
        playable = testimony.recorded_in(inst, item_id) is None or records.may(
            request, who, Action.REVEAL_IDENTITY, kind="evidence", record_id=item_id
        )
        # A recording's name and note may name the person: by type and digest only, as search does.
        withheld = item_id in service.names_withheld(inst, [item_id])
        shown_name = (
            records.withheld_name(item.media_type, item.sha256) if withheld else item.shown_name
        )
        return render(request, "evidence.html", item=item, timeline=timeline, access_index=access,
                      agents=agents, playable=playable, shown_name=shown_name,
                      name_withheld=withheld, uses=item_uses.uses(inst, item_id),
                      processing=service.item_processing(inst, item_id),
                      duplicates=service.duplicates(inst, item_id))  # fmt: skip

    @site.post("/evidence/{item_id}/purpose", include_in_schema=False)
    def evidence_purpose(
        request: Request, item_id: str, who: Viewer, purpose: Annotated[str, Form(max_length=1000)]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="evidence", record_id=item_id)
        index = access_log.item_opened(inst, item_id, "view", purpose)
        return records.go(request, f"/evidence/{item_id}?access={index}")
