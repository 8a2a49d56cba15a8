"""Units recorded and related in the browser: a unit under a parent (the list shows the tree, the page
its ancestors), an edit from the version read, aliases in any script, commanders over time,
involvement in incidents, the placements' map data and the history. Each refusal comes back on its
form with the reason by the field, and nothing is written; a reader's posts are refused.
"""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents, placements, units
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import PASSWORD
from tests.web.conftest import signed_in as client_for
from tests.web.test_labels import _english_words
from tests.web.test_people_pages import beside, main, post


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    cases.create_case(instance, "Case A")
    army = units.create(instance, "Southern Army")
    corps = units.create(instance, "3rd Corps", parent=army)
    incident = incidents.create(instance, "Case A", incidents.IncidentInput(title="Strike"))
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", "Case A", "documenter")
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", "Case A", "viewer")
    return {"army": army, "corps": corps, "incident": incident}


@SQLITE_ONLY
def test_a_unit_under_a_parent_shows_in_the_tree_and_its_trail(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    form = http.get(f"/units/new?parent={world['corps']}").text
    assert (
        f'name="parent" list="unit-names" maxlength="500" autocomplete="off" value="{world["corps"]}"'
        in form
    )
    made = post(
        http, "/units", {"name": "12th Battalion", "parent": "3rd Corps", "kind": "battalion"}
    )
    assert made.status_code == 200, made.text
    battalion = made.headers["HX-Redirect"].rsplit("/", 1)[-1]
    assert units.show(instance, battalion).parent_id == world["corps"]
    tree = http.get("/units").text
    nested = re.search(r"Southern Army</a>.*?<ul>.*?3rd Corps</a>.*?<ul>.*?12th Battalion</a>", tree,
                       re.DOTALL)  # fmt: skip
    assert nested is not None, tree
    page = http.get(f"/units/{battalion}").text
    trail = page[page.index('<nav class="breadcrumbs"') : page.index("</nav>", page.index(
        '<nav class="breadcrumbs"'))]  # fmt: skip
    assert trail.index("Southern Army") < trail.index("3rd Corps") < trail.index("12th Battalion")
    assert 'aria-current="page">12th Battalion' in trail


@SQLITE_ONLY
def test_an_edit_keeps_the_hierarchy_without_loops_and_from_the_version_read(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    army, corps = world["army"], world["corps"]
    form = http.get(f"/units/{army}/edit").text
    assert 'name="expected_version" value="1"' in form
    loop = post(http, f"/units/{army}/edit",
                {"name": "Southern Army", "parent": "3rd Corps", "expected_version": "1"})  # fmt: skip
    assert loop.status_code == 422
    assert beside(loop.text, "unit-form", "parent").startswith("A unit cannot be its own ancestor")
    unknown = post(http, f"/units/{army}/edit",
                   {"name": "Southern Army", "parent": "Atlantis", "expected_version": "1"})  # fmt: skip
    assert beside(unknown.text, "unit-form", "parent") == "No unit has this ID, name or alias."
    assert units.show(instance, army).parent_id is None
    saved = post(http, f"/units/{corps}/edit",
                 {"name": "3rd Army Corps", "parent": "", "expected_version": "1"})  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert units.show(instance, corps).parent_id is None
    stale = post(http, f"/units/{corps}/edit",
                 {"name": "3rd Corps (old)", "parent": "", "expected_version": "1"})  # fmt: skip
    assert stale.status_code == 409 and "Someone else saved a change first" in stale.text
    assert units.show(instance, corps).name == "3rd Army Corps"
    page = http.get(f"/units/{corps}").text
    history = page[page.index('<table class="history">') :]
    assert history.count("<tr>") == 3


BAD = [
    ("/units", {"name": " "}, "unit-form", "name", "Write a name."),
    ("/units", {"name": "X", "parent": "Nowhere"}, "unit-form", "parent",
     "No unit has this ID, name or alias."),
    ("/units/U/aliases", {"alias_name": "Луганськ", "script": "cyrillic"}, "alias-form", "script",
     "Choose a script from the list"),
    ("/units/U/aliases", {"alias_name": "Луганськ", "script": "Cyrl", "lang": "Ukrainian"},
     "alias-form", "lang", "Write a language tag"),
    ("/units/U/aliases", {"alias_name": " ", "script": "Cyrl"}, "alias-form", "alias_name",
     "Write the alias."),
    ("/units/U/commanders", {"name": "Col. X", "from_date": "2022-05", "to_date": "2022-01"},
     "commander-form", "to_date", "The command ends before it starts."),
    ("/units/U/commanders", {"name": " "}, "commander-form", "name", "Write the commander's name."),
    ("/units/U/commanders", {"name": "Col. X", "from_date": "spring"}, "commander-form",
     "from_date", "Write the date as YYYY-MM-DD, YYYY-MM or YYYY."),
    ("/units/U/commanders", {"name": "Col. X", "person_id": "nobody"}, "commander-form",
     "person_id", "No person has this ID."),
    ("/units/U/involvements", {"incident_id": "I", "degree": "waved"}, "involvement-form",
     "degree", "Choose a degree of involvement from the list."),
    ("/units/U/involvements", {"incident_id": "nope", "degree": "present"}, "involvement-form",
     "incident_id", "No incident has this ID."),
]  # fmt: skip


@SQLITE_ONLY
@pytest.mark.parametrize(("path", "typed", "form_id", "field", "reason"), BAD)
def test_bad_input_is_named_on_its_form_and_writes_nothing(  # noqa: PLR0917 - fixtures and cases
    site: Any,
    instance: Instance,
    world: dict[str, Any],
    path: str,
    typed: dict[str, str],
    form_id: str,
    field: str,
    reason: str,
) -> None:
    http = client_for(site, "dana")
    corps = world["corps"]
    before = (units.list_units(instance), units.versions(instance, corps))
    typed = {k: world["incident"] if v == "I" else v for k, v in typed.items()}
    refused = post(http, path.replace("/U/", f"/{corps}/"), typed)
    assert refused.status_code == 422, refused.text
    assert "Not saved:" in refused.text
    assert reason in unescape(beside(refused.text, form_id, field))
    for key, value in typed.items():  # what was typed is still there (a choice off the list is not)
        assert key == "degree" or f'value="{value}"' in refused.text
    assert (units.list_units(instance), units.versions(instance, corps)) == before
    shown = units.show(instance, corps)
    assert shown.commanders == [] and shown.incidents == []


@SQLITE_ONLY
def test_aliases_commanders_and_involvements_are_shown(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    corps, incident = world["corps"], world["incident"]
    for alias in ({"alias_name": "Луганськ", "script": "Cyrl", "lang": "uk"},
                  {"alias_name": "Luhansk", "script": "Latn", "lang": "en"}):  # fmt: skip
        assert post(http, f"/units/{corps}/aliases", alias).status_code == 200
    twice = post(http, f"/units/{corps}/aliases", {"alias_name": "луганськ", "script": "Cyrl"})
    assert twice.status_code == 409 and "The unit already has this alias." in twice.text
    for name, start, end in (("Col. B", "2022-06", ""), ("Col. A", "2021", "2022-05")):
        added = post(http, f"/units/{corps}/commanders",
                     {"name": name, "rank": "Colonel", "from_date": start, "to_date": end})  # fmt: skip
        assert added.status_code == 200, added.text
    involved = post(
        http, f"/units/{corps}/involvements", {"incident_id": incident, "degree": "present"}
    )
    assert involved.status_code == 200, involved.text
    page = http.get("/units/Луганськ").text  # found by its Cyrillic alias
    assert '<span lang="uk">Луганськ</span>' in page and '<span lang="en">Luhansk</span>' in page
    timeline = page[page.index('<ol class="commanders timeline">') :]
    assert timeline.index("2021-01-01 – 2022-05-31") < timeline.index("2022-06-01 – unknown")
    assert f'<a href="/incidents/{incident}">Strike</a>' in page


@SQLITE_ONLY
def test_the_map_is_given_each_placement(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    corps = world["corps"]
    placements.place(instance, corps, latitude="50.45", longitude="30.52", radius_m="2000",
                     from_date="2022-03")  # fmt: skip
    http = client_for(site, "vera")
    page = http.get(f"/units/{corps}").text
    assert '<script src="/static/unit-map.js" defer></script>' in page
    found = re.search(r"data-placements='([^']*)'", page)
    assert found is not None
    (drawn,) = json.loads(unescape(found.group(1)))
    assert (drawn["lat"], drawn["lon"], drawn["radius"], drawn["from"]) == (50.45, 30.52, 2000.0,
                                                                            "2022-03-01")  # fmt: skip
    assert http.get("/static/unit-map.js").status_code == 200


@SQLITE_ONLY
def test_a_reader_sees_no_form_and_may_not_write(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "vera")
    corps = world["corps"]
    page = http.get(f"/units/{corps}").text
    assert 'id="alias-form"' not in page and 'id="commander-form"' not in page
    assert "/units/new" not in http.get("/units").text
    assert http.get("/units/new").status_code == 403
    assert http.get(f"/units/{corps}/edit").status_code == 403
    for path, data in (
        ("/units", {"name": "Mine"}),
        (f"/units/{corps}/edit", {"name": "Mine"}),
        (f"/units/{corps}/aliases", {"alias_name": "Моя", "script": "Cyrl"}),
        (f"/units/{corps}/commanders", {"name": "Me"}),
        (f"/units/{corps}/involvements", {"incident_id": world["incident"], "degree": "present"}),
    ):
        assert post(http, path, data).status_code == 403, path
    assert len(units.list_units(instance)) == 2
    assert len(units.versions(instance, corps)) == 1


@SQLITE_ONLY
def test_the_unit_pages_are_in_ukrainian(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    corps = world["corps"]
    units.add_alias(instance, corps, "Третій корпус", "Cyrl", "uk")
    units.add_commander(instance, corps, name="Col. A", from_date="2021")
    units.involve(instance, corps, world["incident"], "present")
    placements.place(instance, corps, latitude="50.45", longitude="30.52", radius_m="2000")
    http = client_for(site, "dana")
    http.cookies.set("testament_lang", "uk")
    data = {"Southern Army", "3rd Corps", "Strike", "Col. A", "Case A", "dana"}
    for path in ("/units", f"/units/{corps}", f"/units/{corps}/edit", "/units/new"):
        page = http.get(path)
        assert page.status_code == 200, path
        assert _english_words(main(page.text), data) == [], path
    refused = post(http, f"/units/{corps}/commanders", {"name": "X", "from_date": "2022-05",
                                                        "to_date": "2022-01"})  # fmt: skip
    assert "Командування закінчується раніше, ніж починається." in refused.text
