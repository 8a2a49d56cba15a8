"""A case's people in the browser: recorded, edited from the version read, given roles in incidents
(from the person's page and the incident's), with their history; the incident page names its people
and units and involves a unit. Every refusal comes back on its form with the reason by the field, and
nothing is written; a reader sees no form and their posts are refused.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents, people, sources, units
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import PASSWORD, csrf_token
from tests.web.conftest import signed_in as client_for
from tests.web.test_labels import _english_words

CASE = "Case A"


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    cases.create_case(instance, "Case B")
    incident = incidents.create(
        instance, CASE, incidents.IncidentInput(title="Shelling of a school")
    )
    person = people.create(instance, CASE, "Witness A", "a neighbour")
    other = people.create(instance, "Case B", "Witness B")
    brigade = units.create(instance, "64th Brigade")
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", CASE, "documenter")
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", CASE, "viewer")
    return {"incident": incident, "person": person, "other": other, "unit": brigade}


def post(http: TestClient, path: str, data: dict[str, Any], *, htmx: bool = True) -> Any:
    """Post a page's form with the page's CSRF token, as htmx does (or as a plain form does)."""
    token = csrf_token(http.get("/dashboard").text)
    headers = {"X-CSRF-Token": token} | ({"HX-Request": "true"} if htmx else {})
    return http.post(path, data=data, headers=headers)


def main(page: str) -> str:
    """The page's own part (the header and its menu are base.html's)."""
    return page[page.index("<main") : page.index("</main>")] if "<main" in page else page


def beside(page: str, form_id: str, field: str) -> str:
    """The reason shown next to ``field`` in the form ``form_id``."""
    form = page[page.index(f'id="{form_id}"') :]
    found = re.search(
        rf'name="{field}"[^>]*>(?:(?!</label>).)*?<span class="error" role="alert">([^<]+)</span>',
        form,
        re.DOTALL,
    )
    assert found is not None, form[:3000]
    return found.group(1)


@SQLITE_ONLY
def test_a_documenter_records_a_person_and_edits_them(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    listed = http.get("/cases/Case%20A/people")
    assert listed.status_code == 200 and 'id="person-form"' in listed.text
    assert f'href="/people/{world["person"]}"' in listed.text
    made = post(http, "/cases/Case%20A/people", {"label": "Victim C", "description": "a driver"})
    assert made.status_code == 200, made.text
    new_id = made.headers["HX-Redirect"].rsplit("/", 1)[-1]
    assert people.show(instance, new_id).label == "Victim C"
    form = http.get(f"/people/{new_id}/edit").text
    assert 'name="expected_version" value="1"' in form
    saved = post(http, f"/people/{new_id}/edit",
                 {"label": "Victim C.", "description": "a driver", "expected_version": "1"},
                 htmx=False)  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"] == f"/people/{new_id}"
    page = http.get(f"/people/{new_id}").text
    assert "Victim C." in page and '<table class="history">' in page
    history = page[page.index('<table class="history">') :]
    assert history.count("<tr>") == 3  # the heading and two versions
    assert "label" in history  # the fields the edit changed
    logged = [str(v.log_index) for v in people.versions(instance, new_id)]
    assert all(f'<td class="num">{index}</td>' in history for index in logged)


@SQLITE_ONLY
def test_bad_people_input_is_named_and_writes_nothing(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    before = people.list_for_case(instance, CASE)
    refused = post(http, "/cases/Case%20A/people", {"label": "  ", "description": "x"})
    assert refused.status_code == 422
    assert "Not saved:" in refused.text
    assert beside(refused.text, "person-form", "label") == "Write a label."
    assert people.list_for_case(instance, CASE) == before
    person = world["person"]
    empty = post(http, f"/people/{person}/edit", {"label": "", "expected_version": "1"})
    assert (
        empty.status_code == 422 and beside(empty.text, "person-form", "label") == "Write a label."
    )
    people.edit(instance, person, {"description": "someone else's change"})
    stale = post(http, f"/people/{person}/edit", {"label": "Witness Z", "expected_version": "1"})
    assert stale.status_code == 409
    assert "Someone else saved a change first" in stale.text
    assert 'value="Witness Z"' in stale.text  # what was typed is kept
    assert people.show(instance, person).label == "Witness A"


@SQLITE_ONLY
def test_roles_are_given_from_the_person_and_refused_with_reasons(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    person, incident = world["person"], world["incident"]
    page = http.get(f"/people/{person}").text
    assert 'id="role-form"' in page and "Shelling of a school" in page
    unknown = post(http, f"/people/{person}/roles", {"incident_id": incident, "role": "hero"})
    assert unknown.status_code == 422
    assert beside(unknown.text, "role-form", "role") == "Choose a role from the list."
    missing = post(http, f"/people/{person}/roles", {"incident_id": "nope", "role": "witness"})
    assert missing.status_code == 422
    assert "No incident has this ID." in beside(missing.text, "role-form", "incident_id")
    assert people.show(instance, person).roles == []
    given = post(http, f"/people/{person}/roles", {"incident_id": incident, "role": "witness"})
    assert given.status_code == 200, given.text
    again = post(http, f"/people/{person}/roles", {"incident_id": incident, "role": "witness"})
    assert again.status_code == 409
    assert "This person already holds this role in this incident." in again.text
    (role,) = people.show(instance, person).roles
    shown = http.get(f"/people/{person}").text
    assert f'href="/incidents/{incident}"' in shown and "Witness" in shown
    removed = post(http, f"/people/{person}/roles/{role.id}/remove", {})
    assert removed.status_code == 200
    assert people.show(instance, person).roles == []


@SQLITE_ONLY
def test_the_incident_page_names_its_people_and_units_and_adds_them(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    incident, person, unit = world["incident"], world["person"], world["unit"]
    page = http.get(f"/incidents/{incident}").text
    assert 'id="incident-role-form"' in page and 'id="incident-unit-form"' in page
    assert '<option value="64th Brigade">' in page
    assert world["other"] not in page  # a person of another case is never offered
    added = post(http, f"/incidents/{incident}/people", {"person_id": person, "role": "victim"})
    assert added.status_code == 200 and added.headers["HX-Redirect"] == f"/incidents/{incident}"
    involved = post(http, f"/incidents/{incident}/units",
                    {"unit": "64th Brigade", "degree": "gave-orders"})  # fmt: skip
    assert involved.status_code == 200, involved.text
    page = http.get(f"/incidents/{incident}").text
    assert f'<a href="/people/{person}">Witness A</a>' in page
    assert f'<a href="/units/{unit}">64th Brigade</a>' in page
    assert "Gave orders" in page or "gave orders" in page.lower()


@SQLITE_ONLY
def test_the_incident_page_links_a_source_of_its_case(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    incident = world["incident"]
    report = sources.create(instance, CASE, kind="document", title="Police report")
    elsewhere = sources.create(instance, "Case B", kind="document", title="Leaflet")
    http = client_for(site, "dana")
    page = http.get(f"/incidents/{incident}").text
    assert f'<option value="{report}">Police report</option>' in page and elsewhere not in page
    missing = post(http, f"/incidents/{incident}/sources", {"source_id": elsewhere})
    assert missing.status_code == 422  # another case's source is not found from here
    assert "Not saved:" in missing.text
    assert incidents.show(instance, incident).sources == []
    linked = post(http, f"/incidents/{incident}/sources", {"source_id": report, "note": "time"})
    assert linked.status_code == 200 and linked.headers["HX-Redirect"] == f"/incidents/{incident}"
    page = http.get(f"/incidents/{incident}").text
    assert f'<a href="/sources/{report}">Police report</a> — time' in page
    assert f'<option value="{report}">' not in page  # offered no more
    again = post(http, f"/incidents/{incident}/sources", {"source_id": report})
    assert again.status_code == 409
    assert "This source is already linked to this incident." in again.text
    reader = client_for(site, "vera")
    assert post(reader, f"/incidents/{incident}/sources", {"source_id": report}).status_code == 403
    assert len(incidents.show(instance, incident).sources) == 1


BAD_INCIDENT_FORMS = [
    ("people", {"person_id": "P", "role": "hero"}, "incident-role-form", "role",
     "Choose a role from the list."),
    ("people", {"person_id": "", "role": "victim"}, "incident-role-form", "person_id",
     "No person has this ID."),
    ("people", {"person_id": "OTHER", "role": "victim"}, "incident-role-form", "person_id",
     "No person has this ID."),
    ("units", {"unit": "Atlantis Brigade", "degree": "present"}, "incident-unit-form", "unit",
     "No unit has this ID, name or alias."),
    ("units", {"unit": "64th Brigade", "degree": "waved"}, "incident-unit-form", "degree",
     "Choose a degree of involvement from the list."),
]  # fmt: skip


@SQLITE_ONLY
@pytest.mark.parametrize(("what", "typed", "form_id", "field", "reason"), BAD_INCIDENT_FORMS)
def test_bad_input_on_the_incident_page_is_named_and_writes_nothing(  # noqa: PLR0917 - cases
    site: Any,
    instance: Instance,
    world: dict[str, Any],
    what: str,
    typed: dict[str, str],
    form_id: str,
    field: str,
    reason: str,
) -> None:
    http = client_for(site, "dana")
    incident = world["incident"]
    named = {"P": world["person"], "OTHER": world["other"]}
    typed = {k: named.get(v, v) for k, v in typed.items()}
    refused = post(http, f"/incidents/{incident}/{what}", typed)
    assert refused.status_code == 422, refused.text
    assert reason in beside(refused.text, form_id, field)
    assert f'href="/incidents/{incident}"' in refused.text  # the way back
    shown = incidents.show(instance, incident)
    assert shown.roles == [] and shown.units == []


@SQLITE_ONLY
def test_a_reader_sees_no_form_and_may_not_write(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "vera")
    person, incident = world["person"], world["incident"]
    for path in ("/cases/Case%20A/people", f"/people/{person}", f"/incidents/{incident}"):
        page = http.get(path)
        assert page.status_code == 200
        assert "<form id=" not in page.text.replace('<form id="search"', "")
    assert http.get(f"/people/{person}/edit").status_code == 403
    for path, data in (
        ("/cases/Case%20A/people", {"label": "Mine"}),
        (f"/people/{person}/edit", {"label": "Mine", "expected_version": "1"}),
        (f"/people/{person}/roles", {"incident_id": incident, "role": "victim"}),
        (f"/incidents/{incident}/people", {"person_id": person, "role": "victim"}),
        (f"/incidents/{incident}/units", {"unit": "64th Brigade", "degree": "present"}),
    ):
        assert post(http, path, data).status_code == 403, path
    assert [p.label for p in people.list_for_case(instance, CASE)] == ["Witness A"]
    assert incidents.show(instance, incident).roles == []
    assert http.get(f"/people/{world['other']}").status_code == 404  # another case's person


@SQLITE_ONLY
def test_the_pages_are_in_ukrainian(site: Any, instance: Instance, world: dict[str, Any]) -> None:
    person, incident = world["person"], world["incident"]
    people.add_role(instance, person, incident, "witness")
    units.involve(instance, world["unit"], incident, "present")
    http = client_for(site, "dana")
    http.cookies.set("testament_lang", "uk")
    data = {"Witness A", "a neighbour", "Shelling of a school", "64th Brigade", "Case A", "dana"}
    for path in ("/cases/Case%20A/people", f"/people/{person}", f"/people/{person}/edit",
                 f"/incidents/{incident}"):  # fmt: skip
        page = http.get(path)
        assert page.status_code == 200, path
        shown = page.text
        if path.startswith("/incidents/"):  # this part of the incident page
            start = shown.index('<section id="people-and-roles">')
            shown = shown[start : shown.index("</section>", shown.index('id="units-involved"'))]
        assert _english_words(main(shown), data) == [], path
    refused = post(http, "/cases/Case%20A/people", {"label": ""})
    assert "Напишіть мітку." in refused.text
