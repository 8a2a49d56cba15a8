"""Incidents as columns: what every pattern analysis reads, built in chunks with bounded memory.

Pure: no database. :class:`FrameBuilder` takes rows (:class:`Row`) a chunk at a time and keeps only
compact columns: coordinates as float64 (NaN when absent), dates as day numbers (days since
1970-01-01, :data:`NO_DAY` when unknown), an exact time as epoch seconds (NaN unless the date is
exact), and each multi-valued field (types, targets, weapons, areas) as a :class:`Multi`: one array of
label codes with offsets per incident, so that "counts once under each target" is a bincount, never a
loop over rows. Repeated JSON cells (``["shelling"]``) are decoded once.

When an incident "is dated" depends on the period asked for: an incident is dated at a period (day,
week, month, year) when its earliest and latest possible days fall in the same period. "March 2022"
is dated at the month and the year, never at a day: it never counts on the 1st (HUR-02).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

NO_DAY = np.iinfo(np.int32).min  # an unknown day bound
EPOCH = date(1970, 1, 1)
PRECISIONS = ("exact", "day", "month", "year", "estimate")
MULTI_FIELDS = ("types", "targets", "weapons", "areas")


class Row(NamedTuple):
    """One incident as the queries read it (areas: the names of the areas it lies in, by code)."""

    id: str
    external_id: str | None
    latitude: float | None
    longitude: float | None
    occurred_from: str | None
    occurred_to: str | None
    precision: str
    types: str  # a JSON array of codes, as stored
    targets: str
    weapons: str
    areas: tuple[str, ...]  # area codes


@dataclass(frozen=True)
class Multi:
    """A multi-valued column: incident ``i`` has ``codes[offsets[i]:offsets[i+1]]``, each an index into
    ``labels``. An incident may have none."""

    offsets: NDArray[np.int64]
    codes: NDArray[np.int32]
    labels: tuple[str, ...]

    def rows(self) -> NDArray[np.int64]:
        """The incident of each value in ``codes`` (so ``rows()[k]`` holds ``codes[k]``)."""
        counts = np.diff(self.offsets)
        return np.repeat(np.arange(counts.size, dtype=np.int64), counts)

    def of(self, index: int) -> tuple[str, ...]:
        """The labels of one incident."""
        start, end = int(self.offsets[index]), int(self.offsets[index + 1])
        return tuple(self.labels[c] for c in self.codes[start:end].tolist())

    def has(self, label: str) -> NDArray[np.bool_]:
        """A mask of the incidents that carry ``label``."""
        mask = np.zeros(self.offsets.size - 1, dtype=bool)
        if label in self.labels:
            code = self.labels.index(label)
            mask[self.rows()[self.codes == code]] = True
        return mask


@dataclass(frozen=True)
class IncidentFrame:
    """A set of incidents as columns, in the order they were read (by ID)."""

    ids: NDArray[np.object_]
    external: NDArray[np.object_]  # str, or None
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    day_from: NDArray[np.int32]  # days since 1970-01-01, NO_DAY when unknown
    day_to: NDArray[np.int32]
    seconds: NDArray[np.float64]  # epoch seconds of an exact time, else NaN
    precision: NDArray[np.int8]  # an index into PRECISIONS
    types: Multi
    targets: Multi
    weapons: Multi
    areas: Multi
    area_names: dict[str, str] = field(default_factory=dict)  # area code -> name, as loaded

    def __len__(self) -> int:
        return int(self.ids.size)

    def multi(self, name: str) -> Multi:
        if name not in MULTI_FIELDS:
            raise KeyError(name)
        value: Multi = getattr(self, name)
        return value

    @property
    def placed(self) -> NDArray[np.bool_]:
        """Incidents with coordinates."""
        return ~(np.isnan(self.lat) | np.isnan(self.lon))

    def in_an_area(self) -> NDArray[np.bool_]:
        """Incidents inside at least one loaded area (never snapped to the nearest)."""
        return np.diff(self.areas.offsets) > 0

    def name(self, label: str) -> str:
        """An area's name as the gazetteer names it, for an area code; other labels as they are."""
        return self.area_names.get(label, label)

    def reference(self, index: int) -> dict[str, str]:
        """How rows name an incident: its ID, and its external ID where it has one."""
        found = {"id": str(self.ids[index])}
        if self.external[index] is not None:
            found["external_id"] = str(self.external[index])
        return found

    def take(self, mask: NDArray[np.bool_]) -> IncidentFrame:
        """The incidents where ``mask`` is true, in order."""
        keep = np.flatnonzero(mask)
        types, targets, weapons, areas = (_take(self.multi(name), keep) for name in MULTI_FIELDS)
        return IncidentFrame(
            ids=self.ids[keep], external=self.external[keep], lat=self.lat[keep],
            lon=self.lon[keep], day_from=self.day_from[keep], day_to=self.day_to[keep],
            seconds=self.seconds[keep], precision=self.precision[keep], types=types,
            targets=targets, weapons=weapons, areas=areas, area_names=self.area_names,
        )  # fmt: skip


