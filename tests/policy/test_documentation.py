"""Documentation asks the policy: every use case refuses an account without the role it needs.

Each call acts on a record of Case B (tests/policy/conftest.py). The actions mirror the API's routes
and the web pages: reading a case's records needs a role on it, documenting them the documenter role,
legal qualification and verification the analyst role. Units and the gazetteer are shared reference
data: anyone signed in reads them, a documenter of any case documents units, and only an administrator
loads areas or rebuilds the search index.
"""

from __future__ import annotations

from typing import Any

from testament.custody.instance import Instance
from testament.documentation import (
    bulk,
    evidence,
    facets,
    gazetteer,
    incidents,
    item_uses,
    legal,
    people,
    place_search,
    placements,
    proof_chart,
    relations,
    saved_searches,
    search,
    snippets,
    sources,
    tags,
    timeline,
    units,
)
from testament.domain.access import NOBODY
from testament.errors import PermissionDenied
from testament.search.base import SearchHit, SearchQuery
from tests.api.test_hidden_records import AREAS
from tests.policy.conftest import (
    ADMIN,
    DOCUMENTER,
    DOCUMENTERS_TOO,
    NOT_ADMIN,
    STRANGER,
    VIEWER,
    WRITE,
    UseCase,
    as_account,
    fresh,
    refusals,
)

SHARED = ()  # shared reference data: read by anyone signed in (nobody is refused: see below)
VIEWER_ONLY = (
    VIEWER,
)  # a shared write: any role allowing it on some case will do (anna's on Case A)


def _hit(world: dict[str, Any]) -> SearchHit:
    return SearchHit(world["source_id"], "source", world["case_b"], "Channel post", None, None, 1.0)


