"""Testimonies in a package: ``data/testimonies/<id>/testimony.json``, each under the consent gate.

A testimony goes in only where the person's consent covers testimony for the package's purpose and
recipient class (pseudonymous, or named with a second person's approval), and is otherwise listed in
``withheld.jsonl``. Its JSON holds the testimony as ``testament export testimonies`` writes it (the
words unsealed, or "erased under policy"), the person's identity only in a named package, and its
recording by reference: the recording is the original at ``data/originals/<sha256>/…``, proved like
every original and stored once. The disclosure entry names each testimony file by digest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from testament.custody.instance import Instance
from testament.packages import layout, queries
from testament.packages.results import Withheld
from testament.packages.writer import BagWriter
from testament.survivors import consent, identity, testimony
from testament.transfer.disclosure import Audience


def chosen(
    conn: Connection,
    case_id: str,
    audience: Audience,
    *,
    recordings: set[str] | None,
    named: bool,
) -> tuple[dict[str, str], list[Withheld]]:
    """The testimonies that go in (ID → person) and those withheld. ``recordings``: only those whose
    recording is among these items (a package of chosen items or incidents); None for the whole case."""
    use = audience.use("testimony", named=named)
    included: dict[str, str] = {}
    withheld: list[Withheld] = []
    for row in queries.testimonies(conn, case_id):
        if recordings is not None and row["recording_item_id"] not in recordings:
            continue
        decision = consent.decide(conn, row["person_id"], use)
        if decision.allowed:
            included[row["id"]] = row["person_id"]
            continue
        withheld.append(
            Withheld(
                kind="testimony",
                id=row["id"],
                sha256=None,
                reason="consent",
                detail=f"a testimony whose consent does not cover {audience.purpose} for "
                f"{audience.recipient_class}{' with the person named' if named else ''}",
            )
        )
    return included, withheld


def write(
    conn: Connection,
    instance: Instance,
    writer: BagWriter,
    case_id: str,
    included: Mapping[str, str],
    *,
    named: bool,
    originals: Mapping[str, dict[str, Any]],
) -> list[str]:
    """Write each included testimony's JSON; returns the paths written. ``originals``: the package's
    items by ID (for the recording's path)."""
    written = []
    for row in testimony.export_rows(conn, instance, case_id):
        if row["id"] not in included:
            continue
        data = dict(row)
        recording = originals.get(str(row.get("recording_item_id")))
        data["recording"] = (
            None
            if recording is None
            else {
                "item_id": recording["id"],
                "sha256": recording["sha256"],
                "path": layout.original_path(recording["sha256"], recording["original_name"]),
            }
        )
        if named:
            data["identity"] = identity.exported(conn, instance, row["person_id"])
        path = f"{layout.TESTIMONIES}/{row['id']}/testimony.json"
        writer.add_text(path, json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n")
        written.append(path)
    return written
