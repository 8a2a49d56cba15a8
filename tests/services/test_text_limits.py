"""Text the table of lengths did not yet reach: a situation's description, a case's and an
organisation's name, an analyst's note, a survivor's identity, and a CSV mapping YAML cannot read.
Each is refused with a diagnosis on SQLite and PostgreSQL (docs/api.md, "Limits"), never stored,
never a crash.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import legal
from testament.domain.text import LINE_CHARS, LONG_CHARS, NAME_CHARS
from testament.errors import InvalidInput
from testament.sharing.importers import csv_mapping
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.survivors import identity

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password


def _count(instance: Instance, table: object) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("description", "reason"),
    [("x" * (LONG_CHARS + 1), f"at most {LONG_CHARS:,}"), ("before\x00after", "NUL")],
)
def test_a_situation_description_is_held_to_its_limit(
    instance: Instance, description: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        cases.situation_values("Invasion", conflict="international", description=description)
    assert refused.value.where == "--description" and reason in refused.value.what
    fits = cases.situation_values(
        "Invasion", conflict="international", description="x" * LONG_CHARS
    )
    cases.create_situation(instance, fits)
    assert _count(instance, tables.situation) == 1


def test_a_case_name_is_held_to_the_length_of_a_name(instance: Instance) -> None:
    with pytest.raises(InvalidInput) as refused:
        cases.create_case(instance, "x" * (NAME_CHARS + 1))
    assert f"at most {NAME_CHARS:,}" in refused.value.what
    assert _count(instance, tables.case) == 0
    cases.create_case(instance, "x" * NAME_CHARS)


@pytest.mark.parametrize(
    ("name", "reason"), [("x" * (NAME_CHARS + 1), f"at most {NAME_CHARS:,}"), ("a\x00b", "NUL")]
)
def test_an_organisation_name_is_held_to_the_length_of_a_name(
    instance: Instance, name: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(instance, "olena", PASSWORD, organisation_name=name)
    assert reason in refused.value.errors["organisation"]
    assert _count(instance, tables.user_account) == _count(instance, tables.organisation) == 0


def test_an_analysts_note_is_held_to_the_length_of_a_note(instance: Instance) -> None:
    with pytest.raises(InvalidInput) as refused:
        legal.qualify(instance, "no-such-incident", "CAH-MURDER", "x" * (LONG_CHARS + 1))
    assert refused.value.where == "--note" and f"at most {LONG_CHARS:,}" in refused.value.what


@pytest.mark.parametrize(
    "value", ["1" * 5000, "2022-02-30"], ids=["5000-digit number", "no such day"]
)
def test_a_csv_mapping_yaml_cannot_read_is_refused_with_a_diagnosis(value: str) -> None:
    text = f"fields:\n  title: Title\nid: {value}\n"
    with pytest.raises(InvalidInput) as refused:
        csv_mapping.load_mapping(text, "mapping.yaml")
    assert refused.value.where == "mapping.yaml"
    assert "YAML cannot read" in refused.value.what
    assert "sys.set_int_max_str_digits" not in refused.value.what


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("name", NAME_CHARS),
        ("other_names", NAME_CHARS),
        ("preferred_name", NAME_CHARS),
        ("pronouns", NAME_CHARS),
        ("place", LINE_CHARS),
        ("address", LINE_CHARS),
        ("contacts", LINE_CHARS),
        ("safe_contact", LINE_CHARS),
    ],
)
def test_each_identity_field_is_held_to_its_length(field: str, limit: int) -> None:
    """The CLI, the intake form and the API check a survivor's identity by the same table."""

    def given(length: int) -> identity.Identity:
        value = "ж" * length
        shaped: object = (value,) if field in ("other_names", "contacts") else value
        return identity.Identity(**{"name": "Олена Петренко", field: shaped})  # type: ignore[arg-type]

    with pytest.raises(InvalidInput) as refused:
        given(limit + 1).checked()
    assert f"at most {limit:,}" in refused.value.what and "ж" not in refused.value.what
    given(limit).checked()
