"""Clusters, protected objects, context evidence and comparisons across situations over real cases (on
both databases): the same answer from the use case, the CLI and the API, what could not be used
listed, and bad input refused naming the option and the valid values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts
from testament.api.app import create_app
from testament.custody import cases
from testament.custody.instance import Instance
from testament.errors import InvalidInput, NotFound
from testament.patterns import widespread
from testament.patterns.load import Scope
from tests.conftest import Cli
from tests.patterns.conftest import KHARKIV, add

CASE = Scope(case="Patterns")
TOKEN = "test-token-0123456789"  # noqa: S105 - a throwaway token for the test app


def ext(refs: list[dict[str, str]]) -> list[str]:
    return [r["external_id"] for r in refs]


@pytest.fixture
def situations(instance: Instance, sample: dict[str, str]) -> dict[str, str]:
    """Situation "Ukraine" holds the sample case; "Syria" another case of two shellings."""
    for name in ("Ukraine", "Syria"):
        cases.create_situation(instance, cases.situation_values(name, conflict="non-international"))
    cases.create_case(instance, "Aleppo")
    found = dict(sample)
    for external in ("A1", "A2"):
        found[external] = add(instance, "Aleppo", external, "2016-09-23", KHARKIV,
                              types=("shelling",), targets=("hospital",))  # fmt: skip
    cases.assign_situation(instance, "Patterns", "Ukraine")
    cases.assign_situation(instance, "Aleppo", "Syria")
    return found


def test_clusters_over_a_case_list_noise_unplaced_and_undated(
    instance: Instance, sample: dict[str, str]
) -> None:
    found = widespread.clusters(instance, CASE, eps_m=1000, min_samples=2, time_scale_days=1)
    assert [(r["count"], ext(r["incidents"])) for r in found.rows] == [(2, ["K1", "K2"])]
    assert set(ext(found.extra["noise"])) == {"S1", "Z1"}
    assert set(found.undated) == {sample["K3"], sample["U1"]}, "a month is not known to a day"
    assert found.parameters == {
        "method": "dbscan", "eps_m": 1000, "min_samples": 2, "time_scale_days": 1,
    }  # fmt: skip


def test_protected_objects_by_area_and_month_with_the_summary(
    instance: Instance, sample: dict[str, str]
) -> None:
    found = widespread.protected(instance, CASE)
    assert [(r["area"], r["month"], r["count"], r["all"]) for r in found.rows] == [
        ("Kharkiv", "2022-03", 3, 3)
    ]
    summary = found.extra["summary"]
    assert (summary["total"], summary["areas"], summary["top_share"]) == (3, 1, 1.0)
    assert "across 1 area(s)" in summary["sentence"] and "Kharkiv" in summary["sentence"]
    schools = widespread.protected(instance, CASE, categories=["education"], day_to="2022-03-31")
    assert ext(schools.extra["areas"][0]["incidents"]) == ["K1", "K3"]
    assert sample["Z1"] in found.unplaced
    assert schools.parameters == {
        "categories": ["education"], "from": None, "to": "2022-03-31", "level": 1,
    }  # fmt: skip


def test_context_figures_name_their_incidents(instance: Instance, sample: dict[str, str]) -> None:
    found = widespread.context(instance, CASE, top=3)
    figures = {r["figure"]: r for r in found.rows if r["figure"] != "pattern"}
    assert figures["incidents"]["value"] == 6
    assert figures["areas"]["value"] == 2
    assert (figures["span"]["first"], figures["span"]["last"]) == ("2022-03-01", "2022-04-11")
    assert figures["months"]["value"] == 2
    assert found.undated == [sample["U1"]]


def test_two_situations_compared_with_the_sample_sizes(
    instance: Instance, situations: dict[str, str]
) -> None:
    scopes = [Scope(situation="Ukraine"), Scope(situation="Syria")]
    found = widespread.compare(instance, scopes, include=["protected", "context"])
    rows = {r["field"]: r for r in found.rows}
    assert (rows["type"]["first_incidents"], rows["type"]["second_incidents"]) == (6, 2)
    assert 0 < rows["type"]["distance"] < 1
    assert found.scope == {"compared": [{"situation": "Ukraine", "cases": ["Patterns"]},
                                        {"situation": "Syria", "cases": ["Aleppo"]}]}  # fmt: skip
    assert found.extra["protected"]["second"]["total"] == 2
    assert found.incidents == 8


def test_a_comparison_covers_only_the_cases_the_reader_may_read(
    instance: Instance, situations: dict[str, str]
) -> None:
    accounts.create_user(instance, "olena", "a long enough passphrase 1")
    accounts.grant_role(instance, "olena", "Aleppo", "viewer")
    olena = instance.acting_for(accounts.principal_named(instance, "olena"))
    found = widespread.compare(olena, [Scope(situation="Ukraine"), Scope(situation="Syria")])
    assert found.scope["compared"][0] == {"situation": "Ukraine", "cases": []}
    rows = {r["field"]: r for r in found.rows}
    assert rows["type"]["first_incidents"] == 0 and rows["type"]["distance"] is None


@pytest.mark.parametrize(
    ("call", "named", "listed"),
    [
        (lambda i: widespread.clusters(i, CASE, eps_m=1, min_samples=1, time_scale_days=1,
                                       method="kmeans"), "--method", "dbscan, hdbscan"),
        (lambda i: widespread.clusters(i, CASE, eps_m=0, min_samples=1, time_scale_days=1),
         "--eps-m", ""),
        (lambda i: widespread.clusters(i, CASE, eps_m=-1, min_samples=1, time_scale_days=1),
         "--eps-m", ""),
        (lambda i: widespread.clusters(i, CASE, eps_m=10, min_samples=0, time_scale_days=1),
         "--min-samples", ""),
        (lambda i: widespread.protected(i, CASE, categories=["hospitals"]), "--category",
         "healthcare, education, cultural, religious, humanitarian, energy, water, food"),
        (lambda i: widespread.protected(i, CASE, day_from="2022-13-01"), "--from", ""),
        (lambda i: widespread.protected(i, CASE, day_from="2022-05-01", day_to="2022-04-01"),
         "--to", ""),
        (lambda i: widespread.context(i, CASE, top=0), "--top", ""),
        (lambda i: widespread.compare(i, [Scope(situation="Ukraine")]), "--situation", ""),
        (lambda i: widespread.compare(i, [Scope(situation="Ukraine")] * 2), "--situation", ""),
        (lambda i: widespread.compare(i, [Scope(situation="Ukraine"), Scope(situation="Syria")],
                                      include=["units"]), "--include", "protected, context"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_option(
    instance: Instance, situations: dict[str, str], call: Any, named: str, listed: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        call(instance)
    assert caught.value.where == named
    assert listed in str(caught.value.hint)


def test_an_empty_case_answers_empty_for_each_analysis(instance: Instance) -> None:
    cases.create_case(instance, "Empty")
    empty = Scope(case="Empty")
    assert (
        widespread.clusters(instance, empty, eps_m=1, min_samples=1, time_scale_days=1).rows == []
    )
    assert widespread.protected(instance, empty).extra["summary"]["total"] == 0
    assert widespread.context(instance, empty).rows[0]["value"] == 0
    with pytest.raises(NotFound):
        widespread.compare(instance, [empty, Scope(situation="Nowhere")])


def test_the_cli_prints_each_analysis(cli: Cli, situations: dict[str, str]) -> None:
    done = cli("analyze", "clusters", "--case", "Patterns", "--eps-m", "1000", "--min-samples", "2",
               "--format", "json", check=True)  # fmt: skip
    result = json.loads(done.stdout)
    assert result["analysis"] == "clusters" and result["rows"][0]["count"] == 2
    assert "noise" in result and "checkpoint" in result
    table = cli(
        "analyze", "protected", "--case", "Patterns", "--category", "healthcare", check=True
    )
    assert "area=Kharkiv" in table.stdout and "across 1 area(s)" in table.stderr
    csv_out = cli("analyze", "context", "--case", "Patterns", "--format", "csv", check=True)
    assert csv_out.stdout.splitlines()[0].startswith("figure,value,incidents")
    compared = cli("analyze", "compare", "--situation", "Ukraine", "--situation", "Syria",
                   "--format", "json", check=True)  # fmt: skip
    assert [r["field"] for r in json.loads(compared.stdout)["rows"]] == ["type", "target", "weapon"]
    once = cli("analyze", "compare", "--situation", "Ukraine")
    assert once.returncode != 0 and "two situations" in once.stderr
    bad = cli("analyze", "clusters", "--case", "Patterns", "--method", "kmeans")
    assert bad.returncode != 0 and "dbscan, hdbscan" in bad.stderr


@pytest.fixture
def client(instance: Instance, situations: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(instance, api_token=TOKEN)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        yield http


def test_the_api_answers_as_the_use_cases(client: TestClient, instance: Instance) -> None:
    got = client.get("/cases/Patterns/analyses/clusters?eps_m=1000&min_samples=2")
    assert got.status_code == 200, got.text
    direct = widespread.clusters(instance, CASE, eps_m=1000, min_samples=2, time_scale_days=1)
    assert got.json()["analysis"] == direct.as_json()
    protected = client.get("/situations/Ukraine/analyses/protected",
                           params=[("category", "education"), ("from", "2022-03-01")])  # fmt: skip
    assert protected.status_code == 200, protected.text
    assert protected.json()["analysis"]["parameters"]["from"] == "2022-03-01"
    context = client.get("/cases/Patterns/analyses/context?top=2")
    assert context.json()["analysis"]["rows"][0]["value"] == 6
    compared = client.get("/situations/compare?situation=Ukraine&situation=Syria&include=context")
    assert compared.status_code == 200, compared.text
    assert "context" in compared.json()["analysis"]


@pytest.mark.parametrize(
    "url",
    ["/cases/Patterns/analyses/clusters?method=kmeans", "/cases/Patterns/analyses/clusters?eps_m=0",
     "/cases/Patterns/analyses/clusters?min_samples=0", "/cases/Patterns/analyses/protected?category=x",
     "/cases/Patterns/analyses/context?top=0", "/situations/compare?situation=Ukraine",
     "/situations/compare?situation=Ukraine&situation=Ukraine", "/situations/compare"],
)  # fmt: skip
def test_bad_api_parameters_are_named_never_a_server_error(client: TestClient, url: str) -> None:
    got = client.get(url)
    assert got.status_code in (400, 422), got.text
    assert got.json()["ok"] is False


def test_unknown_scopes_are_404(client: TestClient) -> None:
    assert client.get("/cases/Nowhere/analyses/context").status_code == 404
    assert client.get("/situations/Nowhere/analyses/protected").status_code == 404
    assert client.get("/situations/compare?situation=Ukraine&situation=Nowhere").status_code == 404
