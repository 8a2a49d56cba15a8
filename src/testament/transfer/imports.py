"""Importing incidents and sources: TimeMap JSON, CSV through a mapping, and Testament JSON Lines.

Every import is one write transaction: it commits whole or not at all. A row that cannot be accepted
aborts the import with a diagnosis naming the row and the field; with ``skip_invalid`` the row goes to a
rejects file (in the input's format, with the reason) and the rest is imported. Rows are read, checked
and written a batch at a time (:mod:`testament.transfer.import_batches`), so memory stays bounded
whatever the file's size; only the set of external IDs seen so far grows with it.

Each row keeps its original ID as an external ID in a namespace: ``timemap:<file name without a
trailing date>`` for TimeMap, the mapping's ``namespace`` (else ``csv:<file name>``) for CSV, unless the
caller names one. Importing the same file again creates nothing and reports every record unchanged.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from testament.custody import cases, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import Action
from testament.errors import InvalidInput, NotFound
from testament.sharing.importers import Rejected, csv_mapping, timemap
from testament.sharing.rejects import Rejects
from testament.taxonomy import vocabulary
from testament.transfer.import_batches import Counts, Pending, Writer
from testament.transfer.import_rows import csv_pending, timemap_pending
from testament.transfer.queries import imports as queries

__all__ = [
    "ImportOptions",
    "ImportReport",
    "ImportRun",
    "import_csv",
    "import_timemap",
    "opened",
    "run",
]


ROW_LABELS = {"timemap": "event", "csv": "row", "jsonl": "line"}


@dataclass(frozen=True)
class ImportOptions:
    namespace: str | None = None
    skip_invalid: bool = False
    rejects: Path | None = None  # default: ./<file name>.rejects.<ext>
    suffix_duplicates: bool = False  # import a repeated ID as ID#2, ID#3 … instead of refusing


@dataclass
class ImportReport:
    path: str
    format: str
    case: str
    namespace: str
    incidents: Counts = field(default_factory=Counts)
    sources: Counts = field(default_factory=Counts)
    links: int = 0
    rows: int = 0
    case_created: bool = False
    rejected: int = 0
    rejects_path: str | None = None
    unmapped: dict[str, dict[str, int]] = field(default_factory=dict)
    other: dict[str, Counts] = field(default_factory=dict)  # JSON Lines: the other kinds of record
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0

    @property
    def nothing_new(self) -> bool:
        counts = [self.incidents, self.sources, *self.other.values()]
        return self.links == 0 and all(c.created == c.updated == 0 for c in counts)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "case": self.case,
            "case_created": self.case_created,
            "namespace": self.namespace,
            "rows": self.rows,
            "incidents": self.incidents.as_json(),
            "sources": self.sources.as_json(),
            "links": {"created": self.links},
            "records": {kind: counts.as_json() for kind, counts in sorted(self.other.items())},
            "rejected": self.rejected,
            "rejects_path": self.rejects_path,
            "nothing_new": self.nothing_new,
            "unmapped": self.unmapped,
            "warnings": self.warnings,
            "warning_count": self.warning_count,
        }


# --- Shared machinery ---------------------------------------------------------------------------------


@contextlib.contextmanager
def opened(path: Path) -> Iterator[IO[bytes]]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", where=str(path)) from None
    with handle:
        yield handle


def rejects_path(path: Path, options: ImportOptions, extension: str) -> Path:
    return options.rejects or Path.cwd() / f"{path.stem}.rejects{extension}"


class ImportRun:
    """One import: duplicate IDs, rejects and the batch writer, inside one transaction."""

    def __init__(
        self, connection: Connection, report: ImportReport, options: ImportOptions, rejects: Rejects
    ) -> None:
        self.connection = connection
        self.report = report
        self.options = options
        self.rejects = rejects
        if not report.case.strip() or any(ord(ch) < 32 for ch in report.case):
            raise InvalidInput(
                "a case name must be non-empty text without control characters", where="--case"
            )
        agent_id = acting_agent(connection)
        try:
            self.case_id = cases.case_id(connection, report.case)
        except NotFound:
            self.case_id = cases.create_case_row(connection, report.case, agent_id)
            report.case_created = True
        self.namespace = report.namespace
        self.writer = Writer(connection, self.case_id, report.namespace, agent_id)
        self._ids: dict[str, tuple[int, str]] = {}  # external ID → (row, where) of its first row

    def reject(self, row: int, raw: object, error: InvalidInput) -> None:
        if not self.options.skip_invalid:
            raise error
        self.report.rejected += 1
        self.rejects.add(row, raw, error)

    def unique_id(self, given: str, row: int, where: str) -> str:
        """The external ID to use for a row, refusing (or numbering) one seen in an earlier row."""
        if given not in self._ids:
            self._ids[given] = (row, where)
            return given
        first_row, first_where = self._ids[given]
        label = ROW_LABELS[self.report.format]
        if not self.options.suffix_duplicates:
            raise InvalidInput(
                f"the ID {given!r} appears twice in the file: {label} {first_row} and {label} {row}",
                where=f"{first_where}; {where}",
                hint="IDs must be unique within a file: correct one of them, or re-run with "
                "--suffix-duplicates to import later rows with that ID as ID#2, ID#3 …",
            )
        number = 2
        while f"{given}#{number}" in self._ids:
            number += 1
        renamed = f"{given}#{number}"
        self._ids[renamed] = (row, where)
        self.warn(f"{where}: {label} {first_row} has the ID {given!r} too; imported as {renamed!r}")
        return renamed

    def warn(self, text: str) -> None:
        self.writer.tally.warn(text)

    def note_unmapped(self, key: str, value: str) -> None:
        counts = self.report.unmapped.setdefault(key, {})
        counts[value] = counts.get(value, 0) + 1

    def counts(self, kind: str) -> Counts:
        """The counts of one kind of record (JSON Lines imports every kind)."""
        tally = self.writer.tally
        if kind in ("incident", "source"):
            return tally.incidents if kind == "incident" else tally.sources
        return self.report.other.setdefault(kind, Counts())

    def accept(self, row: int, raw: object, make: Callable[[], Pending]) -> None:
        self.report.rows += 1
        try:
            pending = make()
        except InvalidInput as exc:
            self.reject(row, raw, exc)
            return
        self.writer.add(pending)

    def finish(self) -> None:
        self.writer.flush()
        tally = self.writer.tally
        self.report.incidents, self.report.sources, self.report.links = (
            tally.incidents,
            tally.sources,
            tally.links + self.report.other.get("incident-source", Counts()).created,
        )
        self.report.warnings, self.report.warning_count = tally.warnings, tally.warning_count
        if self.report.rows and not queries.areas_loaded(self.connection):
            self.report.warnings.append(
                "no administrative areas are loaded, so no incident was assigned to an area: load them "
                "with `testament gazetteer load`, which assigns every incident"
            )
            self.report.warning_count += 1


def _may_import(connection: Connection, instance: Instance, case_name: str) -> None:
    """Importing into a case is a documenter's; into a new one (the import creates it), the work of
    someone who may create cases, as the API asks."""
    try:
        policy.case_id(connection, case_name)
    except NotFound:
        policy.require(connection, instance, Action.MANAGE_CASE)
        return
    policy.require(connection, instance, Action.DOCUMENT, case=case_name)


def run(
    instance: Instance,
    report: ImportReport,
    options: ImportOptions,
    rejects: Rejects,
    body: Callable[[ImportRun], None],
) -> ImportReport:
    try:
        with recording(instance) as connection:
            _may_import(connection, instance, report.case)
            run = ImportRun(connection, report, options, rejects)
            body(run)
            run.finish()
    except BaseException:
        rejects.discard()
        raise
    kept = rejects.keep()
    report.rejects_path = str(kept) if kept else None
    return report


# --- TimeMap ------------------------------------------------------------------------------------------


def import_timemap(
    instance: Instance, path: Path, case_name: str, options: ImportOptions | None = None
) -> ImportReport:
    """Import a TimeMap JSON file into a case (see the module docstring and docs/import-export.md)."""
    options = options or ImportOptions()
    namespace = options.namespace or timemap.namespace(path)
    report = ImportReport(str(path), "timemap", case_name, namespace)
    rejects = Rejects(rejects_path(path, options, ".json"), "timemap")
    indexes = {
        timemap.TARGETS_KEY: vocabulary.timemap_index("target-object-types"),
        timemap.WEAPONS_KEY: vocabulary.timemap_index("weapon-systems"),
    }

    def body(run: ImportRun) -> None:
        with opened(path) as stream:
            for item in timemap.read(stream, str(path)):
                if isinstance(item, Rejected):
                    run.report.rows += 1
                    run.reject(item.row, item.raw, item.error)
                    continue
                event = item
                run.accept(
                    event.row,
                    event.raw,
                    functools.partial(timemap_pending, run, event, indexes, str(path)),
                )

    return run(instance, report, options, rejects, body)


# --- CSV ----------------------------------------------------------------------------------------------


def load_mapping(path: Path) -> csv_mapping.CsvMapping:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise InvalidInput(f"cannot read the mapping: {reason}", where=str(path)) from None
    return csv_mapping.load_mapping(text, str(path))


def import_csv(
    instance: Instance,
    path: Path,
    case_name: str,
    mapping_path: Path,
    options: ImportOptions | None = None,
) -> ImportReport:
    """Import a CSV file through a mapping (docs/import-export.md) into a case."""
    options = options or ImportOptions()
    mapping = load_mapping(mapping_path)
    namespace = options.namespace or mapping.namespace or "csv:" + timemap.namespace(path)[8:]
    report = ImportReport(str(path), "csv", case_name, namespace)
    rejects = Rejects(rejects_path(path, options, ".csv"), "csv")

    def body(run: ImportRun) -> None:
        with opened(path) as stream:
            rows = csv_mapping.CsvRows(stream, mapping, str(path))
            for item in rows:
                rejects.header = rejects.header or rows.header
                if isinstance(item, Rejected):
                    run.report.rows += 1
                    run.reject(item.row, item.raw, item.error)
                    continue
                row = item
                run.accept(
                    row.row, row.raw, functools.partial(csv_pending, run, row, mapping, str(path))
                )

    return run(instance, report, options, rejects, body)
