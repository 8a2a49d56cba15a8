"""Spatio-temporal clusters: DBSCAN over a sparse space-time graph gives what DBSCAN gives over every
pairwise distance; time weighs as the scale says; noise, unplaced and undated incidents are listed;
the antimeridian and the poles are no edge."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import DBSCAN

from testament.analysis import clusters
from testament.analysis.frame import Row, frame_of
from testament.errors import InvalidInput

KHARKIV = (49.99, 36.23)


def row(name: str, place: tuple[float, float] | None, day: str | None, *, until: str | None = None,
        types: str = '["shelling"]') -> Row:  # fmt: skip
    lat, lon = place if place is not None else (None, None)
    precision = "day" if until is None else "month"
    return Row(name, f"x-{name}", lat, lon, day, until or day, precision, types, "[]", "[]", ())


def north(place: tuple[float, float], metres: float) -> tuple[float, float]:
    return place[0] + math.degrees(metres / clusters.EARTH_RADIUS_M), place[1]


def ids(refs: list[dict[str, str]]) -> list[str]:
    return [r["id"] for r in refs]


def test_incidents_close_in_place_and_time_cluster_and_the_rest_is_listed() -> None:
    rows = [row(f"k{i}", north(KHARKIV, 200 * i), "2022-03-05") for i in range(4)]
    rows += [
        row("later", KHARKIV, "2022-03-20"),  # the same place, fifteen days on: noise
        row("far", (46.64, 32.61), "2022-03-05"),
        row("nowhere", None, "2022-03-05"),
        row("march", KHARKIV, "2022-03-01", until="2022-03-31"),  # a month: not known to a day
        row("undated", KHARKIV, None),
    ]
    found = clusters.clusters(frame_of(rows), eps_m=500, min_samples=3, time_scale_days=1)
    assert len(found.rows) == 1
    (cluster,) = found.rows
    assert cluster["cluster"] == 1 and cluster["count"] == 4
    assert ids(cluster["incidents"]) == ["k0", "k1", "k2", "k3"]
    assert cluster["incidents"][0] == {"id": "k0", "external_id": "x-k0"}
    assert (cluster["first"], cluster["last"]) == ("2022-03-05", "2022-03-05")
    assert cluster["types"] == [{"type": "shelling", "count": 4}]
    assert cluster["box"]["south"] == pytest.approx(KHARKIV[0])
    assert cluster["centre"]["longitude"] == pytest.approx(KHARKIV[1])
    assert ids(found.extra["noise"]) == ["later", "far"]
    assert found.unplaced.tolist() == [6]
    assert found.undated.tolist() == [7, 8]


def test_time_weighs_as_the_scale_says() -> None:
    rows = [row(f"d{i}", KHARKIV, f"2022-03-{1 + 3 * i:02d}") for i in range(3)]
    apart = clusters.clusters(frame_of(rows), eps_m=1000, min_samples=2, time_scale_days=1)
    assert apart.rows == [] and len(apart.extra["noise"]) == 3
    together = clusters.clusters(frame_of(rows), eps_m=1000, min_samples=2, time_scale_days=3)
    assert [r["count"] for r in together.rows] == [3]
    # A date known to the month is within a 31-day scale.
    month = [*rows, row("march", KHARKIV, "2022-03-01", until="2022-03-31")]
    wide = clusters.clusters(frame_of(month), eps_m=1000, min_samples=2, time_scale_days=31)
    assert wide.undated.tolist() == [] and wide.rows[0]["count"] == 4


def test_a_cluster_across_the_antimeridian_or_at_a_pole_is_one() -> None:
    rows = [row("e", (0.0, 179.9995), "2022-03-05"), row("w", (0.0, -179.9995), "2022-03-05"),
            row("p1", (90.0, 0.0), "2022-03-05"), row("p2", (89.9999, 120.0), "2022-03-05")]  # fmt: skip
    for method in clusters.METHODS:
        found = clusters.clusters(frame_of(rows), eps_m=500, min_samples=2, time_scale_days=1,
                                  method=method)  # fmt: skip
        groups = sorted(ids(r["incidents"]) for r in found.rows)
        assert groups == [["e", "w"], ["p1", "p2"]], method
    across = next(r for r in found.rows if ids(r["incidents"]) == ["e", "w"])
    assert abs(across["centre"]["longitude"]) == pytest.approx(180.0)
    assert across["box"]["west"] > across["box"]["east"], "a box across the antimeridian"


def test_hdbscan_finds_groups_of_varying_density() -> None:
    dense = [row(f"a{i}", north(KHARKIV, 10 * i), "2022-03-05") for i in range(6)]
    sparse_ = [row(f"b{i}", north((46.64, 32.61), 300 * i), "2022-03-05") for i in range(6)]
    found = clusters.clusters(frame_of(dense + sparse_), eps_m=1000, min_samples=3,
                              time_scale_days=1, method="hdbscan")  # fmt: skip
    assert sorted(ids(r["incidents"])[0] for r in found.rows) == ["a0", "b0"]


def test_no_incidents_make_no_clusters() -> None:
    for method in clusters.METHODS:
        found = clusters.clusters(frame_of([]), eps_m=1000, min_samples=1, time_scale_days=1,
                                  method=method)  # fmt: skip
        assert found.rows == [] and found.extra["noise"] == []


@pytest.mark.parametrize(
    ("changes", "named"),
    [({"method": "kmeans"}, "--method"), ({"eps_m": 0}, "--eps-m"), ({"eps_m": -5}, "--eps-m"),
     ({"eps_m": math.nan}, "--eps-m"), ({"min_samples": 0}, "--min-samples"),
     ({"time_scale_days": 0}, "--time-scale-days"), ({"eps_m": 3e7}, "--eps-m"),
     ({"time_scale_days": 1e6}, "--time-scale-days"),
     ({"time_scale_days": 5e-324}, "--time-scale-days")],
)  # fmt: skip
def test_bad_parameters_are_refused_naming_the_option(
    changes: dict[str, object], named: str
) -> None:
    given_ = {"eps_m": 1000.0, "min_samples": 2, "time_scale_days": 1.0, "method": "dbscan"}
    given_.update(changes)
    with pytest.raises(InvalidInput) as caught:
        clusters.clusters(frame_of([]), **given_)  # type: ignore[arg-type]
    assert caught.value.where == named
    if named == "--method":
        assert "dbscan, hdbscan" in str(caught.value.hint)


def test_a_radius_that_joins_nearly_everything_is_refused_before_the_pairs_are_gathered() -> None:
    lat, lon = np.full(30, 50.0), np.full(30, 36.0)
    with pytest.raises(InvalidInput) as caught:
        clusters.graph(lat, lon, np.zeros(30), eps_m=10, time_scale_days=1, max_pairs=500)
    assert caught.value.where == "--eps-m" and "900" not in caught.value.what
    assert clusters.graph(lat, lon, np.zeros(30), eps_m=10, time_scale_days=1).nnz == 900


points = st.lists(
    st.tuples(st.floats(-0.02, 0.02), st.floats(-0.02, 0.02), st.integers(0, 4)),
    min_size=1, max_size=40,
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(points, st.integers(1, 4), st.sampled_from([300.0, 1000.0]), st.sampled_from([0.5, 2.0]))
def test_the_sparse_graph_clusters_as_every_pairwise_distance_does(
    found: list[tuple[float, float, int]], min_samples: int, eps_m: float, scale: float
) -> None:
    lat = np.array([50 + a for a, _, _ in found])
    lon = np.array([179.99 + b for _, b, _ in found])  # across the antimeridian too
    lon = np.where(lon > 180, lon - 360, lon)
    days = np.array([float(d) for _, _, d in found])
    graph = clusters.graph(lat, lon, days, eps_m=eps_m, time_scale_days=scale)
    space = clusters.haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    dense = np.hypot(space, (days[:, None] - days[None, :]) * eps_m / scale)
    near = dense <= eps_m
    assert np.array_equal(graph.toarray() > 0, near & (dense > 0))
    expected = DBSCAN(eps=eps_m, min_samples=min_samples, metric="precomputed").fit_predict(dense)
    got = DBSCAN(eps=eps_m, min_samples=min_samples, metric="precomputed").fit_predict(graph)
    # The same partition (labels may be numbered alike, since both visit points in order).
    assert np.array_equal(expected, got)
