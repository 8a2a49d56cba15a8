"""The text that search snippets are cut from: each hit's readable fields, in the order a snippet
looks for a match (docs/search.md, "Snippets")."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from testament.storage import tables as t

FIELDS = {
    "incident": (t.incident, ("description", "place_text", "date_text", "title")),
    "source": (t.source, ("description", "reference", "title")),
    "person": (t.person, ("description", "label")),
}


def texts(
    conn: Connection, kind: str, ids: Sequence[str], readable: set[str] | None
) -> dict[str, list[str]]:
    """The fields of these live records (of the ``readable`` cases; None: any), by record ID."""
    if kind not in FIELDS or not ids:
        return {}
    table, names = FIELDS[kind]
    statement = select(table.c.id, *(table.c[n] for n in names)).where(
        table.c.id.in_(ids), table.c.deleted_at.is_(None)
    )
    if readable is not None:
        statement = statement.where(table.c.case_id.in_(sorted(readable)))
    return {str(r[0]): [str(v or "") for v in r[1:]] for r in conn.execute(statement)}
