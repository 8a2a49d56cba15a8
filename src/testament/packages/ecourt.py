"""The court e-filing sheet: one row per item, as an e-Court load wants it (ECP-02, ECP-04, ECP-05).

A package carries the sheet as ``data/metadata/ecourt.csv`` and ``data/metadata/ecourt.xlsx``. Its
columns come from a *mapping*: a list of ``(header, field)`` pairs, where ``field`` names a value of the
item's line in ``items.jsonl``. :data:`DEFAULT_MAPPING` puts the ICC Evidence Registration Number first
and always has the SHA-256 column; a Chamber whose protocol names the columns otherwise gets a JSON file
of its own, named by the ``ecourt_mapping`` setting (docs/configuration.md) and read by
:func:`load_mapping`::

    [["ERN", "external_ids.ICC-ERN"], ["Title", "original_name"], ["Hash", "sha256"]]

The fields are those of :data:`FIELDS`, and ``external_ids.<SCHEME>`` for an identifier another body
gave the item (``testament evidence external-id``). Lists are joined with ``"; "``: an item's incidents
by ID, its assessments as ``axis: status``, its legal elements as ``crime element (stance)``.

What the cells hold, in both files:

* text as it may be shown (:func:`testament.domain.display.shown`): a bidirectional control or a
  control character other than a line break is written as its code point in brackets, so a name cannot
  read as another, and the XLSX never holds a character the format forbids;
* a cell that starts with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe (``'=1+1``), so a
  spreadsheet reads it as text, never as a formula (CSV injection, OWASP); items.jsonl keeps the value
  as it is;
* the XLSX caps a cell at the format's 32,767 characters (a longer note ends with ``…``); the CSV keeps
  it whole.

The CSV is plain UTF-8 (no byte-order mark) in RFC 4180's form: CRLF line ends, and a field with a
comma, a quote or a line break in double quotes. The XLSX holds one sheet, every cell as text, and the
same items give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from openpyxl import Workbook

from testament.domain.display import shown
from testament.errors import InvalidInput

# The fields a mapping may name, and what each holds.
FIELDS: Mapping[str, str] = {
    "id": "the item's ID in Testament",
    "sha256": "the SHA-256 of the original",
    "size": "the original's size in bytes",
    "media_type": "the original's media type",
    "original_name": "the file's name as it arrived",
    "path": "the original's path in the package",
    "modified_at": "the file's modification time, as given at ingest",
    "source_note": "the note on where the item came from",
    "ingested_at": "when Testament received it",
    "ingested_by.name": "who ingested it (an account's username or an operating-system user)",
    "ingested_by.agent": "who ingested it, as the custody log names the agent",
    "ingested_by.kind": "the kind of agent that ingested it",
    "duplicate": "yes if the same bytes were ingested before",
    "testimony_recording": "yes if the item records a testimony",
    "incidents": "the IDs of the incidents it is linked to",
    "assessments": "its verification assessments, as axis: status",
    "legal_elements": "the legal elements it is linked to, as crime element (stance)",
}
EXTERNAL = "external_ids."
SCHEME = re.compile(r"[A-Za-z0-9-]{2,32}", re.ASCII)

DEFAULT_MAPPING: tuple[tuple[str, str], ...] = (
    ("ERN", "external_ids.ICC-ERN"),
    ("Document title", "original_name"),
    ("Date", "modified_at"),
    ("Format", "media_type"),
    ("Size (bytes)", "size"),
    ("SHA-256", "sha256"),
    ("File", "path"),
    ("Source", "source_note"),
    ("Collected", "ingested_at"),
    ("Collected by", "ingested_by.name"),
    ("Incidents", "incidents"),
    ("Item ID", "id"),
)
HEADER_CHARS = 200
XLSX_CELL_CHARS = 32_767
FORMULA_STARTS = ("=", "+", "-", "@")
JOIN = "; "
# shown() writes every control character as its code point; a line break in a note stays one.
_SHOWN_KEEP = "\n"
# Zip entries carry this time, so the same items give the same XLSX bytes.
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_TIME = datetime(1980, 1, 1, tzinfo=UTC)


def _known(field: str) -> str | None:
    """The field as the sheet reads it (an external scheme in capitals), or None if unknown."""
    if field in FIELDS:
        return field
    if field.startswith(EXTERNAL) and SCHEME.fullmatch(field[len(EXTERNAL) :]):
        return EXTERNAL + field[len(EXTERNAL) :].upper()
    return None


def _entry_problem(entry: object) -> str | None:
    """What is wrong with one mapping entry, or None."""
    if not isinstance(entry, list | tuple) or len(entry) != 2:
        return "is not a [header, field] pair"
    header, field = entry
    if not isinstance(header, str) or not isinstance(field, str):
        return "must hold two strings, a header and a field"
    if not header.strip() or len(header) > HEADER_CHARS:
        return f"has an empty header or one longer than {HEADER_CHARS} characters"
    if _known(field) is None:
        return f"names an unknown field {field!r}"
    return None


def check_mapping(entries: object, where: str) -> list[tuple[str, str]]:
    """``entries`` as a mapping: a non-empty list of ``[header, field]`` pairs of known fields with
    distinct headers. InvalidInput names ``where`` and the entry (counted from 1) otherwise."""
    hint = (
        "write a JSON list of [header, field] pairs; fields are "
        f"{', '.join(FIELDS)} and external_ids.SCHEME (such as external_ids.ICC-ERN)"
    )
    if not isinstance(entries, list) or not entries:
        raise InvalidInput("the e-Court mapping is not a non-empty list", where=where, hint=hint)
    mapping: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        problem = _entry_problem(entry)
        pair = cast("Sequence[str]", entry)
        if problem is None and pair[0].strip() in seen:
            problem = f"repeats the header {pair[0].strip()!r}"
        if problem is not None:
            raise InvalidInput(
                f"entry {number} of the e-Court mapping {problem}",
                where=f"{where}, entry {number}",
                hint=hint,
            )
        header, field = pair[0].strip(), str(_known(pair[1]))
        seen.add(header)
        mapping.append((header, field))
    return mapping


def load_mapping(path: Path | None) -> list[tuple[str, str]]:
    """The mapping in the JSON file ``path``; :data:`DEFAULT_MAPPING` when None."""
    if path is None:
        return list(DEFAULT_MAPPING)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(
            "the e-Court mapping file does not exist",
            where=str(path),
            hint="fix TESTAMENT_ECOURT_MAPPING or create the file",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            f"the e-Court mapping file cannot be read as JSON: {exc}", where=str(path)
        ) from None
    return check_mapping(entries, str(path))


def _joined(field: str, value: list[Any]) -> str:
    if field == "incidents":
        parts = [str(link.get("incident_id", "")) for link in value]
    elif field == "assessments":
        parts = [f"{mark.get('axis', '')}: {mark.get('status', '')}" for mark in value]
    elif field == "legal_elements":
        parts = [
            f"{e.get('crime_code', '')} {e.get('element_id', '')} ({e.get('stance', '')})"
            for e in value
        ]
    else:
        parts = [str(part) for part in value]
    return JOIN.join(parts)


def _value(item: Mapping[str, Any], field: str) -> str:
    """The text of ``field`` (a :func:`_known` spelling) for one item."""
    if field.startswith(EXTERNAL):
        found = (item.get("external_ids") or {}).get(field[len(EXTERNAL) :])
    elif "." in field:
        outer, inner = field.split(".", 1)
        found = (item.get(outer) or {}).get(inner)
    else:
        found = item.get(field)
    if found is None:
        return ""
    if isinstance(found, bool):
        return "yes" if found else "no"
    if isinstance(found, list):
        return _joined(field, found)
    return str(found)


def safe_cell(text: str) -> str:
    """A cell as a spreadsheet may show it: controls made visible, a formula's start neutralised."""
    lines = [shown(line) for line in text.split(_SHOWN_KEEP)]
    cell = _SHOWN_KEEP.join(lines)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def sheet_rows(
    items: Sequence[Mapping[str, Any]], mapping: Sequence[tuple[str, str]]
) -> list[list[str]]:
    """The sheet's rows: the headers, then one row per item in the order given, every cell safe to
    open in a spreadsheet (:func:`safe_cell`)."""
    checked = check_mapping([list(pair) for pair in mapping], "the e-Court mapping")
    rows = [[safe_cell(header) for header, _ in checked]]
    rows.extend([safe_cell(_value(item, field)) for _, field in checked] for item in items)
    return rows


def write_csv(items: Sequence[Mapping[str, Any]], mapping: Sequence[tuple[str, str]]) -> bytes:
    """The sheet as CSV: UTF-8 without a byte-order mark, RFC 4180 (CRLF, minimal quoting)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(sheet_rows(items, mapping))
    return out.getvalue().encode("utf-8")


def _capped(cell: str) -> str:
    return cell if len(cell) <= XLSX_CELL_CHARS else cell[: XLSX_CELL_CHARS - 1] + "…"


def write_xlsx(
    items: Sequence[Mapping[str, Any]],
    mapping: Sequence[tuple[str, str]],
    *,
    made_at: datetime | None = None,
) -> bytes:
    """The sheet as one XLSX worksheet ("Items"), every cell text. ``made_at`` is the workbook's
    creation time (default 1980-01-01), so the same items and time give the same bytes."""
    book = Workbook(write_only=True)
    stamp = (made_at or _FIXED_TIME).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = "Testament"
    sheet = book.create_sheet("Items")
    for row in sheet_rows(items, mapping):
        sheet.append([_capped(cell) for cell in row])
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The zip ``data`` again, every entry with one fixed time (openpyxl stamps them with now)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
