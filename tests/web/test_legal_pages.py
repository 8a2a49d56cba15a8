"""Legal qualification from the incident page, and the proof chart page (web/legal.py).

Each form posts through the use cases of documentation.legal; a refused one comes back (422, or 409 when
it conflicts with what is recorded) with the reason on the page and nothing written; a reader is refused
before anything is checked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts
from testament.custody import cases, custody_log, ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents, legal
from testament.review import workflow
from tests.conftest import SQLITE_ONLY
from tests.policy.conftest import as_account
from tests.web.conftest import PASSWORD, csrf_token, open_with_purpose, signed_in

pytestmark = SQLITE_ONLY


@pytest.fixture
def desk(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    """Case A: an attack on civilians with two items linked and one not; Case B with its own item;
    an analyst and a viewer of Case A."""
    ids: dict[str, Any] = {}
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
    ids["incident"] = incidents.create(
        instance,
        "Case A",
        incidents.IncidentInput(title="Strike on a market", types=["attack-on-civilians"]),
    )
    folder = tmp_path / "a"
    folder.mkdir()
    for name in ("photo-1.jpg", "відео-2.mp4", "loose.txt"):
        (folder / name).write_bytes(os.urandom(400))
    found = ingest.ingest(instance, [folder], case_name="Case A").results
    named = {Path(r.path).name: r.item_id for r in found}
    ids["items"] = [named["photo-1.jpg"], named["відео-2.mp4"]]
    ids["loose"] = named["loose.txt"]
    for item_id in ids["items"]:
        evidence.link(instance, item_id, ids["incident"], "shows the strike")
    other = tmp_path / "b"
    other.mkdir()
    (other / "b.bin").write_bytes(os.urandom(50))
    ids["item B"] = ingest.ingest(instance, [other], case_name="Case B").results[0].item_id
    for user, role in (("alma", "analyst"), ("vera", "viewer"), ("dana", "documenter")):
        accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, "Case A", role)
    return ids


def _page(http: TestClient, path: str) -> tuple[str, dict[str, str]]:
    shown = http.get(path)
    assert shown.status_code == 200, shown.text
    return shown.text, {"X-CSRF-Token": csrf_token(shown.text)}


def _log_size(instance: Instance) -> int:
    return custody_log.status(instance).size


def _qualify(http: TestClient, incident: str, code: str = "CAH-MURDER", **more: str) -> Any:
    _, csrf = _page(http, f"/incidents/{incident}")
    return http.post(
        f"/incidents/{incident}/qualifications", headers=csrf, data={"crime_code": code} | more
    )


def _link(http: TestClient, incident: str, qualification: str, item: str, element: str,
          **more: str) -> Any:  # fmt: skip
    _, csrf = _page(http, f"/incidents/{incident}")
    data = {"qualification_id": qualification, "crime_code": "CAH-MURDER", "element_id": element,
            "item_id": item, "stance": "supports", "confidence": "high"} | more  # fmt: skip
    return http.post(f"/incidents/{incident}/element-links", headers=csrf, data=data)


def _qualification(instance: Instance, incident: str, code: str = "CAH-MURDER") -> str:
    return next(
        q.id for q in incidents.show(instance, incident).qualifications if q.crime_code == code
    )


def test_an_analyst_qualifies_links_two_elements_and_the_chart_shows_them(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = signed_in(site, "alma")
    incident = desk["incident"]
    page, _ = _page(http, f"/incidents/{incident}")
    assert 'id="legal"' in page and 'id="legal-qualify"' in page
    assert '<optgroup label="Article 7: crimes against humanity">' in page
    assert '<optgroup label="Article 8: war crimes">' in page
    assert '<option value="CAH-MURDER">Murder (CAH-MURDER)</option>' in page
    assert '<label for="legal-qualify-crime">' in page and 'for="legal-qualify-note"' in page
    made = _qualify(http, incident, note="two killed at the stalls")
    assert made.status_code == 303 and made.headers["location"] == f"/incidents/{incident}#legal"
    qualification = _qualification(instance, incident)
    page, _ = _page(http, f"/incidents/{incident}")
    assert "two killed at the stalls" in page and f'id="legal-link-{qualification}"' in page
    assert page.count("Gap: no evidence linked") == 3  # E1 and the two contextual elements
    part = page[page.index('<section id="legal"') :]
    assert f'value="{desk["loose"]}"' not in part[: part.index("</section>")]  # the incident's only

    photo, video = desk["items"]
    assert _link(http, incident, qualification, photo, "E1", note="bodies seen").status_code == 303
    assert _link(http, incident, qualification, video, "CTX-CAH.C1").status_code == 303
    page, _ = _page(http, f"/incidents/{incident}")
    assert (
        f'href="/evidence/{photo}">photo-1.jpg</a> supports (high confidence): bodies seen' in page
    )
    assert page.count("Gap: no evidence linked") == 1

    chart, _ = _page(http, "/cases/Case A/proof-chart")
    for element, item, name in (("E1", photo, "photo-1.jpg"), ("CTX-CAH.C1", video, "відео-2.mp4")):
        row = re.search(
            rf'<tr class="status-supported" id="element-CAH-MURDER-{re.escape(element)}".*?</tr>',
            chart,
            re.S,
        )
        assert row is not None, element
        assert "Supported" in row.group(0) and "✓" in row.group(0)
        assert f'<a href="/evidence/{item}">{name}</a>' in row.group(0)
        assert f'<a href="/incidents/{incident}">Strike on a market</a>' in row.group(0)
    gap = re.search(
        r'<tr class="status-gap" id="element-CAH-MURDER-CTX-CAH\.C2".*?</tr>', chart, re.S
    )
    assert gap is not None and "Gap: no supporting item" in gap.group(0) and "✗" in gap.group(0)
    assert (
        "Elements with no supporting evidence: 1" in chart and "Gaps:</strong> CTX-CAH.C2" in chart
    )


def test_the_chart_says_which_supporting_items_a_second_person_verified(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    """A review step updates the chart: the cited item's state, and the verified count of its row."""
    alma = as_account(instance, "alma")
    incident = desk["incident"]
    legal.qualify(alma, incident, "CAH-MURDER")
    photo, video = desk["items"]
    for item in (photo, video):
        legal.link_element(alma, item, incident, "CAH-MURDER", "E1", stance="supports")
    http = signed_in(site, "alma")

    def e1() -> str:
        chart, _ = _page(http, "/cases/Case A/proof-chart")
        row = re.search(r'id="element-CAH-MURDER-E1".*?</tr>', chart, re.S)
        assert row is not None
        return row.group(0)

    assert "Verified by a second person: 0 of 2 supporting items" in e1()
    assert e1().count('data-review="unverified"') == 2 and "[New]" in e1()
    workflow.transition(alma, [("item", photo)], "verified", note="geolocated")
    row = e1()
    assert "Verified by a second person: 1 of 2 supporting items" in row
    assert re.search(
        rf'href="/evidence/{photo}">photo-1.jpg</a> <span [^>]*data-review="verified"', row
    )
    assert '[<span aria-hidden="true">✓</span> Verified]' in row
    workflow.transition(alma, [("item", photo)], "disputed")
    assert "Verified by a second person: 0 of 2 supporting items" in e1()


