"""Turning one imported row (a TimeMap event, a mapped CSV row) into a checked incident and its sources.

Each check names the field at fault: the TimeMap key (``date``, ``latitude``) or the CSV column. TimeMap
filter values map to term codes through each term's ``timemap`` labels (taxonomy/vocabularies); a value
no term claims is kept verbatim under its key in the incident's ``unmapped`` values and counted in the
import report. In a CSV mapping an unknown value is refused unless the mapping says ``unknown: keep``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection

from testament.documentation import gazetteer, incidents, sources
from testament.domain import dates, places
from testament.domain.text import check_length, max_chars
from testament.errors import InvalidInput
from testament.sharing.importers import csv_mapping, timemap
from testament.taxonomy import vocabulary
from testament.transfer.import_batches import Pending

TITLE_LENGTH = 120
SOCIAL_HOSTS = (
    "t.me",
    "telegram.me",
    "twitter.com",
    "x.com",
    "facebook.com",
    "fb.watch",
    "instagram.com",
    "youtube.com",
    "youtu.be",
    "tiktok.com",
    "vk.com",
    "ok.ru",
    "reddit.com",
    "threads.net",
    "bsky.app",
)
HIDDEN_TITLE = "Source withheld by the publisher"
_SPACE = re.compile(r"\s")
_BARE_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(/|$)")


class Context(Protocol):
    """What a row needs from the import it belongs to."""

    connection: Connection
    case_id: str
    namespace: str

    def unique_id(self, given: str, row: int, where: str) -> str: ...

    def warn(self, text: str) -> None: ...

    def note_unmapped(self, key: str, value: str) -> None: ...


def check(name: str, where: str, run: Callable[[], object]) -> None:
    """Run one field's check; a refusal names the field."""
    try:
        run()
    except InvalidInput as exc:
        raise InvalidInput(
            f"{name}: {exc.what}", where=where, hint=exc.hint, errors={name: exc.what}
        ) from None


def _check_point(where: str, latitude: object, longitude: object, names: Sequence[str]) -> None:
    if latitude in (None, "") and longitude in (None, ""):
        return
    try:
        places.point(latitude, longitude)
    except InvalidInput as exc:
        name = names[1] if exc.what.startswith("longitude") else names[0]
        raise InvalidInput(
            f"{name}: {exc.what}", where=where, hint=exc.hint, errors={name: exc.what}
        ) from None


def title_from(*texts: str, fallback: str) -> str:
    """The first non-empty text on one line, shortened at a word to about TITLE_LENGTH characters."""
    for text in texts:
        line = " ".join(text.split())
        if len(line) > TITLE_LENGTH:
            cut = line[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] or line[: TITLE_LENGTH - 1]
            return cut + "…"
        if line:
            return line
    return fallback


def web_address(path: str) -> str | None:
    """An http(s) URL for a source path (``t.me/x/1`` gains ``https://``), or None if it is not one."""
    text = path.strip()
    if not text or _SPACE.search(text):
        return None
    if "://" not in text and _BARE_HOST.match(text):
        text = "https://" + text
    try:
        return sources.check_url(text, where=path)
    except InvalidInput:
        return None


def source_kind(url: str | None) -> str:
    if url is None:
        return "document"
    host = (url.split("://", 1)[1].split("/", 1)[0]).lower().removeprefix("www.")
    host = host.removeprefix("m.").removeprefix("mobile.")
    social = any(host == h or host.endswith("." + h) for h in SOCIAL_HOSTS)
    return "social-media-post" if social else "url"


def _no_nul(name: str, where: str, *texts: str) -> None:
    if any("\x00" in text for text in texts):
        raise InvalidInput(f"{name} contains a NUL character", where=where, errors={name: "NUL"})


def _fits(name: str, where: str, values: Mapping[str, Any]) -> None:
    """Refuse text longer than its field may hold (domain/text.py's table), naming ``name``."""
    for field, value in values.items():
        # The length test inline; the check (and its diagnosis) only for the text that fails it.
        if isinstance(value, str) and len(value) > max_chars(field):
            check(
                name,
                where,
                functools.partial(check_length, value, f"the {field}", None, field=field),
            )


def _null_island(latitude: float | None, longitude: float | None) -> bool:
    """Within about a kilometre of (0, 0): where a missing coordinate lands."""
    return latitude is not None and longitude is not None and abs(latitude) + abs(longitude) < 0.01


