"""Reports as PDF and HTML: the same content in both, with digests, Cyrillic as real text, the
parameters and the checkpoint; an incident's gates (a stated purpose, a recording's name) apply."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from testament.accounts import accounts
from testament.analysis import protected as protection
from testament.analysis.frame import Row, day_number, frame_of
from testament.custody import cases, custody_log, ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, gazetteer, incidents, legal, sources
from testament.errors import InvalidInput, NotFound, PermissionDenied
from testament.patterns import load, reports
from testament.patterns.load import Scope
from testament.storage.engine import read_transaction
from tests.patterns.conftest import KHARKIV, add
from tests.services.test_gazetteer_situations import (
    ALEPPO,
    SYRIA,
    _load_syria,
    _load_ukraine,
)
from tests.web.test_processing_pages import make_recording

CASE = "Kharkiv"  # the case make_recording records testimonies in
TITLE = "Обстріл школи № 5 у Салтівці"
DESCRIPTION = "Дві ракети влучили у спортивну залу школи о 06:40."
FILE_NAME = "знімок-воронки.jpg"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def dossier_world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    given = incidents.IncidentInput(
        title=TITLE, description=DESCRIPTION, date="2022-03-14", latitude=50.03,
        longitude=36.33, place_text="Салтівка, Харків", types=["missile-strike"],
        targets=["school"],
    )  # fmt: skip
    incident_id = incidents.create(instance, CASE, given)
    source_id = sources.create(instance, CASE, kind="person", title="Свідок А")
    sources.link_incident(instance, source_id, incident_id, "бачив влучання")
    incidents.add_casualty(instance, incident_id, category="injured", count=3, source_id=source_id)
    (tmp_path / FILE_NAME).write_bytes(b"\xff\xd8\xff\xe0" + b"crater" * 50)
    item_id = ingest.ingest(instance, [tmp_path / FILE_NAME], case_name=CASE).results[0].item_id
    assert item_id is not None
    evidence.link(instance, item_id, incident_id, "показує вирву біля школи")
    legal.qualify(instance, incident_id, "CAH-MURDER")
    legal.link_element(instance, item_id, incident_id, "CAH-MURDER", "E1", stance="supports")
    return {"incident": incident_id, "item": item_id, "source": source_id}


def test_a_dossier_prints_every_digest_the_checkpoint_and_cyrillic_as_text(
    instance: Instance, dossier_world: dict[str, Any]
) -> None:
    incident_id, item_id = dossier_world["incident"], dossier_world["item"]
    digest = evidence.show(instance, item_id).sha256
    timeline = custody_log.item_timeline(instance, item_id)
    before = custody_log.status(instance).size
    made = {
        fmt: reports.incident_dossier(instance, incident_id, fmt=fmt) for fmt in ("pdf", "html")
    }
    assert custody_log.status(instance).size == before, "an incident without labels logs no view"
    pdf, html = made["pdf"], made["html"]
    assert pdf.content.startswith(b"%PDF") and pdf.media_type == "application/pdf"
    assert html.media_type.startswith("text/html")
    assert (pdf.filename, html.filename) == (
        f"dossier-{incident_id}.pdf",
        f"dossier-{incident_id}.html",
    )
    assert pdf.checkpoint == html.checkpoint and pdf.checkpoint.size == before
    assert pdf.parameters == {
        "report": "dossier", "incident": incident_id, "format": "pdf", "language": "en",
    }  # fmt: skip
    text, page = pdf_text(pdf.content), html.content.decode("utf-8")
    expected = [
        TITLE, DESCRIPTION, FILE_NAME, digest, "Свідок А", "CAH-MURDER", "E1",
        incident_id, item_id, str(pdf.checkpoint.size), pdf.checkpoint.root,
        f"{len(timeline)} event{'s' if len(timeline) != 1 else ''}", f"log entry {timeline[0].log_index}",
        "testament report dossier",
    ]  # fmt: skip
    for wanted in expected:
        assert wanted in text, wanted
        assert wanted in page, wanted


def test_a_sensitive_incident_needs_a_purpose_and_its_dossier_is_a_logged_view(
    instance: Instance, dossier_world: dict[str, Any]
) -> None:
    incident_id = dossier_world["incident"]
    incidents.edit(instance, incident_id, {"sensitivity": ["graphic"]})
    before = custody_log.status(instance).size
    with pytest.raises(InvalidInput, match="state why") as refused:
        reports.incident_dossier(instance, incident_id, fmt="html")
    assert refused.value.errors is not None and "purpose" in refused.value.errors
    assert custody_log.status(instance).size == before, "a refusal writes nothing"
    made = reports.incident_dossier(instance, incident_id, fmt="html", purpose="case review")
    assert custody_log.status(instance).size == before + 1
    entry = json.loads(custody_log.entry(instance, before))
    assert entry["type"] == "access"
    assert entry["detail"] == {"object": "incident", "id": incident_id, "action": "view",
                               "purpose": "case review"}  # fmt: skip
    page = made.content.decode("utf-8")
    assert f"(entry {before})" in page and "--purpose PURPOSE" in page
    assert "case review" not in page, "the purpose stays in the log"


def test_a_recordings_name_is_printed_only_for_those_who_may_read_the_words(
    instance: Instance, dossier_world: dict[str, Any]
) -> None:
    incident_id, item_id = dossier_world["incident"], dossier_world["item"]
    accounts.create_user(instance, "dora", PASSWORD)  # the interviewer make_recording names
    accounts.grant_role(instance, "dora", CASE, "documenter")
    make_recording(instance, item_id)
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", CASE, "viewer")
    vera = instance.acting_for(accounts.principal_named(instance, "vera"))
    digest = evidence.show(instance, item_id).sha256
    for fmt in ("pdf", "html"):
        made = reports.incident_dossier(vera, incident_id, fmt=fmt)
        text = pdf_text(made.content) if fmt == "pdf" else made.content.decode("utf-8")
        assert FILE_NAME not in text, text[text.index(FILE_NAME) - 300 : text.index(FILE_NAME) + 50]
        assert "name withheld" in text and digest in text
    chart = reports.proof_chart_report(vera, CASE, fmt="html").content.decode("utf-8")
    assert FILE_NAME not in chart and "name withheld" in chart
    assert FILE_NAME in reports.incident_dossier(instance, incident_id, fmt="html").content.decode()


def test_a_reader_without_a_role_gets_no_report(
    instance: Instance, dossier_world: dict[str, Any]
) -> None:
    accounts.create_user(instance, "anna", PASSWORD)
    anna = instance.acting_for(accounts.principal_named(instance, "anna"))
    before = custody_log.status(instance).size
    with pytest.raises((NotFound, PermissionDenied)):
        reports.incident_dossier(anna, dossier_world["incident"], fmt="pdf")
    with pytest.raises((NotFound, PermissionDenied)):
        reports.proof_chart_report(anna, CASE, fmt="pdf")
    assert custody_log.status(instance).size == before


def test_bad_input_is_named(instance: Instance, dossier_world: dict[str, Any]) -> None:
    with pytest.raises(NotFound, match="no incident has this ID"):
        reports.incident_dossier(instance, "00000000-0000-7000-8000-000000000000", fmt="pdf")
    with pytest.raises(InvalidInput, match="'docx' is not a report format") as wrong:
        reports.incident_dossier(instance, dossier_world["incident"], fmt="docx")
    assert wrong.value.where == "--format"
    with pytest.raises(InvalidInput, match="not a report format"):
        reports.proof_chart_report(instance, CASE, fmt="")
    with pytest.raises(NotFound):
        reports.proof_chart_report(instance, "No such case", fmt="html")


def test_the_proof_chart_report_names_its_items_and_its_elements(
    instance: Instance, dossier_world: dict[str, Any]
) -> None:
    item_id = dossier_world["item"]
    made = {fmt: reports.proof_chart_report(instance, CASE, fmt=fmt) for fmt in ("pdf", "html")}
    text, page = pdf_text(made["pdf"].content), made["html"].content.decode("utf-8")
    assert made["pdf"].content.startswith(b"%PDF")
    assert made["pdf"].filename == "proof-chart-kharkiv.pdf"
    for wanted in ("CAH-MURDER", FILE_NAME, item_id[:8], "Preliminary", made["pdf"].checkpoint.root,
                   "testament report proof-chart --case Kharkiv"):  # fmt: skip
        assert wanted in text, wanted
        assert wanted in page, wanted


def test_a_pattern_report_counts_the_area_and_period_with_charts_and_a_map(
    instance: Instance, sample: dict[str, str]
) -> None:
    burst = [add(instance, "Patterns", f"B{n}", "2022-03-20", KHARKIV, types=("shelling",),
                 targets=("energy",)) for n in range(5)]  # fmt: skip
    scope = Scope(case="Patterns")
    made = {
        fmt: reports.pattern_report(instance, scope, area="Kharkiv", period_from="2022-03-01",
                                    period_to="2022-04-30", fmt=fmt)
        for fmt in ("pdf", "html")
    }  # fmt: skip
    pdf, html = made["pdf"], made["html"]
    assert pdf.content.startswith(b"%PDF")
    assert pdf.parameters == {
        "report": "patterns", "case": "Patterns", "area": "UA.KK", "from": "2022-03-01",
        "to": "2022-04-30", "level": 1, "protected": list(protection.CATEGORIES),
        "repeats": reports.REPEATS, "clusters": reports.CLUSTERS, "format": "pdf",
        "language": "en",
    }  # fmt: skip
    text, page = pdf_text(pdf.content), html.content.decode("utf-8")
    assert "<svg" in page and "<img" not in page, "charts are inline SVG"
    # K1 (a school), K2 (a hospital), K3 (a school) and the burst (energy) are protected
    sentence = "8 attack(s) on protected objects across 1 area(s), with 100% in 1 area(s): Kharkiv"
    cluster = re.search(
        r"<td class=\"num\">1</td><td class=\"num\">(\d+)</td><td>2022-03-20</td>", page
    )
    assert cluster is not None and cluster.group(1) == "5", "the burst is one cluster"
    # K1 and K2 on one day and place, and the burst: 1 + 10 pairs in two groups
    assert "11 pairs in 2 groups." in page
    for wanted in ("Kharkiv", sample["K1"], sample["K2"], burst[0], "2022-03", sentence,
                   pdf.checkpoint.root, "Incidents per month, by type",  # the figure's own text
                   "testament report patterns --case Patterns --area UA.KK"):  # fmt: skip
        assert wanted in text.replace("\n", " "), wanted
        assert wanted in page, wanted
    assert sample["S1"] not in page, "an incident of another area is out of the report"


def test_a_pattern_report_of_an_empty_period_says_so(
    instance: Instance, sample: dict[str, str]
) -> None:
    made = reports.pattern_report(instance, Scope(case="Patterns"), period_from="2021-01-01",
                                  period_to="2021-01-31", fmt="pdf")  # fmt: skip
    text = pdf_text(made.content)
    assert "0: each dated wholly within the period" in text and "No cluster." in text
    assert "no attacks on protected objects" in text
    assert sample["U1"] in text.replace("\n", ""), "an incident with no date is listed as undated"


def test_a_pattern_reports_bad_input_is_named(instance: Instance, sample: dict[str, str]) -> None:
    scope = Scope(case="Patterns")
    with pytest.raises(InvalidInput, match=r"the period starts \(2022-05-01\) after it ends"):
        reports.pattern_report(instance, scope, period_from="2022-05-01", period_to="2022-04-01",
                               fmt="pdf")  # fmt: skip
    with pytest.raises(InvalidInput, match="'2022-4-1' is not a date") as wrong:
        reports.pattern_report(instance, scope, period_from="2022-4-1", period_to="2022-04-01",
                               fmt="pdf")  # fmt: skip
    assert wrong.value.where == "--from"
    with pytest.raises(NotFound, match="no area of level 1 is called 'Atlantis'"):
        reports.pattern_report(instance, scope, area="Atlantis", period_from="2022-01-01",
                               period_to="2022-04-01", fmt="pdf")  # fmt: skip
    with pytest.raises(InvalidInput, match="not a report format"):
        reports.pattern_report(instance, scope, period_from="2022-01-01", period_to="2022-04-01",
                               fmt="svg")  # fmt: skip


def test_a_pattern_reports_area_is_one_of_its_situations_or_a_shared_one(
    instance: Instance, sample: dict[str, str]
) -> None:
    """Kharkiv's code loaded again for another situation does not make the report's area ambiguous:
    a case in a situation names its situation's areas and the shared ones."""
    for name in ("War", "Elsewhere"):
        cases.create_situation(instance, cases.situation_values(name, conflict="international"))
    cases.assign_situation(instance, "Patterns", "War")
    _load_ukraine(instance, "Elsewhere")
    made = reports.pattern_report(instance, Scope(case="Patterns"), area="UA.KK",
                                  period_from="2022-03-01", period_to="2022-04-30", fmt="html")  # fmt: skip
    assert made.parameters["area"] == "UA.KK" and sample["K1"] in made.content.decode("utf-8")
    with pytest.raises(InvalidInput, match="'Kharkiv' names several areas"):
        reports.pattern_report(instance, Scope(situation="Elsewhere"), area="Kharkiv",
                               period_from="2022-03-01", period_to="2022-04-30", fmt="html")  # fmt: skip


