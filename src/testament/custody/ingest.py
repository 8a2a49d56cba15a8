"""Ingest: files and directories into the vault, each with an ingestion custody event.

Every file is hashed on first contact while it is copied (one pass, bounded memory), checked not to
have changed while it was read, stored write-once, and recorded. Records, log entries and the signed
checkpoint over them are written in batches, one database transaction per batch, so ten thousand small
files are not ten thousand commits. A crash at any point leaves either nothing recorded for a file or the
whole record; re-running the same ingest completes the rest and reports what was already there.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import magic
from sqlalchemy import Connection, insert, select

from testament.custody import cases, custody, policy
from testament.custody.instance import Instance, acting_agent
from testament.custody.records import item_record
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, commitment, utc_timestamp
from testament.domain.ids import new_id
from testament.errors import InvalidInput
from testament.ledger import log
from testament.search import indexing
from testament.storage.engine import lock_log, read_transaction, write_transaction
from testament.storage.tables import case, evidence_item
from testament.vault.base import StagedBlob

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class IngestResult:
    """What happened to one path. ``status`` is stored, linked, already-ingested, skipped or rejected."""

    path: str
    status: str
    item_id: str | None = None
    sha256: str | None = None
    size: int | None = None
    duplicate: bool | None = None
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "sha256": self.sha256,
            "path": self.path,
            "size": self.size,
            "duplicate": self.duplicate,
            "status": self.status,
            "reason": self.reason,
        }

    @property
    def failed(self) -> bool:
        return self.status == "rejected"


@dataclass
class IngestReport:
    results: list[IngestResult] = field(default_factory=list)
    checkpoint_size: int | None = None

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return any(r.failed for r in self.results)


@dataclass(frozen=True)
class Candidate:
    path: Path
    size: int


@dataclass
class _Pending:
    candidate: Candidate
    staged: StagedBlob
    mtime: str
    media_type: str
    source: str = ""  # where the file came from, as recorded (its absolute path, unless relabelled)


def as_text(path: Path) -> str:
    """A path as text, even when its bytes are not UTF-8 (as in archives made with old code pages).

    Undecodable bytes appear as ``\\xNN``, so the name is recorded and shown without loss of meaning.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _skip(path: Path, reason: str) -> IngestResult:
    return IngestResult(path=as_text(path), status="skipped", reason=reason)


def _reject(path: Path, reason: str) -> IngestResult:
    return IngestResult(path=as_text(path), status="rejected", reason=reason)


