"""The directory of support services that survivors and witnesses can be referred to (MC-05).

The directory is shared reference data, like units: every case refers to the same services. A service
has a name (unique), the support areas it covers (``support-areas``), the region it serves, how to reach
it, and the languages it works in. :func:`import_services` loads many from a CSV file, all or nothing,
naming each bad row and column. Adding a service is a ``creation`` custody event naming its ID only.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection

from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput, NotFound
from testament.storage.engine import read_transaction
from testament.survivors.queries import support as queries
from testament.survivors.results import ServiceView
from testament.taxonomy import vocabulary

AREAS = "support-areas"
SEPARATOR = ";"
CSV_COLUMNS = ("name", "areas", "region", "contact", "languages")
MAX_IMPORT_ROWS = 10_000
MAX_ERRORS_SHOWN = 50
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
T = TypeVar("T")


def _field(column: str, option: str, run: Callable[[], T]) -> T:
    """Run one field's check; a refusal names the CLI option (``where``) and the column (``errors``)."""
    try:
        return run()
    except InvalidInput as exc:
        raise InvalidInput(
            exc.what, where=option, hint=exc.hint, errors={column: exc.what}
        ) from None


def _bounded(value: object, what: str, limit: int) -> str:
    text = clean_text(value, what, None, required=True)
    if len(text) > limit or any(ord(ch) < 32 for ch in text):
        raise InvalidInput(f"{what} must be one line of at most {limit} characters")
    return text


