"""Erasing a person: crypto-shredding their identity and their words, keeping every proof (docs/survivors.md).

A survivor may ask for their data to be erased, and a safety emergency may demand it. :func:`erase`

1. appends the person's ID to the *erasure register* (a file outside the database, IDs only), so that a
   database restored from an older backup is erased again the next time Testament opens it;
2. in one transaction destroys the person's wrapped key and every value sealed with it (identity,
   testimony texts, facts, notes on needs), revokes every consent grant, records the erasure and a
   ``shred`` custody event naming the person's ID and the grounds, never the content, and one more
   ``shred`` event for each recording of their interviews whose blob is to be destroyed (unless policy
   keeps recordings, or the same file is also evidence elsewhere); after the commit the vault destroys
   those blobs' data keys;
3. scrubs what the database keeps of old row versions: on SQLite the row is rewritten with
   ``secure_delete`` on and the write-ahead log is checkpointed and truncated; on PostgreSQL the tables
   are rewritten with ``VACUUM FULL``.

Custody history is never deleted: the log still holds every event of the person, by ID, and every proof
and `testament verify` still pass. Exports show "erased under policy" where the content was.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from sqlalchemy import Connection, Engine

from testament.custody import custody, history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.errors import BackendUnavailable, Conflict, InvalidInput
from testament.storage.engine import read_transaction
from testament.survivors import consent, identity
from testament.survivors.queries import consent as consent_queries
from testament.survivors.queries import erasure as queries
from testament.survivors.results import ErasureReport
from testament.vault.crypto import fsync_directory

GROUNDS = ("survivor-request", "safety-emergency", "legal-obligation")
SEALED_TABLES = ("person_key", "person_identity", "testimony", "testimony_fact", "support_need")


def erase(
    instance: Instance, person_id: str, *, grounds: str, recordings: bool = True
) -> ErasureReport:
    """Erase a person's identity and words for good; returns what was done and who must be told.

    ``recordings=False`` keeps the blobs of their interview recordings (policy may require keeping
    an original for a court); their texts and identity go regardless.
    """
    if grounds not in GROUNDS:
        raise InvalidInput(
            f"{grounds!r} is not a ground for erasure",
            where="--grounds",
            hint=f"use {', '.join(GROUNDS)}",
        )
    with read_transaction(instance.engine) as conn:  # refused before the register is written
        policy.require(conn, instance, Action.MANAGE_CASE, kind="person", record_id=person_id)
        history.current(conn, "person", person_id)
        if _erased(conn, person_id):
            raise Conflict("this person was already erased", where=person_id)
    _register(instance.settings.erasure_register, person_id, grounds, recordings)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.MANAGE_CASE, kind="person", record_id=person_id)
        report = _shred(conn, person_id, grounds, recordings)
    for digest in report.recordings_shredded:
        instance.blobs.shred(digest)
    scrub(instance.engine)
    return report


def _erased(conn: Connection, person_id: str) -> bool:
    return consent_queries.is_erased(conn, person_id)


def _recordings(conn: Connection, person_id: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The person's interview recordings as (item ID, digest) to shred, and digests to keep because
    the same file is also another evidence item's."""
    items = queries.recording_items(conn, person_id)
    shred: list[tuple[str, str]] = []
    kept: list[str] = []
    for item_id, digest in sorted(items.items()):
        if not queries.digest_held_elsewhere(conn, digest, items):
            shred.append((item_id, digest))
        else:
            kept.append(digest)
    return shred, kept


def _shred(conn: Connection, person_id: str, grounds: str, recordings: bool) -> ErasureReport:
    """In the erasure's transaction: destroy the person's key and everything sealed or written about
    them, revoke their grants, and record the erasure and its ``shred`` events."""
    if conn.dialect.name == "sqlite":
        # Overwrite deleted content with zeros in the pages this transaction writes.
        queries.secure_delete(conn)
    person = history.current(conn, "person", person_id)
    identity.forget(conn, person_id)
    _erase_texts(conn, person_id)
    withdrawal = consent.withdraw_all_for_erasure(conn, person_id)
    agent_id = acting_agent(conn)
    erasure_id = new_id()
    index = _record_erasure(
        conn,
        agent_id,
        case_id=person["case_id"],
        person_id=person_id,
        erasure_id=erasure_id,
        grounds=grounds,
    )
    shred, kept = _recordings(conn, person_id)
    if not recordings:
        shred, kept = [], kept + [digest for _, digest in shred]
    _record_recordings(
        conn, agent_id, case_id=person["case_id"], erasure_id=erasure_id, shred=shred
    )
    return ErasureReport(
        erasure_id,
        person_id,
        grounds,
        index,
        len(withdrawal.revoked),
        withdrawal.to_tell,
        sorted({digest for _, digest in shred}),
        sorted(set(kept)),
    )


def _erase_texts(conn: Connection, person_id: str) -> None:
    """The testimonies' words and circumstances, the risk assessments' prose and the need notes."""
    # The interview's circumstances may name people and places around the survivor: they go too.
    queries.scrub_testimonies(conn, person_id, identity.ERASED)
    queries.scrub_assessments(conn, person_id, identity.ERASED)
    queries.scrub_facts(conn, person_id)
    queries.scrub_need_notes(conn, person_id)


