"""Importing Testament JSON Lines (`testament export jsonl`) into a case, every record ID preserved.

The file holds a header line and then ``{"kind", "data"}`` lines, dependencies first (the exporter's
order). Lines are written a batch of one kind at a time in the import's single transaction. Each line is
checked before anything of its batch is written: its fields must be exactly the kind's fields, its
vocabulary values known, and every record it refers to must exist in this case (in the file's earlier
lines or already in the home). A record whose ID already exists is compared like any imported row
(:func:`testament.transfer.import_batches.settle`); one whose ID belongs to another case is refused.

Each line is decoded within the limits of :mod:`testament.domain.boundedjson`, and its text fields within
those of :data:`testament.domain.text.FIELD_CHARS`. A last line that is cut short (no line break, not
JSON) means the file is truncated: the import is refused whole, naming the line and byte.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from testament.custody import history
from testament.custody.instance import Instance, acting_agent
from testament.documentation import gazetteer, incidents
from testament.domain import boundedjson
from testament.domain.text import check_length
from testament.errors import Conflict, InvalidInput
from testament.search import indexing
from testament.sharing.rejects import Rejects
from testament.sharing.textio import Utf8Text
from testament.taxonomy import vocabulary
from testament.transfer.import_batches import BATCH, Counts, settle
from testament.transfer.imports import ImportOptions, ImportReport, opened, rejects_path, run
from testament.transfer.queries import imports as queries

FORMAT = "testament-jsonl"
MAX_LINE_CHARS = 64 << 20  # one record; its text fields are bounded far below this
CASE_KINDS = frozenset({"source", "incident", "person"})
VOCABULARIES: dict[str, dict[str, str]] = {
    "incident": dict(incidents.LISTS) | {"status": "incident-status"},
    "source": {"kind": "source-types"},
    "casualty": {"category": "casualty-categories"},
    "incident-relation": {"relation": "incident-relations"},
    "person-role": {"role": "person-roles"},
    "unit-involvement": {"degree": "degrees-of-involvement"},
}
REFERENCES: dict[str, dict[str, str]] = {
    "incident-source": {"incident_id": "incident", "source_id": "source"},
    "casualty": {"incident_id": "incident", "source_id": "source"},
    "incident-relation": {"incident_id": "incident", "related_id": "incident"},
    "person-role": {"person_id": "person", "incident_id": "incident"},
    "unit": {"parent_id": "unit"},
    "unit-commander": {"unit_id": "unit", "person_id": "person"},
    "unit-involvement": {"unit_id": "unit", "incident_id": "incident"},
}
KINDS = ("source", "incident", *REFERENCES, "person")


@dataclass
class Line:
    number: int
    kind: str
    data: dict[str, Any]
    raw: object


def expected_fields(kind: str) -> set[str]:
    names = set(history.fields(kind)) | {"id"}
    names.discard("case_id")
    if kind == "incident":
        names = (names - {"area_id"}) | {"area_code"}
    return names


def _where(name: str, number: int) -> str:
    return f"{name}: line {number}"


def _decode(text: str, number: int, name: str) -> dict[str, Any]:
    value = boundedjson.loads(text, _where(name, number), what=f"line {number}")
    if not isinstance(value, dict):
        raise InvalidInput(f"line {number} is not a JSON object", where=_where(name, number))
    return value


def parse_line(value: dict[str, Any], number: int, name: str) -> Line:
    """Check one record line's shape and vocabulary values; raises InvalidInput naming the field."""
    where = _where(name, number)
    kind, data = value.get("kind"), value.get("data")
    if kind not in KINDS or not isinstance(data, dict):
        raise InvalidInput(
            f"line {number} is not a record: it needs a kind ({', '.join(KINDS)}) and a data object",
            where=where,
        )
    missing = sorted(expected_fields(kind) - set(data))
    unknown = sorted(set(data) - expected_fields(kind))
    if missing or unknown:
        errors = dict.fromkeys(missing, "missing") | dict.fromkeys(
            unknown, "not a field of this kind"
        )
        raise InvalidInput(
            f"a {kind} on line {number} has the wrong fields", where=where, errors=errors
        )
    _check_lengths(data, where)
    for field, vocab in VOCABULARIES.get(kind, {}).items():
        given = data[field]
        values = given if isinstance(given, list) else [given]
        try:
            vocabulary.require(vocab, [str(v) for v in values], where=f"{where}, field {field}")
        except InvalidInput as exc:
            raise InvalidInput(
                exc.what, where=exc.where, hint=exc.hint, errors={field: exc.what}
            ) from None
    return Line(number, kind, dict(data), value)


def _check_lengths(data: dict[str, Any], where: str) -> None:
    """Refuse text longer than its field may hold (domain/text.py's table), naming the field."""
    for field, value in data.items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if not isinstance(text, str):
                continue
            try:
                check_length(text, f"the {field}", where, field=field)
            except InvalidInput as exc:
                raise InvalidInput(
                    exc.what, where=where, hint=exc.hint, errors={field: exc.what}
                ) from None


