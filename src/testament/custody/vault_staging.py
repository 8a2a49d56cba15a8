"""The vault's staging area: list the partial files a crash left there, and remove them on request.

A write stages its file in ``vault/tmp`` before committing it (docs/vault.md). A process killed in
between (a crashed server during an upload, a killed `testament ingest`) leaves a partial file that
will never be committed. Such files are reported by `testament verify` (step 8) and by
`testament vault clean-tmp`, and removed only by `testament vault clean-tmp --yes`, which first records
a ``deletion`` custody event naming what it removes: nothing in the vault is deleted silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType
from testament.storage.engine import read_transaction
from testament.vault.base import Temporary

STAGING_OBJECT = "vault-staging"


@dataclass(frozen=True)
class Cleaned:
    """What `clean` removed, what it left because its writer still runs, and the event's log index."""

    removed: list[Temporary]
    in_use: list[Temporary]
    log_index: int | None

    @property
    def listed(self) -> list[Temporary]:
        """What the staging area held when cleaning began (less any file gone meanwhile)."""
        return sorted([*self.removed, *self.in_use], key=lambda t: t.name)


def temporaries(instance: Instance) -> list[Temporary]:
    """Every file in the staging area, stale or in use, in name order (no case data: anyone signed in
    may see them)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
    return instance.blobs.temporaries()


def stale_summary(found: list[Temporary]) -> str:
    """One line for a report: how many stale files, and their bytes (empty when there are none)."""
    stale = [t for t in found if t.stale]
    if not stale:
        return ""
    total = sum(t.size for t in stale)
    return f"{len(stale)} partial file(s), {total:,} bytes, left in vault/tmp by a process that no longer runs"


def clean(instance: Instance) -> Cleaned:
    """Remove the stale files, after recording a ``deletion`` event that names each with its size.

    The event commits first: if the removal is then interrupted, the files it names are still
    reported, and a second run removes them and records them again. Files whose writer still runs
    are never touched. An operator's task: administrators only.
    """
    with read_transaction(instance.engine) as conn:  # refused alike whatever the area holds
        policy.require_admin(conn, instance)
    found = temporaries(instance)
    stale = [t for t in found if t.stale]
    in_use = [t for t in found if not t.stale]
    if not stale:
        return Cleaned([], in_use, None)
    detail = {
        "object": STAGING_OBJECT,
        "action": "clean-tmp",
        "files": [{"name": t.name, "size": t.size} for t in stale],
        "count": len(stale),
        "size": sum(t.size for t in stale),
    }
    with recording(instance) as conn:
        policy.require_admin(conn, instance)
        event = custody.NewEvent(
            CustodyEventType.DELETION, agent_id=acting_agent(conn), detail=detail
        )
        (index,) = custody.record(conn, [event])
    removed = instance.blobs.remove_stale_temporaries({t.name for t in stale})
    return Cleaned(removed, in_use, index)
