"""The patterns page's analyses read once: each part is what its own use case answers, at one
checkpoint; the selection narrows only the incidents; a bad parameter is named."""

from __future__ import annotations

import pytest

from testament.custody.instance import Instance
from testament.documentation import placements, units
from testament.errors import InvalidInput
from testament.patterns import listing, service, unit_linkage
from testament.patterns.load import Scope
from testament.patterns.overview import overview

CASE = Scope(case="Patterns")


def test_each_part_is_its_own_analysis(instance: Instance, sample: dict[str, str]) -> None:
    units.create(instance, "1st Brigade")
    placements.place(
        instance, "1st Brigade", area="Kharkiv", from_date="2022-03-01", to_date="2022-03-20"
    )
    found = overview(instance, CASE, period="week", stack="target", where={"type": "shelling"})
    assert found.timeline.rows == service.counts(instance, CASE, by=["week", "target"]).rows
    assert found.areas.rows == service.counts(instance, CASE, by=["area", "week"]).rows
    assert found.kinds.rows == service.counts(instance, CASE, by=["target"]).rows
    assert found.units.rows == unit_linkage.unit_linkage(instance, CASE).rows
    alone = listing.incidents(instance, CASE, where={"type": "shelling"})
    assert found.incidents.rows == alone.rows and found.incidents.extra == alone.extra
    heads = {
        part.checkpoint for part in (found.timeline, found.areas, found.units, found.incidents)
    }
    assert len(heads) == 1


def test_a_unit_selects_the_incidents_inside_its_presence(
    instance: Instance, sample: dict[str, str]
) -> None:
    units.create(instance, "1st Brigade")
    placements.place(
        instance, "1st Brigade", area="Kharkiv", from_date="2022-03-01", to_date="2022-03-20"
    )
    found = overview(instance, CASE, unit="1st Brigade")
    assert sorted(r["external_id"] for r in found.incidents.rows) == ["K1", "K2"]
    with pytest.raises(InvalidInput) as refused:
        overview(instance, CASE, unit="No Such Brigade")
    assert "unit" in (refused.value.errors or {})


@pytest.mark.parametrize(
    "given",
    [{"period": "year"}, {"stack": "weapon"}, {"date_from": "2022-13-01"}, {"where": {"x": "y"}}],
)
def test_bad_parameters_are_named(
    instance: Instance, sample: dict[str, str], given: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput):
        overview(instance, CASE, **given)  # type: ignore[arg-type]
