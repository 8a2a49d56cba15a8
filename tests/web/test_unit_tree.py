"""The tree of units on ``/units`` (``web/unit_forms.tree``), for any set of units and parents: every
unit appears exactly once, under its parent when the parent is listed and at the top otherwise, and
a loop in the data (which the use cases refuse) never hangs the page nor hides a unit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from testament.documentation.record_views import UnitListed
from testament.web.unit_forms import Node, tree

IDS = [f"u{n}" for n in range(12)]


def _walk(nodes: list[Node], parent: str | None, seen: list[tuple[str, str | None]]) -> None:
    for node in nodes:
        seen.append((node.unit.id, parent))
        _walk(node.children, node.unit.id, seen)


@st.composite
def forests(draw: st.DrawFn) -> list[UnitListed]:
    """Units whose parents come earlier in the list (or are not listed at all): a forest, no loops."""
    count = draw(st.integers(min_value=0, max_value=len(IDS)))
    units = []
    for index in range(count):
        parent = draw(st.sampled_from([None, "gone", *IDS[:index]]))
        units.append(UnitListed(IDS[index], f"Unit {index}", parent, "", "", []))
    return draw(st.permutations(units))


@given(forests())
def test_every_unit_is_shown_once_under_its_parent(units: list[UnitListed]) -> None:
    seen: list[tuple[str, str | None]] = []
    _walk(tree(units), None, seen)
    assert sorted(unit for unit, _ in seen) == sorted(u.id for u in units)
    listed = {u.id for u in units}
    for unit in units:
        expected = unit.parent_id if unit.parent_id in listed else None
        assert (unit.id, expected) in seen


def test_a_loop_in_the_data_is_shown_without_hanging() -> None:
    looped = [UnitListed("a", "A", "b", "", "", []), UnitListed("b", "B", "a", "", "", [])]
    seen: list[tuple[str, str | None]] = []
    _walk(tree(looped), None, seen)
    assert seen == [("a", None), ("b", "a")]  # each once: the first becomes a root
