"""Reading the custody log: checkpoints, the verifier key, entries and proofs, for a stranger to check.

The log carries IDs and digests only, no case data: anyone signed in may read it. An item's own
custody (its timeline, its ingestion entry) is its case's, read as the item is.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from testament.custody import policy
from testament.custody.custody import agent_ref
from testament.custody.instance import Instance
from testament.custody.queries import log as queries
from testament.custody.results import AgentName, TimelineEvent
from testament.domain.access import Action
from testament.domain.custody import utc_timestamp
from testament.domain.results import Result
from testament.errors import InvalidInput, NotFound
from testament.ledger import checkpoint as notes
from testament.ledger import log, proofs
from testament.ledger.keys import VerifierKey
from testament.storage.engine import read_transaction, write_transaction


def verifier_key(instance: Instance) -> str:
    """The verifier key string anyone needs to check this instance's checkpoints and proofs."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
    return instance.record.verifier_key.encode()


def latest_checkpoint(instance: Instance, *, sign_tail: bool = False) -> str:
    """The latest signed checkpoint note; with ``sign_tail``, first sign any unsigned entries (an
    operator's task: administrators only)."""
    if sign_tail:
        with write_transaction(instance.engine) as conn:
            policy.require_admin(conn, instance)
            log.sign_checkpoint(conn, instance.record.log_origin, instance.signer, utc_timestamp())
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        latest = log.latest_checkpoint(conn)
    if latest is None:
        raise NotFound("no checkpoint has been signed yet", hint="run `testament init`")
    return latest.note


def entry(instance: Instance, index: int) -> bytes:
    """The canonical JSON bytes of entry ``index`` (the exact leaf input)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        size = log.size(conn)
        if not 0 <= index < size:
            raise NotFound(
                f"entry {index} is not in the custody log",
                hint=f"entries are numbered 0 to {size - 1}",
            )
        return log.entry(conn, index)


def prove_entry(instance: Instance, index: int) -> str:
    """A c2sp.org/tlog-proof for entry ``index`` under the latest checkpoint."""
    if index < 0:
        raise InvalidInput("the entry index must be zero or more", where="--entry")
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        size = log.size(conn)
        if index >= size:
            raise NotFound(
                f"entry {index} is not in the custody log",
                hint=f"entries are numbered 0 to {size - 1}",
            )
        head = log.latest_checkpoint(conn)
        if head is None or head.size <= index:
            head = log.checkpoint_for(conn, index + 1)
        path = log.inclusion_proof(conn, index, head.size)
    return proofs.TlogProof(index, path, head.note).encode()


def ingestion_index(instance: Instance, item_id: str) -> int:
    """The log index of an item's ingestion event."""
    _check_item_id(item_id)
    with read_transaction(instance.engine) as conn:
        _require_item(conn, instance, item_id)
        index = queries.ingestion_index(conn, item_id)
    if index is None:
        raise NotFound("no evidence item has this ID", where=item_id)
    return index


def _require_item(conn: Connection, instance: Instance, item_id: str) -> None:
    """An item's custody is read as the item is; one of a case the principal may not read is
    answered as a missing one."""
    try:
        policy.require(conn, instance, Action.READ, kind="evidence", record_id=item_id)
    except NotFound:
        raise NotFound("no evidence item has this ID", where=item_id) from None


def _check_item_id(item_id: str) -> None:
    try:
        uuid.UUID(item_id)
    except ValueError:
        raise InvalidInput(
            "not an item ID",
            where=item_id,
            hint="item IDs look like 0b5c3f1e-…, as printed by `testament ingest`",
        ) from None


def consistency(instance: Instance, old_size: int, new_size: int | None) -> list[bytes]:
    """RFC 9162 consistency proof from ``old_size`` to ``new_size`` (default: latest checkpoint)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        if new_size is None:
            head = log.latest_checkpoint(conn)
            new_size = head.size if head else log.size(conn)
        if old_size < 0 or old_size > new_size:
            raise InvalidInput(
                f"--from must be between 0 and {new_size}", where=f"--from {old_size}"
            )
        return log.consistency_proof(conn, old_size, new_size)


def verify_proof(proof_text: str, entry_bytes: bytes, key_text: str) -> notes.Checkpoint:
    """Offline check of a tlog-proof: entry bytes + verifier key; no database needed."""
    key = VerifierKey.parse(key_text)
    _, head = proofs.verify(proof_text, entry_bytes, key)
    return head


@dataclass(frozen=True)
class LogStatus(Result):
    size: int  # entries
    signed_size: int  # entries covered by the latest checkpoint
    checkpoints: int


def status(instance: Instance) -> LogStatus:
    """How long the log is, how much of it the latest checkpoint covers, and how many were signed."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        head = log.latest_checkpoint(conn)
        return LogStatus(log.size(conn), head.size if head else 0, log.checkpoint_count(conn))


def item_timeline(instance: Instance, item_id: str) -> list[TimelineEvent]:
    """Every custody event of an evidence item, oldest first, each with its log index.

    The agent appears as its opaque reference (``agent:<n>``), as in the log itself; who that is stays in
    the database, for those allowed to ask.
    """
    _check_item_id(item_id)
    with read_transaction(instance.engine) as conn:
        _require_item(conn, instance, item_id)
        rows = queries.item_events(conn, item_id)
    return [
        TimelineEvent(
            log_index=int(r["log_index"]),
            event_type=r["event_type"],
            occurred_at=r["occurred_at"],
            agent=agent_ref(int(r["agent_id"])),
            outcome=r["outcome"],
            sha256=r["sha256"],
            detail=json.loads(r["detail"]),
        )
        for r in rows
    ]


def agents_named(instance: Instance, refs: Iterable[str]) -> list[AgentName]:
    """Who the agents ``refs`` (``agent:<n>``, as log entries name them) are, for a page that shows a
    record's custody to someone allowed to read it: kind ``user`` and the username for an account, and
    ``os-user`` and the name for the operating-system user of the command line (an account since
    deleted is left out). The log itself keeps only the opaque reference; the names stay in the
    database."""
    ids = {int(ref.removeprefix("agent:")) for ref in refs if ref.removeprefix("agent:").isdigit()}
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        if not ids:
            return []
        agents = queries.agents(conn, ids)
        accounts = {int(name) for _, kind, name in agents if kind == "user" and name.isdigit()}
        usernames = queries.usernames(conn, accounts)
    named: list[AgentName] = []
    for agent_id, kind, name in agents:
        if kind == "user":
            username = usernames.get(int(name)) if name.isdigit() else None
            if username is not None:
                named.append(AgentName(agent_ref(agent_id), "user", username))
        else:
            named.append(AgentName(agent_ref(agent_id), kind, name))
    return named
