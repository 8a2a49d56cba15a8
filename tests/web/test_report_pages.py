"""Reports from the pages: the incident page and the proof chart link to their PDF and HTML, a
sensitive incident's dossier is made under its page's view, and a pattern report downloads."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from testament.accounts import accounts
from testament.custody import custody_log
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.patterns import reports
from tests.conftest import SQLITE_ONLY
from tests.patterns.conftest import sample
from tests.patterns.test_reports import CASE, PASSWORD, TITLE, dossier_world
from tests.web.conftest import open_with_purpose, signed_in

__all__ = ["dossier_world", "sample"]  # the fixtures
pytestmark = SQLITE_ONLY


def _link(page: str, words: str) -> str:
    found = re.search(rf'<a href="([^"]+)" download>{re.escape(words)}</a>', page)
    assert found is not None, page
    return html.unescape(found.group(1))


def test_the_incident_page_links_its_dossier(
    site: Any, instance: Instance, dossier_world: dict[str, Any]
) -> None:
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", CASE, "viewer")
    vera = signed_in(site, "vera")
    incident = dossier_world["incident"]
    page = vera.get(f"/incidents/{incident}")
    assert page.status_code == 200
    pdf = vera.get(_link(page.text, "Dossier as PDF"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == f'attachment; filename="dossier-{incident}.pdf"'
    made = vera.get(_link(page.text, "Dossier as HTML"))
    assert made.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in made.headers["content-security-policy"]
    vera_view = instance.acting_for(accounts.principal_named(instance, "vera"))
    assert made.content == reports.incident_dossier(vera_view, incident, fmt="html").content
    uk = vera.get(f"/incidents/{incident}", headers={"Accept-Language": "uk"})
    assert "Досьє у PDF" in uk.text


def test_a_sensitive_dossier_is_made_under_the_pages_view(
    site: Any, instance: Instance, dossier_world: dict[str, Any]
) -> None:
    incident = dossier_world["incident"]
    incidents.edit(instance, incident, {"sensitivity": ["graphic"]})
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", CASE, "viewer")
    vera = signed_in(site, "vera")
    # Without the view, the link leads to the page, which asks why.
    asked = vera.get(f"/incidents/{incident}/report?format=html")
    assert asked.status_code == 303 and asked.headers["location"] == f"/incidents/{incident}"
    page = open_with_purpose(vera, f"/incidents/{incident}", "prepare the hearing")
    link = _link(page.text, "Dossier as HTML")
    assert "access=" in link and "purpose" not in link
    before = custody_log.status(instance).size
    made = vera.get(link)
    assert made.status_code == 200 and TITLE in made.text
    entry = json.loads(custody_log.entry(instance, before))
    assert entry["type"] == "access" and entry["detail"]["purpose"] == "prepare the hearing"
    forged = vera.get(f"/incidents/{incident}/report?format=html&access=0")
    assert forged.status_code == 303, "another entry is not this view"


def test_the_proof_chart_and_a_pattern_report_download(
    site: Any, instance: Instance, sample: dict[str, str]
) -> None:
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", "Patterns", "viewer")
    vera = signed_in(site, "vera")
    chart = vera.get("/cases/Patterns/proof-chart")
    pdf = vera.get(_link(chart.text, "Proof chart as PDF"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    report = vera.get("/cases/Patterns/patterns/report",
                      params={"from": "2022-03-01", "to": "2022-03-31", "format": "html"})  # fmt: skip
    assert report.status_code == 200 and sample["K1"] in report.text
    bad = vera.get(
        "/cases/Patterns/patterns/report", params={"from": "2022-04-01", "to": "2022-03-01"}
    )
    assert bad.status_code in (400, 422) and "after it ends" in bad.text
    accounts.create_user(instance, "anna", PASSWORD)
    anna = signed_in(site, "anna")
    assert anna.get("/cases/Patterns/proof-chart/report").status_code in (403, 404)


def test_each_report_is_in_the_pages_language(
    site: Any, instance: Instance, dossier_world: dict[str, Any]
) -> None:
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", CASE, "viewer")
    vera = signed_in(site, "vera")
    incident = dossier_world["incident"]
    ukrainian = {"Accept-Language": "uk-UA,uk;q=0.9"}
    page = vera.get(f"/incidents/{incident}", headers=ukrainian)
    made = vera.get(_link(page.text, "Досьє у HTML"), headers=ukrainian)
    assert made.status_code == 200 and "Досьє інциденту" in made.text
    assert "Incident dossier" not in made.text
    english = vera.get(f"/incidents/{incident}/report?format=html")
    assert "Incident dossier" in english.text and "Досьє інциденту" not in english.text
    vera.cookies.set("testament_lang", "uk")
    chart = vera.get(f"/cases/{CASE}/proof-chart/report?format=html")
    assert chart.status_code == 200 and "Схема доказів" in chart.text
    report = vera.get(f"/cases/{CASE}/patterns/report",
                      params={"from": "2022-03-01", "to": "2022-03-31", "format": "html"})  # fmt: skip
    assert report.status_code == 200 and "Звіт про закономірності" in report.text