USE_CASES: dict[str, UseCase] = {
    # Incidents
    "incidents.create": UseCase(
        lambda i, w: incidents.create(i, "Case B", incidents.IncidentInput(title="Shelling")),
        refuses=WRITE,
    ),
    "incidents.edit": UseCase(
        lambda i, w: incidents.edit(i, w["incident_id"], {"description": "at dawn"}),
        refuses=WRITE,
    ),
    "incidents.add_casualty": UseCase(
        lambda i, w: incidents.add_casualty(i, w["incident_id"], category="killed", count=1),
        refuses=WRITE,
    ),
    "incidents.relate": UseCase(
        lambda i, w: incidents.relate(i, w["second"], w["incident_id"], "related"), refuses=WRITE
    ),
    "incidents.show": UseCase(lambda i, w: incidents.show(i, w["incident_id"])),
    "incidents.list_for_case": UseCase(lambda i, w: incidents.list_for_case(i, "Case B")),
    "incidents.timeline": UseCase(lambda i, w: incidents.timeline(i, "Case B")),
    "incidents.map_points": UseCase(lambda i, w: incidents.map_points(i, "Case B")),
    "timeline.spans": UseCase(lambda i, w: timeline.spans(i, "Case B")),
    "incidents.versions": UseCase(lambda i, w: incidents.versions(i, "incident", w["incident_id"])),
    # Sources
    "sources.create": UseCase(
        lambda i, w: sources.create(i, "Case B", kind="document", title="Leaflet"), refuses=WRITE
    ),
    "sources.edit": UseCase(
        lambda i, w: sources.edit(i, w["source_id"], {"description": "a repost"}), refuses=WRITE
    ),
    "sources.link_incident": UseCase(
        lambda i, w: sources.link_incident(i, w["source_id"], w["second"]), refuses=WRITE
    ),
    "sources.show": UseCase(lambda i, w: sources.show(i, w["source_id"])),
    "sources.list_for_case": UseCase(lambda i, w: sources.list_for_case(i, "Case B")),
    "sources.versions": UseCase(lambda i, w: sources.versions(i, w["source_id"])),
    # People (documentation records of people in a case; their identities are the vault's)
    "people.create": UseCase(lambda i, w: people.create(i, "Case B", "W-2"), refuses=WRITE),
    "people.edit": UseCase(
        lambda i, w: people.edit(i, w["person_id"], {"description": "a neighbour"}), refuses=WRITE
    ),
    "people.add_role": UseCase(
        lambda i, w: people.add_role(i, w["person_id"], w["second"], "victim"), refuses=WRITE
    ),
    "people.show": UseCase(lambda i, w: people.show(i, w["person_id"])),
    "people.list_for_case": UseCase(lambda i, w: people.list_for_case(i, "Case B")),
    "people.versions": UseCase(lambda i, w: people.versions(i, w["role_id"], "person-role")),
    # Evidence
    "evidence.link": UseCase(
        lambda i, w: evidence.link(i, w["item_id"], w["second"], "the same crater, later"),
        refuses=WRITE,
    ),
    "evidence.assess": UseCase(
        lambda i, w: evidence.assess(
            i, w["item_id"], axis="source", status="verified", method="reverse image search"
        ),
        refuses=DOCUMENTERS_TOO,
    ),
    "evidence.set_external_id": UseCase(
        lambda i, w: evidence.set_external_id(
            i, w["item_id"], scheme="ICC-ERN", value="UKR-OTP-0001-0001", assigned_by="ICC Registry"
        ),
        refuses=WRITE,
    ),
    "evidence.show": UseCase(lambda i, w: evidence.show(i, w["item_id"])),
    "evidence.list_for_case": UseCase(lambda i, w: evidence.list_for_case(i, "Case B")),
    "evidence.names": UseCase(lambda i, w: evidence.names(i, [w["item_id"]])),
    "item_uses.uses": UseCase(lambda i, w: item_uses.uses(i, w["item_id"])),
    "evidence.versions": UseCase(lambda i, w: evidence.versions(i, w["evidence-links"])),
    # Legal qualification
    "legal.qualify": UseCase(
        lambda i, w: legal.qualify(i, w["second"], "CAH-MURDER"), refuses=DOCUMENTERS_TOO
    ),
    "legal.link_element": UseCase(
        lambda i, w: legal.link_element(
            i, w["item_id"], w["incident_id"], "CAH-MURDER", "E1", stance="contradicts"
        ),
        refuses=DOCUMENTERS_TOO,
    ),
    "legal.suggest": UseCase(lambda i, w: legal.suggest(i, w["incident_id"])),
    "legal.reject_suggestion": UseCase(
        lambda i, w: legal.reject_suggestion(i, w["incident_id"], "WC-ATT-CIV", "no attack"),
        refuses=DOCUMENTERS_TOO,
    ),
    "legal.element_links": UseCase(lambda i, w: legal.element_links(i, w["incident_id"])),
    "proof_chart.chart": UseCase(lambda i, w: proof_chart.chart(i, "Case B")),
    # Units: shared, but what links one to a case is that case's
    "units.create": UseCase(lambda i, w: units.create(i, "2nd Brigade"), refuses=VIEWER_ONLY),
    "units.edit": UseCase(
        lambda i, w: units.edit(i, "1st Brigade", {"country": "UA"}), refuses=VIEWER_ONLY
    ),
    "units.add_alias": UseCase(
        lambda i, w: units.add_alias(i, "1st Brigade", "Перша бригада", "Cyrl", "uk"),
        refuses=VIEWER_ONLY,
    ),
    "units.add_commander": UseCase(  # recorded as a person of Case B: a record of Case B
        lambda i, w: units.add_commander(i, "1st Brigade", name="Maj. Y", person_id=w["person_id"]),
        refuses=WRITE,
    ),
    "units.involve": UseCase(
        lambda i, w: units.involve(i, "1st Brigade", w["incident_id"], "suspected"),
        refuses=WRITE,
    ),
    "units.versions": UseCase(lambda i, w: units.versions(i, w["commander_id"], "unit-commander")),
    "units.list_units": UseCase(lambda i, w: units.list_units(i), refuses=SHARED),
    "units.show": UseCase(lambda i, w: units.show(i, "1st Brigade"), refuses=SHARED),
    "units.resolve": UseCase(lambda i, w: units.resolve(i, "1st Brigade"), refuses=SHARED),
    "placements.place": UseCase(
        lambda i, w: placements.place(i, "1st Brigade", area="Kharkiv", from_date="2022-03"),
        refuses=VIEWER_ONLY,
    ),
    "placements.placements": UseCase(
        lambda i, w: placements.placements(i, "1st Brigade"), refuses=SHARED
    ),
    "placements.unplace": UseCase(
        lambda i, w: placements.unplace(i, w["placement_id"], "wrong unit"), refuses=VIEWER_ONLY
    ),
    # The gazetteer: shared, loaded by administrators
    "gazetteer.areas": UseCase(lambda i, w: gazetteer.areas(i), refuses=SHARED),
    "gazetteer.areas_geojson": UseCase(lambda i, w: gazetteer.areas_geojson(i), refuses=SHARED),
    "gazetteer.areas_named": UseCase(lambda i, w: gazetteer.areas_named(i, "Kyiv"), refuses=SHARED),
    "gazetteer.locate": UseCase(lambda i, w: gazetteer.locate(i, 50.45, 30.52), refuses=SHARED),
    # By incident first (the case found from the incident), then by case: one gate for both.
    "gazetteer.situation_of": UseCase(
        lambda i, w: (
            gazetteer.situation_of(i, incident_id=w["incident_id"]),
            gazetteer.situation_of(i, case="Case B"),
        )
    ),
    "place_search.search_places": UseCase(
        lambda i, w: place_search.search_places(i, "Ky"), refuses=SHARED
    ),
    "gazetteer.load": UseCase(
        lambda i, w: gazetteer.load(i, AREAS, level=1, name_field="NAME_1", code_field="HASC_1"),
        refuses=NOT_ADMIN,
    ),
    # Search: kept to the cases the account may read; the index is rebuilt by administrators
    "search.search": UseCase(
        lambda i, w: search.search(i, SearchQuery("strike"), search.Filters(cases=["Case B"]))
    ),
    "search.described": UseCase(lambda i, w: search.described(i, [_hit(w)])),
    "search.reindex": UseCase(lambda i, w: search.reindex(i), refuses=NOT_ADMIN),
    # Facets, snippets, saved searches (their owner's alone) and relations (docs/search.md)
    "facets.incident_page": UseCase(lambda i, w: facets.incident_page(i, "Case B")),
    "search.facets_of_search": UseCase(
        lambda i, w: search.facets_of_search(
            i, SearchQuery("strike"), search.Filters(cases=["Case B"])
        )
    ),
    "snippets.with_snippets": UseCase(lambda i, w: snippets.with_snippets(i, [_hit(w)], "post")),
    "saved_searches.save": UseCase(
        lambda i, w: saved_searches.save(i, fresh("Mine"), "strike"), refuses=SHARED
    ),
    "saved_searches.saved": UseCase(lambda i, w: saved_searches.saved(i), refuses=SHARED),
    "saved_searches.one": UseCase(
        lambda i, w: saved_searches.one(i, w["saved_id"]),
        refuses=(STRANGER, DOCUMENTER),
        allowed_as=VIEWER,
    ),
    "saved_searches.delete": UseCase(
        lambda i, w: saved_searches.delete(i, w["saved_id"]),
        refuses=(STRANGER, DOCUMENTER),
        allowed_as=VIEWER,
    ),
    "relations.related": UseCase(lambda i, w: relations.related(i, w["incident_id"])),
    "relations.choices": UseCase(lambda i, w: relations.choices(i, w["incident_id"])),
    "relations.relate_to": UseCase(
        lambda i, w: relations.relate_to(i, w["incident_id"], w["second"], "related"),
        refuses=WRITE,
    ),
    "relations.unrelate": UseCase(
        lambda i, w: relations.unrelate(i, w["relation_id"]), refuses=WRITE
    ),
    # Deletions last, and never run as someone allowed: they would spoil the world
    "evidence.unlink": UseCase(
        lambda i, w: evidence.unlink(i, w["evidence-links"]), refuses=WRITE, allowed_as=None
    ),
    "people.remove_role": UseCase(
        lambda i, w: people.remove_role(i, w["role_id"]), refuses=WRITE, allowed_as=None
    ),
    "people.delete": UseCase(
        lambda i, w: people.delete(i, w["person_id"]), refuses=WRITE, allowed_as=None
    ),
    "legal.unlink_element": UseCase(
        lambda i, w: legal.unlink_element(i, w["element-links"]),
        refuses=DOCUMENTERS_TOO,
        allowed_as=None,
    ),
    "legal.withdraw_qualification": UseCase(
        lambda i, w: legal.withdraw_qualification(i, w["qualification_id"], reason="unfounded"),
        refuses=DOCUMENTERS_TOO,
        allowed_as=None,
    ),
    "sources.delete": UseCase(
        lambda i, w: sources.delete(i, w["source_id"]), refuses=WRITE, allowed_as=None
    ),
    "incidents.delete": UseCase(
        lambda i, w: incidents.delete(i, w["incident_id"]), refuses=WRITE, allowed_as=None
    ),
    "units.delete": UseCase(
        lambda i, w: units.delete(i, "1st Brigade"), refuses=VIEWER_ONLY, allowed_as=None
    ),
    # Tags and bulk links: a documenter's on every record; reading them, a reader's.
    "tags.add": UseCase(lambda i, w: tags.add(i, "item", [w["item_id"]], "crater"), refuses=WRITE),
    "tags.remove": UseCase(
        lambda i, w: tags.remove(i, "incident", [w["incident_id"]], "crater"), refuses=WRITE
    ),
    "tags.of_record": UseCase(lambda i, w: tags.of_record(i, "incident", w["incident_id"])),
    "tags.of_case": UseCase(lambda i, w: tags.of_case(i, "Case B")),
    "tags.tagged": UseCase(lambda i, w: tags.tagged(i, "Case B", "item", "crater")),
    "tags.tagged_records": UseCase(lambda i, w: tags.tagged_records(i, "Case B", "crater")),
    "bulk.link_items": UseCase(
        lambda i, w: bulk.link_items(i, [w["item_id"]], w["second"], "the same crater"),
        refuses=WRITE,
    ),
}

