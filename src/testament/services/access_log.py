"""Who looked: opening or downloading an evidence item, and viewing a sensitive record, are custody events.

Each is an ``access`` event naming the object, what was done (``view`` or ``download``) and the purpose
the person stated. The purpose is the one piece of free text this module puts in the log: the accounts
issue asks for it, and prosecutors ask for it. It is limited to :data:`MAX_PURPOSE` characters of one
line, and the screens that ask for it say it is recorded permanently and must not name anyone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import select

from testament.domain.custody import CustodyEventType
from testament.domain.text import clean_text
from testament.errors import InvalidInput, NotFound
from testament.services import custody
from testament.services.instance import Instance, acting_agent, recording
from testament.storage.engine import read_transaction
from testament.storage.tables import evidence_item, incident

MAX_PURPOSE = 300
ACTIONS = ("view", "download")


def check_purpose(purpose: str | None) -> str:
    """The purpose as it will be logged; InvalidInput naming ``purpose`` if it is missing or unusable."""
    text = " ".join((purpose or "").split())
    if not text:
        raise InvalidInput(
            "state why you are opening this",
            errors={"purpose": "required: it is recorded in the custody log with your name"},
        )
    if len(text) > MAX_PURPOSE:
        raise InvalidInput(
            "the stated purpose is too long",
            errors={"purpose": f"at most {MAX_PURPOSE} characters"},
        )
    return clean_text(text, "the purpose", "purpose")


def item_opened(instance: Instance, item_id: str, action: str, purpose: str) -> int:
    """Record that the acting user opened (``view``) or downloaded an evidence item; its log index."""
    if action not in ACTIONS:
        raise InvalidInput(
            "unknown access action", where=action, errors={"action": "view or download"}
        )
    stated = check_purpose(purpose)
    with recording(instance) as conn:
        row = conn.execute(
            select(evidence_item.c.case_id, evidence_item.c.sha256).where(
                evidence_item.c.id == item_id
            )
        ).first()
        if row is None:
            raise NotFound("no evidence item has this ID", where=item_id)
        detail = {"object": "evidence_item", "action": action, "purpose": stated}
        event = custody.NewEvent(
            CustodyEventType.ACCESS,
            acting_agent(conn),
            case_id=row.case_id,
            item_id=item_id,
            sha256=row.sha256,
            detail=detail,
        )
        (recorded,) = custody.record(conn, [event])
    return int(recorded)


def sensitive_record_viewed(instance: Instance, incident_id: str, purpose: str) -> int | None:
    """Record a view of an incident that carries sensitivity labels; None if it carries none."""
    with read_transaction(instance.engine) as conn:
        row = conn.execute(
            select(incident.c.case_id, incident.c.sensitivity).where(incident.c.id == incident_id)
        ).first()
    if row is None:
        raise NotFound("no incident has this ID", where=incident_id)
    if not _labels(row.sensitivity):
        return None
    stated = check_purpose(purpose)
    with recording(instance) as conn:
        detail = {"object": "incident", "id": incident_id, "action": "view", "purpose": stated}
        event = custody.NewEvent(
            CustodyEventType.ACCESS, acting_agent(conn), case_id=row.case_id, detail=detail
        )
        (recorded,) = custody.record(conn, [event])
    return int(recorded)


def _labels(stored: str | None) -> list[str]:
    """The incident's sensitivity labels, stored as a JSON array."""
    value = json.loads(stored) if stored else []
    return [str(label) for label in value] if isinstance(value, list) else []


def stream_item(instance: Instance, digest: str) -> Iterator[bytes]:
    """The item's bytes from the vault, checked chunk by chunk and against ``digest`` at the end.

    The last chunk is held back until the whole content has passed the check, so a damaged copy raises
    IntegrityError before its final bytes leave: the web layer then breaks the connection, and a client
    never receives a complete-looking download of damaged evidence.
    """
    held: bytes | None = None
    for chunk in instance.blobs.read(digest):
        if held is not None:
            yield held
        held = chunk
    if held is not None:
        yield held
