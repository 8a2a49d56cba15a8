"""Who looked: opening or downloading an evidence item, and viewing a sensitive record, are custody events.

Each is an ``access`` event naming the object, what was done (``view`` or ``download``) and the purpose
the person stated. The purpose is the one piece of free text this module puts in the log: the accounts
issue asks for it, and prosecutors ask for it. It is limited to :data:`MAX_PURPOSE` characters of one
line, and the screens that ask for it say it is recorded permanently and must not name anyone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from testament.custody import custody, policy
from testament.custody.instance import (
    Instance,
    acting_agent,
    acting_identity,
    recording,
    who_acts,
)
from testament.custody.queries import access as queries
from testament.domain.access import SESSION_LIFETIME, Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.text import clean_text
from testament.errors import InvalidInput, NotFound, PermissionDenied
from testament.storage.engine import read_transaction

MAX_PURPOSE = 300
ACTIONS = ("view", "download")
REFERENCE_LIFETIME = SESSION_LIFETIME  # a reference lasts as long as a session can
# The policy's name for each kind of record whose views are logged.
POLICY_KIND = {"evidence_item": "evidence", "incident": "incident"}


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
        policy.require(conn, instance, Action.READ, kind="evidence", record_id=item_id)
        found = queries.item_case_and_digest(conn, item_id)
        if found is None:
            raise NotFound("no evidence item has this ID", where=item_id)
        case_id, digest = found
        detail = {"object": "evidence_item", "action": action, "purpose": stated}
        event = custody.NewEvent(
            CustodyEventType.ACCESS,
            acting_agent(conn),
            case_id=case_id,
            item_id=item_id,
            sha256=digest,
            detail=detail,
        )
        (recorded,) = custody.record(conn, [event])
    return int(recorded)


def sensitive_record_viewed(instance: Instance, incident_id: str, purpose: str) -> int | None:
    """Record a view of an incident that carries sensitivity labels; None if it carries none."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind="incident", record_id=incident_id)
        found = queries.incident_case_and_labels(conn, incident_id)
    if found is None:
        raise NotFound("no incident has this ID", where=incident_id)
    case_id, labels = found
    if not _labels(labels):
        return None
    stated = check_purpose(purpose)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.READ, kind="incident", record_id=incident_id)
        detail = {"object": "incident", "id": incident_id, "action": "view", "purpose": stated}
        event = custody.NewEvent(
            CustodyEventType.ACCESS, acting_agent(conn), case_id=case_id, detail=detail
        )
        (recorded,) = custody.record(conn, [event])
    return int(recorded)


def stated_purpose(instance: Instance, access_index: int, kind: str, record_id: str) -> str:
    """The purpose stated at log entry ``access_index``, for the pages to carry a reference to that
    entry instead of the purpose itself (a purpose never travels in a URL, where addresses are logged).

    The entry must be the acting user's own ``access`` to the same record (``kind`` is
    ``evidence_item`` or ``incident``), made within :data:`REFERENCE_LIFETIME` (a session's whole
    length); otherwise PermissionDenied, and the page asks for the purpose again.
    """
    since = utc_timestamp(datetime.now(UTC) - REFERENCE_LIFETIME)
    with read_transaction(instance.engine) as conn:
        policy.require(
            conn, instance, Action.READ, kind=POLICY_KIND.get(kind, kind), record_id=record_id
        )
        row = queries.access_event(conn, access_index)
    detail = json.loads(row["detail"]) if row is not None else {}
    record = row["item_id"] if kind == "evidence_item" and row is not None else detail.get("id")
    account = who_acts(instance).user_id  # the instance's principal, or the account acted as
    mine = ("user", str(account)) if account is not None else acting_identity()
    if (
        row is None
        or (row["kind"], row["name"]) != mine
        or detail.get("object") != kind
        or record != record_id
        or row["occurred_at"] < since
        or not detail.get("purpose")
    ):
        raise PermissionDenied(
            "this view's stated purpose is not yours, not of this record, or too old",
            errors={"access": "state why you are opening this again"},
        )
    return str(detail["purpose"])


def item_reopened(instance: Instance, item_id: str, action: str, access_index: int) -> int:
    """An evidence item's content opened again under the view recorded at ``access_index`` (see
    :func:`stated_purpose`). Showing it in that view's page is part of that view, and is not logged a
    second time; downloading it is a new ``download`` event with the same purpose. Its log index."""
    purpose = stated_purpose(instance, access_index, "evidence_item", item_id)
    if action == "view":
        return access_index
    return item_opened(instance, item_id, action, purpose)


def _labels(stored: str | None) -> list[str]:
    """The incident's sensitivity labels, stored as a JSON array."""
    value = json.loads(stored) if stored else []
    return [str(label) for label in value] if isinstance(value, list) else []


def stream_item(instance: Instance, digest: str) -> Iterator[bytes]:
    """The item's bytes from the vault, checked chunk by chunk and against ``digest`` at the end.

    The last chunk is held back until the whole content has passed the check, so a damaged copy raises
    IntegrityError before its final bytes leave: the web layer then breaks the connection, and a client
    never receives a complete-looking download of damaged evidence.

    Only content that an evidence item of a case the principal may read holds is streamed (asked now,
    before the first chunk is read); other content is answered as absent.
    """
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        readable = policy.readable_cases(conn, instance)
        holders = queries.cases_holding(conn, digest)
        if readable is not None and not any(str(cid) in readable for cid in holders):
            raise NotFound("no evidence item has this content", where=digest)
    return _checked_chunks(instance, digest)


def _checked_chunks(instance: Instance, digest: str) -> Iterator[bytes]:
    held: bytes | None = None
    for chunk in instance.blobs.read(digest):
        if held is not None:
            yield held
        held = chunk
    if held is not None:
        yield held
