"""The units pages' forms, as typed, and what the pages draw from the use cases' answers
(``web/units.py``): the tree of units, a unit's ancestors, and its placements as the map draws them.

Each form model only bounds the size of what was typed; the use cases (``documentation/units.py``)
check the values: a parent that would make the unit its own ancestor, a script that is not an ISO 15924
code, a command that ends before it starts, a degree outside the vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from testament.custody.instance import Instance
from testament.documentation import units
from testament.documentation.record_views import Placement, UnitListed, UnitRef
from testament.domain import text

TREE = 2000  # units the tree shows
DEPTH = 50  # ancestors the trail follows, at most
# The scripts the alias form offers (ISO 15924); the use case takes any well-formed code.
SCRIPTS = ("Cyrl", "Latn", "Arab", "Hebr", "Geor", "Armn", "Grek", "Hani", "Deva", "Ethi")


class UnitForm(BaseModel):
    """A unit as typed (``parent``: a unit's ID, name or alias; empty for none);
    ``expected_version`` is the version an edit began from."""

    name: str = Field(default="", max_length=text.NAME_CHARS)
    parent: str = Field(default="", max_length=text.NAME_CHARS)
    kind: str = Field(default="", max_length=text.LONG_CHARS)
    country: str = Field(default="", max_length=text.LONG_CHARS)
    description: str = Field(default="", max_length=text.LONG_CHARS)
    expected_version: int | None = Field(None, ge=1, le=10**9)

    def values(self) -> dict[str, Any]:
        """The use case's fields; an empty parent is none."""
        typed = self.model_dump(exclude={"expected_version"})
        return typed | {"parent": self.parent.strip() or None}

    def shown(self) -> dict[str, str]:
        return self.model_dump(exclude={"expected_version"})


class AliasForm(BaseModel):
    """A name the unit is known by, its script and, optionally, its language."""

    alias_name: str = Field(default="", max_length=text.NAME_CHARS)
    script: str = Field(default="", max_length=16)
    lang: str = Field(default="", max_length=35)


class CommanderForm(BaseModel):
    """Who commanded the unit, from one date to another (either may be unknown)."""

    name: str = Field(default="", max_length=text.NAME_CHARS)
    rank: str = Field(default="", max_length=text.LONG_CHARS)
    person_id: str = Field(default="", max_length=36)
    from_date: str = Field(default="", max_length=100)
    to_date: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=text.LONG_CHARS)

    def arguments(self) -> dict[str, Any]:
        typed = self.model_dump()
        return typed | {"person_id": self.person_id.strip() or None}


class InvolvementForm(BaseModel):
    """The unit's degree of involvement in an incident (by its ID)."""

    incident_id: str = Field(default="", max_length=36)
    degree: str = Field(default="", max_length=64)
    note: str = Field(default="", max_length=text.LONG_CHARS)


@dataclass(frozen=True)
class Node:
    """A unit in the tree, with its sub-units."""

    unit: UnitListed
    children: list[Node]


def tree(found: list[UnitListed]) -> list[Node]:
    """The units as a forest by name: a unit whose parent is not among them is a root. Every unit is
    shown once; one caught in a loop of parents (which the use cases refuse) becomes a root too."""
    ids = {u.id for u in found}
    below: dict[str | None, list[UnitListed]] = {}
    for unit in found:
        below.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    shown: set[str] = set()

    def grow(unit: UnitListed) -> Node:
        shown.add(unit.id)
        kids = [k for k in below.get(unit.id, []) if k.id not in shown]
        return Node(unit, [grow(k) for k in kids if k.id not in shown])

    roots = [grow(root) for root in below.get(None, [])]
    return roots + [grow(unit) for unit in found if unit.id not in shown]


def ancestors(instance: Instance, parent: UnitRef | None) -> list[UnitRef]:
    """The unit's ancestors, the farthest first (the trail above its name)."""
    trail: list[UnitRef] = []
    while parent is not None and len(trail) < DEPTH and parent not in trail:
        trail.insert(0, parent)
        parent = units.show(instance, parent.id).parent
    return trail


def map_data(found: list[Placement]) -> list[dict[str, Any]]:
    """The placements as ``static/unit-map.js`` draws them: an area by its code and level (its outline
    comes from the gazetteer), or a point with its radius; each with its period."""
    return [
        {"area": p.area_code, "level": p.area_level, "name": p.area_name or "",
         "lat": p.latitude, "lon": p.longitude, "radius": p.radius_m,
         "from": p.from_date or "", "to": p.to_date or ""}
        for p in found
    ]  # fmt: skip