def _outlines_drawn(report: bytes) -> int:
    """How many outlines (rings) the report's map draws: each is one grey line of its own."""
    page = report.decode("utf-8")
    drawn = page[page.rindex("<figure>") : page.rindex("</figure>")]  # the map is the last figure
    return drawn.count("stroke: #888888")


def _rings(instance: Instance, situation: str | None) -> int:
    """How many outlines (rings) the areas of level 1 drawn for ``situation`` have."""
    rings = 0
    for feature in gazetteer.areas_geojson(instance, situation=situation).features:
        shape = feature.as_json()["geometry"]
        polygons = [shape["coordinates"]] if shape["type"] == "Polygon" else shape["coordinates"]
        rings += sum(len(polygon) for polygon in polygons)
    return rings


def test_a_syrian_cases_report_draws_syrian_outlines_only(instance: Instance) -> None:
    """Oblasts and governorates loaded into two situations: a Syrian case's report (and the Syrian
    situation's) draws the governorates, not Ukraine's oblasts; a case in no situation draws all."""
    for name in ("Ukraine", "Syria"):
        cases.create_situation(instance, cases.situation_values(name, conflict="international"))
    _load_ukraine(instance, "Ukraine")
    _load_syria(instance, "Syria")
    cases.create_case(instance, "Aleppo", situation_name="Syria")
    cases.create_case(instance, "Nowhere")
    for case in ("Aleppo", "Nowhere"):
        add(instance, case, f"{case}-1", "2022-03-05", ALEPPO, types=("shelling",))
    syrian, everywhere = _rings(instance, "Syria"), _rings(instance, None)
    assert 0 < syrian < everywhere
    period = {"period_from": "2022-03-01", "period_to": "2022-03-31", "fmt": "html"}
    for scope, rings in ((Scope(case="Aleppo"), syrian), (Scope(situation="Syria"), syrian),
                         (Scope(case="Nowhere"), everywhere)):  # fmt: skip
        made = reports.pattern_report(instance, scope, **period)
        assert _outlines_drawn(made.content) == rings, scope