def _lines(stream: Any, name: str) -> Iterator[tuple[int, dict[str, Any] | InvalidInput]]:
    """(line number, decoded object or why not) for every non-empty line after a valid header.

    A last line without its line break that stops before its JSON ends was cut short: the file is
    truncated.
    """
    header_seen = False
    source = Utf8Text(stream, name)
    for number, text in enumerate(source.lines(MAX_LINE_CHARS), start=1):
        if not text.strip():
            continue
        try:
            value: dict[str, Any] | InvalidInput = _decode(text, number, name)
        except InvalidInput as exc:
            if not text.endswith("\n") and boundedjson.cut_short(text):
                start = source.size - len(text.encode("utf-8"))
                raise source.truncated(number, start, f"line {number}") from None
            if not header_seen:
                raise
            value = exc
        if not header_seen:
            if (
                not isinstance(value, dict)
                or value.get("format") != FORMAT
                or value.get("version") != 1
            ):
                raise InvalidInput(
                    "the file does not start with a Testament JSON Lines header",
                    where=_where(name, number),
                    hint="give a file written by `testament export jsonl`",
                )
            header_seen = True
            continue
        yield number, value
    if not header_seen:
        raise InvalidInput("the file is empty", where=name)


class _Batches:
    def __init__(self, connection: Connection, case_id: str, state: Any, name: str) -> None:
        self.connection = connection
        self.case_id = case_id
        self.state = state  # the import run: reject(), report
        self.name = name
        self.agent_id = acting_agent(connection)

    def _case_ids(self, kind: str, ids: Sequence[str]) -> set[str]:
        case_id = self.case_id if kind in CASE_KINDS else None
        return queries.live_ids(self.connection, history.table_of(kind), ids, case_id=case_id)

    def _resolve(self, lines: list[Line]) -> list[Line]:
        """The lines whose references exist (the rest rejected), with case and area filled in."""
        kind = lines[0].kind
        refs = REFERENCES.get(kind, {})
        batch = {str(line.data["id"]) for line in lines}  # a unit's parent may come just before it
        live = {
            field: self._case_ids(
                target, sorted({str(line.data[field]) for line in lines if line.data[field]})
            )
            | (batch if target == kind else set())
            for field, target in refs.items()
        }
        kept = []
        for line in lines:
            where = _where(self.name, line.number)
            try:
                for field, found in live.items():
                    if line.data[field] is not None and line.data[field] not in found:
                        message = f"no {refs[field]} {line.data[field]} in this case"
                        raise InvalidInput(message, where=where, errors={field: message})
                self._fill(line, where)
            except InvalidInput as exc:
                self.state.reject(line.number, line.raw, exc)
                continue
            kept.append(line)
        return kept

    def _fill(self, line: Line, where: str) -> None:
        if line.kind in CASE_KINDS:
            line.data["case_id"] = self.case_id
        if line.kind == "incident":
            code = line.data.pop("area_code")
            line.data["area_id"] = (
                gazetteer.find_area(self.connection, code, case_id=self.case_id) if code else None
            )
            if code and line.data["area_id"] is None:
                message = f"no area with the code {code!r} is loaded in this home"
                raise InvalidInput(
                    message,
                    where=where,
                    errors={"area_code": message},
                    hint="load the areas with `testament gazetteer load` first",
                )

    def write(self, lines: list[Line]) -> None:
        lines = self._resolve(lines)
        if not lines:
            return
        kind = lines[0].kind
        table = history.table_of(kind)
        counts = self.state.counts(kind)
        ids = [str(line.data["id"]) for line in lines]
        stored = queries.records_by_id(self.connection, table, ids)
        new, touched = [], []
        for line in lines:
            record = stored.get(str(line.data["id"]))
            if record is None:
                new.append(line.data)
                continue
            if kind in CASE_KINDS and record["case_id"] != self.case_id:
                raise Conflict(
                    f"the {kind} {record['id']} belongs to another case in this home",
                    where=_where(self.name, line.number),
                    hint="import the file into that case, or into a home that does not hold it",
                )
            if settle(
                self.connection, kind, record, line.data, counts=counts, agent_id=self.agent_id
            ):
                touched.append(str(record["id"]))
        created = history.create_many(self.connection, kind, new, agent_id=self.agent_id)
        counts.created += len(created)
        if kind == "incident" and (created or touched):
            incidents.after_write(self.connection, created + touched)
        if kind == "source" and (created or touched):
            indexing.refresh(self.connection, "source", created + touched)


def import_jsonl(
    instance: Instance, path: Path, case_name: str, options: ImportOptions | None = None
) -> ImportReport:
    """Import a Testament JSON Lines export into a case (see the module docstring)."""
    options = options or ImportOptions()
    report = ImportReport(str(path), "jsonl", case_name, "")
    rejects = Rejects(rejects_path(path, options, ".jsonl"), "jsonl")

    def body(state: Any) -> None:
        batches = _Batches(state.connection, state.case_id, state, str(path))
        pending: list[Line] = []
        with opened(path) as stream:
            for number, value in _lines(stream, str(path)):
                state.report.rows += 1
                try:
                    if isinstance(value, InvalidInput):
                        raise value
                    line = parse_line(value, number, str(path))
                except InvalidInput as exc:
                    state.reject(number, value if isinstance(value, dict) else None, exc)
                    continue
                if pending and (line.kind != pending[0].kind or len(pending) >= BATCH):
                    batches.write(pending)
                    pending = []
                pending.append(line)
        if pending:
            batches.write(pending)

    return run(instance, report, options, rejects, body)


__all__ = ["Counts", "import_jsonl"]
