"""Writing imported rows in batches: sources, then incidents, then the links between them.

An import keys every incident and source on (case, external namespace, external ID). For each batch of
rows the writer looks up which keys already exist (one query per 500 keys) and then

* creates the new records with one :func:`history.create_many` call per kind (a version and a custody
  event each, one log append per call);
* leaves alone a record whose stored fields equal the row's (``unchanged``);
* leaves alone a record whose stored fields were edited in Testament after an import of the same row
  (the row equals an earlier version: ``kept``), so re-importing a file never undoes a documenter's
  correction;
* otherwise updates the record as a new version (``updated``): the publisher changed the row;
* links each incident to its sources, adding the links that are missing (an import never removes one).

A source is compared and counted the first time the import meets its ID; later rows that cite the same
ID only link to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection

from testament.custody import history
from testament.documentation import gazetteer, incidents
from testament.search import indexing
from testament.transfer.queries import imports as queries

BATCH = 1000
MAX_WARNINGS = 1000


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # edited in Testament since it was imported; the file's unchanged row left alone
    deleted: int = 0  # deleted in Testament; the import leaves it deleted

    def as_json(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class Pending:
    """A checked row: the incident's fields and its sources' fields, each with an external ID."""

    row: int
    where: str
    values: dict[str, Any]
    sources: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Tally:
    incidents: Counts = field(default_factory=Counts)
    sources: Counts = field(default_factory=Counts)
    links: int = 0
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0

    def warn(self, text: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)


def existing(
    connection: Connection, kind: str, case_id: str, namespace: str, keys: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """The stored records of ``kind`` in this case and namespace with these external IDs, by ID."""
    return queries.records_by_external_id(connection, kind, case_id, namespace, keys)


def settle(
    connection: Connection,
    kind: str,
    record: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    counts: Counts,
    agent_id: int,
) -> bool:
    """Compare a stored record with an imported row; update it when the row changed. True if written."""
    if record["deleted_at"] is not None:
        counts.deleted += 1
        return False
    before = history.snapshot(kind, record)
    changes = {k: v for k, v in values.items() if before[k] != v}
    if not changes:
        counts.unchanged += 1
        return False
    earlier = history.versions(connection, kind, record["id"])[:-1]
    if any(all(v.data.get(k) == value for k, value in values.items()) for v in earlier):
        counts.kept += 1
        return False
    history.update(connection, kind, record["id"], changes, agent_id=agent_id)
    counts.updated += 1
    return True


class Writer:
    """Collects pending rows and writes them a batch at a time, in the caller's transaction."""

    def __init__(self, connection: Connection, case_id: str, namespace: str, agent_id: int) -> None:
        self.connection = connection
        self.case_id = case_id
        self.namespace = namespace
        self.agent_id = agent_id
        self.tally = Tally()
        self.batch: list[Pending] = []
        self._seen_sources: set[str] = set()

    def add(self, pending: Pending) -> None:
        self.batch.append(pending)
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        self._warn_swapped(batch)
        source_ids = self._sources(batch)
        incident_ids = self._incidents(batch)
        self._links(batch, incident_ids, source_ids)

    # --- records -------------------------------------------------------------------------------------

    def _sources(self, batch: Sequence[Pending]) -> dict[str, str]:
        """Create or update the batch's sources; return every cited external ID's source ID."""
        first: dict[str, dict[str, Any]] = {}
        for pending in batch:
            for source in pending.sources:
                first.setdefault(source["external_id"], source)
        stored = existing(self.connection, "source", self.case_id, self.namespace, first)
        ids = {key: str(record["id"]) for key, record in stored.items()}
        new, touched = [], []
        for key, values in first.items():
            if key in self._seen_sources:
                continue
            self._seen_sources.add(key)
            if key not in stored:
                new.append(values)
            elif settle(
                self.connection,
                "source",
                stored[key],
                values,
                counts=self.tally.sources,
                agent_id=self.agent_id,
            ):
                touched.append(ids[key])
        created = history.create_many(self.connection, "source", new, agent_id=self.agent_id)
        ids.update(zip((v["external_id"] for v in new), created, strict=True))
        self.tally.sources.created += len(created)
        if created or touched:
            indexing.refresh(self.connection, "source", created + touched)
        return ids

    def _incidents(self, batch: Sequence[Pending]) -> list[str]:
        keys = [p.values["external_id"] for p in batch]
        stored = existing(self.connection, "incident", self.case_id, self.namespace, keys)
        new, touched = [], []
        for pending in batch:
            record = stored.get(pending.values["external_id"])
            if record is None:
                new.append(pending.values)
            elif settle(
                self.connection,
                "incident",
                record,
                pending.values,
                counts=self.tally.incidents,
                agent_id=self.agent_id,
            ):
                touched.append(str(record["id"]))
        created = iter(
            history.create_many(self.connection, "incident", new, agent_id=self.agent_id)
        )
        self.tally.incidents.created += len(new)
        ids = [str(stored[key]["id"]) if key in stored else next(created) for key in keys]
        written = [ids[i] for i, key in enumerate(keys) if key not in stored] + touched
        if written:
            incidents.after_write(self.connection, written)
        return ids

    def _links(
        self, batch: Sequence[Pending], incident_ids: Sequence[str], source_ids: Mapping[str, str]
    ) -> None:
        have = queries.live_source_links(self.connection, incident_ids)
        new = []
        for pending, incident_id in zip(batch, incident_ids, strict=True):
            for source in pending.sources:
                pair = (incident_id, source_ids[source["external_id"]])
                if pair not in have:
                    have.add(pair)
                    new.append({"incident_id": pair[0], "source_id": pair[1], "note": ""})
        history.create_many(self.connection, "incident-source", new, agent_id=self.agent_id)
        self.tally.links += len(new)

    # --- warnings ------------------------------------------------------------------------------------

    def _warn_swapped(self, batch: Sequence[Pending]) -> None:
        """Warn about points in no loaded area whose swapped coordinates lie in one (kept as given)."""
        located = [p for p in batch if p.values["latitude"] is not None]
        index = gazetteer.gazetteer(self.connection)
        if not located or not index.areas:
            return
        lat = np.array([p.values["latitude"] for p in located], np.float64)
        lon = np.array([p.values["longitude"] for p in located], np.float64)
        inside = np.zeros(len(located), dtype=bool)
        inside[index.pairs(lat, lon)[0]] = True
        outside = np.flatnonzero(~inside & (np.abs(lon) <= 90))
        for i in np.unique(outside[index.pairs(lon[outside], lat[outside])[0]]).tolist():
            p = located[i]
            self.tally.warn(
                f"{p.where}: latitude and longitude look swapped: "
                f"({p.values['latitude']}, {p.values['longitude']}) lies in no loaded area but "
                f"({p.values['longitude']}, {p.values['latitude']}) does; imported as given"
            )
