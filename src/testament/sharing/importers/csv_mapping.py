"""CSV files described by a mapping: which column holds which incident field (docs/import-export.md).

A mapping is a small YAML file, so an Uwazi, Airtable or spreadsheet export can be imported without
editing it. :func:`load_mapping` checks a mapping and names the key at fault; :class:`CsvRows` streams the
rows of a file (a line at a time: a 50 MB file costs no more memory than a small one) and yields a
:class:`Row` per record, or a :class:`Rejected` naming the row and column at fault. Rows are numbered as
a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

import yaml

from testament.domain import boundedjson
from testament.errors import InvalidInput
from testament.sharing.importers import Rejected
from testament.sharing.textio import Utf8Text

VERSION_KEY = "testament-csv-mapping"
FIELDS = (
    "title",
    "description",
    "date",
    "date_from",
    "date_to",
    "latitude",
    "longitude",
    "uncertainty_m",
    "place_text",
    "area",
    "status",
)
LISTS = ("types", "targets", "weapons", "sensitivity")
DATE_FIELDS = ("date", "date_from", "date_to")
TOP_KEYS = {VERSION_KEY, "description", "namespace", "delimiter", "dates", "id"}
TOP_KEYS |= {"fields", "coordinates", "lists", "sources", "defaults"}


@dataclass(frozen=True)
class ListColumn:
    column: str
    separator: str = "|"
    values: Mapping[str, str] = field(default_factory=dict)  # case-folded value → term code
    unknown: str = "refuse"  # or "keep": verbatim in the incident's unmapped values, flagged


@dataclass(frozen=True)
class CsvMapping:
    """A checked mapping."""

    fields: Mapping[str, str]  # incident field → column
    lists: Mapping[str, ListColumn] = field(default_factory=dict)
    id_column: str | None = None
    coordinates: tuple[str, str, str] | None = None  # column, separator, "lat-lon" or "lon-lat"
    sources: tuple[str, str] | None = None  # column, separator
    defaults: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    namespace: str | None = None
    delimiter: str = ","
    dates: str = "iso"  # "iso", "us" (MM/DD/YYYY) or a strptime pattern

    def columns(self) -> list[str]:
        named = [*self.fields.values(), *(c.column for c in self.lists.values())]
        named += [c for c in (self.id_column,) if c]
        named += [self.coordinates[0]] if self.coordinates else []
        named += [self.sources[0]] if self.sources else []
        return named


@dataclass(frozen=True)
class Row:
    row: int
    line: int
    id: str
    fields: dict[str, str]
    lists: dict[str, list[str]]
    sources: list[str]
    raw: list[str]


class _Bad(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


# --- The mapping --------------------------------------------------------------------------------------


def _str(value: object, key: str, *, single: bool = False) -> str:
    if not isinstance(value, str) or not value:
        raise _Bad(key, "must be non-empty text")
    if single and len(value) != 1:
        raise _Bad(key, "must be one character")
    return value


def _table(value: object, key: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Bad(key, "must be a mapping of names to values")
    return {str(k): v for k, v in value.items()}


def _list_column(name: str, value: object) -> ListColumn:
    key = f"lists.{name}"
    spec = _table(value, key) if isinstance(value, dict) else {"column": value}
    unknown_keys = set(spec) - {"column", "separator", "values", "unknown"}
    if unknown_keys:
        raise _Bad(key, f"has unknown keys: {', '.join(sorted(unknown_keys))}")
    values = {
        str(k).strip().casefold(): _str(v, f"{key}.values.{k}")
        for k, v in _table(spec.get("values"), f"{key}.values").items()
    }
    unknown = spec.get("unknown", "refuse")
    if unknown not in ("refuse", "keep"):
        raise _Bad(f"{key}.unknown", "must be refuse or keep")
    return ListColumn(
        _str(spec.get("column"), f"{key}.column"),
        _str(spec.get("separator", "|"), f"{key}.separator"),
        values,
        unknown,
    )


def _pair(value: object, key: str, names: Sequence[str]) -> dict[str, Any]:
    spec = _table(value, key)
    extra = set(spec) - set(names)
    if extra:
        raise _Bad(key, f"has unknown keys: {', '.join(sorted(extra))}")
    return spec


def _coordinates(value: object) -> tuple[str, str, str] | None:
    if value is None:
        return None
    spec = _pair(value, "coordinates", ("column", "separator", "order"))
    order = spec.get("order", "lat-lon")
    if order not in ("lat-lon", "lon-lat"):
        raise _Bad("coordinates.order", "must be lat-lon or lon-lat")
    return (
        _str(spec.get("column"), "coordinates.column"),
        _str(spec.get("separator", "|"), "coordinates.separator"),
        order,
    )


def _sources(value: object) -> tuple[str, str] | None:
    if value is None:
        return None
    spec = _pair(value, "sources", ("column", "separator"))
    return _str(spec.get("column"), "sources.column"), _str(
        spec.get("separator", "|"), "sources.separator"
    )


def _defaults(value: object) -> dict[str, str | tuple[str, ...]]:
    found: dict[str, str | tuple[str, ...]] = {}
    for name, given in _table(value, "defaults").items():
        if name in LISTS:
            items = given if isinstance(given, list) else [given]
            found[name] = tuple(_str(v, f"defaults.{name}") for v in items)
        elif name in FIELDS:
            found[name] = _str(str(given) if isinstance(given, int | float) else given, name)
        else:
            raise _Bad(f"defaults.{name}", "is not an incident field")
    return found


def _build(data: dict[str, Any]) -> CsvMapping:
    if data.get(VERSION_KEY) != 1:
        raise _Bad(VERSION_KEY, "must be 1 (the only version of the mapping format)")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise _Bad(sorted(unknown)[0], "is not a key of the mapping format")
    fields = {k: _str(v, f"fields.{k}") for k, v in _table(data.get("fields"), "fields").items()}
    for name in fields:
        if name not in FIELDS:
            raise _Bad(f"fields.{name}", f"is not an incident field ({', '.join(FIELDS)})")
    lists = {k: _list_column(k, v) for k, v in _table(data.get("lists"), "lists").items()}
    for name in lists:
        if name not in LISTS:
            raise _Bad(f"lists.{name}", f"is not a vocabulary field ({', '.join(LISTS)})")
    defaults = _defaults(data.get("defaults"))
    if "title" not in fields and "title" not in defaults:
        raise _Bad("fields.title", "is required: name the column that holds each incident's title")
    return CsvMapping(
        fields=fields,
        lists=lists,
        id_column=_str(data["id"], "id") if data.get("id") is not None else None,
        coordinates=_coordinates(data.get("coordinates")),
        sources=_sources(data.get("sources")),
        defaults=defaults,
        namespace=_str(data["namespace"], "namespace") if data.get("namespace") else None,
        delimiter=_str(data.get("delimiter", ","), "delimiter", single=True),
        dates=_str(data.get("dates", "iso"), "dates"),
    )


def load_mapping(text: str, name: str) -> CsvMapping:
    """Check a mapping; raises InvalidInput naming the key at fault."""
    boundedjson.check_depth(text, name, what="the mapping")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"the mapping is not YAML: {exc}", where=name) from None
    except RecursionError:
        raise boundedjson.nested_too_deep(name, "the mapping") from None
    except ValueError as exc:  # a whole number past 4,300 digits, a date such as 2022-02-30
        reason = str(exc).split(";")[0]
        raise InvalidInput(
            f"the mapping holds a value YAML cannot read: {reason}", where=name
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("the mapping must be a YAML mapping", where=name)
    try:
        return _build(data)
    except _Bad as exc:
        raise InvalidInput(
            f"the mapping's {exc.key} {exc.message}",
            where=f"{name}: {exc.key}",
            hint="see docs/import-export.md for the mapping format",
        ) from None


# --- The rows -----------------------------------------------------------------------------------------


def parse_date(text: str, dates: str, column: str) -> str:
    """A date cell as Testament reads dates: unchanged for ``iso`` and ``us``, else via the pattern."""
    value = text.strip()
    if not value or dates in ("iso", "us"):
        return value
    try:
        return datetime.strptime(value, dates).date().isoformat()
    except ValueError as exc:
        raise _Bad(column, f"{value!r} is not a date written as {dates} ({exc})") from None


def _split(cell: str, separator: str) -> list[str]:
    found: list[str] = []
    for part in cell.split(separator):
        value = part.strip()
        if value and value not in found:
            found.append(value)
    return found


def _index(header: Sequence[str], mapping: CsvMapping, name: str) -> dict[str, int]:
    cleaned = [h.strip() for h in header]
    index: dict[str, int] = {}
    missing = []
    for column in mapping.columns():
        if column in cleaned:
            index[column] = cleaned.index(column)
            continue
        folded = [h.casefold() for h in cleaned]
        if column.strip().casefold() in folded:
            index[column] = folded.index(column.strip().casefold())
        else:
            missing.append(column)
    if missing:
        raise InvalidInput(
            f"the file has no column {', '.join(repr(m) for m in missing)}",
            where=f"{name}: row 1 (the header)",
            hint=f"its columns are {', '.join(repr(h) for h in cleaned)}; correct the mapping",
        )
    return index


class _Reader:
    def __init__(self, mapping: CsvMapping, index: dict[str, int], width: int) -> None:
        self.mapping = mapping
        self.index = index
        self.width = width

    def cell(self, cells: Sequence[str], column: str) -> str:
        position = self.index[column]
        return cells[position] if position < len(cells) else ""

    def row(self, cells: list[str], row: int, line: int) -> Row:
        if len(cells) > self.width and any(c.strip() for c in cells[self.width :]):
            raise _Bad("row", f"has {len(cells)} cells but the header has {self.width}")
        m = self.mapping
        fields = {k: v for k, v in m.defaults.items() if isinstance(v, str)}
        for name, column in m.fields.items():
            value = self.cell(cells, column)
            if value.strip() or name not in fields:
                fields[name] = parse_date(value, m.dates, column) if name in DATE_FIELDS else value
        self._coordinates(cells, fields)
        lists = {k: list(v) for k, v in m.defaults.items() if isinstance(v, tuple)}
        for name, spec in m.lists.items():
            values = [
                spec.values.get(v.casefold(), v)
                for v in _split(self.cell(cells, spec.column), spec.separator)
            ]
            lists[name] = values or lists.get(name, [])
        sources = _split(self.cell(cells, m.sources[0]), m.sources[1]) if m.sources else []
        given_id = self.cell(cells, m.id_column).strip() if m.id_column else ""
        return Row(row, line, given_id or _content_id(cells), fields, lists, sources, cells)

    def _coordinates(self, cells: Sequence[str], fields: dict[str, str]) -> None:
        if self.mapping.coordinates is None:
            return
        column, separator, order = self.mapping.coordinates
        cell = self.cell(cells, column).strip()
        if not cell:
            return
        parts = [p.strip() for p in cell.split(separator)]
        if len(parts) != 2:
            raise _Bad(column, f"{cell!r} is not two coordinates separated by {separator!r}")
        first, second = parts
        fields["latitude"], fields["longitude"] = (
            (first, second) if order == "lat-lon" else (second, first)
        )


def _content_id(cells: Sequence[str]) -> str:
    """An ID for a row without one: a digest of its cells, so re-importing the same row finds it."""
    digest = hashlib.sha256("\x1f".join(c.strip() for c in cells).encode()).hexdigest()
    return f"sha256:{digest[:32]}"


class CsvRows:
    """The rows of a CSV file; iterating raises InvalidInput for a missing column or unreadable CSV.

    ``header`` holds the header row once iteration has started (the rejects file repeats it).
    """

    def __init__(self, stream: IO[bytes], mapping: CsvMapping, name: str) -> None:
        self.stream = stream
        self.mapping = mapping
        self.name = name
        self.header: list[str] = []

    def __iter__(self) -> Iterator[Row | Rejected]:
        self._text = Utf8Text(self.stream, self.name)
        self._read = 0  # bytes of the lines the reader has taken
        self._begin = (0, 1, 1)  # where the row being read begins: bytes before it, row, line
        self._last = ""  # the last line it took: without a line break only at the end of the file
        reader = csv.reader(self._lines(), delimiter=self.mapping.delimiter, strict=True)
        try:
            yield from self._rows(reader)
        except csv.Error as exc:
            if not self._last.endswith("\n"):  # the end came inside a quoted cell
                raise self._cut_short() from None
            raise InvalidInput(
                f"the file is not valid CSV: {exc}",
                where=f"{self.name}: line {reader.line_num}",
                hint=f"the mapping reads {self.mapping.delimiter!r} as the delimiter",
            ) from None

    def _lines(self) -> Iterator[str]:
        for line in self._text.lines():
            self._read += len(line.encode("utf-8"))
            self._last = line
            yield line

    def _cut_short(self) -> InvalidInput:
        """The file ended inside the row being read (call once the reader has reached its end)."""
        before, row, line = self._begin
        start = self._text.size - (self._read - before)  # counted from the end: a BOM is not text
        return self._text.truncated(line, start, f"row {row}")

    def _rows(self, reader: Any) -> Iterator[Row | Rejected]:
        header = next(reader, None)
        if header is None:
            raise InvalidInput("the file is empty (no header row)", where=self.name)
        self.header = list(header)
        rows = _Reader(self.mapping, _index(header, self.mapping, self.name), len(header))
        row, line = 1, reader.line_num
        self._begin = (self._read, row + 1, line + 1)
        for cells in reader:
            row, start, line = row + 1, line + 1, reader.line_num
            blank = not any(c.strip() for c in cells)
            if not blank and not self._last.endswith("\n") and len(cells) < len(header):
                raise self._cut_short()  # the last row stops short of the header's columns
            self._begin = (self._read, row + 1, line + 1)
            if blank:
                continue
            try:
                yield rows.row(cells, row, start)
            except _Bad as exc:
                error = InvalidInput(
                    f"row {row}: {exc.key} {exc.message}",
                    where=f"{self.name}: row {row}, line {start}, column {exc.key!r}",
                    errors={exc.key: exc.message},
                )
                yield Rejected(row, cells, error)
