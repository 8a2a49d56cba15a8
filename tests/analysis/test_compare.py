"""The similarity measure: the Jensen-Shannon distance (base 2) is 0 for the same distribution, 1 for
two with no label in common, symmetric, bounded, and what its definition computes by hand."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testament.analysis import compare
from testament.analysis.frame import Row, frame_of
from testament.errors import InvalidInput

LABELS = ("shelling", "air-strike", "missile", "drone", "mine")


def row(name: str, types: tuple[str, ...], targets: tuple[str, ...] = ()) -> Row:
    return Row(name, None, None, None, None, None, "estimate", json.dumps(list(types)),
               json.dumps(list(targets)), "[]", ())  # fmt: skip


def by_hand(p: dict[str, int], q: dict[str, int]) -> float:
    labels = set(p) | set(q)
    sp, sq = sum(p.values()), sum(q.values())
    pp = {k: p.get(k, 0) / sp for k in labels}
    qq = {k: q.get(k, 0) / sq for k in labels}
    m = {k: (pp[k] + qq[k]) / 2 for k in labels}

    def kl(a: dict[str, float]) -> float:
        return sum(a[k] * math.log2(a[k] / m[k]) for k in labels if a[k] > 0)

    return math.sqrt((kl(pp) + kl(qq)) / 2)


def test_same_disjoint_and_partial_distributions() -> None:
    assert compare.distance({"a": 2, "b": 2}, {"a": 5, "b": 5}) == 0.0
    assert compare.distance({"a": 3}, {"b": 1}) == 1.0
    assert compare.distance({"a": 1, "b": 1}, {"a": 1}) == round(
        by_hand({"a": 1, "b": 1}, {"a": 1}), 6
    )
    assert compare.distance({}, {"a": 1}) is None


def test_rows_give_distances_and_sample_sizes_and_labels_side_by_side() -> None:
    first = frame_of([row("a", ("shelling",), ("school",)), row("b", ("shelling", "missile"))])
    second = frame_of([row("c", ("missile",)), row("d", ())])
    found = compare.compare(first, second)
    rows = {r["field"]: r for r in found.rows}
    assert rows["type"]["first_incidents"] == 2 and rows["type"]["second_incidents"] == 2
    assert (rows["type"]["first_values"], rows["type"]["second_values"]) == (3, 1)
    assert rows["type"]["second_without"] == 1
    assert rows["type"]["distance"] == round(
        by_hand({"shelling": 2, "missile": 1}, {"missile": 1}), 6
    )
    assert rows["target"]["distance"] is None, "the second side has no target to compare"
    side_by_side = {r["type"]: r for r in found.extra["distributions"]["type"]}
    assert side_by_side["shelling"] == {
        "type": "shelling", "first": 2, "second": 0, "first_share": 0.6667, "second_share": 0.0,
    }  # fmt: skip
    assert "Jensen-Shannon" in found.extra["measure"]


counts = st.dictionaries(st.sampled_from(LABELS), st.integers(1, 50), min_size=1)


@settings(max_examples=200, deadline=None)
@given(counts, counts)
def test_the_distance_is_symmetric_bounded_and_as_defined(
    p: dict[str, int], q: dict[str, int]
) -> None:
    d = compare.distance(p, q)
    assert d is not None and 0.0 <= d <= 1.0
    assert d == compare.distance(q, p)
    assert abs(d - by_hand(p, q)) < 1e-6
    assert compare.distance(p, p) == 0.0


def test_broadest_terms_count_an_incident_once_under_the_top_term() -> None:
    first = frame_of([row("a", ("shelling",), ("hospital", "clinic")), row("b", (), ("school",)),
                      row("c", (), ("no-such-code",))])  # fmt: skip
    second = frame_of([row("d", (), ("healthcare",)), row("e", (), ("education",))])
    recorded = {r["field"]: r for r in compare.compare(first, second).rows}
    assert recorded["target"]["distance"] == 1.0, "as recorded, no code is shared"
    found = compare.compare(first, second, terms="broadest")
    rows = {r["field"]: r for r in found.rows}
    assert (rows["target"]["first_values"], rows["target"]["labels"]) == (3, 3)
    sides = {r["target"]: (r["first"], r["second"]) for r in found.extra["distributions"]["target"]}
    assert sides == {"healthcare": (1, 1), "education": (1, 1), "no-such-code": (1, 0)}
    assert rows["target"]["distance"] == round(
        by_hand(
            {"healthcare": 1, "education": 1, "no-such-code": 1}, {"healthcare": 1, "education": 1}
        ),
        6,
    )
    assert compare.broadest("weapon-systems")["unguided-bomb"] == "air-dropped-bomb"
    assert compare.broadest("target-object-types")["residential"] == "residential"


def test_an_unknown_way_to_compare_terms_is_refused_naming_the_option() -> None:
    empty = frame_of([])
    with pytest.raises(InvalidInput) as refused:
        compare.compare(empty, empty, terms="narrowest")
    assert refused.value.where == "--terms"
    assert refused.value.errors == {"terms": "as-recorded, broadest"}