def test_an_analysis_names_a_code_as_its_own_situation_does(instance: Instance) -> None:
    """Aleppo's code loaded again, under its Arabic name, for another situation: a Syrian case's
    incident there is counted under the name its own situation gives the code."""
    for name in ("Syria", "Elsewhere"):
        cases.create_situation(instance, cases.situation_values(name, conflict="international"))
    _load_syria(instance, "Syria")
    gazetteer.load(instance, SYRIA, level=1, name_field="ADM1_AR", code_field="ADM1_PCODE",
                   situation="Elsewhere")  # fmt: skip
    cases.create_case(instance, "Aleppo", situation_name="Syria")
    add(instance, "Aleppo", "A1", "2022-03-05", ALEPPO, types=("shelling",))
    with read_transaction(instance.engine) as conn:
        frame = load.load(conn, instance, Scope(case="Aleppo")).frame
    assert frame.area_names["SY02"] == "Aleppo"
    made = reports.pattern_report(instance, Scope(case="Aleppo"), period_from="2022-03-01",
                                  period_to="2022-03-31", fmt="html")  # fmt: skip
    listed = made.content.decode("utf-8")
    assert "Aleppo" in listed and "حلب" not in listed


DAYS = st.integers(min_value=0, max_value=60).map(lambda n: date(2022, 3, 1) + timedelta(days=n))