def _languages(values: Sequence[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        code = value.strip()
        if not _LANGUAGE.match(code):
            raise InvalidInput(
                "a language must be a code such as uk, ru, en or crh", hint="write e.g. uk;en"
            )
        if code not in found:
            found.append(code)
    return found


def service_values(
    name: str, areas: Sequence[str], region: str, contact: str, languages: Sequence[str] = ()
) -> dict[str, str]:
    """A service's fields, checked; InvalidInput names the option (``where``) and the column."""
    chosen = [a.strip() for a in areas if a.strip()]
    if not chosen:
        raise InvalidInput(
            "name at least one support area", where="--area", errors={"areas": "required"}
        )
    return {
        "name": _field("name", "NAME", lambda: _bounded(name, "the name", 500)),
        "areas": SEPARATOR.join(
            _field("areas", "--area", lambda: vocabulary.require(AREAS, chosen, where="--area"))
        ),
        "region": _field("region", "--region", lambda: _bounded(region, "the region", 500)),
        "contact": _field("contact", "--contact", lambda: _bounded(contact, "the contact", 1000)),
        "languages": SEPARATOR.join(
            _field("languages", "--language", lambda: _languages(languages))
        ),
    }


def _insert_services(conn: Connection, rows: Sequence[dict[str, str]]) -> list[str]:
    now = utc_timestamp()
    agent_id = acting_agent(conn)
    ids = [new_id() for _ in rows]
    for service_id, values in zip(ids, rows, strict=True):
        queries.insert_service(conn, {"id": service_id, "created_at": now, **values})
    custody.record(
        conn,
        [
            custody.NewEvent(
                CustodyEventType.CREATION,
                agent_id,
                detail={"object": "support-service", "service": service_id},
            )
            for service_id in ids
        ],
    )
    return ids


def _taken(conn: Connection, names: Collection[str]) -> set[str]:
    return queries.service_names_taken(conn, names)


def add_service(
    instance: Instance,
    name: str,
    areas: Sequence[str],
    region: str,
    contact: str,
    *,
    languages: Sequence[str] = (),
) -> str:
    """Add a service to the directory (shared by every case); returns its ID."""
    values = service_values(name, areas, region, contact, languages)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT)  # a documenter on any case, as the API says
        if _taken(conn, [values["name"]]):
            raise Conflict(
                "the directory already has a service with this name",
                where=values["name"],
                errors={"name": "taken"},
            )
        (service_id,) = _insert_services(conn, [values])
    return service_id


def _service_view(row: dict[str, Any]) -> ServiceView:
    data = dict(row)
    data["areas"] = [a for a in data["areas"].split(SEPARATOR) if a]
    data["languages"] = [code for code in data["languages"].split(SEPARATOR) if code]
    return ServiceView(**data)


def list_services(
    instance: Instance, area: str | None = None, region: str | None = None
) -> list[ServiceView]:
    """The directory by name; only services covering ``area``, or in ``region`` (any case)."""
    wanted = vocabulary.require_one(AREAS, area, where="--area") if area else None
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        rows = [_service_view(r) for r in queries.services(conn)]
    return [
        row
        for row in rows
        if (wanted is None or wanted in row.areas)
        and (region is None or row.region.casefold() == region.strip().casefold())
    ]


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    """The file's data rows, each with its number as a spreadsheet shows it (the header is row 1)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", where=str(path)) from None
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", where=str(path)) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise InvalidInput(f"the file is not valid CSV: {exc}", where=str(path)) from None
    if not rows or [h.strip() for h in rows[0]] != list(CSV_COLUMNS):
        raise InvalidInput(
            "the first row must name the columns",
            where=f"{path}, row 1",
            hint=f"write {','.join(CSV_COLUMNS)}",
        )
    found = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
    if not found:
        raise InvalidInput("the file lists no services", where=str(path))
    if len(found) > MAX_IMPORT_ROWS:
        raise InvalidInput(f"at most {MAX_IMPORT_ROWS} services a file", where=str(path))
    return found


def _parse_row(number: int, row: list[str], seen: dict[str, int]) -> dict[str, str]:
    if len(row) != len(CSV_COLUMNS):
        message = f"{len(row)} columns where the header has {len(CSV_COLUMNS)}"
        raise InvalidInput(message, errors={f"row {number}": message})
    raw = dict(zip(CSV_COLUMNS, row, strict=True))
    try:
        values = service_values(
            raw["name"],
            raw["areas"].split(SEPARATOR),
            raw["region"],
            raw["contact"],
            [code for code in raw["languages"].split(SEPARATOR) if code.strip()],
        )
    except InvalidInput as exc:
        raise InvalidInput(
            exc.what, errors={f"row {number}, {col}": why for col, why in exc.errors.items()}
        ) from None
    if values["name"] in seen:
        message = f"the same name as row {seen[values['name']]}"
        raise InvalidInput(message, errors={f"row {number}, name": message})
    seen[values["name"]] = number
    return values


def import_services(instance: Instance, path: Path) -> list[str]:
    """Add every service of a CSV file (``name,areas,region,contact,languages``; lists split by ``;``).

    All or nothing: any bad row refuses the whole file, with each problem named by row (the header is
    row 1) and column. Returns the new services' IDs in file order.
    """
    problems: dict[str, str] = {}
    checked: list[tuple[int, dict[str, str]]] = []
    seen: dict[str, int] = {}
    for number, row in _csv_rows(path):
        try:
            checked.append((number, _parse_row(number, row, seen)))
        except InvalidInput as exc:
            problems.update(exc.errors)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT)
        taken = _taken(conn, [values["name"] for _, values in checked])
        for number, values in checked:
            if values["name"] in taken:
                problems[f"row {number}, name"] = "the directory already has a service with it"
        if problems:
            shown = dict(sorted(problems.items(), key=_row_order)[:MAX_ERRORS_SHOWN])
            raise InvalidInput(
                f"{len(problems)} problem(s) in the file; nothing was imported",
                where=str(path),
                hint="correct the rows named and import the file again",
                errors=shown,
            )
        return _insert_services(conn, [values for _, values in checked])


def _row_order(item: tuple[str, str]) -> tuple[int, str]:
    key = item[0]
    number = key.removeprefix("row ").split(",")[0]
    return (int(number) if number.isdigit() else 0, key)


def find(conn: Connection, ref: str) -> dict[str, Any]:
    """The service with this ID or name (as stored), in the caller's transaction."""
    row = queries.service_by_ref(conn, ref)
    if row is None:
        raise NotFound(
            "no service in the directory has this ID or name",
            where=ref,
            hint="see the directory with `testament service list`",
        )
    return row
