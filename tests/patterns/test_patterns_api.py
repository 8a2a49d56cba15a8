"""The analyses over the API: a case's and a situation's, with a situation covering only the cases the
caller may read and naming them; bad parameters are 422s naming the parameter, never 500s."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts
from testament.api.app import create_app
from testament.custody import cases
from testament.custody.instance import Instance
from testament.patterns import service
from testament.patterns.load import Scope
from tests.patterns.conftest import KHARKIV, add

TOKEN = "test-token-0123456789"  # noqa: S105 - a throwaway token for the test app


@pytest.fixture
def client(instance: Instance, sample: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(instance, api_token=TOKEN)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        yield http


def test_a_case_analysis_answers_the_same_as_the_use_case(
    client: TestClient, instance: Instance
) -> None:
    got = client.get(
        "/cases/Patterns/analyses/counts",
        params=[("by", "area"), ("by", "month"), ("where", "type=shelling")],
    )
    assert got.status_code == 200, got.text
    body = got.json()["analysis"]
    direct = service.counts(
        instance, Scope(case="Patterns"), by=["area", "month"], where={"type": "shelling"}
    )
    assert body == direct.as_json()


@pytest.mark.parametrize(
    "params",
    [
        [("by", "county")],
        [],
        [("by", "area"), ("where", "target")],
        [("by", "area"), ("level", "7")],
    ],
)
def test_bad_parameters_are_named_never_a_server_error(
    client: TestClient, params: list[tuple[str, str]]
) -> None:
    got = client.get("/cases/Patterns/analyses/counts", params=params)
    assert got.status_code in (400, 422), got.text
    assert got.json()["ok"] is False


def test_an_unknown_case_or_situation_is_404(client: TestClient) -> None:
    assert client.get("/cases/Nowhere/analyses/counts?by=area").status_code == 404
    assert client.get("/situations/Nowhere/analyses/counts?by=area").status_code == 404


def test_a_situation_covers_only_the_cases_the_reader_may_read(
    instance: Instance, sample: dict[str, str]
) -> None:
    cases.create_situation(instance, cases.situation_values("War", conflict="international"))
    cases.create_case(instance, "Other")
    add(instance, "Other", "O1", "2022-03-06", KHARKIV)
    for name in ("Patterns", "Other"):
        cases.assign_situation(instance, name, "War")
    everything = service.counts(instance, Scope(situation="War"), by=["month"])
    assert everything.scope == {"situation": "War", "cases": ["Other", "Patterns"]}
    assert everything.incidents == len(sample) + 1

    accounts.create_user(instance, "olena", "a long enough passphrase 1")
    accounts.grant_role(instance, "olena", "Other", "viewer")
    olena = instance.acting_for(accounts.principal_named(instance, "olena"))
    partial = service.counts(olena, Scope(situation="War"), by=["month"])
    assert partial.scope == {"situation": "War", "cases": ["Other"]}
    assert partial.incidents == 1
    assert [r["count"] for r in partial.rows] == [1]
