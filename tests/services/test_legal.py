"""Preliminary qualification, element links and the proof chart, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from testament.custody import cases, history, verification
from testament.custody import ingest as ingest_service
from testament.custody.instance import Instance, os_agent
from testament.documentation import incidents, legal, proof_chart
from testament.domain import legal as rules
from testament.errors import Conflict, InvalidInput, NotFound
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.tables import custody_event
from testament.taxonomy import loader

CASE = "Case A"


@dataclass
class World:
    instance: Instance
    incident: str
    other_incident: str
    items: dict[str, str]


def _events(instance: Instance) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(custody_event)).scalar_one())


def _last_event(instance: Instance) -> dict[str, object]:
    with read_transaction(instance.engine) as conn:
        detail = conn.execute(
            select(custody_event.c.detail).order_by(custody_event.c.log_index.desc()).limit(1)
        ).scalar_one()
    return dict(json.loads(detail))


def _ingest(
    instance: Instance, folder: Path, case_name: str, files: dict[str, bytes]
) -> dict[str, str]:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    report = ingest_service.ingest(instance, sorted(folder.iterdir()), case_name=case_name)
    return {Path(r.path).name: str(r.item_id) for r in report.results}


def _situation(
    instance: Instance, name: str, conflict: str, amendments: list[str] | None = None
) -> None:
    values = cases.situation_values(name, conflict=conflict, amendments=amendments)
    cases.create_situation(instance, values)
    cases.assign_situation(instance, CASE, name)


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> World:
    cases.create_case(instance, CASE)
    _situation(instance, "Situation", "non-international")
    given = incidents.IncidentInput(
        title="Strike", types=["attack-on-civilians"], weapons=["artillery"]
    )
    first = incidents.create(instance, CASE, given)
    second = incidents.create(instance, CASE, incidents.IncidentInput(title="Second strike"))
    files = {
        "a.jpg": b"photo A",
        "a-copy.jpg": b"photo A",
        "c.txt": b"statement C",
        "d.txt": b"report D",
    }
    return World(instance, first, second, _ingest(instance, tmp_path / "files", CASE, files))


def _source(instance: Instance, title: str) -> str:
    values = {"case_id": None, "kind": "witness", "title": title, "url": None, "reference": "",
              "published_at": None, "description": "", "external_ns": None, "external_id": None}  # fmt: skip
    with write_transaction(instance.engine) as conn:
        values["case_id"] = cases.case_id(conn, CASE)
        return history.create(conn, "source", values, agent_id=os_agent(conn))


def _attach(instance: Instance, item_id: str, incident_id: str, source_id: str | None) -> None:
    values = {
        "item_id": item_id,
        "incident_id": incident_id,
        "source_id": source_id,
        "relevance": "",
    }
    with write_transaction(instance.engine) as conn:
        history.create(conn, "item-incident", values, agent_id=os_agent(conn))


def _link(w: World, item: str, element: str, stance: str = "supports", **kw: str) -> str:
    incident = kw.pop("incident", w.incident)
    crime = kw.pop("crime", "CAH-MURDER")
    return legal.link_element(
        w.instance, w.items[item], incident, crime, element, stance=stance, **kw
    )


# --- qualification --------------------------------------------------------------------------------


def test_a_qualification_is_preliminary_and_a_custody_event(world: World) -> None:
    before = _events(world.instance)
    result = legal.qualify(world.instance, world.incident, "CAH-MURDER", "killed at home")
    assert result.warnings == []
    with read_transaction(world.instance.engine) as conn:
        row = history.current(conn, "qualification", result.id)
    assert (row["status"], row["crime_code"], row["note"]) == (
        "preliminary",
        "CAH-MURDER",
        "killed at home",
    )
    assert _events(world.instance) == before + 1
    assert _last_event(world.instance)["object"] == "qualification"


def test_any_other_status_is_refused_and_nothing_is_written(world: World) -> None:
    before = _events(world.instance)
    with pytest.raises(InvalidInput, match="always 'preliminary'"):
        legal.qualify(world.instance, world.incident, "CAH-MURDER", status="confirmed")
    assert _events(world.instance) == before


def test_an_unknown_code_is_refused_with_the_closest_codes(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        legal.qualify(world.instance, world.incident, "WC-ATT-CIVS")
    assert "WC-ATT-CIV" in (caught.value.hint or "")


def test_a_crime_of_another_conflict_type_is_recorded_with_a_warning(world: World) -> None:
    result = legal.qualify(world.instance, world.incident, "WC-ATT-CIVOBJ")
    (warning,) = result.warnings
    assert "international armed conflict" in warning and "'non-international'" in warning
    assert "WC-ATT-CIVOBJ" in [c.rule.code for c in proof_chart.chart(world.instance, CASE).crimes]


def test_an_amendment_not_in_force_warns(world: World) -> None:
    (warning,) = legal.qualify(world.instance, world.incident, "WC-STARV").warnings
    assert "amendment-2019" in warning


def test_the_same_code_twice_on_one_incident_is_a_conflict(world: World) -> None:
    first = legal.qualify(world.instance, world.incident, "CAH-MURDER")
    with pytest.raises(Conflict) as caught:
        legal.qualify(world.instance, world.incident, "CAH-MURDER")
    assert first.id in (caught.value.hint or "")


# --- element links --------------------------------------------------------------------------------


def test_an_element_of_another_crime_is_refused(world: World) -> None:
    legal.qualify(world.instance, world.incident, "WC-ATT-CIV")
    before = _events(world.instance)
    for element in ("E9", "CTX-CAH.C1", "C1"):
        with pytest.raises(InvalidInput, match="is not an element of WC-ATT-CIV"):
            _link(world, "a.jpg", element, crime="WC-ATT-CIV")
    assert _events(world.instance) == before


def test_a_link_needs_a_live_qualification(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        _link(world, "a.jpg", "E1")
    assert "legal qualify" in (caught.value.hint or "")


def test_an_item_of_another_case_is_refused(world: World, tmp_path: Path) -> None:
    cases.create_case(world.instance, "Case B")
    foreign = _ingest(world.instance, tmp_path / "b", "Case B", {"x.txt": b"other case"})
    legal.qualify(world.instance, world.incident, "CAH-MURDER")
    with pytest.raises(InvalidInput, match="different cases"):
        legal.link_element(
            world.instance, foreign["x.txt"], world.incident, "CAH-MURDER", "E1", stance="supports"
        )
    with pytest.raises(NotFound):
        legal.link_element(
            world.instance, "no-such-item", world.incident, "CAH-MURDER", "E1", stance="supports"
        )


def test_bad_stance_or_confidence_is_refused(world: World) -> None:
    legal.qualify(world.instance, world.incident, "CAH-MURDER")
    with pytest.raises(InvalidInput):
        _link(world, "a.jpg", "E1", "context")
    with pytest.raises(InvalidInput):
        _link(world, "a.jpg", "E1", confidence="certain")


def test_every_link_write_is_a_custody_event(world: World) -> None:
    qualification = legal.qualify(world.instance, world.incident, "CAH-MURDER").id
    before = _events(world.instance)
    link_id = _link(world, "a.jpg", "CTX-CAH.C1", confidence="high", note="aerial photo")
    assert _events(world.instance) == before + 1
    assert _last_event(world.instance) == {
        "object": "element-link",
        "id": link_id,
        "version": 1,
        "change": "create",
    }
    with pytest.raises(Conflict):
        _link(world, "a.jpg", "CTX-CAH.C1")
    assert legal.unlink_element(world.instance, link_id) == 2
    with pytest.raises(Conflict, match="was deleted"):
        legal.unlink_element(world.instance, link_id)
    assert _events(world.instance) == before + 2
    _link(world, "c.txt", "E1")
    assert legal.withdraw_qualification(world.instance, qualification, reason="not a killing") != []
    with pytest.raises(Conflict, match="was deleted"):
        legal.withdraw_qualification(world.instance, qualification, reason="again")
    # A new link; then the qualification's reason (a version), the link and the qualification
    # withdrawn: one event each.
    assert _events(world.instance) == before + 6
    assert [f for f in verification.run(world.instance) if not f.ok] == []


# --- the proof chart ------------------------------------------------------------------------------


def _rows(chart: rules.ProofChart, code: str) -> dict[str, rules.ElementRow]:
    crime = next(c for c in chart.crimes if c.rule.code == code)
    return {row.element.id: row for row in crime.rows}


def test_chart_gaps_contested_supported_and_independent_sources(world: World) -> None:
    legal.qualify(world.instance, world.incident, "CAH-MURDER")
    legal.qualify(world.instance, world.other_incident, "CAH-MURDER")
    witness = _source(world.instance, "Witness 1")
    _attach(world.instance, world.items["c.txt"], world.incident, witness)
    _attach(world.instance, world.items["d.txt"], world.other_incident, witness)
    _link(world, "a.jpg", "E1", confidence="high")
    _link(world, "a-copy.jpg", "E1")  # the same file ingested twice: one source
    _link(world, "c.txt", "E1")
    _link(world, "d.txt", "E1", incident=world.other_incident)  # the same witness: one source
    _link(world, "a.jpg", "CTX-CAH.C1")
    _link(world, "d.txt", "CTX-CAH.C1", "contradicts", incident=world.other_incident)

    chart = proof_chart.chart(world.instance, CASE)
    (crime,) = chart.crimes
    assert crime.incidents == 2 and chart.status == "preliminary"
    rows = _rows(chart, "CAH-MURDER")
    assert list(rows) == ["E1", "CTX-CAH.C1", "CTX-CAH.C2"]
    assert len(rows["E1"].supporting) == 4 and rows["E1"].sources == 2
    assert rows["E1"].status == "supported"
    assert rows["E1"].confidence == {"high": 1, "medium": 3, "low": 0}
    assert rows["CTX-CAH.C1"].status == "contested"
    assert rows["CTX-CAH.C1"].contradicting == (world.items["d.txt"],)
    assert rows["CTX-CAH.C2"].status == "gap" and crime.gaps() == ("CTX-CAH.C2",)


def test_withdrawn_qualifications_and_links_leave_the_chart(world: World) -> None:
    kept = legal.qualify(world.instance, world.incident, "CAH-MURDER").id
    gone = legal.qualify(world.instance, world.incident, "WC-ATT-CIV").id
    link_id = _link(world, "a.jpg", "E1")
    _link(world, "a.jpg", "E1", crime="WC-ATT-CIV")
    legal.unlink_element(world.instance, link_id)
    assert legal.withdraw_qualification(world.instance, gone, reason="no attack") != []
    chart = proof_chart.chart(world.instance, CASE)
    assert [c.rule.code for c in chart.crimes] == ["CAH-MURDER"]
    assert _rows(chart, "CAH-MURDER")["E1"].status == "gap"
    with read_transaction(world.instance.engine) as conn:
        versions = history.versions(conn, "qualification", gone)
        assert [v.change for v in versions] == ["create", "update", "delete"]
        assert (versions[-1].data["status"], versions[-1].data["note"]) == (
            "withdrawn",
            "no attack",
        )
        assert history.current(conn, "qualification", kept)["status"] == "preliminary"


def test_a_withdrawal_needs_a_reason_and_writes_nothing_without_one(world: World) -> None:
    made = legal.qualify(world.instance, world.incident, "CAH-MURDER").id
    before = _events(world.instance)
    for reason in ("", "   "):
        with pytest.raises(InvalidInput, match="needs a reason") as refused:
            legal.withdraw_qualification(world.instance, made, reason=reason)
        assert refused.value.where == "--reason"
    assert _events(world.instance) == before
    with read_transaction(world.instance.engine) as conn:
        assert history.current(conn, "qualification", made)["status"] == "preliminary"


def test_a_rejected_suggestion_is_remembered_and_never_counts(world: World) -> None:
    offered = [s.code for s in legal.suggest(world.instance, world.incident)]
    assert offered, "the world's incident has terms that suggest crimes"
    code = offered[0]
    before = _events(world.instance)
    record_id = legal.reject_suggestion(world.instance, world.incident, code, "no nexus")
    assert _events(world.instance) == before + 2  # made and withdrawn: two versions
    found = {s.code: s for s in legal.suggest(world.instance, world.incident)}
    assert found[code].rejected and not found[code].qualified
    assert all(not s.rejected for c, s in found.items() if c != code)
    with pytest.raises(Conflict, match="already rejected"):
        legal.reject_suggestion(world.instance, world.incident, code)
    assert proof_chart.chart(world.instance, CASE).crimes == ()
    with read_transaction(world.instance.engine) as conn:
        versions = history.versions(conn, "qualification", record_id)
        assert [(v.change, v.data["status"]) for v in versions] == [
            ("create", "rejected"), ("delete", "rejected"),
        ]  # fmt: skip
    # Qualifying it after all is still possible; then it cannot be rejected.
    legal.qualify(world.instance, world.incident, code)
    other = legal.qualify(world.instance, world.other_incident, "CAH-MURDER").id
    assert other
    with pytest.raises(Conflict, match="carries"):
        legal.reject_suggestion(world.instance, world.other_incident, "CAH-MURDER")
    with pytest.raises(InvalidInput, match="not a crime code"):
        legal.reject_suggestion(world.instance, world.incident, "CAH-MURDERS")


def test_chart_formats(world: World) -> None:
    legal.qualify(world.instance, world.incident, "WC-ATT-CIV")
    _link(world, "a.jpg", "E1", crime="WC-ATT-CIV", confidence="low")
    chart = proof_chart.chart(world.instance, CASE)

    parsed = list(csv.DictReader(io.StringIO(proof_chart.render(chart, "csv"))))
    assert tuple(parsed[0]) == proof_chart.CSV_COLUMNS
    assert [r["element_id"] for r in parsed] == list(_rows(chart, "WC-ATT-CIV"))
    assert parsed[0]["supporting_items"] == world.items["a.jpg"]
    assert (parsed[0]["independent_sources"], parsed[0]["confidence_low"]) == ("1", "1")
    assert proof_chart.render(chart, "csv") == proof_chart.render(
        proof_chart.chart(world.instance, CASE), "csv"
    )

    data = json.loads(proof_chart.render(chart, "json"))
    assert set(data) == {"schema", "case", "status", "crimes"}
    assert (data["schema"], data["status"], data["case"]["name"]) == (
        proof_chart.SCHEMA,
        "preliminary",
        CASE,
    )
    (crime,) = data["crimes"]
    assert set(crime) == {"code", "label", "articles", "incidents", "warnings", "gaps", "elements"}
    assert set(crime["elements"][0]) == {
        "id", "type", "text", "status", "applies", "supporting", "independent_sources", "contradicting", "confidence",
    }  # fmt: skip

    markdown = proof_chart.render(chart, "md")
    assert "| Element | Type | Status | Supporting items |" in markdown
    assert "\n|---|" in markdown and "Preliminary legal characterisation" in markdown
    # The case's conflict is non-international: the IAC nexus is listed, but is not a gap.
    assert "| CTX-WC-IAC.C1 | circumstance | gap (other conflict) |" in markdown
    assert "| CTX-WC-NIAC.C1 | circumstance | gap |" in markdown
    assert crime["gaps"] == ["E2", "E3", "CTX-WC-NIAC.C1", "CTX-WC-NIAC.C2"]
    with pytest.raises(InvalidInput):
        proof_chart.render(chart, "pdf")


def test_an_empty_case_has_an_empty_chart(instance: Instance) -> None:
    cases.create_case(instance, CASE)
    chart = proof_chart.chart(instance, CASE)
    assert chart.crimes == ()
    assert "No incident of this case carries a qualification" in proof_chart.render(chart, "md")
    assert proof_chart.render(chart, "csv").count("\n") == 1


def test_every_shipped_element_id_renders_in_the_chart_of_its_crime() -> None:
    for crime in loader.shipped().crimes:
        rule = legal.crime_rule(crime)
        ids = rule.element_ids()
        assert len(set(ids)) == len(ids) and all(len(i) <= 48 for i in ids), crime.code
        chart = rules.crime_chart(rule, dict(crime.label), 1, [])
        assert [row.element.id for row in chart.rows] == list(ids)
        for element_id in ids:
            rules.check_element(rule, element_id)
        for context in crime.context:
            assert f"{context}.C1" in ids, crime.code


# --- suggestions and listings ---------------------------------------------------------------------


def test_suggestions_are_shown_never_applied(world: World) -> None:
    legal.qualify(world.instance, world.incident, "CAH-MURDER")
    found = {s.code: s for s in legal.suggest(world.instance, world.incident)}
    assert {"WC-ATT-CIV", "CAH-MURDER"} <= set(found)
    assert "incident-types:attack-on-civilians" in found["WC-ATT-CIV"].because
    assert found["CAH-MURDER"].qualified and not found["WC-ATT-CIV"].qualified
    codes = [c.rule.code for c in proof_chart.chart(world.instance, CASE).crimes]
    assert codes == ["CAH-MURDER"]
    assert legal.suggest(world.instance, world.other_incident) == []


def test_crimes_and_vocabulary_terms() -> None:
    listed = {c.code: c for c in legal.crimes()}
    assert listed["WC-STARV"].amendments == {"NIAC": "amendment-2019"}
    assert listed["CAH-MURDER"].label["uk"] and "CTX-CAH.C2" in listed["CAH-MURDER"].elements
    terms = {t.code: t for t in legal.vocabulary_terms("conflict-characterisation", "uk")}
    assert terms["international"].label == "Міжнародний збройний конфлікт"
    with pytest.raises(NotFound) as caught:
        legal.vocabulary_terms("incident-type")
    assert "incident-types" in (caught.value.hint or "")


_chart_links = st.lists(
    st.tuples(
        st.sampled_from(["i1", "i2", "i3"]),
        st.sampled_from(["inc1", "inc2"]),
        st.sampled_from(["E1", "E2", "CTX-CAH.C1"]),
        st.sampled_from(rules.STANCES),
    ),
    max_size=12,
)


@given(_chart_links)
def test_the_chart_page_cites_exactly_the_items_each_row_counts(
    drawn: list[tuple[str, str, str, str]],
) -> None:
    """Every item a row counts for or against an element is cited with its incident, and nothing else."""
    elements = tuple(rules.ElementRef(e, "conduct", e) for e in ("E1", "E2", "CTX-CAH.C1"))
    rule = rules.CrimeRule("CAH-X", {"any": "7"}, {}, ("CTX-CAH",), elements)
    links = [rules.EvidenceLink(i, inc, e, s, "medium", frozenset()) for i, inc, e, s in drawn]
    proof = rules.ProofChart("c", "C", (rules.crime_chart(rule, {"en": "X"}, 1, links),))
    cited = proof_chart.citations(proof)
    for row in proof.crimes[0].rows:
        found = cited[("CAH-X", row.element.id)]
        for stance, counted in (("supports", row.supporting), ("contradicts", row.contradicting)):
            assert sorted({c.item_id for c in found if c.stance == stance}) == list(counted)
        assert {(c.item_id, c.incident_id, c.stance) for c in found} == {
            (i, inc, s) for i, inc, e, s in drawn if e == row.element.id
        }
