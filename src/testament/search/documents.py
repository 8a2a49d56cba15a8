"""Search documents built from the documentation tables: what of each record is searchable.

Only public fields enter the index. A person is indexed by label and description. An evidence item is
indexed by its file name (its title), its source note and the relevance notes of its links to
incidents, never by the path it came from; an item that is the recording of a testimony (a survivor's
account) by none of these, only by its type and digest. An incident carries the names of the places and units it is linked to, so that a search for "Kharkov" or
for a brigade's alias finds it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, select

from testament.search.base import Kind, SearchDocument
from testament.storage import tables as t

Built = tuple[list[SearchDocument], list[str]]


def names_in(value: str | None) -> list[str]:
    """The names in JSON text (a list of names or of aliases with a ``name``) or in plain text."""
    if not value:
        return []
    try:
        decoded: Any = json.loads(value)
    except ValueError:
        return [value]
    if isinstance(decoded, str):
        return [decoded]
    if isinstance(decoded, dict):  # a unit's alias: {"name", "script", "lang"}
        name = decoded.get("name")
        decoded = [name] if isinstance(name, str) else list(decoded.values())
    if not isinstance(decoded, list):
        return []
    found: list[str] = []
    for item in decoded:
        found += [item] if isinstance(item, str) else names_in(json.dumps(item))
    return found


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(names_in(value))


def _areas(connection: Connection, ids: Sequence[str]) -> dict[str, list[Any]]:
    rows = connection.execute(
        select(t.incident_area.c.incident_id, t.admin_area.c.id, t.admin_area.c.name)
        .add_columns(t.admin_area.c.alt_names)
        .join(t.admin_area, t.admin_area.c.id == t.incident_area.c.area_id)
        .where(t.incident_area.c.incident_id.in_(ids))
    )
    found: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(row)
    return found


def _units(connection: Connection, ids: Sequence[str]) -> dict[str, list[Any]]:
    involvement = t.unit_involvement
    rows = connection.execute(
        select(involvement.c.incident_id, t.unit.c.id, t.unit.c.name, t.unit.c.aliases)
        .join(t.unit, t.unit.c.id == involvement.c.unit_id)
        .where(
            involvement.c.incident_id.in_(ids),
            involvement.c.deleted_at.is_(None),
            t.unit.c.deleted_at.is_(None),
        )
    )
    found: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(row)
    return found


def _incident(row: Any, areas: list[Any], units: list[Any]) -> SearchDocument:
    names = [row.place_text]
    for area in areas:
        names += [area.name, *names_in(area.alt_names)]
    for unit in units:
        names += [unit.name, *names_in(unit.aliases)]
    area_ids = {int(a.id) for a in areas} | ({int(row.area_id)} if row.area_id else set())
    return SearchDocument(
        doc_id=row.id,
        kind="incident",
        case_id=row.case_id,
        title=row.title,
        body=f"{row.description}\n{row.date_text}",
        names=tuple(n for n in names if n),
        occurred_from=row.occurred_from,
        occurred_to=row.occurred_to,
        area_ids=tuple(sorted(area_ids)),
        types=_codes(row.types),
        targets=_codes(row.targets),
        weapons=_codes(row.weapons),
        status=row.status,
        unit_ids=tuple(sorted({u.id for u in units})),
    )


def _split(rows: Sequence[Any], ids: Sequence[str]) -> tuple[list[Any], list[str]]:
    """Live rows, and the IDs that are deleted or absent (to be removed from the index)."""
    live = [row for row in rows if row.deleted_at is None]
    present = {row.id for row in live}
    return live, [i for i in ids if i not in present]


def incidents(connection: Connection, ids: Sequence[str]) -> Built:
    rows = connection.execute(select(t.incident).where(t.incident.c.id.in_(ids))).all()
    live, gone = _split(rows, ids)
    live_ids = [row.id for row in live]
    areas, units = _areas(connection, live_ids), _units(connection, live_ids)
    return [_incident(row, areas[row.id], units[row.id]) for row in live], gone


def sources(connection: Connection, ids: Sequence[str]) -> Built:
    rows = connection.execute(select(t.source).where(t.source.c.id.in_(ids))).all()
    live, gone = _split(rows, ids)
    documents = [
        SearchDocument(
            doc_id=row.id,
            kind="source",
            case_id=row.case_id,
            title=row.title,
            body=f"{row.description}\n{row.reference}",
            occurred_from=row.published_at,
            occurred_to=row.published_at,
        )
        for row in live
    ]
    return documents, gone


def persons(connection: Connection, ids: Sequence[str]) -> Built:
    columns = (t.person.c.id, t.person.c.case_id, t.person.c.label, t.person.c.description)
    rows = connection.execute(
        select(*columns, t.person.c.deleted_at).where(t.person.c.id.in_(ids))
    ).all()
    live, gone = _split(rows, ids)
    documents = [
        SearchDocument(
            doc_id=row.id,
            kind="person",
            case_id=row.case_id,
            title=row.label,
            body=row.description,
            names=(row.label,),
        )
        for row in live
    ]
    return documents, gone


def _relevance(connection: Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    link = t.item_incident
    rows = connection.execute(
        select(link.c.item_id, link.c.relevance).where(
            link.c.item_id.in_(ids), link.c.deleted_at.is_(None)
        )
    )
    found: dict[str, list[str]] = defaultdict(list)
    for item_id, relevance in rows:
        found[item_id].append(relevance)
    return found


def _recordings(connection: Connection, ids: Sequence[str]) -> set[str]:
    """Which of these items record a testimony: their names and notes may name the survivor."""
    found = select(t.testimony.c.recording_item_id).where(t.testimony.c.recording_item_id.in_(ids))
    return {str(i) for i in connection.execute(found).scalars()}


def _item(row: Any, notes: list[str], recording: bool) -> SearchDocument:
    anonymous = f"{row.media_type} sha256:{row.sha256[:12]}"
    if recording:
        return SearchDocument(doc_id=row.id, kind="item", case_id=row.case_id, title=anonymous)
    return SearchDocument(
        doc_id=row.id,
        kind="item",
        case_id=row.case_id,
        title=row.original_name or anonymous,
        body="\n".join([row.source_note or "", *notes]),
    )


def items(connection: Connection, ids: Sequence[str]) -> Built:
    item = t.evidence_item
    # Never source_path: the folders a file came from can name the people in it.
    columns = (item.c.id, item.c.case_id, item.c.sha256, item.c.media_type, item.c.source_note)
    rows = connection.execute(
        select(*columns, item.c.original_name).where(item.c.id.in_(ids))
    ).all()
    present = [row.id for row in rows]
    notes, recordings = _relevance(connection, present), _recordings(connection, present)
    documents = [_item(row, notes[row.id], row.id in recordings) for row in rows]
    known = set(present)
    return documents, [i for i in ids if i not in known]


BUILDERS: dict[Kind, Callable[[Connection, Sequence[str]], Built]] = {
    "incident": incidents,
    "source": sources,
    "person": persons,
    "item": items,
}
ORDER = {
    "incident": (t.incident.c.created_at, t.incident.c.id),
    "source": (t.source.c.created_at, t.source.c.id),
    "person": (t.person.c.created_at, t.person.c.id),
    "item": (t.evidence_item.c.ingested_at, t.evidence_item.c.id),
}


def all_ids(connection: Connection, kind: Kind) -> list[str]:
    """Every record of a kind, oldest first (the order documents are numbered in on a rebuild)."""
    created, record_id = ORDER[kind]
    statement = select(record_id).order_by(created, record_id)
    if "deleted_at" in record_id.table.c:
        statement = statement.where(record_id.table.c.deleted_at.is_(None))
    return list(connection.execute(statement).scalars())
