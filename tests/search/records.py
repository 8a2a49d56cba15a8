"""Rows in the documentation tables for search tests, written with SQLAlchemy Core."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from sqlalchemy import Connection, insert, select

from testament.storage import tables as t

STAMP = "2026-11-28T00:00:00.000000Z"


def _versioned(**values: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "created_at": STAMP,
        "updated_at": STAMP,
    } | values


def agent(connection: Connection) -> int:
    found = connection.execute(select(t.agent.c.id).where(t.agent.c.name == "search-test")).scalar()
    if found is not None:
        return int(found)
    row = {"kind": "os-user", "name": "search-test", "created_at": STAMP}
    row["record_salt"] = secrets.token_bytes(16)
    return int(
        connection.execute(insert(t.agent).values(**row).returning(t.agent.c.id)).scalar_one()
    )


def case(connection: Connection, name: str) -> str:
    case_id = str(uuid.uuid4())
    connection.execute(
        insert(t.case).values(
            id=case_id,
            name=name,
            created_at=STAMP,
            created_by=agent(connection),
            record_salt=secrets.token_bytes(16),
        )
    )
    return case_id


def incident(connection: Connection, case_id: str, title: str, **given: Any) -> str:
    values = {
        "case_id": case_id,
        "title": title,
        "description": "",
        "occurred_from": None,
        "occurred_to": None,
        "date_precision": "unknown",
        "date_text": "",
        "place_text": "",
        "status": "reported",
        "sensitivity": "[]",
        "unmapped": "{}",
    }
    for name in ("types", "targets", "weapons"):
        values[name] = json.dumps(list(given.pop(name, [])))
    row = _versioned(**(values | given))
    connection.execute(insert(t.incident).values(**row))
    return str(row["id"])


def source(connection: Connection, case_id: str, title: str, **given: Any) -> str:
    values = {"case_id": case_id, "kind": "report", "title": title, "reference": ""}
    row = _versioned(**(values | {"description": ""} | given))
    connection.execute(insert(t.source).values(**row))
    return str(row["id"])


def person(connection: Connection, case_id: str, label: str, description: str = "") -> str:
    row = _versioned(case_id=case_id, label=label, description=description)
    connection.execute(insert(t.person).values(**row))
    return str(row["id"])


def item(connection: Connection, case_id: str, *, note: str, name: str, path: str) -> str:
    item_id = str(uuid.uuid4())
    connection.execute(
        insert(t.evidence_item).values(
            id=item_id,
            case_id=case_id,
            sha256=secrets.token_hex(32),
            size=1,
            original_name=name,
            source_path=path,
            mtime=STAMP,
            media_type="image/jpeg",
            source_note=note,
            ingested_by=agent(connection),
            ingested_at=STAMP,
            duplicate=False,
            record_salt=secrets.token_bytes(16),
        )
    )
    return item_id


def link_item(connection: Connection, item_id: str, incident_id: str, relevance: str) -> str:
    row = _versioned(item_id=item_id, incident_id=incident_id, relevance=relevance)
    connection.execute(insert(t.item_incident).values(**row))
    return str(row["id"])


def area(connection: Connection, name: str, alt_names: list[str], code: str) -> int:
    values = {"level": 1, "code": code, "name": name, "alt_names": json.dumps(alt_names)}
    values |= {"dataset": "test", "geometry": b"", "min_x": 0.0, "min_y": 0.0}
    values |= {"max_x": 1.0, "max_y": 1.0}
    statement = insert(t.admin_area).values(**values).returning(t.admin_area.c.id)
    return int(connection.execute(statement).scalar_one())


def place(connection: Connection, incident_id: str, area_id: int) -> None:
    connection.execute(
        insert(t.incident_area).values(incident_id=incident_id, area_id=area_id, method="given")
    )


def unit(connection: Connection, name: str, aliases: list[str]) -> str:
    row = _versioned(name=name, kind="brigade", country="RU", description="")
    row["aliases"] = json.dumps(
        [{"name": a, "script": "Latn" if a.isascii() else "Cyrl"} for a in aliases]
    )
    connection.execute(insert(t.unit).values(**row))
    return str(row["id"])


def involve(connection: Connection, unit_id: str, incident_id: str) -> str:
    row = _versioned(unit_id=unit_id, incident_id=incident_id, degree="alleged", note="")
    connection.execute(insert(t.unit_involvement).values(**row))
    return str(row["id"])