GENERIC = "the one implementation of each record kind's use case, asked here through them"
NOT_USE_CASES: dict[str, str] = {
    "records.create": GENERIC,
    "records.edit": GENERIC,
    "records.delete": GENERIC,
    "records.show": GENERIC,
    "records.listed": GENERIC,
    "records.versions": GENERIC,
    "records.versions_of_any": GENERIC,
}


def _more(instance: Instance, world: dict[str, Any]) -> dict[str, Any]:
    """The records of Case B that the shared world names no key for."""
    listed = incidents.list_for_case(instance, "Case B")
    world["second"] = next(i.id for i in listed if i.id != world["incident_id"])
    world["case_b"] = incidents.show(instance, world["incident_id"]).case_id
    world["commander_id"] = units.show(instance, "1st Brigade").commanders[0].id
    world["placement_id"] = placements.place(
        instance, "1st Brigade", latitude=50.45, longitude=30.52, radius_m=1000
    )
    world["relation_id"] = incidents.relate(
        instance, world["incident_id"], world["second"], "follows"
    )
    world["saved_id"] = saved_searches.save(as_account(instance, VIEWER), "Vera's", "strike").id
    return world


def test_each_use_case_refuses_an_account_without_the_role(
    instance: Instance, world: dict[str, Any]
) -> None:
    failures = refusals(instance, _more(instance, world), USE_CASES)
    print("\n".join(failures))
    assert failures == []


