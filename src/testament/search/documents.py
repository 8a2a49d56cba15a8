"""Search documents built from the documentation tables: what of each record is searchable.

Only public fields enter the index. A person is indexed by label and description. An evidence item is
indexed by its file name (its title), its source note and the relevance notes of its links to
incidents, never by the path it came from; an item that is the recording of a testimony (a survivor's
account) by none of these, only by its type and digest. An incident carries the names of the places and units it is linked to, so that a search for "Kharkov" or
for a brigade's alias finds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from testament.search import queries
from testament.search.base import Kind, SearchDocument

Built = tuple[list[SearchDocument], list[str]]
Row = Mapping[Any, Any]


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


def _incident(row: Row, areas: Sequence[Row], units: Sequence[Row]) -> SearchDocument:
    names = [row["place_text"]]
    for area in areas:
        names += [area["name"], *names_in(area["alt_names"])]
    for unit in units:
        names += [unit["name"], *names_in(unit["aliases"])]
    area_ids = {int(a["id"]) for a in areas} | ({int(row["area_id"])} if row["area_id"] else set())
    return SearchDocument(
        doc_id=row["id"],
        kind="incident",
        case_id=row["case_id"],
        title=row["title"],
        body=f"{row['description']}\n{row['date_text']}",
        names=tuple(n for n in names if n),
        occurred_from=row["occurred_from"],
        occurred_to=row["occurred_to"],
        area_ids=tuple(sorted(area_ids)),
        types=_codes(row["types"]),
        targets=_codes(row["targets"]),
        weapons=_codes(row["weapons"]),
        status=row["status"],
        unit_ids=tuple(sorted({u["id"] for u in units})),
    )


def _split(rows: Sequence[Row], ids: Sequence[str]) -> tuple[list[Row], list[str]]:
    """Live rows, and the IDs that are deleted or absent (to be removed from the index)."""
    live = [row for row in rows if row["deleted_at"] is None]
    present = {row["id"] for row in live}
    return live, [i for i in ids if i not in present]


def incidents(connection: Connection, ids: Sequence[str]) -> Built:
    live, gone = _split(queries.incident_rows(connection, ids), ids)
    live_ids = [row["id"] for row in live]
    areas = queries.incident_areas(connection, live_ids)
    units = queries.incident_units(connection, live_ids)
    return [_incident(row, areas[row["id"]], units[row["id"]]) for row in live], gone


def sources(connection: Connection, ids: Sequence[str]) -> Built:
    live, gone = _split(queries.source_rows(connection, ids), ids)
    documents = [
        SearchDocument(
            doc_id=row["id"],
            kind="source",
            case_id=row["case_id"],
            title=row["title"],
            body=f"{row['description']}\n{row['reference']}",
            occurred_from=row["published_at"],
            occurred_to=row["published_at"],
        )
        for row in live
    ]
    return documents, gone


def persons(connection: Connection, ids: Sequence[str]) -> Built:
    live, gone = _split(queries.person_rows(connection, ids), ids)
    documents = [
        SearchDocument(
            doc_id=row["id"],
            kind="person",
            case_id=row["case_id"],
            title=row["label"],
            body=row["description"],
            names=(row["label"],),
        )
        for row in live
    ]
    return documents, gone


def _item(row: Row, notes: list[str], recording: bool, text: str = "") -> SearchDocument:
    """An item's document, with the text processing found in it (PDF text, OCR); an item that records
    a testimony (whose name and notes may name the survivor) by its type and digest only."""
    anonymous = f"{row['media_type']} sha256:{row['sha256'][:12]}"
    if recording:
        return SearchDocument(
            doc_id=row["id"], kind="item", case_id=row["case_id"], title=anonymous
        )
    return SearchDocument(
        doc_id=row["id"],
        kind="item",
        case_id=row["case_id"],
        title=row["original_name"] or anonymous,
        body="\n".join([row["source_note"] or "", *notes, text]),
    )


def items(connection: Connection, ids: Sequence[str]) -> Built:
    rows = queries.item_rows(connection, ids)
    present = [row["id"] for row in rows]
    notes = queries.relevance_notes(connection, present)
    recordings = queries.testimony_recordings(connection, present)
    texts = queries.item_texts(connection, present)
    documents = [
        _item(row, notes[row["id"]], row["id"] in recordings, texts.get(row["id"], ""))
        for row in rows
    ]
    known = set(present)
    return documents, [i for i in ids if i not in known]


BUILDERS: dict[Kind, Callable[[Connection, Sequence[str]], Built]] = {
    "incident": incidents,
    "source": sources,
    "person": persons,
    "item": items,
}


def all_ids(connection: Connection, kind: Kind) -> list[str]:
    """Every record of a kind, oldest first (the order documents are numbered in on a rebuild)."""
    return queries.all_ids(connection, kind)
