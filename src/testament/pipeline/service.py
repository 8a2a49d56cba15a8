"""The pipeline's use cases: what processing found on an item, the jobs and their progress,
reprocessing a case, and possible near-duplicates (docs/processing.md)."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field

from sqlalchemy import Connection

from testament.custody import policy
from testament.custody.instance import Instance, acting_agent
from testament.domain.access import Action
from testament.errors import InvalidInput, NotFound, PermissionDenied
from testament.pipeline import queries, registry
from testament.pipeline.captures import to_view
from testament.pipeline.results import (
    DerivativeView,
    Duplicate,
    ExtractionView,
    JobView,
    Previews,
    ProcessingView,
    Progress,
    ReprocessReport,
    TextSpanView,
)
from testament.pipeline.similarity import HashIndex
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.jobs import DONE, FAILED, QUEUED, RUNNING, NewJob, enqueue

MAX_JOBS_LISTED = 1_000


def job_view(row: queries.JobRow) -> JobView:
    return JobView(
        id=row.id,
        task=row.task,
        case_id=row.case_id,
        item_id=row.item_id,
        capture_id=row.capture_id,
        kinds=None if row.kinds is None else list(row.kinds),
        state=row.state,
        attempts=row.attempts,
        run_after=row.run_after,
        enqueued_at=row.enqueued_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.last_error,
        reason=row.reason,
    )


def _derivative(row: queries.DerivativeRow) -> DerivativeView:
    return DerivativeView(**asdict(row))


def _extraction(row: queries.ExtractionRow) -> ExtractionView:
    return ExtractionView(**asdict(row))


def item_processing(instance: Instance, item_id: str) -> ProcessingView:
    """Everything processing recorded about an item, for whoever may read its case."""
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ, kind="evidence", record_id=item_id)
        extractions = [_extraction(r) for r in queries.extractions(connection, item_id)]
        derivatives = [_derivative(r) for r in queries.derivatives_of(connection, item_id)]
        parent = queries.derived_from(connection, item_id)
        jobs = [job_view(r) for r in queries.jobs(connection, case_ids=None, item_id=item_id)]
        captured = queries.capture_of_item(connection, item_id)
        capture = None
        if captured is not None:
            capture = to_view(captured, queries.capture_job(connection, captured.id), None)
        preview = queries.previews(connection, [item_id]).get(item_id)
    location = next((e.result["location"] for e in extractions if e.result.get("location")), None)
    observations = [o for e in extractions for o in e.result.get("observations", [])]
    return ProcessingView(
        item_id=item_id,
        extractions=extractions,
        suggested_location=location,
        text_length=sum(e.text_length for e in extractions),
        derivatives=derivatives,
        derived_from=None if parent is None else _derivative(parent),
        observations=observations,
        jobs=jobs,
        capture=capture,
        preview_item_id=preview,
    )


def _content_gate(connection: Connection, instance: Instance, item_id: str) -> None:
    """What processing found *in* an item (its text, its preview) is its content. A survivor's
    recording, or anything derived from it, shows its content only to those who may read the
    person's words (``reveal-identity``), as its bytes do; any other item to its case's readers."""
    policy.require(connection, instance, Action.READ, kind="evidence", record_id=item_id)
    if queries.recordings_among(connection, [item_id]):
        policy.require(
            connection, instance, Action.REVEAL_IDENTITY, kind="evidence", record_id=item_id
        )


def check_content(instance: Instance, item_id: str) -> None:
    """Refuse unless the principal may see what is in the item (:func:`_content_gate`): for an edge
    that must refuse before it asks for a purpose. The use cases ask again themselves."""
    with read_transaction(instance.engine) as connection:
        _content_gate(connection, instance, item_id)


def item_text(instance: Instance, item_id: str) -> list[TextSpanView]:
    """The text found in an item, span by span with where it is (a page, the image)."""
    with read_transaction(instance.engine) as connection:
        _content_gate(connection, instance, item_id)
        return [TextSpanView(w, p, t) for w, p, t in queries.texts(connection, item_id)]


def text_hits(
    instance: Instance, item_id: str, words: str, *, limit: int = 5
) -> list[TextSpanView]:
    """Where in an item its text matches ``words``: each span holding all of them, with a snippet."""
    wanted = [w.casefold() for w in words.split() if w.strip()]
    hits: list[TextSpanView] = []
    for span in item_text(instance, item_id):
        folded = span.text.casefold()
        if wanted and all(w in folded for w in wanted):
            at = folded.index(wanted[0])
            start = max(0, at - 80)
            snippet = ("…" if start else "") + span.text[start : at + 160].strip()
            hits.append(TextSpanView(span.where, span.page, snippet))
        if len(hits) >= limit:
            break
    return hits


def previews(instance: Instance, item_ids: list[str]) -> Previews:
    """Each item's preview item (a thumbnail, the first keyframe, a PDF's first page), where one is
    and the reader may see it (:func:`_content_gate`); the others are left out, never refused."""
    with read_transaction(instance.engine) as connection:
        found = queries.previews(connection, item_ids)
        readable = policy.readable_cases(connection, instance)
        cases = {k: v[0] for k, v in queries.item_labels(connection, list(found.values())).items()}
        held = queries.recordings_among(connection, list(found.values()))
        shown: dict[str, str] = {}
        for item_id, preview_id in found.items():
            if readable is not None and cases.get(preview_id) not in readable:
                continue
            if preview_id in held:  # the gate itself, for the few that ask more than reading
                try:
                    _content_gate(connection, instance, preview_id)
                except (PermissionDenied, NotFound):
                    continue
            shown[item_id] = preview_id
    return Previews(shown)


def names_withheld(instance: Instance, item_ids: list[str]) -> list[str]:
    """Which of these items are to be named by type and digest only, never by their file name or
    note, as search names them (docs/search.md): a survivor's recording, or what was derived from
    one, for a reader who may not read the person's words (:func:`_content_gate`), and any item the
    reader may not read at all. Filtered, never refused."""
    with read_transaction(instance.engine) as connection:
        readable = policy.readable_cases(connection, instance)
        cases = {k: v[0] for k, v in queries.item_labels(connection, item_ids).items()}
        held = queries.recordings_among(connection, item_ids)
        withheld = []
        for item_id in item_ids:
            if item_id not in cases or (readable is not None and cases[item_id] not in readable):
                withheld.append(item_id)
            elif item_id in held:
                try:
                    _content_gate(connection, instance, item_id)
                except (PermissionDenied, NotFound):
                    withheld.append(item_id)
    return withheld


def list_jobs(
    instance: Instance, *, case_name: str | None = None, failed_only: bool = False
) -> list[JobView]:
    """The latest jobs (of one case, or of every case one may read), newest first."""
    with read_transaction(instance.engine) as connection:
        case_ids = _cases(connection, instance, case_name)
        rows = queries.jobs(
            connection, case_ids=case_ids, failed_only=failed_only, limit=MAX_JOBS_LISTED
        )
    return [job_view(r) for r in rows]


def progress(instance: Instance, *, case_name: str | None = None) -> Progress:
    """How many jobs are queued, running, done and failed."""
    with read_transaction(instance.engine) as connection:
        counts = queries.job_counts(connection, _cases(connection, instance, case_name))
    return Progress(
        counts.get(QUEUED, 0), counts.get(RUNNING, 0), counts.get(DONE, 0), counts.get(FAILED, 0)
    )


def _cases(connection: Connection, instance: Instance, case_name: str | None) -> set[str] | None:
    if case_name is not None:
        case_id = policy.require(connection, instance, Action.READ, case=case_name)
        return {case_id} if case_id else set()
    return policy.readable_cases(connection, instance)


def reprocess(
    instance: Instance, *, case_name: str, kinds: list[str] | None = None
) -> ReprocessReport:
    """Enqueue processing again for every item of a case (derivatives are remade from their
    parents); ``kinds`` limits it to those extractors."""
    chosen = None
    if kinds:
        unknown = sorted(set(kinds) - set(registry.KINDS))
        if unknown:
            raise InvalidInput(
                f"unknown kind(s) of processing: {', '.join(unknown)}",
                where="--kind",
                hint=f"use {', '.join(registry.KINDS)}",
                errors={"kind": ", ".join(unknown)},
            )
        chosen = tuple(k for k in registry.KINDS if k in kinds)
    with write_transaction(instance.engine) as connection:
        case_id = policy.require(connection, instance, Action.DOCUMENT, case=case_name)
        if case_id is None:  # pragma: no cover - a named case always has an ID
            raise NotFound("no case has this name", where=case_name)
        items = queries.case_item_ids(connection, case_id)
        jobs = [
            NewJob("process", case_id, item_id=i, kinds=chosen, reason="reprocess") for i in items
        ]
        enqueue(connection, jobs, acting_agent(connection))
    return ReprocessReport(case_id, len(items), len(jobs), None if chosen is None else list(chosen))


@dataclass
class _Loaded:
    """The near-duplicate index of one database, kept in step with its hash table."""

    index: HashIndex = field(default_factory=HashIndex)
    seen: int = 0
    rows: dict[int, queries.HashRow] = field(default_factory=dict)
    by_item: dict[str, set[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_INDEXES: dict[str, _Loaded] = {}
_INDEXES_LOCK = threading.Lock()


def _index(instance: Instance, connection: Connection) -> _Loaded:
    """This database's index, with every hash added since it was last read. An item's hashes are only
    ever replaced together, in the transaction that adds its new ones (``queries.replace_hashes``),
    so an item with fresh rows has had all its older ones removed: they leave the index too, with no
    scan of the table."""
    with _INDEXES_LOCK:
        loaded = _INDEXES.setdefault(
            instance.settings.database_url + instance.record.instance_id, _Loaded()
        )
    with loaded.lock:
        fresh = queries.hashes_after(connection, loaded.seen)
        if fresh:
            renewed = {r.item_id for r in fresh}
            gone = sorted(k for item in renewed for k in loaded.by_item.pop(item, set()))
            if gone:
                loaded.index.remove(gone)
                for key in gone:
                    loaded.rows.pop(key, None)
            loaded.index.add([r.id for r in fresh], [r.value for r in fresh])
            for row in fresh:
                loaded.rows[row.id] = row
                loaded.by_item.setdefault(row.item_id, set()).add(row.id)
            loaded.seen = fresh[-1].id
    return loaded


def duplicates(
    instance: Instance, item_id: str, *, max_distance: int | None = None, limit: int = 50
) -> list[Duplicate]:
    """Items whose perceptual hashes lie within ``max_distance`` bits (of 256) of this item's, in
    cases one may read, nearest first. An analysis aid, never an integrity proof."""
    distance = instance.settings.duplicate_max_distance if max_distance is None else max_distance
    if not 0 <= distance <= 256:
        raise InvalidInput(
            "the distance must be between 0 and 256 bits",
            where="--max-distance",
            errors={"max_distance": str(distance)},
        )
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ, kind="evidence", record_id=item_id)
        readable = policy.readable_cases(connection, instance)
        own = queries.item_hashes(connection, item_id)
        loaded = _index(instance, connection)
        best = _nearest(loaded, own, item_id, distance, readable)
        # A survivor's recording (and what was derived from it) is never offered as a match.
        for held in queries.recordings_among(connection, list(best)):
            best.pop(held, None)
        labels = queries.item_labels(connection, list(best))
    found = [
        Duplicate(other, *labels[other][:2], labels[other][2], labels[other][3], d, p, q)
        for other, (d, p, q) in best.items()
        if other in labels
    ]
    found.sort(key=lambda d: (d.distance, d.item_id))
    return found[:limit]


def _nearest(
    loaded: _Loaded,
    own: list[tuple[float, bytes]],
    item_id: str,
    distance: int,
    readable: set[str] | None,
) -> dict[str, tuple[int, float, float]]:
    best: dict[str, tuple[int, float, float]] = {}
    for position, value in own:
        for key, d in loaded.index.search(value, distance, limit=1_000):
            row = loaded.rows.get(key)
            if row is None or row.item_id == item_id:
                continue
            if readable is not None and row.case_id not in readable:
                continue
            if row.item_id not in best or d < best[row.item_id][0]:
                best[row.item_id] = (d, position, row.position)
    return best
