"""Sources: where information about incidents comes from (a web page, a document, a person, an organisation).

A source belongs to a case. Its kind comes from the ``source-types`` vocabulary (HURIDOCS MT16, adapted);
a source of kind ``url`` must give an http(s) address, and any address given is checked the same way. The
publication date keeps the precision it was given with (``2022-03`` stays a month). Sources are linked to
incidents (``incident-source``) and, through an evidence link's optional source, to evidence items.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, select

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import evidence
from testament.domain import dates
from testament.domain.access import Action
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput
from testament.search import indexing
from testament.storage import tables
from testament.storage.engine import lock_log, read_transaction
from testament.taxonomy import vocabulary

KINDS = ("source", "incident-source")
FIELDS = ("kind", "title", "url", "reference", "published_at", "description")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")  # \s is str.isspace for str patterns
_KEEP = {
    dates.DatePrecision.EXACT: 20,
    dates.DatePrecision.DAY: 10,
    dates.DatePrecision.MONTH: 7,
    dates.DatePrecision.YEAR: 4,
}


def check_url(value: str, *, where: str = "--url") -> str:
    """An absolute http or https URL with a host, without spaces or control characters."""
    url = clean_text(value, "the URL", where, required=True, field="url")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"{url!r} is not an http or https URL",
            where=where,
            hint="write it as https://host/path",
        )
    if _SPACE_OR_CONTROL.search(url):
        raise InvalidInput("a URL cannot contain spaces or control characters", where=where)
    return url


def published(text: str, *, where: str = "--published") -> str | None:
    """A publication date as ISO text at the precision it was given (YYYY, YYYY-MM, YYYY-MM-DD or a time)."""
    parsed = dates.parse(text, where=where)
    if parsed.start is None:
        return None
    return parsed.start[: _KEEP[parsed.precision]]


def _fields(given: Mapping[str, Any], where: str | None) -> dict[str, Any]:
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"a source has no field {', '.join(unknown)}", where=where)
    values: dict[str, Any] = {}
    if "kind" in given:
        values["kind"] = vocabulary.require_one("source-types", given["kind"], where="--kind")
    if "title" in given:
        values["title"] = clean_text(
            given["title"], "the title", "--title", required=True, field="title"
        )
    for name in ("reference", "description"):
        if name in given:
            values[name] = clean_text(given[name], f"the {name}", f"--{name}", field=name)
    if "url" in given:
        values["url"] = check_url(given["url"]) if given["url"] else None
    if "published_at" in given:
        values["published_at"] = published(given["published_at"] or "")
    return values


def _require_url(values: Mapping[str, Any], where: str | None) -> None:
    if values["kind"] == "url" and not values["url"]:
        raise InvalidInput(
            "a source of kind url needs its address", where=where, hint="give --url https://…"
        )


def create(
    instance: Instance,
    case_name: str,
    *,
    kind: str,
    title: str,
    url: str | None = None,
    reference: str = "",
    published_at: str = "",
    description: str = "",
) -> str:
    """Record a source in a case; returns its ID."""
    given = {"kind": kind, "title": title, "url": url, "reference": reference}
    values = _fields(given | {"published_at": published_at, "description": description}, None)
    _require_url(values, "--url")
    with recording(instance) as conn:
        values |= {
            "case_id": policy.require(conn, instance, Action.DOCUMENT, case=case_name),
            "external_ns": None,
            "external_id": None,
        }
        new_id = history.create(conn, "source", values, agent_id=acting_agent(conn))
        indexing.refresh(conn, "source", [new_id])
        return new_id


def edit(
    instance: Instance,
    source_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> int:
    """Change a source's fields; returns the version."""
    values = _fields(changes, source_id)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="source", record_id=source_id)
        before = history.snapshot("source", history.current(conn, "source", source_id))
        _require_url(before | values, source_id)
        version = history.update(
            conn,
            "source",
            source_id,
            values,
            agent_id=acting_agent(conn),
            expected_version=expected_version,
        )
        indexing.refresh(conn, "source", [source_id])
        return version


def delete(instance: Instance, source_id: str, *, expected_version: int | None = None) -> int:
    """Mark a source deleted (its links stay, as history, and show the source as deleted)."""
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="source", record_id=source_id)
        version = history.delete(
            conn,
            "source",
            source_id,
            agent_id=acting_agent(conn),
            expected_version=expected_version,
        )
        indexing.refresh(conn, "source", [source_id])
        return version


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
        t = tables.incident_source
        lock_log(conn)  # no constraint backs this check: it holds until commit
        existing = conn.execute(
            select(t.c.id).where(
                t.c.source_id == source_id, t.c.incident_id == incident_id, t.c.deleted_at.is_(None)
            )
        ).scalar()
        if existing is not None:
            raise Conflict("this source is already linked to this incident", where=str(existing))
        return history.create(conn, "incident-source", values, agent_id=acting_agent(conn))


def _live(connection: Connection, table: Any, source_id: str) -> list[dict[str, Any]]:
    query = select(table).where(table.c.source_id == source_id, table.c.deleted_at.is_(None))
    rows = connection.execute(query.order_by(table.c.created_at)).mappings()
    return [{k: v for k, v in r.items() if k not in ("created_at", "deleted_at")} for r in rows]


def _titles(connection: Connection, incident_ids: list[str]) -> dict[str, str]:
    t = tables.incident
    rows = connection.execute(select(t.c.id, t.c.title).where(t.c.id.in_(incident_ids)))
    return {row.id: row.title for row in rows}


def show(instance: Instance, source_id: str) -> dict[str, Any]:
    """A source with the incidents it reports on and the evidence links that cite it."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind="source", record_id=source_id)
        row = history.current(conn, "source", source_id)
        data = history.snapshot("source", row)
        data |= {"version": row["version"], "updated_at": row["updated_at"]}
        data["incidents"] = _live(conn, tables.incident_source, source_id)
        titles = _titles(conn, [link["incident_id"] for link in data["incidents"]])
        for link in data["incidents"]:
            link["incident_title"] = titles.get(link["incident_id"], "")
        data["evidence"] = _live(conn, tables.item_incident, source_id)
        evidence.name_items(conn, data["evidence"])
        return data


def list_for_case(
    instance: Instance, case_name: str, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """A case's live sources, by title."""
    t = tables.source
    with read_transaction(instance.engine) as conn:
        cid = policy.require(conn, instance, Action.READ, case=case_name)
        query = (
            select(t.c.id, t.c.kind, t.c.title, t.c.url, t.c.published_at, t.c.version)
            .where(t.c.case_id == cid, t.c.deleted_at.is_(None))
            .order_by(t.c.title, t.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [dict(r._mapping) for r in conn.execute(query)]


def versions(instance: Instance, record_id: str, kind: str = "source") -> list[history.Version]:
    """Every version of a source or of a source–incident link, oldest first."""
    if kind not in KINDS:
        raise InvalidInput(
            f"{kind!r} is not a kind of source record", hint=f"use {', '.join(KINDS)}"
        )
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind=kind, record_id=record_id)
        return history.versions(conn, kind, record_id)
