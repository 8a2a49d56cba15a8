"""insert_many stores exactly what SQLAlchemy's insert stores, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from testament.custody.instance import Instance
from testament.storage import bulk, tables
from testament.storage.engine import read_transaction, write_transaction


def _rows(kind: str) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "record_id": f"r{n}",
            "version": 1,
            "change": "create",
            "data": '{"title":"Ша\'\\"%s?"}',  # quotes, a placeholder lookalike and Cyrillic
            "salt": bytes([n]) * 16,
            "digest": f"{n:064x}",
            "agent_id": 1,
            "at": "2026-01-01T00:00:00.000000Z",
            "log_index": 10_000 + n + (0 if kind == "bulk" else 100),
        }
        for n in range(3)
    ]


def test_insert_many_matches_sqlalchemy(instance: Instance) -> None:
    table = tables.record_version
    with write_transaction(instance.engine) as conn:
        bulk.insert_many(conn, table, _rows("bulk"))
        conn.execute(insert(table), _rows("core"))
    with read_transaction(instance.engine) as conn:
        stored = {
            kind: [
                {k: (bytes(v) if k == "salt" else v) for k, v in row.items() if k != "id"}
                | {"kind": "same", "log_index": row["log_index"] % 100}
                for row in conn.execute(
                    select(table).where(table.c.kind == kind).order_by(table.c.record_id)
                ).mappings()
            ]
            for kind in ("bulk", "core")
        }
    assert stored["bulk"] == stored["core"] and len(stored["bulk"]) == 3


def test_insert_many_of_nothing_does_nothing(instance: Instance) -> None:
    with write_transaction(instance.engine) as conn:
        bulk.insert_many(conn, tables.record_version, [])


def test_insert_many_refuses_python_side_defaults(instance: Instance) -> None:
    defaulted = Table(
        "defaulted", MetaData(), Column("id", Integer), Column("x", String, default="a")
    )
    with write_transaction(instance.engine) as conn, pytest.raises(ValueError, match="x"):
        bulk.insert_many(conn, defaulted, [{"id": 1}])
