"""Two-person approval before an export names the people in it (MC-06: exports are redacted by default).

One person asks for a named export of a case for one audience (recipient class, purpose, recipient);
a *different* person approves it; the export then uses the approval once. Each step is a ``disclosure``
custody event naming the case, the audience's codes and the agents, never a person. Consent still
applies: every person in a named export needs a live grant that allows *named* use by that recipient.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import Action
from testament.domain.consent import Use
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from testament.storage.engine import lock_log, read_transaction
from testament.taxonomy import vocabulary
from testament.transfer.queries import disclosure as queries
from testament.transfer.results import NamedExportRequest


@dataclass(frozen=True)
class Audience:
    """Who an export is for: every person whose information it carries must have consented to this."""

    recipient_class: str
    purpose: str
    recipient: str  # the organisation, as it should be told if consent is withdrawn

    def checked(self) -> Audience:
        return Audience(
            vocabulary.require_one("recipient-classes", self.recipient_class, where="--for"),
            vocabulary.require_one("consent-purposes", self.purpose, where="--purpose"),
            clean_text(self.recipient, "the recipient", "--recipient", required=True),
        )

    def use(self, data_scope: str, *, named: bool = False) -> Use:
        level = "named" if named else "pseudonymous"
        return Use("export", self.purpose, self.recipient_class, data_scope, level)


def _event(conn: Connection, case_id: str, detail: dict[str, Any]) -> None:
    custody.record(
        conn,
        [
            custody.NewEvent(
                CustodyEventType.DISCLOSURE, acting_agent(conn), case_id=case_id, detail=detail
            )
        ],
    )


def request(
    instance: Instance, case_name: str, recipient_class: str, purpose: str, recipient: str
) -> str:
    """Ask for a named export for one audience; returns the request's ID for a second person. Both
    need identity access (``reveal-identity``) on the case."""
    audience = Audience(recipient_class, purpose, recipient).checked()
    with recording(instance) as conn:
        cid = str(policy.require(conn, instance, Action.REVEAL_IDENTITY, case=case_name))
        approval_id = new_id()
        queries.insert_request(
            conn,
            {
                "id": approval_id,
                "case_id": cid,
                "recipient_class": audience.recipient_class,
                "purpose": audience.purpose,
                "recipient": audience.recipient,
                "requested_by": acting_agent(conn),
                "requested_at": utc_timestamp(),
            },
        )
        _event(
            conn,
            cid,
            {
                "object": "named-export",
                "change": "requested",
                "approval": approval_id,
                "recipient_class": audience.recipient_class,
                "purpose": audience.purpose,
            },
        )
    return approval_id


def _require(
    conn: Connection, instance: Instance, action: Action, case_id: str, approval_id: str
) -> None:
    """The policy on the request's case; to anyone who may not read it, the request is absent."""
    try:
        policy.require(conn, instance, action, case=case_id)
    except NotFound:
        raise NotFound("no named-export request has this ID", where=approval_id) from None


def _row(conn: Connection, approval_id: str) -> Mapping[Any, Any]:
    row = queries.approval(conn, approval_id)
    if row is None:
        raise NotFound("no named-export request has this ID", where=approval_id)
    return row


def approve(instance: Instance, approval_id: str) -> None:
    """Approve someone else's request; the person who asked can never approve it."""
    with recording(instance) as conn:
        lock_log(conn)  # the approval's state read below holds until commit
        row = _row(conn, approval_id)
        _require(conn, instance, Action.REVEAL_IDENTITY, row["case_id"], approval_id)
        agent_id = acting_agent(conn)
        if row["approved_at"] is not None:
            raise Conflict("this request was already approved", where=approval_id)
        if row["requested_by"] == agent_id:
            raise PermissionDenied(
                "the person who asked for a named export cannot approve it",
                where=approval_id,
                hint="a second person with identity access must approve it",
            )
        queries.mark_approved(conn, approval_id, agent_id, utc_timestamp())
        _event(
            conn,
            row["case_id"],
            {"object": "named-export", "change": "approved", "approval": approval_id},
        )


def use(conn: Connection, approval_id: str, case_id: str, audience: Any) -> None:
    """Spend an approval on the export being written (in its transaction); refuse any mismatch."""
    lock_log(conn)  # spent once: its state read below holds until commit
    row = _row(conn, approval_id)
    if row["approved_at"] is None:
        raise PermissionDenied(
            "this named export has not been approved by a second person", where=approval_id
        )
    if row["used_at"] is not None:
        raise Conflict("this approval was already used for an export", where=approval_id)
    if (row["case_id"], row["recipient_class"], row["purpose"], row["recipient"]) != (
        case_id,
        audience.recipient_class,
        audience.purpose,
        audience.recipient,
    ):
        raise InvalidInput(
            "the approval was given for another case or audience",
            where=approval_id,
            hint="export for exactly the case, --for, --purpose and --recipient that were approved",
        )
    queries.mark_used(conn, approval_id, utc_timestamp())


def case_of(instance: Instance, approval_id: str) -> str:
    """The case a request is for (for the policy check before approving it)."""
    with read_transaction(instance.engine) as conn:
        case_id = str(_row(conn, approval_id)["case_id"])
        _require(conn, instance, Action.READ, case_id, approval_id)
    return case_id


def pending(instance: Instance) -> list[NamedExportRequest]:
    """Requests waiting for a second person's approval, of the cases the principal may read."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        readable = policy.readable_cases(conn, instance)
        rows = queries.waiting(conn, None if readable is None else sorted(readable))
    return [NamedExportRequest(**row) for row in rows]
