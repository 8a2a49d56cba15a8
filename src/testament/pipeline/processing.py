"""Running the extractors on one item and recording what they found.

The item's plaintext is streamed out of the vault into a private working directory under the home
(never a shared temporary directory: it is evidence), each extractor that applies reads it there, and
the working directory is removed afterwards. Each extractor's result is recorded in its own
transaction with a ``metadata extraction`` custody event that commits to the result's SHA-256, so a
later change to what was found is detectable; each derived file is stored in the vault and recorded
as a new item whose ``creation`` (or ``unpacking``) event names the parent's digest and the tool,
version and parameters that made it.

A file an extractor cannot read fails that kind only (the reason shows on the item); the other kinds
still run. Anything else (the vault or the database unavailable) fails the job, which is retried.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody
from testament.custody.derived import DerivedBlob, record_derived
from testament.custody.instance import Instance, software_agent
from testament.domain.canonical import canonical_json
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.errors import NotFound
from testament.ledger import log
from testament.pipeline import queries, registry
from testament.pipeline.extractors.base import (
    DerivedFile,
    Extraction,
    ExtractionFailed,
    Extractor,
    Tool,
)
from testament.pipeline.extractors.metadata import compare_times
from testament.search import indexing
from testament.storage.engine import lock_log, read_transaction, write_transaction
from testament.storage.jobs import NewJob, enqueue

AGENT = "pipeline"
# Text kept per item for search and display; the rest is counted, not stored.
MAX_TEXT_CHARS = 2_000_000


@dataclass
class Outcome:
    """What one job did to one item: the kinds that ran, failed or were already done."""

    ran: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)


def work_root(instance: Instance) -> Path:
    """Where working copies live: inside the home, readable by its owner only."""
    root = instance.settings.home / "work"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def process_item(instance: Instance, job: queries.JobRow) -> Outcome:
    """Run the extractors ``job`` asks for on its item."""
    with read_transaction(instance.engine) as connection:
        item = queries.item(connection, job.item_id or "")
        if item is None:
            raise NotFound("no evidence item has this ID", where=job.item_id)
        done = queries.extraction_versions(connection, item.id)
    chosen = _chosen(instance, item, job.kinds)
    outcome = Outcome()
    if not chosen:
        return outcome
    with tempfile.TemporaryDirectory(prefix="job-", dir=work_root(instance)) as tmp:
        source = Path(tmp) / ("item" + _suffix(item.name))
        _write_plaintext(instance, item.sha256, source)
        run = _Run(instance, item, source, Path(tmp), done, job.reason == "reprocess", outcome)
        for extractor in chosen:
            run.one(extractor)
    return outcome


def _chosen(
    instance: Instance, item: queries.ItemRow, kinds: tuple[str, ...] | None
) -> list[Extractor]:
    every = registry.extractors(instance.settings, depth=item.depth)
    chosen = [
        e
        for e in every
        if (kinds is None or e.kind in kinds) and e.applies(item.media_type, item.name)
    ]
    if item.recording:
        chosen = [e for e in chosen if e.kind in registry.RECORDING_KINDS]
    return chosen


def _suffix(name: str) -> str:
    """The item's extension, for tools that go by it; nothing odd from a hostile name."""
    suffix = Path(name).suffix.lower()
    return suffix if suffix[1:].isalnum() and len(suffix) <= 8 else ""


def _write_plaintext(instance: Instance, digest: str, target: Path) -> None:
    """Stream the item's content, checked against its digest, into ``target`` (bounded memory)."""
    with target.open("wb") as out:
        for chunk in instance.blobs.read(digest):
            out.write(chunk)
    target.chmod(0o400)


