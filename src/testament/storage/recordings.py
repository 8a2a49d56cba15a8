"""Which items hold a survivor's recording: the recording itself, and anything processing derived from
it (a keyframe, a thumbnail, an archive's member), however deep.

Processing may run on an item before a testimony names it as its recording, so a derivative can exist
of what later becomes a recording. Every gate that treats recordings apart (search, access, packages,
erasure) asks here, so a derivative is held to its recording's rules: its consent, its access, its
erasure.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, select

from testament.storage.tables import item_derivative, testimony

CHUNK = 2000
# Derivatives of derivatives go no deeper than nested archives do (archive_max_depth) plus a preview.
MAX_LEVELS = 16


def _chunks(values: Collection[str]) -> list[list[str]]:
    ordered = sorted(values)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def ancestors(conn: Connection, item_ids: Collection[str]) -> dict[str, set[str]]:
    """Each item with itself and every item it was derived from."""
    lineage = {item: {item} for item in item_ids}
    reach = {item: {item} for item in item_ids}  # which asked-for items each frontier item serves
    frontier = set(item_ids)
    for _ in range(MAX_LEVELS):
        parents: dict[str, set[str]] = {}
        for chunk in _chunks(frontier):
            rows = conn.execute(
                select(item_derivative.c.item_id, item_derivative.c.parent_id).where(
                    item_derivative.c.item_id.in_(chunk)
                )
            )
            for child, parent in rows:
                parents.setdefault(str(parent), set()).update(reach.get(str(child), set()))
        if not parents:
            break
        for parent, served in parents.items():
            for item in served:
                lineage[item].add(parent)
            reach[parent] = reach.get(parent, set()) | served
        frontier = set(parents)
    return lineage


def recording_of(conn: Connection, item_ids: Collection[str]) -> dict[str, set[str]]:
    """Of ``item_ids``, those that are a recording or derived from one, each with its recording(s)."""
    lineage = ancestors(conn, item_ids)
    every = set().union(*lineage.values()) if lineage else set()
    recordings: set[str] = set()
    for chunk in _chunks(every):
        query = select(testimony.c.recording_item_id).where(
            testimony.c.recording_item_id.in_(chunk)
        )
        recordings |= {str(i) for i in conn.execute(query).scalars()}
    found = {item: family & recordings for item, family in lineage.items()}
    return {item: held for item, held in found.items() if held}


def derivatives(conn: Connection, item_ids: Collection[str]) -> set[str]:
    """Every item derived from these, however deep (not the items themselves)."""
    found: set[str] = set()
    frontier = set(item_ids)
    for _ in range(MAX_LEVELS):
        children: set[str] = set()
        for chunk in _chunks(frontier):
            rows = conn.execute(
                select(item_derivative.c.item_id).where(item_derivative.c.parent_id.in_(chunk))
            )
            children |= {str(i) for i in rows.scalars()}
        children -= found
        if not children:
            break
        found |= children
        frontier = children
    return found