def _accepted(
    ctx: Context, pending: Pending, given_id: str, unmapped: Mapping[str, Sequence[str]]
) -> Pending:
    """Last, once every check passed: claim the row's external ID and count its unmapped values."""
    pending.values["external_id"] = ctx.unique_id(given_id, pending.row, pending.where)
    for key, values in unmapped.items():
        for value in values:
            ctx.note_unmapped(key, value)
    return pending


def _prepare(ctx: Context, given: incidents.IncidentInput, where: str) -> dict[str, Any]:
    return incidents.prepare(ctx.connection, ctx.case_id, given, where=where)


# --- TimeMap ------------------------------------------------------------------------------------------


def _timemap_source(ctx: Context, source: timemap.Source, where: str, index: int) -> dict[str, Any]:
    _no_nul(f"sources[{index}]", where, source.id, source.path, source.description)
    base = {
        "case_id": ctx.case_id,
        "published_at": None,
        "reference": source.path,
        "external_ns": ctx.namespace,
        "external_id": source.id,
    }
    _fits(f"sources[{index}]", where, base)
    if source.hidden:
        description = source.description + timemap.HIDDEN_NOTE
        return base | {
            "kind": "document",
            "title": HIDDEN_TITLE,
            "url": None,
            "description": description,
        }
    url = web_address(source.path)
    title = title_from(source.description, source.path, fallback=f"Source {source.id}")
    values = base | {
        "kind": source_kind(url),
        "title": title,
        "url": url,
        "description": source.description,
    }
    _fits(f"sources[{index}]", where, values)
    return values


def _filters(
    event: timemap.Event, indexes: Mapping[str, Mapping[str, str]]
) -> tuple[list[str], list[str], dict[str, list[str]]]:
    targets: list[str] = []
    weapons: list[str] = []
    unmapped: dict[str, list[str]] = {}
    for key, value in dict.fromkeys(event.filters):
        code = indexes.get(key, {}).get(value.casefold())
        if code is None:
            unmapped.setdefault(key, []).append(value)
        else:
            (targets if key == timemap.TARGETS_KEY else weapons).append(code)
    return targets, weapons, unmapped


def timemap_pending(
    ctx: Context, event: timemap.Event, indexes: Mapping[str, Mapping[str, str]], name: str
) -> Pending:
    """A TimeMap event as a checked incident with its sources."""
    where = timemap.where(name, event.row, event.line, event.id)
    _fits("id", where, {"external_id": event.id})
    check("date", where, lambda: dates.parse(event.date, us_order=True))
    _check_point(where, event.latitude, event.longitude, ("latitude", "longitude"))
    _no_nul("description", where, event.description, event.location)
    targets, weapons, unmapped = _filters(event, indexes)
    given = incidents.IncidentInput(
        title=title_from(event.description, event.location, fallback=f"TimeMap event {event.id}"),
        description=event.description,
        date=event.date,
        us_dates=True,
        latitude=event.latitude,
        longitude=event.longitude,
        place_text=event.location,
        targets=targets,
        weapons=weapons,
        unmapped=unmapped,
        external_ns=ctx.namespace,
        external_id=event.id,
    )
    values = _prepare(ctx, given, where)
    if _null_island(values["latitude"], values["longitude"]):
        ctx.warn(f"{where}: the point is at (0, 0), most likely a placeholder; imported as given")
    first = {s.id: i for i, s in reversed(list(enumerate(event.sources)))}
    found = [_timemap_source(ctx, event.sources[i], where, i) for i in sorted(first.values())]
    return _accepted(ctx, Pending(event.row, where, values, found), event.id, unmapped)


# --- CSV ----------------------------------------------------------------------------------------------


def _column(mapping: csv_mapping.CsvMapping, name: str) -> str:
    return mapping.fields.get(name, name)


