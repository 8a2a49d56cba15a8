"""The review pages: an item's and an incident's review part, its forms and their refusals, the queue
and the administrators' review states, in English and Ukrainian."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.review import reading, workflow
from tests.conftest import SQLITE_ONLY
from tests.policy.conftest import as_account
from tests.web.conftest import PASSWORD, csrf_token, open_with_purpose, signed_in

pytestmark = SQLITE_ONLY


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, "Case")
    for user, role in [("anna", "documenter"), ("bohdan", "analyst"), ("vera", "viewer")]:
        accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, "Case", role)
    accounts.create_user(instance, "root", PASSWORD, admin=True)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    anna = as_account(instance, "anna")
    return {
        "item": ingest.ingest(anna, [folder], case_name="Case").results[0].item_id,
        "incident": incidents.create(anna, "Case", incidents.IncidentInput(title="Strike")),
    }


def _post(http: Any, page: str, path: str, data: dict[str, str]) -> Any:
    return http.post(path, data=data, headers={"X-CSRF-Token": csrf_token(page)})


def test_the_incident_page_shows_the_review_and_its_forms(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    anna = signed_in(site, "anna")
    path = f"/incidents/{world['incident']}"
    page = anna.get(path).text
    assert 'id="review"' in page and "New review state" in page and "Nobody" in page
    moved = _post(anna, page, f"/review/incident/{world['incident']}/state",
                  {"state": "in-review", "note": "Please check, @bohdan", "back": path})  # fmt: skip
    assert moved.status_code == 303 and moved.headers["location"] == f"{path}#review"
    assigned = _post(anna, page, f"/review/incident/{world['incident']}/assign",
                     {"assignee": "bohdan", "back": path})  # fmt: skip
    assert assigned.status_code == 303
    shown = anna.get(path).text
    assert "In review" in shown and "Please check, @bohdan" in shown
    refused = _post(anna, page, f"/review/incident/{world['incident']}/state",
                    {"state": "verified", "back": path})  # fmt: skip
    assert refused.status_code == 403 and "Not done:" in refused.text
    assert "analyst" in refused.text
    empty = _post(anna, page, f"/review/incident/{world['incident']}/comment", {"body": " "})
    assert empty.status_code == 422 and "must not be empty" in empty.text
    ghost = _post(anna, page, f"/review/incident/{world['incident']}/assign", {"assignee": "ghost"})
    assert ghost.status_code == 422 and "no account has this username" in ghost.text
    assert reading.review(instance, "incident", world["incident"]).assignee == "bohdan"


def test_a_reader_sees_the_review_but_no_forms(site: Any, world: dict[str, Any]) -> None:
    vera = signed_in(site, "vera")
    page = vera.get(f"/incidents/{world['incident']}").text
    assert 'id="review"' in page and "New review state" not in page
    refused = _post(vera, page, f"/review/incident/{world['incident']}/comment", {"body": "Hi"})
    assert refused.status_code == 403


def test_the_author_may_not_verify_their_item_but_a_reviewer_may(
    site: Any, world: dict[str, Any]
) -> None:
    item = world["item"]
    bohdan = signed_in(site, "bohdan")
    page = open_with_purpose(bohdan, f"/evidence/{item}", "review").text
    assert 'id="review"' in page, page[page.find("<main") :]
    done = _post(bohdan, page, f"/review/item/{item}/state", {"state": "verified"})
    assert done.status_code == 303 and done.headers["location"] == f"/evidence/{item}#review"
    assert "Verified" in open_with_purpose(bohdan, f"/evidence/{item}", "review").text


def test_the_queue_in_english_and_ukrainian(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    anna = as_account(instance, "anna")
    workflow.assign(anna, [("incident", world["incident"])], "bohdan")
    bohdan = signed_in(site, "bohdan")
    page = bohdan.get("/review").text
    assert "Review queue" in page and "Strike" in page and "assigned to you" in page
    bohdan.get("/lang/uk?next=/review")
    ukrainian = bohdan.get("/review").text
    assert "Черга перевірки" in ukrainian and "призначено вам" in ukrainian
    assert "Nothing waits for you." in signed_in(site, "vera").get("/review").text


def test_administrators_change_the_review_states(site: Any, world: dict[str, Any]) -> None:
    assert signed_in(site, "anna").get("/admin/review-states").status_code == 403
    root = signed_in(site, "root")
    page = root.get("/admin/review-states").text
    assert "verified" in page
    added = _post(root, page, "/admin/review-states",
                  {"code": "corroborated", "label_en": "Corroborated", "label_uk": "Підтверджено",
                   "label_ar": "مؤكَّدة", "second_person": "1"})  # fmt: skip
    assert added.status_code == 303
    assert "مؤكَّدة" in root.get("/admin/review-states").text
    moved = _post(root, page, "/admin/review-states/corroborated/move", {"position": "2"})
    assert moved.status_code == 303
    bad = _post(root, page, "/admin/review-states", {"code": "Bad Code", "label_en": "X"})
    assert bad.status_code == 422 and "Not done:" in bad.text
    first = _post(root, page, "/admin/review-states/new/remove", {})
    assert first.status_code == 409
    listed = root.get("/admin/review-states").text
    assert listed.index("corroborated") < listed.index("in-review")
