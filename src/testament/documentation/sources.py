"""Sources: where information about incidents comes from (a web page, a document, a person, an organisation).

A source belongs to a case. Its kind comes from the ``source-types`` vocabulary (HURIDOCS MT16, adapted);
a source of kind ``url`` must give an http(s) address, and any address given is checked the same way. The
publication date keeps the precision it was given with (``2022-03`` stays a month). Sources are linked to
incidents (``incident-source``) and, through an evidence link's optional source, to evidence items.
Its fields are declared in :data:`testament.documentation.kinds.SOURCE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import evidence, records, repository
from testament.documentation.kinds import SOURCE, check_url
from testament.documentation.record_views import (
    EvidenceLink,
    SourceIncident,
    SourceListed,
    SourceView,
    made,
)
from testament.domain.access import Action
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput
from testament.storage.engine import lock_log

__all__ = ["KINDS", "check_url"]  # the address check, as importers know it

KINDS = SOURCE.history


def _require_url(conn: Connection, source_id: str | None, values: dict[str, Any]) -> dict[str, Any]:
    """A source of kind url needs its address, also after an edit that changes either."""
    before = (
        {}
        if source_id is None
        else history.snapshot("source", history.current(conn, "source", source_id))
    )
    if (before | values)["kind"] == "url" and not (before | values)["url"]:
        raise InvalidInput(
            "a source of kind url needs its address",
            where="--url" if source_id is None else source_id,
            hint="give --url https://…",
        )
    return values


def create(instance: Instance, case_name: str, **given: Any) -> str:
    """Record a source in a case (its fields as :data:`~testament.documentation.kinds.SOURCE`
    declares them); returns its ID."""
    return records.create(
        instance,
        SOURCE,
        case_name,
        given,
        complete=_require_url,
        then=records.refresh_index(SOURCE),
    )


def edit(
    instance: Instance,
    source_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> int:
    """Change a source's fields; returns the version."""
    return records.edit(
        instance,
        SOURCE,
        source_id,
        changes,
        expected_version=expected_version,
        complete=_require_url,
        then=records.refresh_index(SOURCE),
    )


def delete(instance: Instance, source_id: str, *, expected_version: int | None = None) -> int:
    """Mark a source deleted (its links stay, as history, and show the source as deleted)."""
    return records.delete(
        instance,
        SOURCE,
        source_id,
        expected_version=expected_version,
        then=records.refresh_index(SOURCE),
    )


def link_incident(instance: Instance, source_id: str, incident_id: str, note: str = "") -> str:
    """Record that a source reports on an incident of the same case; returns the link's ID."""
    values = {"incident_id": incident_id, "source_id": source_id}
    values["note"] = clean_text(note, "the note", "--note")
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="source", record_id=source_id)
        policy.require(conn, instance, Action.DOCUMENT, kind="incident", record_id=incident_id)
        source = history.current(conn, "source", source_id)
        incident = history.current(conn, "incident", incident_id)
        if source["case_id"] != incident["case_id"]:
            raise InvalidInput(
                "the source and the incident are in different cases",
                where=f"source {source_id}, incident {incident_id}",
            )
        lock_log(conn)  # no constraint backs this check: it holds until commit
        existing = repository.live_link(
            conn, "incident-source", source_id=source_id, incident_id=incident_id
        )
        if existing is not None:
            raise Conflict("this source is already linked to this incident", where=existing)
        return history.create(conn, "incident-source", values, agent_id=acting_agent(conn))


def _shown(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in repository.BOOKKEEPING}


def _links(conn: Connection, data: dict[str, Any]) -> dict[str, Any]:
    """The incidents a source reports on (with their titles) and the evidence links citing it."""
    reports = [
        _shown(r) for r in repository.live_rows(conn, "incident-source", "source_id", data["id"])
    ]
    titles = repository.incident_titles(conn, [link["incident_id"] for link in reports])
    cited = [
        _shown(r) for r in repository.live_rows(conn, "item-incident", "source_id", data["id"])
    ]
    evidence.name_items(conn, cited)
    return {
        "incidents": [
            made(SourceIncident, link, incident_title=titles.get(link["incident_id"], ""))
            for link in reports
        ],
        "evidence": [made(EvidenceLink, link) for link in cited],
    }


def show(instance: Instance, source_id: str) -> SourceView:
    """A source with the incidents it reports on and the evidence links that cite it."""
    return records.show(instance, SOURCE, source_id, _links)


def list_for_case(
    instance: Instance, case_name: str, *, limit: int = 100, offset: int = 0
) -> list[SourceListed]:
    """A case's live sources, by title."""
    return records.listed(
        instance,
        SOURCE,
        case_name,
        lambda conn, case_id: repository.sources_of_case(
            conn, str(case_id), limit=limit, offset=offset
        ),
    )


def versions(instance: Instance, record_id: str, kind: str = "source") -> list[history.Version]:
    """Every version of a source or of a source–incident link, oldest first."""
    return records.versions(instance, SOURCE, record_id, kind)
