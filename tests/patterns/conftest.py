"""What the patterns tests share: a case of incidents in known places and at known dates, placed with
the sample of Ukraine's oblasts (tests/fixtures/gazetteer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents
from testament.documentation.incidents import IncidentInput

AREAS = (
    Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer" / "ukraine-adm1-sample.geojson"
)
KHARKIV = (49.99, 36.23)
KHERSON = (46.64, 32.61)
AT_SEA = (44.0, 34.0)  # in no loaded area

# (external ID, date, place, types, targets)
SAMPLE = (
    ("K1", "2022-03-05", KHARKIV, ("shelling",), ("residential", "school")),
    ("K2", "2022-03-05", KHARKIV, ("shelling",), ("hospital",)),
    ("K3", "2022-03", KHARKIV, ("air-strike",), ("school",)),
    ("S1", "2022-04-10", KHERSON, ("shelling",), ()),
    ("Z1", "2022-04-11", AT_SEA, ("shelling",), ("residential",)),
    ("U1", "", KHERSON, ("air-strike",), ("residential",)),
)


def load_areas(instance: Instance) -> None:
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")


def add(instance: Instance, case: str, external: str, day: str, place: tuple[float, float], *,
        types: tuple[str, ...] = (), targets: tuple[str, ...] = (), **more: object) -> str:  # fmt: skip
    given = IncidentInput(
        title=f"Incident {external}", date=day, latitude=place[0], longitude=place[1],
        types=types, targets=targets, external_ns="test", external_id=external, **more,  # type: ignore[arg-type]
    )  # fmt: skip
    return incidents.create(instance, case, given)


@pytest.fixture
def sample(instance: Instance) -> dict[str, str]:
    """Case "Patterns" holding SAMPLE; external ID -> incident ID."""
    load_areas(instance)
    cases.create_case(instance, "Patterns")
    return {
        external: add(instance, "Patterns", external, day, place, types=types, targets=targets)
        for external, day, place, types, targets in SAMPLE
    }
