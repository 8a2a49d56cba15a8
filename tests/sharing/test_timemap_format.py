"""The TimeMap format: reading events (and refusing bad ones by position and field), writing them back."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from testament.sharing.exporters import timemap as writer
from testament.sharing.importers import Rejected, timemap

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "timemap" / "bellingcat-sample.json"


def _read(events: Any) -> list[timemap.Event | Rejected]:
    data = events if isinstance(events, bytes) else json.dumps(events).encode()
    return list(timemap.read(io.BytesIO(data), "f.json"))


def test_the_bellingcat_sample_reads_completely() -> None:
    with SAMPLE.open("rb") as stream:
        events = list(timemap.read(stream, SAMPLE.name))
    assert len(events) == 20
    assert all(isinstance(e, timemap.Event) for e in events)
    first = events[0]
    assert isinstance(first, timemap.Event)
    assert (first.id, first.date, first.latitude, first.longitude) == (
        "CIV0098", "02/24/2022", "49.212119", "38.905921",
    )  # fmt: skip
    assert first.values(timemap.TARGETS_KEY) == ["Residential"]
    assert first.sources[0] == timemap.Source(
        "src4592",
        "https://www.facebook.com/story.php?story_fbid=317408247086919&id=100064532388988",
        "Individual injured by shelling, ambulance responds.",
    )
    sources = [s for e in events if isinstance(e, timemap.Event) for s in e.sources]
    assert len(sources) == 55
    assert len({s.id for s in sources}) == 49
    assert sum(s.hidden for s in sources) == 5


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"date": "01/01/2022"}, "id"),
        ({"id": "A", "sources": "src1"}, "sources"),
        ({"id": "A", "sources": [{"path": "https://x.org"}]}, "sources[0].id"),
        ({"id": "A", "filters": [{"value": "Residential"}]}, "filters[0].key"),
        ({"id": "A", "latitude": [49.1]}, "latitude"),
        ({"id": "A", "description": {"en": "x"}}, "description"),
        ({"id": "A", "location": "\ud800"}, "location"),
    ],
)
def test_a_malformed_event_is_rejected_naming_its_position_and_field(
    event: dict[str, Any], field: str
) -> None:
    found = _read([{"id": "OK"}, event])
    assert isinstance(found[0], timemap.Event)
    rejected = found[1]
    assert isinstance(rejected, Rejected)
    assert rejected.row == 2 and rejected.raw == event
    assert field in rejected.error.errors
    assert "event 2" in (rejected.error.where or "")


def test_an_event_that_is_not_an_object_is_rejected() -> None:
    rejected = _read(["CIV1"])[0]
    assert isinstance(rejected, Rejected)
    assert "must be a JSON object" in rejected.error.what


def test_sources_may_be_bare_ids_and_numbers_may_be_numbers() -> None:
    event = _read([{"id": 7, "latitude": 50.1, "longitude": 30, "sources": ["src1"]}])[0]
    assert isinstance(event, timemap.Event)
    assert (event.id, event.latitude, event.longitude) == ("7", 50.1, 30)
    assert event.sources == (timemap.Source("src1"),)


@pytest.mark.parametrize(
    ("name", "namespace"),
    [
        ("bellingcat-civharm-2024-06-02.json", "timemap:bellingcat-civharm"),
        ("/data/FA Events 20230101.json", "timemap:fa-events"),
        ("events.json", "timemap:events"),
        ("2024-06-02.json", "timemap:2024-06-02"),
    ],
)
def test_the_default_namespace_is_the_file_name_without_its_date(name: str, namespace: str) -> None:
    assert timemap.namespace(name) == namespace


TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=30)
SOURCES = st.lists(
    st.builds(
        lambda i, url, d: {
            "id": f"src{i}",
            "url": url,
            "reference": url or "HIDDEN",
            "description": d,
        },
        st.integers(0, 10_000),
        st.sampled_from(["https://t.me/a/1", "https://example.org/x?y=1", None]),
        TEXT,
    ),
    max_size=4,
    unique_by=lambda s: s["id"],
)
RECORDS = st.builds(
    lambda i, day, lat, lon, place, text, sources, filters: {
        "id": f"uuid-{i}",
        "external_ns": "timemap:x",
        "external_id": f"CIV{i}",
        "occurred_from": day.isoformat(),
        "latitude": lat,
        "longitude": lon,
        "place_text": place,
        "description": text,
        "sources": sources,
        "filters": filters,
    },
    st.integers(0, 10**6),
    st.dates(),
    st.floats(-90, 90),
    st.floats(-180, 180),
    TEXT,
    TEXT,
    SOURCES,
    st.lists(
        st.tuples(
            st.sampled_from([timemap.TARGETS_KEY, timemap.WEAPONS_KEY]), TEXT.filter(str.strip)
        )
    ),
)


@given(st.lists(RECORDS, max_size=5))
def test_exported_events_read_back_as_they_were_written(records: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    assert writer.write(records, out) == len(records)
    events = _read(out.getvalue().encode())
    assert len(events) == len(records)
    for record, event in zip(records, events, strict=True):
        assert isinstance(event, timemap.Event)
        assert event.id == record["external_id"]
        assert float(str(event.latitude)) == record["latitude"]
        assert float(str(event.longitude)) == record["longitude"]
        assert (event.location, event.description) == (record["place_text"], record["description"])
        year, month, day = record["occurred_from"].split("-")
        assert event.date == f"{month}/{day}/{year}"
        assert [s.id for s in event.sources] == [s["id"] for s in record["sources"]]
        assert [s.hidden for s in event.sources] == [s["url"] is None for s in record["sources"]]
        assert event.filters == tuple((k, v.strip()) for k, v in record["filters"])