def _kind(mode: int) -> str | None:
    """Why a non-regular, non-directory file is skipped."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a file: skipped"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file, not a file: skipped"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file: skipped"
    return None


def _check_text(value: str, option: str, what: str) -> None:
    if not value.strip():
        raise InvalidInput(f"{what} is empty", where=option, hint="give it a value")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{what} is not valid UTF-8 text", where=option, hint="check the terminal's encoding"
        ) from None


def check_paths(paths: Sequence[Path]) -> None:
    """Refuse the whole command, before anything is written, if a named path does not exist."""
    if not paths:
        raise InvalidInput("no path to ingest", hint="name one or more files or directories")
    for path in paths:
        if not os.path.lexists(path):
            raise InvalidInput(
                "the path does not exist",
                where=as_text(path),
                hint="check the spelling; nothing was ingested",
            )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def discover(
    paths: Sequence[Path], *, exclude: Sequence[Path] = ()
) -> Iterator[Candidate | IngestResult]:
    """Walk ``paths`` (directories recursively, following symlinks safely).

    Yields a :class:`Candidate` per regular file, and a skipped/rejected result for what cannot be
    ingested: FIFOs, devices and sockets, symlink loops, unreadable directories, a file reached twice,
    and the ``exclude`` directories (Testament's own home and vault).
    """
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    own = {ident for ident in map(_identity, exclude) if ident is not None}
    stack = list(reversed([Path(p) for p in paths]))
    while stack:
        path = stack.pop()
        try:
            info = path.stat()
        except OSError as exc:
            if exc.errno == 40:  # ELOOP
                yield _skip(path, "a symbolic link loop: skipped")
            elif path.is_symlink():
                yield _skip(path, "a broken symbolic link: skipped")
            else:
                yield _reject(path, f"cannot be read: {exc.strerror}")
            continue
        identity = (info.st_dev, info.st_ino)
        if stat.S_ISDIR(info.st_mode):
            if identity in own:
                yield _skip(path, "Testament's own data directory: skipped")
                continue
            if identity in seen_dirs:
                yield _skip(path, "a directory reached twice (symbolic link cycle): skipped")
                continue
            seen_dirs.add(identity)
            try:
                children = sorted(os.scandir(path), key=lambda e: e.name)
            except OSError as exc:
                yield _reject(path, f"directory cannot be read: {exc.strerror}")
                continue
            stack.extend(Path(child.path) for child in reversed(children))
            continue
        reason = _kind(info.st_mode)
        if reason:
            yield _skip(path, reason)
            continue
        if identity in seen_files:
            yield _skip(path, "the same file was already named in this run: skipped")
            continue
        seen_files.add(identity)
        yield Candidate(path, info.st_size)


def _sniff(head: bytes) -> str:
    if not head:
        return "application/x-empty"
    media_type: str = magic.from_buffer(head, mime=True)
    return media_type


def _unchanged(before: os.stat_result, after: os.stat_result) -> bool:
    keys = ("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino", "st_dev")
    return all(getattr(before, k) == getattr(after, k) for k in keys)


def _stage(
    instance: Instance, candidate: Candidate, progress: Callable[[int], None] | None, group: str
) -> _Pending | IngestResult:
    path = candidate.path
    try:
        handle = path.open("rb")
    except OSError as exc:
        return _reject(path, f"cannot be read: {exc.strerror}")
    with handle:
        before = os.fstat(handle.fileno())
        if not stat.S_ISREG(before.st_mode):
            return _skip(path, _kind(before.st_mode) or "not a regular file: skipped")
        try:
            head = os.pread(handle.fileno(), SNIFF_BYTES, 0)
        except OSError as exc:
            return _reject(path, f"cannot be read: {exc.strerror}")
        try:
            staged = instance.blobs.stage(handle, progress=progress, durable=False, group=group)
        except InvalidInput as exc:
            return _reject(path, exc.what)
        try:
            return _check_staged(path, handle.fileno(), before, staged, head)
        except BaseException:  # including Ctrl-C between staging and batching
            staged.discard()
            raise


def _check_staged(
    path: Path, fd: int, before: os.stat_result, staged: StagedBlob, head: bytes
) -> _Pending | IngestResult:
    """Keep the staged copy only if the file did not change while it was read."""
    after = os.fstat(fd)
    try:
        on_disk = path.stat()
    except OSError:
        on_disk = after
    same = _unchanged(before, after) and _unchanged(before, on_disk)
    if not same or staged.size != before.st_size:
        staged.discard()
        return _reject(path, "the file changed while it was being read: nothing recorded")
    mtime = datetime.fromtimestamp(before.st_mtime, UTC)
    return _Pending(Candidate(path, before.st_size), staged, utc_timestamp(mtime), _sniff(head))


def _may_ingest(connection: Connection, instance: Instance, name: str) -> None:
    """Refuse unless the principal may add evidence to the case called ``name`` (documenter or
    above), or, where no case has that name yet, may create cases (as the API asks)."""
    found = connection.execute(select(case.c.id).where(case.c.name == name)).scalar()
    if found is None:
        policy.require(connection, instance, Action.MANAGE_CASE)
    else:
        policy.require(connection, instance, Action.DOCUMENT, case=name)


def _check_may_ingest(instance: Instance, name: str) -> None:
    """:func:`_may_ingest` before any file is read, so a refusal stores nothing in the vault either."""
    with read_transaction(instance.engine) as connection:
        _may_ingest(connection, instance, name)


def _case_id(connection: Connection, name: str, agent_id: int) -> str:
    """The case called ``name``; ingesting into a new name creates it."""
    found = connection.execute(select(case.c.id).where(case.c.name == name)).scalar()
    if found is not None:
        return str(found)
    return cases.create_case_row(connection, name, agent_id)


def _known_items(
    connection: Connection, case_id: str, digests: set[str]
) -> tuple[dict[tuple[str, str], str], set[str]]:
    """For a batch's digests: items already in this case by (digest, path), and digests held at all."""
    rows = connection.execute(
        select(
            evidence_item.c.id,
            evidence_item.c.case_id,
            evidence_item.c.sha256,
            evidence_item.c.source_path,
        ).where(evidence_item.c.sha256.in_(sorted(digests)))
    ).all()
    in_case = {(r.sha256, r.source_path): r.id for r in rows if r.case_id == case_id}
    return in_case, {r.sha256 for r in rows}


def _new_item(
    pending: _Pending, *, case_id: str, agent_id: int, source_note: str | None, duplicate: bool
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
        "ingested_at": utc_timestamp(),
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


def _commit_batch(
    instance: Instance, batch: list[_Pending], case_name: str, source_note: str | None
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
        for pending in batch:
            digest, shown = pending.staged.digest, as_text(pending.candidate.path)
            key = (digest, pending.source)
            if key in in_case:
                results.append(
                    IngestResult(
                        shown, "already-ingested", in_case[key], digest, pending.staged.size, True
                    )
                )
                continue
            duplicate = digest in held
            row, event = _new_item(
                pending,
                case_id=case_id,
                agent_id=agent_id,
                source_note=source_note,
                duplicate=duplicate,
            )
            in_case[key] = row["id"]
            held.add(digest)
            rows.append(row)
            events.append(event)
            results.append(
                IngestResult(
                    shown,
                    "linked" if duplicate else "stored",
                    row["id"],
                    digest,
                    pending.staged.size,
                    duplicate,
                )
            )
        if rows:
            connection.execute(insert(evidence_item), rows)
            custody.record(connection, events)
            indexing.refresh(connection, "item", [row["id"] for row in rows])
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
        for found in found_all:
            staged = (
                found
                if isinstance(found, IngestResult)
                else _stage(instance, found, progress, group)
            )
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
    pending: list[_Pending] = field(default_factory=list)

    def emit(self, result: IngestResult) -> None:
        self.report.results.append(result)
        if self.on_result is not None:
            self.on_result(result)

    def add(self, staged: _Pending) -> None:
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


class _Sniffing:
    """A stream that keeps its first :data:`SNIFF_BYTES` for media-type sniffing as they pass."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self.head = bytearray()
        self.name = getattr(source, "name", "upload")

    def readinto(self, view: memoryview) -> int:
        readinto = getattr(self._source, "readinto", None)
        if readinto is not None:
            count = int(readinto(view) or 0)
        else:
            data = self._source.read(len(view))
            count = len(data)
            view[:count] = data
        if len(self.head) < SNIFF_BYTES:
            self.head += view[: min(count, SNIFF_BYTES - len(self.head))]
        return count


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
    sniffing = _Sniffing(source)
    path = Path(name)
    try:
        staged = instance.blobs.stage(sniffing, durable=False, group=group)  # type: ignore[arg-type]
    except InvalidInput as exc:
        instance.blobs.discard_group(group)
        return _reject(path, exc.what)
    try:
        if staged.size == 0:
            staged.discard()
            raise InvalidInput(
                "the request body is empty",
                where="body",
                hint="send the file as the request body",
                errors={"body": "empty"},
            )
        pending = _Pending(
            Candidate(path, staged.size),
            staged,
            utc_timestamp(),
            _sniff(bytes(sniffing.head)),
            recorded_as,
        )
        (result,), _signed = _commit_batch(instance, [pending], case_name.strip(), source_note)
    except BaseException:
        staged.discard()
        instance.blobs.discard_group(group)
        raise
    return result