@dataclass
class _Run:
    """One job's pass over one item's working copy."""

    instance: Instance
    item: queries.ItemRow
    source: Path
    tmp: Path
    done: dict[str, tuple[str, str]]
    again: bool
    outcome: Outcome

    def one(self, extractor: Extractor) -> None:
        """Run ``extractor`` unless the same version already succeeded (``again``: run anyway)."""
        kind = extractor.kind
        tool = Tool(kind, "unavailable")
        try:
            tool = extractor.tool()
            if not self.again and self.done.get(kind) == ("ok", tool.version):
                self.outcome.skipped.append(kind)
                return
            work = self.tmp / f"out-{kind}"
            work.mkdir()
            result = extractor.extract(self.source, work, registry.limits(self.instance.settings))
            if kind == "metadata":  # the time the file says it was made, against its file time
                created = result.metadata.get("creation_time")
                result.metadata["file_time"] = compare_times(created, self.item.mtime)
        except ExtractionFailed as exc:
            _record_failure(self.instance, self.item, kind, tool, exc.reason)
            self.outcome.failed[kind] = exc.reason
            return
        self.outcome.derived += _record_success(self.instance, self.item, result, tool.version)
        self.outcome.ran.append(kind)
        shutil.rmtree(work, ignore_errors=True)


def _result_json(result: Extraction) -> dict[str, Any]:
    return {
        "metadata": result.metadata,
        "location": None if result.location is None else asdict(result.location),
        "observations": [asdict(o) for o in result.observations],
        "hashes": len(result.hashes),
        "derived": len(result.derived),
    }


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def _spans(result: Extraction) -> tuple[list[dict[str, Any]], int]:
    spans: list[dict[str, Any]] = []
    kept = total = 0
    for seq, span in enumerate(result.text):
        total += len(span.text)
        body = span.text[: max(0, MAX_TEXT_CHARS - kept)]
        kept += len(body)
        spans.append({"seq": seq, "location": span.where, "page": span.page, "body": body})
    return spans, total


def _record_success(
    instance: Instance, item: queries.ItemRow, result: Extraction, suite: str
) -> list[str]:
    blobs, links = _stage_derived(instance, item, result)
    payload = _result_json(result)
    spans, text_length = _spans(result)
    result_sha = _digest({"result": payload, "text": [s["body"] for s in spans]})
    with write_transaction(instance.engine) as connection:
        lock_log(connection)
        agent = software_agent(connection, AGENT)
        queries.save_extraction(
            connection,
            _extraction_row(item.id, result.kind, result.tool, result.parameters, "ok", suite)
            | {
                "result": json.dumps(payload, ensure_ascii=False, default=str),
                "result_sha256": result_sha,
                "text_length": text_length,
            },
        )
        if result.kind == "text":
            queries.replace_text(connection, item.id, spans)
        if result.hashes:
            queries.replace_hashes(
                connection,
                item.id,
                [
                    {
                        "algorithm": h.algorithm,
                        "position": h.position,
                        "value": h.value,
                        "quality": h.quality,
                    }
                    for h in result.hashes
                ],
            )
        ids = record_derived(connection, case_id=item.case_id, agent_id=agent, blobs=blobs)
        _link(connection, item, result.tool, ids, links, agent=agent)
        custody.record(
            connection,
            [
                _event(
                    item,
                    result.kind,
                    result.tool,
                    result.parameters,
                    agent,
                    result_sha=result_sha,
                    derived=len(ids),
                )
            ],
        )
        if result.kind == "text":
            indexing.refresh(connection, "item", [item.id])
        _sign(instance, connection)
    return ids


def _extraction_row(  # noqa: PLR0917 - one row's columns
    item_id: str, kind: str, tool: Tool, parameters: dict[str, Any], status: str, suite: str
) -> dict[str, Any]:
    """``tool`` made the result; ``suite`` is the extractor's version (every tool it may use)."""
    return {
        "item_id": item_id,
        "kind": kind,
        "status": status,
        "tool": tool.name,
        "tool_version": tool.version,
        "extractor_version": suite,
        "parameters": json.dumps(parameters, ensure_ascii=False, default=str, sort_keys=True),
        "result": "",
        "result_sha256": None,
        "text_length": 0,
        "error": None,
        "extracted_at": utc_timestamp(),
    }