@st.composite
def _incidents(draw: st.DrawFn) -> list[Row]:
    """Incidents with a known or unknown date range, in area A, area B or none."""
    found = []
    for n in range(draw(st.integers(min_value=0, max_value=12))):
        first = draw(st.none() | DAYS)
        last = None if first is None else first + timedelta(days=draw(st.integers(0, 40)))
        areas = draw(st.sampled_from([(), ("A",), ("B",)]))
        found.append(Row(f"i{n}", None, None, None, first and first.isoformat(),
                         last and last.isoformat(), "day", "[]", "[]", "[]", areas))  # fmt: skip
    return found


@given(rows=_incidents(), start=DAYS, length=st.integers(0, 40), area=st.sampled_from([None, "A"]))
def test_a_pattern_report_counts_lists_or_leaves_out_each_incident_once(
    rows: list[Row], start: date, length: int, area: str | None
) -> None:
    """Counted, undated and out of the report never overlap; an incident is counted exactly when its
    dates lie wholly within the period (and in the area), and never dropped when it might."""
    end = start + timedelta(days=length)
    chosen = reports.choose(frame_of(rows), day_number(start.isoformat()),
                            day_number(end.isoformat()), area)  # fmt: skip
    counted = {str(i) for i in chosen.frame.ids}
    assert not counted & set(chosen.undated) and not counted & set(chosen.unplaced)
    first, last = start.isoformat(), end.isoformat()
    for row in rows:
        since, until = row.occurred_from or "", row.occurred_to or ""
        known = bool(since and until)
        here = area is None or area in row.areas
        assert (row.id in counted) == (known and first <= since <= until <= last and here), row
        overlaps = not known or (since <= last and until >= first)
        might = overlaps and (here or (area is not None and not row.areas))
        listed = row.id in counted or row.id in chosen.undated or row.id in chosen.unplaced
        assert listed == might, row


