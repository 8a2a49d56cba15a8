"""A situation of a million incidents: the frame is built chunk by chunk as the database is read, and
counts, spikes and repeat strikes run over it in bounded memory (the issue's scale case); a large
scope shows its progress on standard error."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import numpy as np
import pytest

from testament.analysis import counts, repeats, spikes
from testament.analysis.frame import FrameBuilder, IncidentFrame, Row, day_text
from testament.analysis.outcome import Outcome
from testament.cli import analyze

MILLION = 1_000_000
CHUNK = 20_000  # as patterns.queries reads them
MIB = 2**20


def million() -> IncidentFrame:
    """1M incidents around 40 towns over two years: 5% known only to the month, 30% exact times,
    2% in no area, 1% without coordinates."""
    rng = np.random.default_rng(1)
    town = rng.integers(0, 40, MILLION)
    lat = (46 + (town % 8) * 0.7 + rng.normal(0, 0.1, MILLION)).tolist()
    lon = (24 + (town // 8) * 3.0 + rng.normal(0, 0.15, MILLION)).tolist()
    days = [day_text(d) for d in range(19_047, 19_047 + 731)]
    times = [f"{d}T{h:02d}:30:00Z" for d in days for h in range(0, 24, 6)]
    day, kind, hour = (
        rng.integers(0, 730, MILLION),
        rng.random(MILLION),
        rng.integers(0, 4, MILLION),
    )
    types = ['["shelling"]', '["air-strike"]', '["missile-strike"]', '["drone-strike"]']
    targets = ['["residential"]', '["school", "residential"]', '["hospital", "energy", "water"]']
    areas = [(f"UA{k:02d}",) for k in range(20)]
    builder = FrameBuilder({f"UA{k:02d}": f"Area {k}" for k in range(20)})
    for start in range(0, MILLION, CHUNK):
        chunk = []
        for i in range(start, start + CHUNK):
            d, k = int(day[i]), float(kind[i])
            when, until, precision = days[d], days[d], "day"
            if k < 0.05:
                when, until, precision = days[d][:8] + "01", days[d][:8] + "28", "month"
            elif k < 0.35:
                when = until = times[d * 4 + int(hour[i])]
                precision = "exact"
            placed = k < 0.99
            chunk.append(Row(
                f"{i:08d}-0000-4000-8000-000000000000", None, lat[i] if placed else None,
                lon[i] if placed else None, when, until, precision, types[i % 4],
                targets[i % 3], "[]", areas[int(town[i]) % 20] if k < 0.97 else (),
            ))  # fmt: skip
        builder.add(chunk)
    return builder.build()


def peak_mib(function: Callable[[], Outcome]) -> tuple[float, Outcome]:
    tracemalloc.start()
    try:
        found = function()
        return tracemalloc.get_traced_memory()[1] / MIB, found
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_counts_spikes_and_repeats_over_a_million_incidents_in_bounded_memory() -> None:
    frame = million()
    assert len(frame) == MILLION
    # The frame's columns besides the IDs: about 60 bytes an incident.
    columns = (frame.lat, frame.lon, frame.day_from, frame.day_to, frame.seconds, frame.precision)
    multis = [frame.multi(name) for name in ("types", "targets", "weapons", "areas")]
    held = sum(c.nbytes for c in columns) + sum(m.offsets.nbytes + m.codes.nbytes for m in multis)
    assert held < 100 * MIB
    # Each analysis names every incident it uses in its rows, about 200 bytes each: the bounds
    # leave room for that and a few copies of the columns, never for a copy per pair or per day.
    bounds = {"counts": 350, "spikes": 400, "repeats": 300}
    runs: dict[str, Callable[[], Outcome]] = {
        "counts": lambda: counts.count(frame, ["area", "month"]),
        "spikes": lambda: spikes.spikes(frame, min_count=5, baseline_days=28, factor=2),
        "repeats": lambda: repeats.repeats(frame, radius_m=1000, window_h=24),
    }
    found: dict[str, Outcome] = {}
    for name, run in runs.items():
        mib, found[name] = peak_mib(run)
        assert mib < bounds[name], f"{name} peaked at {mib:.0f} MiB"
        assert found[name].rows, name
    assert len(found["repeats"].unplaced) == pytest.approx(10_000, rel=0.05)
    assert len(found["repeats"].undated) == pytest.approx(50_000, rel=0.05)
    assert found["repeats"].extra["time_rule"]["applied"] == "days and hours"
    assert all(r["history_days"] <= 28 for r in found["spikes"].rows)


def test_a_large_scope_shows_its_progress_on_standard_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    show = analyze.progress()
    show(20_000, 1_000_000)
    show(1_000_000, 1_000_000)
    printed = capsys.readouterr()
    assert printed.out == ""
    assert "read 20,000 of 1,000,000 incidents" in printed.err
    assert printed.err.endswith("read 1,000,000 of 1,000,000 incidents\n")
    show(100, 200)  # a small scope is read too fast for a progress line to help
    assert capsys.readouterr().err == ""