def _event(
    item: queries.ItemRow,
    kind: str,
    tool: Tool,
    parameters: dict[str, Any],
    agent: int,
    *,
    result_sha: str | None,
    derived: int = 0,
    outcome: str = "success",
) -> custody.NewEvent:
    """The ``metadata extraction`` event: kind, tool, version and digests, never what was found."""
    return custody.NewEvent(
        CustodyEventType.METADATA_EXTRACTION,
        agent,
        case_id=item.case_id,
        item_id=item.id,
        sha256=item.sha256,
        detail={
            "kind": kind,
            "tool": tool.name,
            "tool_version": tool.version,
            "parameters_sha256": _digest(json.loads(json.dumps(parameters, default=str))),
            "result_sha256": result_sha,
            "derived": derived,
        },
        outcome=outcome,
    )


def _record_failure(
    instance: Instance, item: queries.ItemRow, kind: str, tool: Tool, reason: str
) -> None:
    with write_transaction(instance.engine) as connection:
        lock_log(connection)
        agent = software_agent(connection, AGENT)
        row = _extraction_row(item.id, kind, tool, {}, "failed", tool.version)
        row["error"] = reason
        queries.save_extraction(connection, row)
        custody.record(
            connection, [_event(item, kind, tool, {}, agent, result_sha=None, outcome="failure")]
        )
        _sign(instance, connection)


def _sign(instance: Instance, connection: Connection) -> None:
    log.sign_checkpoint(connection, instance.record.log_origin, instance.signer, utc_timestamp())


def _stage_derived(
    instance: Instance, item: queries.ItemRow, result: Extraction
) -> tuple[list[DerivedBlob], list[DerivedFile]]:
    """Store each derived file in the vault (durable before any record names it)."""
    group = secrets.token_hex(8)
    blobs: list[DerivedBlob] = []
    for derived in result.derived:
        with derived.path.open("rb") as handle:
            staged = instance.blobs.stage(handle, durable=False, group=group)
        staged.commit(durable=False)
        blobs.append(_derived_blob(item, result, derived, staged.digest, staged.size))
    if blobs:
        instance.blobs.sync()
    return blobs, list(result.derived)


def _derived_blob(
    item: queries.ItemRow, result: Extraction, derived: DerivedFile, digest: str, size: int
) -> DerivedBlob:
    member = derived.role == "member"
    return DerivedBlob(
        sha256=digest,
        size=size,
        name=derived.name,
        media_type=derived.media_type,
        source=f"derived:{item.id}/{derived.role}/{derived.name}",
        event_type=CustodyEventType.UNPACKING if member else CustodyEventType.CREATION,
        detail={
            "object": "member" if member else "derivative",
            "role": derived.role,
            "parent_sha256": item.sha256,
            "tool": result.tool.name,
            "tool_version": result.tool.version,
            "parameters_sha256": _digest(json.loads(json.dumps(derived.parameters, default=str))),
        },
    )


def _link(
    connection: Connection,
    item: queries.ItemRow,
    tool: Tool,
    ids: list[str],
    files: list[DerivedFile],
    *,
    agent: int,
) -> None:
    """Link derived items to the parent; enqueue processing of archive members."""
    if not ids:
        return
    rows: list[dict[str, Any]] = [
        {
            "item_id": item_id,
            "parent_id": item.id,
            "parent_sha256": item.sha256,
            "role": derived.role,
            "tool": tool.name,
            "tool_version": tool.version,
            "parameters": json.dumps(
                derived.parameters, ensure_ascii=False, default=str, sort_keys=True
            ),
            "depth": item.depth + 1,
        }
        for item_id, derived in zip(ids, files, strict=True)
    ]
    queries.insert_derivatives(connection, rows)
    members = [
        NewJob("process", item.case_id, item_id=r["item_id"], reason="unpacking")
        for r in rows
        if r["role"] in registry.PROCESSED_ROLES and r["item_id"] != item.id
    ]
    enqueue(connection, members, agent)
