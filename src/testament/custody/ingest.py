"""Ingest: files and directories into the vault, each with an ingestion custody event.

Every file is hashed on first contact while it is copied (one pass, bounded memory), checked not to
have changed while it was read, stored write-once, and recorded (:mod:`.ingest_files` finds and stages
the files). Records, log entries and the signed checkpoint over them are written in batches: per batch,
one flush of the vault's filesystem, then one database transaction that inserts the items and their
ingestion events and signs one checkpoint, so ten thousand small files are not ten thousand commits nor
ten thousand fsyncs. A crash at any point leaves either nothing recorded
for a file or the whole record (a blob committed but not recorded is only content the vault holds,
found again by the next ingest of it); re-running the same ingest completes the rest and reports what
was already there.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection

from testament.custody import cases, custody, policy
from testament.custody.ingest_files import (
    Candidate,
    Identifier,
    IngestResult,
    Pending,
    Sniffing,
    as_text,
    check_paths,
    discover,
    reject,
    sniff,
    staged_in_order,
)
from testament.custody.instance import Instance, acting_agent
from testament.custody.queries import ingest as queries
from testament.custody.records import item_record
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, commitment, utc_timestamp
from testament.domain.ids import new_id
from testament.errors import InvalidInput
from testament.ledger import log
from testament.search import indexing
from testament.storage import jobs
from testament.storage.engine import lock_log, read_transaction, write_transaction

__all__ = ["IngestReport", "IngestResult", "check_paths", "discover", "ingest", "ingest_stream"]


@dataclass
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)
    checkpoint_size: int | None = None

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return any(r.failed for r in self.results)


def _check_text(value: str, option: str, what: str) -> None:
    if not value.strip():
        raise InvalidInput(f"{what} is empty", where=option, hint="give it a value")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{what} is not valid UTF-8 text", where=option, hint="check the terminal's encoding"
        ) from None


def _may_ingest(connection: Connection, instance: Instance, name: str) -> None:
    """Refuse unless the principal may add evidence to the case called ``name`` (documenter or
    above), or, where no case has that name yet, may create cases (as the API asks)."""
    if queries.case_named(connection, name) is None:
        policy.require(connection, instance, Action.MANAGE_CASE)
    else:
        policy.require(connection, instance, Action.DOCUMENT, case=name)


def _check_may_ingest(instance: Instance, name: str) -> None:
    """:func:`_may_ingest` before any file is read, so a refusal stores nothing in the vault either."""
    with read_transaction(instance.engine) as connection:
        _may_ingest(connection, instance, name)


def _case_id(connection: Connection, name: str, agent_id: int) -> str:
    """The case called ``name``; ingesting into a new name creates it."""
    found = queries.case_named(connection, name)
    if found is not None:
        return found
    return cases.create_case_row(connection, name, agent_id)


def _known_items(
    connection: Connection, case_id: str, digests: set[str]
) -> tuple[dict[tuple[str, str], str], set[str]]:
    """For a batch's digests: items already in this case by (digest, path), and digests held at all."""
    rows = queries.items_with_digests(connection, digests)
    in_case = {(r.sha256, r.source_path): r.id for r in rows if r.case_id == case_id}
    return in_case, {r.sha256 for r in rows}


def _new_item(
    pending: Pending,
    *,
    case_id: str,
    agent_id: int,
    source_note: str | None,
    duplicate: bool,
    now: str,
) -> tuple[dict[str, Any], custody.NewEvent]:
    """The item row and its ingestion event (which commits to the row's descriptive fields)."""
    size, digest = pending.staged.size, pending.staged.digest
    row: dict[str, Any] = {
        "id": new_id(),
        "case_id": case_id,
        "sha256": digest,
        "size": size,
        "original_name": as_text(Path(pending.candidate.path.name)),
        "source_path": pending.source,
        "mtime": pending.mtime,
        "media_type": pending.media_type,
        "source_note": source_note,
        "ingested_by": agent_id,
        "ingested_at": now,  # the batch's: its items are recorded together
        "duplicate": duplicate,
        "record_salt": secrets.token_bytes(16),
    }
    event = custody.NewEvent(
        CustodyEventType.INGESTION,
        agent_id,
        case_id=case_id,
        item_id=row["id"],
        sha256=digest,
        detail={
            "size": size,
            "media_type": pending.media_type,
            "duplicate": duplicate,
            "digest_algorithm": "SHA-256",
        },
        record=commitment(row["record_salt"], item_record(row)),
    )
    return row, event


def _result(pending: Pending, status: str, item_id: str, duplicate: bool) -> IngestResult:
    return IngestResult(
        item_id=item_id,
        sha256=pending.staged.digest,
        path=as_text(pending.candidate.path),
        size=pending.staged.size,
        duplicate=duplicate,
        status=status,
    )