def _codes(
    row: csv_mapping.Row, mapping: csv_mapping.CsvMapping, where: str
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Each list field's known codes, and the unknown values a ``keep`` column keeps."""
    known: dict[str, list[str]] = {}
    unmapped: dict[str, list[str]] = {}
    for name, values in row.lists.items():
        spec = mapping.lists.get(name)
        column = spec.column if spec else f"defaults.{name}"
        codes = set(vocabulary.codes(incidents.LISTS[name]))
        known[name] = [v for v in values if v in codes]
        unknown = [v for v in values if v not in codes]
        if unknown and spec is not None and spec.unknown == "keep":
            unmapped[column] = unknown
        elif unknown:
            try:
                vocabulary.require(incidents.LISTS[name], unknown)
            except InvalidInput as exc:
                hint = f"map it under lists.{name}.values in the mapping, or set lists.{name}.unknown: keep"
                raise InvalidInput(
                    f"{column}: {exc.what}",
                    where=f"{where}, column {column!r}",
                    hint=f"{exc.hint}; or {hint}" if exc.hint else hint,
                    errors={column: exc.what},
                ) from None
    return known, unmapped


def _csv_checks(
    ctx: Context, fields: Mapping[str, str], mapping: csv_mapping.CsvMapping, where: str
) -> None:
    title = fields.get("title", "")
    check(_column(mapping, "title"), where, lambda: _required(title, "the title"))
    for name in csv_mapping.DATE_FIELDS:
        check(_column(mapping, name), where, _date_check(fields.get(name, ""), mapping.dates))
    names = (
        (mapping.coordinates[0],) * 2
        if mapping.coordinates
        else (_column(mapping, "latitude"), _column(mapping, "longitude"))
    )
    _check_point(where, fields.get("latitude"), fields.get("longitude"), names)
    if fields.get("uncertainty_m", "").strip():
        check(
            _column(mapping, "uncertainty_m"),
            where,
            lambda: places.point(0, 0, fields["uncertainty_m"]),
        )
    if fields.get("area", "").strip():
        check(_column(mapping, "area"), where, lambda: _known_area(ctx, fields["area"]))
    status = fields.get("status", "").strip() or "reported"
    check(
        _column(mapping, "status"), where, lambda: vocabulary.require_one("incident-status", status)
    )


def _required(text: str, what: str) -> str:
    if not text.strip():
        raise InvalidInput(f"{what} must not be empty")
    return text


def _date_check(text: str, order: str) -> Callable[[], object]:
    return lambda: dates.parse(text, us_order=order == "us")


def _known_area(ctx: Context, name: str) -> int:
    found = gazetteer.find_area(ctx.connection, name, case_id=ctx.case_id)
    if found is None:
        raise InvalidInput(
            f"no administrative area is called {name!r}",
            hint="load areas with `testament gazetteer load`, or see `testament gazetteer list`",
        )
    return found


def _csv_source(ctx: Context, text: str, column: str, where: str) -> dict[str, Any]:
    """A source cited by URL; any other text (a report's name, ``HIDDEN``) is a document source."""
    url = web_address(text)
    values = {
        "case_id": ctx.case_id,
        "kind": source_kind(url),
        "title": title_from(text, fallback=text),
        "url": url,
        "reference": text,
        "published_at": None,
        "description": "",
        "external_ns": ctx.namespace,
        "external_id": text,
    }
    _fits(column, where, values)
    return values


def csv_pending(
    ctx: Context, row: csv_mapping.Row, mapping: csv_mapping.CsvMapping, name: str
) -> Pending:
    """A mapped CSV row as a checked incident with its sources."""
    where = f"{name}: row {row.row}, line {row.line}"
    fields = row.fields
    _no_nul("the row", where, *fields.values())
    _fits(mapping.id_column or "id", where, {"external_id": row.id})
    _csv_checks(ctx, fields, mapping, where)
    known, unmapped = _codes(row, mapping, where)
    given = incidents.IncidentInput(
        title=fields.get("title", ""),
        description=fields.get("description", ""),
        date=fields.get("date", ""),
        date_from=fields.get("date_from", ""),
        date_to=fields.get("date_to", ""),
        us_dates=mapping.dates == "us",
        latitude=fields.get("latitude"),
        longitude=fields.get("longitude"),
        uncertainty_m=fields.get("uncertainty_m"),
        area=fields.get("area", "").strip(),
        place_text=fields.get("place_text", ""),
        status=fields.get("status", "").strip() or "reported",
        unmapped=unmapped,
        external_ns=ctx.namespace,
        external_id=row.id,
        types=known.get("types", ()),
        targets=known.get("targets", ()),
        weapons=known.get("weapons", ()),
        sensitivity=known.get("sensitivity", ()),
    )
    values = _prepare(ctx, given, where)
    column = mapping.sources[0] if mapping.sources else "sources"
    found = [_csv_source(ctx, text, column, where) for text in row.sources]
    return _accepted(ctx, Pending(row.row, where, values, found), row.id, unmapped)
