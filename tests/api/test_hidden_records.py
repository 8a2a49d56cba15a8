"""Another case's records stay hidden: through shared records, and before a request is validated.

Units, places (the gazetteer), sources and situations are read by people of many cases. What links them
to a case (a unit's involvement in an incident, a commander recorded as a person, a casualty figure's
source) is shown only to those with a role on that case; the filter is in the services, so the API, the
pages and the CLI give the same answer. And every route that names a record in its path answers a record
of a case the caller may not read exactly as a missing one, 404, even when the body or the query is
invalid, so a 422 never tells that the record exists (docs/api.md, docs/accounts.md).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import cases, ingest
from testament.custody.instance import Instance, acting_as
from testament.documentation import evidence, gazetteer, incidents, legal, people, sources, units
from testament.errors import NotFound
from testament.pipeline import captures
from testament.survivors import consent, directory, identity, referrals, training
from testament.transfer import disclosure
from tests.conftest import SQLITE_ONLY
from tests.services.test_referrals import consent_to_referral
from tests.services.test_testimony import GRANT, assess, take

OPERATOR = "operator-token-0123456789"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
MISSING = "00000000-0000-7000-8000-000000000000"
AREAS = (
    Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer" / "ukraine-adm1-sample.geojson"
)
# The shared record kinds, and the routes that show each to anyone signed in.
SHARED_READS = {
    "units": ["/units", "/units/1st Brigade", "/records/unit/{unit}/versions"],
    "places": [
        "/gazetteer/areas",
        "/gazetteer/areas.geojson?level=1",
        "/gazetteer/find?name=Kyiv",
        "/gazetteer/locate?latitude=50.45&longitude=30.52",
    ],
    "sources": ["/sources/{source A}", "/sources?case=Case A"],
    "situations": ["/situations", "/cases"],
}
# Path parameters that name no record of a case: shared or instance-wide things. A registry request
# is decided by the holding case's coordinator, whom the registry service itself asks for.
NOT_CASE_RECORDS = {
    "unit", "code", "username", "topic", "token_id", "request_id", "situation", "placement_id",
    "search_id",
}  # fmt: skip


def _build(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    """Case A, where anna is an analyst; Case B, holding a record of every kind that has a route."""
    ids: dict[str, Any] = {}
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
    cases.create_situation(
        instance, cases.situation_values("Full-scale invasion", conflict="international")
    )
    cases.assign_situation(instance, "Case B", "Full-scale invasion")
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", code_field="HASC_1")
    spot = {"date": "2022-03-01", "latitude": 50.45, "longitude": 30.52}
    first = incidents.create(instance, "Case B", incidents.IncidentInput(title="Strike", **spot))
    second = incidents.create(instance, "Case B", incidents.IncidentInput(title="Second strike"))
    ids["incident_id"] = first
    ids["source_id"] = sources.create(instance, "Case B", kind="url", title="Channel post",
                                      url="https://example.org/post")  # fmt: skip
    ids["person_id"], _ = identity.add_person(instance, "Case B", identity.Identity(name="Olha K."))
    consent.grant(instance, ids["person_id"], GRANT)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(b"\xff\xd8 a photo of the strike")
    ids["item_id"] = ingest.ingest(instance, [folder], case_name="Case B").results[0].item_id
    ids["evidence-links"] = evidence.link(
        instance, ids["item_id"], first, "shows the crater", source_id=ids["source_id"]
    )
    incidents.add_casualty(instance, first, category="injured", count=2, source_id=ids["source_id"])
    incidents.relate(instance, first, second, "follows")
    ids["role_id"] = people.add_role(instance, ids["person_id"], first, "witness")
    ids["qualification_id"] = legal.qualify(instance, first, "CAH-MURDER").id
    ids["element-links"] = legal.link_element(
        instance, ids["item_id"], first, "CAH-MURDER", "E1", stance="supports"
    )
    directory.add_service(instance, "Clinic", ["medical"], "Kyiv", "+380 44")
    (ids["need_id"],) = referrals.assess_needs(
        instance, ids["person_id"], [("medical", "urgent", "a wound that needs dressing")]
    )
    consent_to_referral(instance, ids["person_id"])
    ids["referral_id"] = referrals.refer(instance, ids["need_id"], "Clinic")
    ids["approval_id"] = disclosure.request(
        instance, "Case B", "national-prosecutor", "criminal-investigation", "Office X"
    )
    accounts.create_user(instance, "iryna", PASSWORD)
    accounts.grant_role(instance, "iryna", "Case B", "documenter")
    training.record(instance, "iryna", "trauma-informed-interviewing", attested_on="2020-01-01")
    ids["testimony_id"] = take(instance, ids["person_id"], assess(instance, ids["person_id"]))
    # A web capture asked for (a local address, allowed here: nothing is fetched until a worker runs).
    local = replace(instance, settings=replace(instance.settings, capture_allow_private=True))
    ids["capture_id"] = captures.request_capture(
        local, "http://127.0.0.1:9/", case_name="Case B"
    ).id
    ids["unit"] = units.create(instance, "1st Brigade")
    units.involve(instance, "1st Brigade", first, "present", "seen at the crossing")
    units.add_commander(instance, "1st Brigade", name="Col. X", person_id=ids["person_id"])
    ids["source A"] = sources.create(instance, "Case A", kind="document", title="Report")
    ids["anna"] = accounts.create_user(instance, "anna", PASSWORD)
    accounts.grant_role(instance, "anna", "Case A", "analyst")
    accounts.create_user(instance, "root", PASSWORD, admin=True)
    return ids


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    ids = _build(instance, tmp_path)
    app = create_app(instance, api_token=OPERATOR)
    for username in ("anna", "root"):
        _, secret = credentials.create_token(instance, username, "tests", scope="write")
        ids[f"http {username}"] = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    ids["app"] = app
    return ids


def _case_b_ids(world: dict[str, Any]) -> list[str]:
    keys = (
        "incident_id",
        "source_id",
        "person_id",
        "item_id",
        "role_id",
        "need_id",
        "testimony_id",
    )
    return [str(world[k]) for k in keys]


# --- Shared records ---------------------------------------------------------------------------------


def test_shared_records_show_no_link_to_a_case_the_reader_has_no_role_on(
    world: dict[str, Any],
) -> None:
    anna, root = world["http anna"], world["http root"]
    hidden = _case_b_ids(world)
    for kind, paths in SHARED_READS.items():
        for path in paths:
            url = path.format(unit=world["unit"], **{"source A": world["source A"]})
            response = anna.get(url)
            assert response.status_code == 200, (kind, url, response.text)
            assert not [i for i in hidden if i in response.text], (kind, url)
            assert "Case B" not in response.text, (kind, url)
    shown = anna.get("/units/1st Brigade").json()["unit"]
    assert shown["incidents"] == [] and [c["person_id"] for c in shown["commanders"]] == [None]
    assert shown["commanders"][0]["name"] == "Col. X"  # the unit's own record stays shared
    full = root.get("/units/1st Brigade").json()["unit"]
    assert [i["incident_id"] for i in full["incidents"]] == [world["incident_id"]]
    assert [c["person_id"] for c in full["commanders"]] == [world["person_id"]]
    # A commander recorded as a person of a case is that case's: its history is hidden with it.
    commander = full["commanders"][0]["id"]
    history = anna.get(f"/records/unit-commander/{commander}/versions")
    missing = anna.get(f"/records/unit-commander/{MISSING}/versions")
    assert history.status_code == missing.status_code == 404
    assert history.json()["error"] == missing.json()["error"]
    assert root.get(f"/records/unit-commander/{commander}/versions").status_code == 200


def test_the_services_filter_for_the_acting_account(
    instance: Instance, world: dict[str, Any]
) -> None:
    """The filter is in the service: the CLI (no account) sees every link, an account only its own."""
    assert len(units.show(instance, "1st Brigade").incidents) == 1
    with acting_as(world["anna"]):
        assert units.show(instance, "1st Brigade").incidents == []
        with pytest.raises(NotFound, match="no person has this ID"):
            units.add_commander(
                instance, "1st Brigade", name="Maj. Y", person_id=world["person_id"]
            )
        with pytest.raises(NotFound, match="no person has this ID"):
            units.add_commander(instance, "1st Brigade", name="Maj. Y", person_id=MISSING)


def test_a_casualty_cannot_cite_another_cases_source(instance: Instance) -> None:
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
    elsewhere = sources.create(instance, "Case B", kind="document", title="Report")
    incident = incidents.create(instance, "Case A", incidents.IncidentInput(title="Shelling"))
    for source in (elsewhere, MISSING):  # said alike, so the incident's readers learn nothing
        with pytest.raises(NotFound, match="no source of the incident's case has this ID"):
            incidents.add_casualty(
                instance, incident, category="injured", count=1, source_id=source
            )
    here = sources.create(instance, "Case A", kind="document", title="Report")
    incidents.add_casualty(instance, incident, category="injured", count=1, source_id=here)


# --- Validation never runs before the permission check ------------------------------------------------


def _parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


def _record_routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) of the API (from its OpenAPI document) that names a case's record."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        names = set(_parameters(path))
        unknown = names - NOT_CASE_RECORDS - {"fmt", "kind"} - set(HIDDEN_PARAMETERS)
        assert not unknown, f"classify the path parameter {unknown} of {path} here"
        if names & set(HIDDEN_PARAMETERS):
            found.extend((method.upper(), path) for method in sorted(operations))
    return found


HIDDEN_PARAMETERS = (
    "case", "case_name", "incident_id", "item_id", "source_id", "person_id", "qualification_id",
    "role_id", "need_id", "referral_id", "testimony_id", "approval_id", "link_id", "record_id",
    "capture_id",
)  # fmt: skip
# Invalid whatever the route: a field no body has, and query values out of every range.
BAD_BODY = {"no such field": ["x"], "count": -1, "title": "", "level": "high"}
BAD_QUERY = {"limit": "0", "offset": "-1", "expected_version": "0", "zoom": "99", "level": "-1",
             "format": "nonsense", "fmt": "nonsense", "bbox": "x", "on": "yesterday",
             "purpose": "p" * 2000, "reason": "r" * 2000, "filename": "f" * 2000}  # fmt: skip


def _values(world: dict[str, Any], route: str, *, hidden: bool) -> dict[str, str]:
    link = "element-links" if route.startswith("/element-links/") else "evidence-links"
    if hidden:
        values = {name: str(world.get(name, "")) for name in HIDDEN_PARAMETERS}
        values |= {"case": "Case B", "case_name": "Case B", "link_id": str(world[link])}
        values["record_id"] = str(world["incident_id"])
    else:
        values = dict.fromkeys(HIDDEN_PARAMETERS, MISSING) | {
            "case": "Case Z",
            "case_name": "Case Z",
        }
    return values | {"kind": "incident", "fmt": "jsonl"}


@SQLITE_ONLY  # the order of checks in a request; the storage is tested above on both
def test_every_route_answers_another_cases_record_as_a_missing_one(world: dict[str, Any]) -> None:
    anna = world["http anna"]
    routes = _record_routes(world["app"])
    assert len(routes) > 50
    for method, route in routes:
        calls = []
        for hidden in (True, False):
            url = _fill(route, _values(world, route, hidden=hidden))
            body = None if method in ("GET", "DELETE") else BAD_BODY
            calls.append(anna.request(method, url, params=BAD_QUERY, json=body))
        seen, missing = calls
        assert seen.status_code == 404, (method, route, seen.text)
        if route == "/cases/{case_name}/import/{fmt}":
            continue  # it creates an absent case, so an absent one goes on to be validated
        assert missing.status_code == 404, (method, route, missing.text)
        strip = ("where",)
        assert {k: v for k, v in seen.json().items() if k not in strip} == {
            k: v for k, v in missing.json().items() if k not in strip
        }, (method, route)
    # A record the caller may see is validated as before.
    root = world["http root"]
    assert root.patch(f"/incidents/{world['incident_id']}", json=BAD_BODY).status_code == 422
