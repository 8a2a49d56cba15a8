"""Reports over the API: the same bytes as the use case, with their media type and file name; a
sensitive incident's dossier asks a purpose of an account; bad parameters are named, never 500s."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import custody_log
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents
from testament.patterns import reports
from testament.patterns.load import Scope
from tests.conftest import SQLITE_ONLY
from tests.patterns.conftest import sample
from tests.patterns.test_reports import CASE, PASSWORD, TITLE, dossier_world

__all__ = ["dossier_world", "sample"]  # the fixtures
TOKEN = "test-token-0123456789"  # noqa: S105 - a throwaway token for the test app
pytestmark = SQLITE_ONLY  # the use cases run their own tests on both databases


@pytest.fixture
def app(instance: Instance) -> Any:
    return create_app(instance, api_token=TOKEN)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        yield http


def _as(app: Any, instance: Instance, username: str, role: str | None) -> TestClient:
    accounts.create_user(instance, username, PASSWORD)
    if role is not None:
        accounts.grant_role(instance, username, CASE, role)
    _, secret = credentials.create_token(instance, username, "tests", scope="read")
    return TestClient(app, headers={"Authorization": f"Bearer {secret}"})


def test_a_dossier_is_the_use_cases_bytes_with_a_file_name(
    client: TestClient, instance: Instance, dossier_world: dict[str, Any]
) -> None:
    incident = dossier_world["incident"]
    page = client.get(f"/incidents/{incident}/report", params={"format": "html"})
    assert page.status_code == 200, page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-disposition"] == f'attachment; filename="dossier-{incident}.html"'
    assert page.content == reports.incident_dossier(instance, incident, fmt="html").content
    pdf = client.get(f"/incidents/{incident}/report")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert TITLE in text and evidence.show(instance, dossier_world["item"]).sha256 in text
    assert pdf.headers["x-testament-log-root"] in text


def test_a_sensitive_dossier_needs_an_accounts_purpose_and_is_logged(
    app: Any, instance: Instance, dossier_world: dict[str, Any]
) -> None:
    incident = dossier_world["incident"]
    incidents.edit(instance, incident, {"sensitivity": ["child"]})
    vera = _as(app, instance, "vera", "viewer")
    before = custody_log.status(instance).size
    refused = vera.get(f"/incidents/{incident}/report")
    assert refused.status_code in (400, 422) and "purpose" in refused.json()["errors"]
    assert custody_log.status(instance).size == before
    made = vera.get(f"/incidents/{incident}/report", params={"purpose": "disclosure review"})
    assert made.status_code == 200, made.text
    # the account's first action makes its agent first; the view is the last entry
    entry = json.loads(custody_log.entry(instance, custody_log.status(instance).size - 1))
    assert entry["type"] == "access" and entry["detail"]["purpose"] == "disclosure review"
    stranger = _as(app, instance, "anna", None)
    hidden = stranger.get(f"/incidents/{incident}/report", params={"purpose": "curious"})
    assert hidden.status_code == 404


def test_the_proof_chart_and_pattern_reports(
    client: TestClient, instance: Instance, sample: dict[str, str]
) -> None:
    chart = client.get("/cases/Patterns/reports/proof-chart", params={"format": "html"})
    assert chart.status_code == 200 and b"Proof chart: Patterns" in chart.content
    assert (
        chart.headers["content-disposition"] == 'attachment; filename="proof-chart-patterns.html"'
    )
    asked = {"from": "2022-03-01", "to": "2022-04-30", "area": "Kharkiv", "format": "html"}
    made = client.get("/cases/Patterns/reports/patterns", params=asked)
    assert made.status_code == 200, made.text
    direct = reports.pattern_report(instance, Scope(case="Patterns"), area="Kharkiv",
                                    period_from="2022-03-01", period_to="2022-04-30", fmt="html")  # fmt: skip
    assert made.content == direct.content
    assert (
        made.headers["content-disposition"]
        == 'attachment; filename="patterns-patterns-ua-kk-2022-03-01-2022-04-30.html"'
    )


def test_each_report_comes_in_the_language_asked_for(
    client: TestClient, instance: Instance, sample: dict[str, str]
) -> None:
    dossier = client.get(
        f"/incidents/{sample['K1']}/report", params={"format": "html", "lang": "uk"}
    )
    assert dossier.status_code == 200, dossier.text
    assert (
        dossier.content
        == reports.incident_dossier(instance, sample["K1"], fmt="html", language="uk").content
    )
    assert "Досьє інциденту" in dossier.text and "Incident dossier" not in dossier.text
    chart = client.get("/cases/Patterns/reports/proof-chart", params={"lang": "uk"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(chart.content)).pages)
    assert "Схема доказів: Patterns" in text
    asked = {"from": "2022-03-01", "to": "2022-04-30", "format": "html", "lang": "uk"}
    made = client.get("/cases/Patterns/reports/patterns", params=asked)
    assert made.status_code == 200, made.text
    assert "Звіт про закономірності" in made.text and "Pattern report" not in made.text
    refused = client.get("/cases/Patterns/reports/proof-chart", params={"lang": "fr"})
    assert refused.status_code in (400, 422) and "en, uk" in refused.text


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/cases/Patterns/reports/patterns", {"from": "2022-05-01", "to": "2022-04-01"}, "from"),
        ("/cases/Patterns/reports/patterns", {"from": "2022-13-01", "to": "2022-04-01"}, "from"),
        ("/cases/Patterns/reports/patterns", {"from": "2022-01-01"}, "to"),
        ("/cases/Patterns/reports/proof-chart", {"format": "docx"}, "format"),
        ("/cases/Patterns/reports/proof-chart", {"lang": "ru"}, "lang"),
        (
            "/cases/Patterns/reports/patterns",
            {"from": "2022-01-01", "to": "2022-02-01", "level": 3},
            "level",
        ),
    ],
)
def test_bad_parameters_are_named(
    client: TestClient, sample: dict[str, str], path: str, params: dict[str, object], field: str
) -> None:
    got = client.get(path, params=params)
    assert got.status_code in (400, 422), got.text
    assert field in json.dumps(got.json()), got.text


def test_an_unknown_incident_or_case_is_a_404(client: TestClient, sample: dict[str, str]) -> None:
    assert client.get("/incidents/00000000-0000-7000-8000-000000000000/report").status_code == 404
    assert client.get("/cases/Nowhere/reports/proof-chart").status_code == 404