def _record_erasure(
    conn: Connection, agent_id: int, *, case_id: str, person_id: str, erasure_id: str, grounds: str
) -> int:
    """The erasure's row and its ``shred`` event (IDs and grounds, never content); the log index."""
    queries.insert_erasure(
        conn,
        {
            "id": erasure_id,
            "person_id": person_id,
            "grounds": grounds,
            "erased_at": utc_timestamp(),
            "erased_by": agent_id,
        },
    )
    (index,) = custody.record(
        conn,
        [
            custody.NewEvent(
                CustodyEventType.SHRED,
                agent_id,
                case_id=case_id,
                detail={
                    "object": "person",
                    "person": person_id,
                    "erasure": erasure_id,
                    "grounds": grounds,
                    "destroyed": [
                        "person key",
                        "identity",
                        "testimony texts",
                        "interview circumstances",
                        "risk assessments",
                        "need notes",
                    ],
                },
            )
        ],
    )
    return index


def _record_recordings(
    conn: Connection, agent_id: int, *, case_id: str, erasure_id: str, shred: list[tuple[str, str]]
) -> None:
    """A ``shred`` event for each recording whose blob the vault destroys after the commit."""
    custody.record(
        conn,
        [
            custody.NewEvent(
                CustodyEventType.SHRED,
                agent_id,
                case_id=case_id,
                item_id=item_id,
                sha256=digest,
                detail={"object": "recording", "erasure": erasure_id, "destroyed": ["data key"]},
            )
            for item_id, digest in shred
        ],
    )


def scrub(engine: Engine) -> None:
    """Leave no old copy of shredded rows where the database keeps them (WAL, dead tuples)."""
    try:
        if engine.dialect.name == "sqlite":
            path = engine.url.database
            if path and path != ":memory:":
                queries.checkpoint_sqlite(path)
        else:
            with engine.connect() as conn:
                auto = conn.execution_options(isolation_level="AUTOCOMMIT")
                _await_older_snapshots(auto)
                for name in SEALED_TABLES:
                    queries.vacuum_full(auto, name)
                queries.checkpoint(auto)
    except Exception as exc:  # the erasure itself is committed; say what is left
        raise BackendUnavailable(
            "the person was erased, but old copies of the rows could not be scrubbed yet",
            where=str(engine.url.render_as_string(hide_password=True)),
            hint="run `testament person scrub` when no other Testament process is writing",
        ) from exc


# VACUUM FULL keeps a dead row that a snapshot still open might see: another request's read, an
# autovacuum ANALYZE, a CREATE DATABASE anywhere on the server (its snapshot holds back every
# database's horizon), or a newer snapshot taken while an older transaction still ran. So the scrub
# first takes a transaction ID of its own, later than the erasure's, and waits until no session's
# snapshot or transaction is older than it. Comparing transaction IDs, not start times, also catches a
# write transaction between two statements (no snapshot, but an ID that holds the horizon back).
SNAPSHOT_WAIT_S = 30.0


def _await_older_snapshots(conn: Connection) -> None:
    """Wait until no other session holds a snapshot or a transaction older than this scrub; refuse
    after SNAPSHOT_WAIT_S (the caller says the scrub is still to do)."""
    horizon = queries.horizon(conn)
    deadline = time.monotonic() + SNAPSHOT_WAIT_S
    while queries.older_snapshots(conn, horizon):
        if time.monotonic() > deadline:
            raise TimeoutError("another session kept an older snapshot open")
        time.sleep(0.02)


# --- The erasure register ----------------------------------------------------------------------------


def _register(path: Path, person_id: str, grounds: str, recordings: bool) -> None:
    """Append one line (IDs and grounds only) and make it durable before the erasure commits."""
    entry = {"person": person_id, "grounds": grounds, "recordings": recordings}
    line = json.dumps(entry | {"at": utc_timestamp()}) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        new = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        if new:
            fsync_directory(path.parent)
    except OSError as exc:
        raise BackendUnavailable(
            f"cannot write the erasure register: {exc.strerror}",
            where=str(path),
            hint="nothing was erased; make the register writable and try again",
        ) from None


def registered(path: Path) -> list[tuple[str, str, bool]]:
    """(person ID, grounds, shred recordings) of every erasure in the register, oldest first."""
    if not path.exists():
        return []
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            found.append(
                (str(entry["person"]), str(entry["grounds"]), bool(entry.get("recordings", True)))
            )
        except (ValueError, KeyError, TypeError):
            raise InvalidInput(
                "the erasure register is damaged",
                where=f"{path}, line {number}",
                hint="restore it from its own copy; never edit it by hand",
            ) from None
    return found


def reapply(instance: Instance) -> list[str]:
    """Erase again everyone in the register whom this database still holds (a restored backup)."""
    entries = registered(instance.settings.erasure_register)
    if not entries:
        return []
    with read_transaction(instance.engine) as conn:
        erased = queries.erased_people(conn)
        present = queries.people_present(conn, [entry[0] for entry in entries])
    pending = [entry for entry in entries if entry[0] in present and entry[0] not in erased]
    if not pending:
        return []
    with recording(instance) as conn:
        reports = [_shred(conn, pid, grounds, shred) for pid, grounds, shred in pending]
    for report in reports:
        for digest in report.recordings_shredded:
            instance.blobs.shred(digest)
    scrub(instance.engine)
    return [pid for pid, _, _ in pending]
