"""Each record kind is declared once (documentation/kinds.py), and the edges come from the declaration:
every declared field is in the API's bodies, in the command line's `add` and `edit`, and in what showing a
record answers; a field added to a declaration reaches the bodies and the options with nothing else."""

from __future__ import annotations

import dataclasses
from types import ModuleType

import click
import pytest

from testament.api.routes import incidents as incident_routes
from testament.api.routes import people as people_routes
from testament.api.routes import records as record_routes
from testament.api.routes import sources as source_routes
from testament.api.routes import units as unit_routes
from testament.cli import incident, person, source, unit
from testament.cli.record_commands import field_options
from testament.custody import history
from testament.documentation import kinds
from testament.documentation.kinds import KINDS, Field, RecordKind
from testament.documentation.record_views import SourceListed, SourceView
from testament.errors import InvalidInput

EDGES: dict[str, tuple[ModuleType, click.Group]] = {
    "incident": (incident_routes, incident.incident_group),
    "source": (source_routes, source.source_group),
    "unit": (unit_routes, unit.unit_group),
    "person": (people_routes, person.person_group),
}
IDS = sorted(KINDS)


def _bodies(name: str) -> tuple[set[str], set[str]]:
    routes = EDGES[name][0]
    title = KINDS[name].title
    made, changed = getattr(routes, f"{title}In"), getattr(routes, f"{title}Patch")
    return set(made.model_fields), set(changed.model_fields)


def _params(command: click.Command) -> dict[str, click.Parameter]:
    return {str(param.name): param for param in command.params}


def test_every_kind_is_declared() -> None:
    assert set(KINDS) == set(EDGES)


@pytest.mark.parametrize("name", IDS)
def test_the_api_bodies_carry_every_declared_field(name: str) -> None:
    kind = KINDS[name]
    made, changed = _bodies(name)
    assert made == {*kind.names, *(["case"] if kind.in_case else [])}
    assert changed == {*kind.names, "expected_version"}


@pytest.mark.parametrize("name", IDS)
def test_the_commands_add_and_edit_carry_every_declared_field(name: str) -> None:
    kind = KINDS[name]
    group = EDGES[name][1]
    added, edited = _params(group.commands["add"]), _params(group.commands["edit"])
    for field in kind.fields:
        if field.option is None:  # given through the API alone (a unit's aliases)
            assert field.name not in added and field.name not in edited
            continue
        assert field.name in added and field.name in edited, field.name
        assert field.flag in edited[field.name].opts
        if not field.add_argument:
            assert field.flag in added[field.name].opts


@pytest.mark.parametrize("name", IDS)
def test_the_shown_record_carries_every_stored_field_in_the_stored_order(name: str) -> None:
    kind = KINDS[name]
    shown = [f.name for f in dataclasses.fields(kind.view)]
    stored = [*history.fields(kind.name), "id", "version", "updated_at"]
    assert shown[: len(stored)] == stored
    assert {f.stored for f in kind.fields if f.stored} <= set(stored)
    listed = {f.name for f in dataclasses.fields(kind.listed)}
    assert "id" in listed and listed <= set(shown)


@pytest.mark.parametrize("name", IDS)
def test_the_history_command_reads_the_declared_kinds(name: str) -> None:
    kind = KINDS[name]
    assert kind.history[0] == kind.name
    for linked in kind.history:
        history.table_of(linked)
    assert set(kind.search) <= set(history.fields(kind.name))


@dataclasses.dataclass(frozen=True)
class MottoView(SourceView):
    """A source's view with one more stored field (a migration would add its column)."""

    motto: str = ""


def test_a_field_added_to_a_declaration_reaches_the_edges() -> None:
    extra = Field("motto", "What the source says of itself.", kinds.text("the motto"),
                  length="long")  # fmt: skip
    declared = RecordKind(
        name="source",
        noun="source",
        fields=(*kinds.SOURCE.fields, extra),
        view=MottoView,
        listed=SourceListed,
        history=kinds.SOURCE.history,
    )
    made, changed = record_routes.bodies(declared)
    assert "motto" in made.model_fields and "motto" in changed.model_fields

    @click.command()
    @field_options(declared, adding=True)
    def add(**options: object) -> None:
        """A command with the declared options."""

    assert "--motto" in _params(add)["motto"].opts
    assert kinds.checked(declared, {"motto": "  Truth  "}) == {"motto": "Truth"}
    with pytest.raises(InvalidInput, match="a source has no field slogan"):
        kinds.checked(declared, {"slogan": "x"})


def test_a_view_without_a_declared_field_is_refused() -> None:
    extra = Field("motto", "What the source says of itself.", kinds.text("the motto"))
    with pytest.raises(TypeError, match="motto"):
        RecordKind(
            name="source",
            noun="source",
            fields=(*kinds.SOURCE.fields, extra),
            view=SourceListed,
            listed=SourceListed,
            history=kinds.SOURCE.history,
        )