def test_a_situations_pattern_report_names_the_cases_it_read(
    instance: Instance, sample: dict[str, str]
) -> None:
    cases.create_situation(instance, cases.situation_values("War", conflict="international"))
    cases.create_case(instance, "Other")
    other = add(instance, "Other", "O1", "2022-03-06", KHARKIV)
    for name in ("Patterns", "Other"):
        cases.assign_situation(instance, name, "War")
    accounts.create_user(instance, "olena", PASSWORD)
    accounts.grant_role(instance, "olena", "Other", "viewer")
    olena = instance.acting_for(accounts.principal_named(instance, "olena"))
    made = reports.pattern_report(olena, Scope(situation="War"), period_from="2022-03-01",
                                  period_to="2022-03-31", fmt="html")  # fmt: skip
    assert made.parameters["situation"] == "War" and made.parameters["cases"] == ["Other"]
    page = made.content.decode("utf-8")
    assert "situation War: the cases you may read (Other)" in page and other in page
    assert sample["K1"] not in page, "a case olena may not read stays out"
    assert made.filename == "patterns-war-2022-03-01-2022-03-31.html"


UK_DOSSIER = ("Досьє інциденту", "Джерела", "Жертви", "Докази", "Обчислено на", "Ракетний удар")


def test_a_dossier_in_ukrainian_has_ukrainian_headings_and_terms(
    instance: Instance, dossier_world: dict[str, Any]
) -> None:
    incident_id = dossier_world["incident"]
    uk = {fmt: reports.incident_dossier(instance, incident_id, fmt=fmt, language="uk")
          for fmt in ("pdf", "html")}  # fmt: skip
    en = {fmt: reports.incident_dossier(instance, incident_id, fmt=fmt) for fmt in ("pdf", "html")}
    assert uk["pdf"].parameters["language"] == "uk"
    texts = {
        lang: (pdf_text(made["pdf"].content).replace("\n", " "), made["html"].content.decode())
        for lang, made in (("uk", uk), ("en", en))
    }
    for text in texts["uk"]:
        for wanted in (*UK_DOSSIER, TITLE, "--lang uk"):
            assert wanted in text, wanted
        assert "Incident dossier" not in text and "Casualties" not in text
    for text in texts["en"]:
        assert "Incident dossier" in text and "Casualties" in text and "Missile strike" in text
        assert not [heading for heading in UK_DOSSIER if heading in text]
        assert "--lang" not in text
    assert '<html lang="uk" dir="ltr">' in texts["uk"][1]
    assert '<html lang="en" dir="ltr">' in texts["en"][1]