def test_shared_reference_data_is_read_by_anyone_signed_in_and_by_nobody_else(
    instance: Instance, world: dict[str, Any]
) -> None:
    """The use cases that refuse no account (units and areas, read by every case) refuse whoever
    is not signed in, and no account."""
    _more(instance, world)
    shared = [name for name, use_case in USE_CASES.items() if not use_case.refuses]
    assert shared, "the table names the shared reads"
    nobody = instance.acting_for(NOBODY)
    failures: list[str] = []
    for name in shared:
        try:
            USE_CASES[name].call(nobody, world)
        except PermissionDenied:
            pass
        else:
            failures.append(f"{name}: nobody was not refused")
        for username in (STRANGER, VIEWER, DOCUMENTER, ADMIN):
            try:
                USE_CASES[name].call(as_account(instance, username), world)
            except PermissionDenied as exc:
                failures.append(f"{name}: {username} was refused: {exc}")
    assert failures == [], "\n".join(failures)


def test_a_search_finds_only_the_cases_the_account_may_read(
    instance: Instance, world: dict[str, Any]
) -> None:
    def found(username: str) -> set[str]:
        hits = search.search(as_account(instance, username), SearchQuery("strike")).hits
        return {hit.doc_id for hit in hits}

    assert world["incident_id"] in found(ADMIN)
    assert world["incident_id"] in found(VIEWER)
    assert found(STRANGER) == set()