def _commit_batch(
    instance: Instance, batch: list[Pending], case_name: str, source_note: str | None
) -> tuple[list[IngestResult], int | None]:
    """Make a batch's blobs visible, then record items, events and a checkpoint in one transaction."""
    for pending in batch:
        pending.staged.commit(durable=False)
    # One flush makes every blob of the batch durable before any record points at it.
    instance.blobs.sync()
    results: list[IngestResult] = []
    rows: list[dict[str, Any]] = []
    events: list[custody.NewEvent] = []
    with write_transaction(instance.engine) as connection:
        agent_id = acting_agent(connection)
        # What the vault and the case already hold decides each file's outcome: it must hold until
        # commit (the files' blobs, the slow part, were written before this transaction began).
        lock_log(connection)
        _may_ingest(connection, instance, case_name)  # what it reads holds until commit
        case_id = _case_id(connection, case_name, agent_id)
        in_case, held = _known_items(connection, case_id, {p.staged.digest for p in batch})
        now = utc_timestamp()
        for pending in batch:
            digest = pending.staged.digest
            key = (digest, pending.source)
            if key in in_case:
                results.append(_result(pending, "already-ingested", in_case[key], True))
                continue
            duplicate = digest in held
            row, event = _new_item(
                pending,
                case_id=case_id,
                agent_id=agent_id,
                source_note=source_note,
                duplicate=duplicate,
                now=now,
            )
            in_case[key] = row["id"]
            held.add(digest)
            rows.append(row)
            events.append(event)
            status = "linked" if duplicate else "stored"
            results.append(_result(pending, status, row["id"], duplicate))
        if rows:
            queries.insert_items(connection, rows)
            custody.record(connection, events)
            indexing.refresh(connection, "item", [row["id"] for row in rows])
            if instance.settings.processing:  # the jobs commit (or roll back) with the items
                jobs.enqueue(
                    connection,
                    [jobs.NewJob("process", case_id, item_id=row["id"]) for row in rows],
                    agent_id,
                )
        # One commit makes the batch and the checkpoint over it durable together.
        signed = log.sign_checkpoint(
            connection, instance.record.log_origin, instance.signer, utc_timestamp()
        )
    return results, None if signed is None else signed.size


def ingest(
    instance: Instance,
    paths: Sequence[Path],
    *,
    case_name: str,
    source_note: str | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
    source_of: Callable[[Path], str] | None = None,
) -> IngestReport:
    """Ingest ``paths`` into case ``case_name``; report every path's outcome.

    ``on_start(files, bytes)`` is called once the paths are walked; ``progress(n)`` as bytes are read;
    ``on_result`` for each path as soon as its outcome is durable. ``source_of(path)`` says where a file
    came from when its path here is only a stopover (an upload's temporary file); by default the
    absolute path is recorded. The same content from the same source is ingested once per case.
    """
    _check_text(case_name, "--case", "the case name")
    if source_note is not None:
        _check_text(source_note, "--source", "the source note")
    check_paths(paths)
    instance.signer  # noqa: B018 - fail on a bad signing key before touching any file
    _check_may_ingest(instance, case_name.strip())
    batches = _Batches(instance, case_name.strip(), source_note, on_result)
    settings = instance.settings
    group = secrets.token_hex(8)
    found_all = list(discover(paths, exclude=[settings.home, settings.vault_dir]))
    if on_start is not None:
        files = [f for f in found_all if isinstance(f, Candidate)]
        on_start(len(files), sum(f.size for f in files))
    try:
        with Identifier() as identifier:
            found = staged_in_order(instance.blobs, found_all, progress, group, identifier)
            for staged in found:
                if isinstance(staged, IngestResult):
                    batches.emit(staged)
                    continue
                path = staged.candidate.path
                staged.source = source_of(path) if source_of else as_text(path.absolute())
                batches.add(staged)
            batches.flush()
    except BaseException:  # including Ctrl-C: staged files of an unrecorded batch go
        batches.discard()
        # An interrupt can land after a file is staged and before it joins the batch.
        instance.blobs.discard_group(group)
        raise
    return batches.report


@dataclass
class _Batches:
    """One ingest's staged files, committed ``log_batch_size`` at a time, and what it reports."""

    instance: Instance
    case_name: str
    source_note: str | None
    on_result: Callable[[IngestResult], None] | None
    report: IngestReport = field(default_factory=IngestReport)
    pending: list[Pending] = field(default_factory=list)

    def emit(self, result: IngestResult) -> None:
        self.report.results.append(result)
        if self.on_result is not None:
            self.on_result(result)

    def add(self, staged: Pending) -> None:
        self.pending.append(staged)
        if len(self.pending) >= self.instance.settings.log_batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        results, signed = _commit_batch(
            self.instance, self.pending, self.case_name, self.source_note
        )
        self.pending.clear()
        self.report.checkpoint_size = signed or self.report.checkpoint_size
        for result in results:
            self.emit(result)

    def discard(self) -> None:
        for pending in self.pending:
            pending.staged.discard()


def ingest_stream(
    instance: Instance,
    source: BinaryIO,
    *,
    name: str,
    case_name: str,
    recorded_as: str,
    source_note: str | None = None,
) -> IngestResult:
    """Ingest one file that arrives as a stream (an upload) straight into the vault.

    Nothing is written anywhere but the vault's own staging area, encrypted, so the upload costs one
    write and no plaintext copy ever lands on disk. ``name`` is the file's (already safe) name and
    ``recorded_as`` where it came from (``upload:NAME``). An empty stream is refused. Whatever the
    source raises (a client gone, a size limit) leaves nothing behind and propagates.
    """
    _check_text(case_name, "--case", "the case name")
    if source_note is not None:
        _check_text(source_note, "--source", "the source note")
    instance.signer  # noqa: B018 - fail on a bad signing key before reading anything
    _check_may_ingest(instance, case_name.strip())
    group = secrets.token_hex(8)
    sniffing = Sniffing(source)
    path = Path(name)
    try:
        staged = instance.blobs.stage(sniffing, durable=False, group=group)  # type: ignore[arg-type]
    except InvalidInput as exc:
        instance.blobs.discard_group(group)
        return reject(path, exc.what)
    try:
        if staged.size == 0:
            staged.discard()
            raise InvalidInput(
                "the request body is empty",
                where="body",
                hint="send the file as the request body",
                errors={"body": "empty"},
            )
        pending = Pending(
            Candidate(path, staged.size),
            staged,
            utc_timestamp(),
            sniff(bytes(sniffing.head)),
            recorded_as,
        )
        (result,), _signed = _commit_batch(instance, [pending], case_name.strip(), source_note)
    except BaseException:
        staged.discard()
        instance.blobs.discard_group(group)
        raise
    return result