def _take(column: Multi, keep: NDArray[np.int64]) -> Multi:
    counts = np.diff(column.offsets)[keep]
    offsets = np.zeros(keep.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    starts = column.offsets[:-1][keep]
    # For each value kept: its incident's start, plus its position within the incident.
    within = np.arange(int(offsets[-1]), dtype=np.int64) - np.repeat(offsets[:-1], counts)
    codes = column.codes[np.repeat(starts, counts) + within]
    return Multi(offsets, codes, column.labels)


def day_number(text: str | None) -> int:
    """Days since 1970-01-01 of an ISO date or RFC 3339 time (its UTC day); NO_DAY for None."""
    if not text:
        return int(NO_DAY)
    if len(text) > 10:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
        return (moment.date() - EPOCH).days
    return (date.fromisoformat(text) - EPOCH).days


def day_text(day: int) -> str:
    """The ISO date of a day number."""
    return date.fromordinal(EPOCH.toordinal() + int(day)).isoformat()


def epoch_seconds(text: str | None) -> float:
    """Epoch seconds of an RFC 3339 time; NaN for a date or None."""
    if not text or len(text) <= 10:
        return float("nan")
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class _Labels:
    """Codes for labels, and the decoded form of each distinct stored cell."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.cells: dict[Any, tuple[int, ...]] = {}

    def cell(self, value: Any) -> tuple[int, ...]:
        found = self.cells.get(value)
        if found is None:
            labels = json.loads(value) if isinstance(value, str) else list(value)
            found = tuple(
                self.codes.setdefault(str(v), len(self.codes)) for v in dict.fromkeys(labels)
            )
            self.cells[value] = found
        return found

    def labels(self) -> tuple[str, ...]:
        return tuple(self.codes)


class FrameBuilder:
    """Collects rows chunk by chunk into compact columns; :meth:`build` joins the chunks."""

    def __init__(self, area_names: dict[str, str] | None = None) -> None:
        self.area_names = dict(area_names or {})
        self._scalars: list[tuple[NDArray[Any], ...]] = []
        self._labels = {name: _Labels() for name in MULTI_FIELDS}
        self._counts: dict[str, list[NDArray[np.int64]]] = {name: [] for name in MULTI_FIELDS}
        self._codes: dict[str, list[NDArray[np.int32]]] = {name: [] for name in MULTI_FIELDS}
        self._day_cache: dict[str | None, int] = {None: int(NO_DAY)}

    def _day(self, text: str | None) -> int:
        found = self._day_cache.get(text)
        if found is None:
            found = self._day_cache[text] = day_number(text)
        return found

    def add(self, rows: Sequence[Row]) -> None:
        """Take one chunk of rows."""
        if not rows:
            return
        self._scalars.append((
            np.array([r.id for r in rows], dtype=object),
            np.array([r.external_id for r in rows], dtype=object),
            np.array([np.nan if r.latitude is None else r.latitude for r in rows], np.float64),
            np.array([np.nan if r.longitude is None else r.longitude for r in rows], np.float64),
            np.array([self._day(r.occurred_from) for r in rows], np.int32),
            np.array([self._day(r.occurred_to) for r in rows], np.int32),
            np.array([_seconds(r) for r in rows], np.float64),
            np.array([_precision(r.precision) for r in rows], np.int8),
        ))  # fmt: skip
        for name in MULTI_FIELDS:
            labels = self._labels[name]
            cells = [labels.cell(getattr(r, name)) for r in rows]
            self._counts[name].append(np.fromiter((len(c) for c in cells), np.int64, len(cells)))
            flat = [code for c in cells for code in c]
            self._codes[name].append(np.array(flat, dtype=np.int32))

    def build(self) -> IncidentFrame:
        columns: list[NDArray[Any]] = [
            np.concatenate(parts) for parts in zip(*self._scalars, strict=True)
        ]
        if not columns:
            columns = [np.empty(0, dtype=t) for t in (object, object, np.float64, np.float64)]
            columns += [np.empty(0, np.int32)] * 2 + [np.empty(0, np.float64), np.empty(0, np.int8)]
        multis = {name: self._multi(name) for name in MULTI_FIELDS}
        ids, external, lat, lon, day_from, day_to, seconds, precision = columns
        return IncidentFrame(
            ids=ids, external=external, lat=lat, lon=lon, day_from=day_from, day_to=day_to,
            seconds=seconds, precision=precision, **multis, area_names=self.area_names,
        )  # fmt: skip

    def _multi(self, name: str) -> Multi:
        counts = np.concatenate(self._counts[name]) if self._counts[name] else np.empty(0, np.int64)
        offsets = np.zeros(counts.size + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        codes = self._codes[name]
        flat = np.concatenate(codes) if codes else np.empty(0, np.int32)
        return Multi(offsets, flat.astype(np.int32), self._labels[name].labels())


def _seconds(row: Row) -> float:
    return epoch_seconds(row.occurred_from) if row.precision == "exact" else float("nan")


def _precision(text: str) -> int:
    return PRECISIONS.index(text) if text in PRECISIONS else PRECISIONS.index("estimate")


def frame_of(rows: Iterable[Row], area_names: dict[str, str] | None = None) -> IncidentFrame:
    """A frame from rows in one go (tests and small sets)."""
    builder = FrameBuilder(area_names)
    builder.add(list(rows))
    return builder.build()