def test_the_forms_answer_htmx_in_place(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = signed_in(site, "alma")
    incident = desk["incident"]
    _, csrf = _page(http, f"/incidents/{incident}")
    htmx = csrf | {"HX-Request": "true"}
    done = http.post(f"/incidents/{incident}/qualifications", headers=htmx,
                     data={"crime_code": "CAH-MURDER"})  # fmt: skip
    assert done.status_code == 200 and done.headers["HX-Redirect"] == f"/incidents/{incident}"
    again = http.post(f"/incidents/{incident}/qualifications", headers=htmx,
                      data={"crime_code": "CAH-MURDER", "note": "typed"})  # fmt: skip
    assert again.status_code == 409 and 'id="legal"' in again.text
    assert "this incident already carries CAH-MURDER" in again.text
    assert "typed</textarea>" in again.text  # what was typed is still there


def test_bad_inputs_are_refused_on_the_page_and_nothing_is_written(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = signed_in(site, "alma")
    incident = desk["incident"]
    before = _log_size(instance)
    unknown = _qualify(http, incident, "CAH-MURDERS")
    assert unknown.status_code == 422 and "is not a crime code of the taxonomy" in unknown.text
    assert 'role="alert"' in unknown.text and "did you mean CAH-MURDER" in unknown.text
    assert 'id="legal-qualify"' in unknown.text and 'value="CAH-MURDER"' in unknown.text
    empty = _qualify(http, incident, "")
    assert empty.status_code == 422 and "is not a crime code" in empty.text
    assert _log_size(instance) == before

    assert _qualify(http, incident).status_code == 303
    qualification = _qualification(instance, incident)
    before = _log_size(instance)
    photo = desk["items"][0]
    for item, element, reason in (
        (photo, "CTX-WC-IAC.C1", "is not an element of CAH-MURDER"),
        (photo, "E9", "is not an element of CAH-MURDER"),
        (desk["loose"], "E1", "this evidence item is not linked to the incident"),
        (desk["item B"], "E1", "this evidence item is not linked to the incident"),
    ):
        refused = _link(http, incident, qualification, item, element)
        assert refused.status_code == 422, (item, element)
        assert reason in refused.text and f'id="legal-link-{qualification}"' in refused.text
    no_stance = _link(http, incident, qualification, photo, "E1", stance="")
    assert no_stance.status_code == 422 and "is not a stance" in no_stance.text
    assert _log_size(instance) == before
    assert legal.element_links(instance, incident) == []


def test_withdrawing_needs_a_reason_and_cannot_happen_twice(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = signed_in(site, "alma")
    incident = desk["incident"]
    _qualify(http, incident)
    qualification = _qualification(instance, incident)
    _link(http, incident, qualification, desk["items"][0], "E1")
    page, csrf = _page(http, f"/incidents/{incident}")
    assert f'id="legal-withdraw-{qualification}"' in page and 'name="reason"' in page
    target = f"/incidents/{incident}/qualifications/{qualification}/withdraw"
    before = _log_size(instance)
    for reason in ("", "   "):
        refused = http.post(target, headers=csrf, data={"reason": reason})
        assert refused.status_code == 422 and "a withdrawal needs a reason" in refused.text
        assert f'id="legal-withdraw-{qualification}"' in refused.text
    assert _log_size(instance) == before and incidents.show(instance, incident).qualifications
    done = http.post(target, headers=csrf, data={"reason": "the victims were combatants"})
    assert done.status_code == 303
    assert incidents.show(instance, incident).qualifications == []
    assert legal.element_links(instance, incident) == []
    twice = http.post(target, headers=csrf, data={"reason": "again"})
    assert twice.status_code == 409 and "this qualification was deleted" in twice.text
    assert 'role="alert"' in twice.text  # shown although its form is gone


def test_unlinking_an_element_link(site: Any, desk: dict[str, Any], instance: Instance) -> None:
    http = signed_in(site, "alma")
    incident = desk["incident"]
    _qualify(http, incident)
    qualification = _qualification(instance, incident)
    _link(http, incident, qualification, desk["items"][0], "E1")
    (made,) = legal.element_links(instance, incident)
    page, csrf = _page(http, f"/incidents/{incident}")
    target = f"/incidents/{incident}/element-links/{made.id}/unlink"
    assert f'action="{target}"' in page and 'aria-label="Unlink photo-1.jpg from E1"' in page
    data = {"qualification_id": qualification}
    assert http.post(target, headers=csrf, data=data).status_code == 303
    assert legal.element_links(instance, incident) == []
    twice = http.post(target, headers=csrf, data=data)
    assert twice.status_code == 409 and "this element-link was deleted" in twice.text


def test_suggestions_are_accepted_or_rejected_and_a_rejection_is_remembered(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = signed_in(site, "alma")
    incident = desk["incident"]
    offered = [s.code for s in legal.suggest(instance, incident)]
    assert len(offered) >= 2
    accepted, rejected = offered[0], offered[1]
    page, csrf = _page(http, f"/incidents/{incident}")
    assert f'id="legal-suggestion-{accepted}"' in page and f'id="legal-reject-{rejected}"' in page
    assert "because of" in page and "Attack on civilians" in page
    took = http.post(f"/incidents/{incident}/qualifications", headers=csrf,
                     data={"crime_code": accepted, "form": f"legal-suggestion-{accepted}"})  # fmt: skip
    assert took.status_code == 303
    assert _qualification(instance, incident, accepted)
    target = f"/incidents/{incident}/suggestions/reject"
    said_no = http.post(target, headers=csrf, data={"crime_code": rejected, "note": "no nexus"})
    assert said_no.status_code == 303
    page, _ = _page(http, f"/incidents/{incident}")
    assert f'id="legal-suggestion-{accepted}"' not in page  # qualified now
    assert f'id="legal-suggestion-{rejected}"' not in page  # rejected: not offered again
    assert [q.crime_code for q in incidents.show(instance, incident).qualifications] == [accepted]
    before = _log_size(instance)
    twice = http.post(target, headers=csrf, data={"crime_code": rejected})
    assert twice.status_code == 409 and "was already rejected" in twice.text
    unknown = http.post(target, headers=csrf, data={"crime_code": "NOPE"})
    assert unknown.status_code == 422 and "is not a crime code" in unknown.text
    assert _log_size(instance) == before


def test_a_reader_sees_the_qualifications_but_is_refused_every_form(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    incident = desk["incident"]
    legal.qualify(instance, incident, "CAH-MURDER", "seen by the analyst")
    qualification = _qualification(instance, incident)
    for user in ("vera", "dana"):  # a viewer, and a documenter: qualifying needs the analyst role
        http = signed_in(site, user)
        page, csrf = _page(http, f"/incidents/{incident}")
        assert "CAH-MURDER · Murder" in page and "seen by the analyst" in page
        assert 'id="legal-qualify"' not in page and "/withdraw" not in page
        before = _log_size(instance)
        for path, data in (
            (f"/incidents/{incident}/qualifications", {"crime_code": "CAH-TORTURE"}),
            (f"/incidents/{incident}/qualifications", {"crime_code": "NOPE"}),
            (f"/incidents/{incident}/suggestions/reject", {"crime_code": "CAH-TORTURE"}),
            (f"/incidents/{incident}/qualifications/{qualification}/withdraw", {"reason": "x"}),
            (f"/incidents/{incident}/element-links", {"crime_code": "CAH-MURDER",
             "element_id": "E1", "item_id": desk["items"][0], "stance": "supports"}),
        ):  # fmt: skip
            refused = http.post(path, headers=csrf, data=data)
            assert refused.status_code == 403, (user, path)
        assert _log_size(instance) == before
    assert [q.crime_code for q in incidents.show(instance, incident).qualifications] == [
        "CAH-MURDER"
    ]


def test_the_pages_in_ukrainian(site: Any, desk: dict[str, Any], instance: Instance) -> None:
    http = signed_in(site, "alma", cookies={"testament_lang": "uk"})
    incident = desk["incident"]
    assert _qualify(http, incident).status_code == 303
    qualification = _qualification(instance, incident)
    _link(http, incident, qualification, desk["items"][0], "E1")
    page, _ = _page(http, f"/incidents/{incident}")
    assert "Вбивство" in page and "Article 7" not in page and "Qualify (preliminary)" not in page
    chart, _ = _page(http, "/cases/Case A/proof-chart")
    assert "Вбивство" in chart and "Supported" not in chart


def test_a_sensitive_incident_keeps_its_purpose_through_the_forms(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    incidents.edit(instance, desk["incident"], {"sensitivity": ["graphic"]})
    http = signed_in(site, "alma")
    incident = desk["incident"]
    page = open_with_purpose(http, f"/incidents/{incident}", "qualifying it")
    access = re.search(r'name="access" value="(\d+)"', page.text)
    assert access is not None and 'id="legal-qualify"' in page.text
    csrf = {"X-CSRF-Token": csrf_token(page.text)}
    path = f"/incidents/{incident}/qualifications"
    done = http.post(
        path, headers=csrf, data={"crime_code": "CAH-MURDER", "access": access.group(1)}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/incidents/{incident}?access={access.group(1)}#legal"
    refused = http.post(path, headers=csrf, data={"crime_code": "NOPE", "access": access.group(1)})
    assert refused.status_code == 422 and 'id="legal-qualify"' in refused.text
    # Without the view's log entry, the refusal says why but shows nothing of the incident.
    bare = http.post(path, headers=csrf, data={"crime_code": "NOPE"})
    assert bare.status_code == 422 and "is not a crime code" in bare.text
    assert "Strike on a market" not in bare.text and 'id="legal"' not in bare.text