def test_a_dossier_in_arabic_runs_right_to_left_with_arabic_headings_and_terms(
    instance: Instance, dossier_world: dict[str, Any]
) -> None:
    incident_id = dossier_world["incident"]
    html = reports.incident_dossier(instance, incident_id, fmt="html", language="ar")
    pdf = reports.incident_dossier(instance, incident_id, fmt="pdf", language="ar")
    assert pdf.content.startswith(b"%PDF") and pdf.parameters["language"] == "ar"
    page = html.content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    for wanted in ("ملف الحادثة", "ضربة صاروخية", TITLE, "--lang ar"):
        assert wanted in page, wanted
    assert "Incident dossier" not in page and "Missile strike" not in page


def test_a_proof_chart_and_a_pattern_report_in_ukrainian(
    instance: Instance, dossier_world: dict[str, Any]
) -> None:
    chart = reports.proof_chart_report(instance, CASE, fmt="pdf", language="uk")
    text = pdf_text(chart.content).replace("\n", " ")
    for wanted in ("Схема доказів: Kharkiv", "Вбивство", "Попередня правова кваліфікація"):
        assert wanted in text, wanted
    made = reports.pattern_report(instance, Scope(case=CASE), period_from="2022-03-01",
                                  period_to="2022-03-31", fmt="html", language="uk")  # fmt: skip
    page = made.content.decode()
    for wanted in ("Звіт про закономірності: усі території, з 2022-03-01 по 2022-03-31",
                   "Інциденти за місяцями, за типом", "Ракетний удар", "Атаки на захищені об’єкти",
                   "атак на захищені об’єкти немає", "Адміністративна одиниця",
                   "--lang uk --format html"):  # fmt: skip
        assert wanted in page, wanted


def test_an_unknown_language_is_refused_with_the_valid_ones_before_anything_is_logged(
    instance: Instance, dossier_world: dict[str, Any]
) -> None:
    incident_id = dossier_world["incident"]
    incidents.edit(instance, incident_id, {"sensitivity": ["graphic"]})
    before = custody_log.status(instance).size
    with pytest.raises(InvalidInput, match="'fr' is not a language") as wrong:
        reports.incident_dossier(instance, incident_id, fmt="html", purpose="review", language="fr")
    assert wrong.value.where == "--lang" and "en, uk" in str(wrong.value.hint)
    assert custody_log.status(instance).size == before, "a refusal writes nothing"
    with pytest.raises(InvalidInput, match="'' is not a language"):
        reports.proof_chart_report(instance, CASE, fmt="html", language="")
    with pytest.raises(InvalidInput, match="'EN' is not a language"):
        reports.pattern_report(instance, Scope(case=CASE), period_from="2022-03-01",
                               period_to="2022-03-31", fmt="html", language="EN")  # fmt: skip


def test_making_a_pdf_leaves_pillow_refusing_truncated_images() -> None:
    # WeasyPrint's import makes Pillow accept truncated images process-wide; processing relies on
    # Pillow refusing them (tests/pipeline/extractors/test_previews.py), so the setting is kept.
    from PIL import ImageFile

    from testament.patterns.rendering import pdf

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert pdf("<p>Звіт</p>").startswith(b"%PDF")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
