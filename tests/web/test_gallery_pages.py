"""The gallery and the item page (docs/processing.md, "The gallery and an item's page"), over the whole
site: filters by kind of media and by incident link, pages past the end, an unknown filter named beside
the filters, a thumbnail fetched only once a blurring viewer asks (lazily for the others), and the item
page saying where the item is used (incidents, legal elements, packages) with a recording's name
withheld from a reader who may not read the person's words; in English and Ukrainian."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from testament.accounts import accounts
from testament.custody import ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents, legal
from testament.packages.create import PackageRequest, create
from testament.pipeline import runner
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import PASSWORD, csrf_token, open_with_purpose, signed_in
from tests.web.test_processing_pages import CASE, make_recording, people

pytestmark = SQLITE_ONLY
MISSING = "00000000-0000-7000-8000-000000000000"
GALLERY = f"/cases/{CASE}/gallery"


def _ingested(instance: Instance, folder: Path) -> dict[str, str]:
    found = ingest.ingest(instance, sorted(folder.iterdir()), case_name=CASE).results
    runner.drain(instance)
    return {Path(r.path).name: str(r.item_id) for r in found}


@pytest.fixture
def desk(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    """Kharkiv with a photo (thumbnailed) linked to a strike, qualified, and packaged; and a note."""
    people(instance)
    accounts.create_user(instance, "ada", PASSWORD, admin=True)
    folder = tmp_path / "files"
    folder.mkdir()
    Image.new("RGB", (320, 200), (180, 40, 40)).save(folder / "market.jpg", "JPEG")
    (folder / "note.txt").write_text("Shelling near the market at 06:40.", encoding="utf-8")
    ids = _ingested(instance, folder)
    strike = incidents.create(instance, CASE, incidents.IncidentInput(title="Market strike"))
    evidence.link(instance, ids["market.jpg"], strike, "the crater beside the stalls")
    legal.qualify(instance, strike, "CAH-MURDER")
    legal.link_element(instance, ids["market.jpg"], strike, "CAH-MURDER", "E1", stance="supports")
    request = PackageRequest(CASE, "icc-otp", "criminal-investigation", "ICC OTP",
                             tmp_path / "package", item_ids=(ids["market.jpg"],))  # fmt: skip
    package = create(instance, request).package_id
    return {"photo": ids["market.jpg"], "note": ids["note.txt"], "strike": strike,
            "package": package}  # fmt: skip


def _cards(page: str) -> list[str]:
    """The items the gallery's cards link to, in order."""
    return re.findall(r'<p class="name"><a href="/evidence/([0-9a-f-]+)">', page)


def test_the_gallery_filters_by_kind_of_media_and_incident_link(
    site: Any, desk: dict[str, Any]
) -> None:
    vera = signed_in(site, "vera")
    every = vera.get(GALLERY)
    assert every.status_code == 200 and set(_cards(every.text)) == {desk["photo"], desk["note"]}
    for query, expected in (
        ("media=image", [desk["photo"]]),
        ("media=document", [desk["note"]]),
        ("media=video", []),
        ("linked=yes", [desk["photo"]]),
        ("linked=no", [desk["note"]]),
        ("media=document&linked=yes", []),
    ):
        page = vera.get(f"{GALLERY}?{query}")
        assert page.status_code == 200, (query, page.text)
        assert _cards(page.text) == expected, query
    narrowed = vera.get(f"{GALLERY}?media=video")
    assert "No item of this case matches these filters." in narrowed.text
    assert '<option value="video" selected>' in narrowed.text
    # Each card names the item, its type and its size, and links to its page.
    card = every.text[every.text.index(f'href="/evidence/{desk["note"]}"') :]
    assert "note.txt" in card and "text/plain" in card and "Not linked to any incident" in card


def test_an_unknown_filter_is_named_beside_the_filters(site: Any, desk: dict[str, Any]) -> None:
    vera = signed_in(site, "vera")
    for query, words in (
        ("media=hologram", "'hologram' is not a kind of media"),
        ("linked=maybe", "'maybe' is not a choice of incident links"),
    ):
        page = vera.get(f"{GALLERY}?{query}")
        assert page.status_code == 422, query
        assert words in page.text.replace("&#39;", "'") and 'role="alert"' in page.text
        assert "Traceback" not in page.text and _cards(page.text) == []
        assert "<label>Kind of media" in page.text  # the form is there to choose again
    token = csrf_token(vera.get(GALLERY).text)
    posted = vera.post(GALLERY, data={"purpose": "reviewing", "media": "hologram"},
                       headers={"X-CSRF-Token": token, "HX-Request": "true"})  # fmt: skip
    assert posted.status_code == 422 and "is not a kind of media" in posted.text


def test_a_page_past_the_end_says_so_and_leads_back(
    site: Any, desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    vera = signed_in(site, "vera")
    page = vera.get(f"{GALLERY}?offset=5000&media=image")
    assert page.status_code == 200 and _cards(page.text) == []
    assert "There is nothing on this page: it is past the last item." in page.text
    assert 'href="?media=image">Back to the first page' in page.text
    from testament.web import processing

    monkeypatch.setattr(processing, "GALLERY_PAGE", 1)
    first = vera.get(GALLERY)
    assert len(_cards(first.text)) == 1 and "Items 1 to 1, newest first." in first.text
    assert 'href="?offset=1">Next page' in first.text
    filtered = vera.get(f"{GALLERY}?linked=no")
    assert "Next page" not in filtered.text  # one unlinked item: one page


def test_a_thumbnail_is_fetched_only_when_a_blurring_viewer_asks(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    vera = signed_in(site, "vera")
    token = csrf_token(vera.get(GALLERY).text)
    shown = vera.post(GALLERY, data={"purpose": "reviewing", "media": "image"},
                      headers={"X-CSRF-Token": token, "HX-Request": "true"})  # fmt: skip
    target = shown.headers["HX-Redirect"]
    assert re.fullmatch(re.escape(GALLERY) + r"\?offset=0&access=\d+&media=image", target)
    page = vera.get(target).text
    assert '<img data-src="/evidence/' in page and ' src="/evidence/' not in page
    assert re.search(r'<a class="show-graphic" href="/evidence/[^"]+/preview\?access=\d+">', page)
    assert 'alt="Preview of market.jpg"' in page and "/static/gallery.js" in page
    # A viewer who chose not to blur gets the thumbnail at once, fetched as it scrolls into view.
    user = accounts.principal_named(instance, "vera").user_id
    assert user is not None
    accounts.set_blur_graphic(instance, user, False)
    plain = vera.get(target).text
    assert re.search(r'<img src="/evidence/[^"]+/preview\?access=\d+" alt="Preview of market.jpg" '
                     r'loading="lazy"', plain)  # fmt: skip
    assert "show-graphic" not in plain


def test_the_item_page_says_where_the_item_is_used(site: Any, desk: dict[str, Any]) -> None:
    vera = signed_in(site, "vera")
    page = open_with_purpose(vera, f"/evidence/{desk['photo']}", "checking the links")
    assert page.status_code == 200
    text = page.text
    assert "<h1>market.jpg</h1>" in text and "image/jpeg" in text and "SHA-256" in text
    uses = text[text.index('id="uses-title"') :]
    assert f'<a href="/incidents/{desk["strike"]}">Market strike</a>' in uses
    assert "the crater beside the stalls" in uses
    assert (
        f'href="/cases/{CASE}/proof-chart#element-CAH-MURDER-E1"' in uses and "supports it" in uses
    )
    assert "<code>E1</code>" in uses and desk["package"] in uses and "ICC OTP" in uses
    note = open_with_purpose(vera, f"/evidence/{desk['note']}", "checking the links").text
    assert "Not linked to any incident." in note and "It has gone into no package." in note


def test_an_unknown_or_hidden_item_is_not_found(site: Any, desk: dict[str, Any]) -> None:
    otto = signed_in(site, "otto")  # a viewer of another case
    for path in (f"/evidence/{MISSING}", f"/evidence/{desk['photo']}", f"{GALLERY}?media=hologram"):
        page = otto.get(path)
        assert page.status_code == 404, path
        assert "Traceback" not in page.text and "market.jpg" not in page.text
        assert "Market strike" not in page.text
    assert signed_in(site, "vera").get(f"/evidence/{MISSING}").status_code == 404


def test_a_recordings_name_is_withheld_from_who_may_not_read_the_words(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    make_recording(instance, desk["photo"])
    vera = signed_in(site, "vera")
    page = open_with_purpose(vera, f"/evidence/{desk['photo']}", "review").text
    assert "market.jpg" not in page and "image/jpeg sha256:" in page
    assert "The file name and where it came from are withheld" in page
    assert "market.jpg" not in vera.get(GALLERY).text
    listed = vera.get(f"/cases/{CASE}/evidence").text  # the case's evidence list, as the gallery
    assert "market.jpg" not in listed and "image/jpeg sha256:" in listed
    ada = signed_in(site, "ada")
    assert "<h1>market.jpg</h1>" in open_with_purpose(ada, f"/evidence/{desk['photo']}", "r").text
    assert "market.jpg" in ada.get(GALLERY).text
    assert "market.jpg" in ada.get(f"/cases/{CASE}/evidence").text


def test_the_gallery_and_item_page_in_ukrainian(site: Any, desk: dict[str, Any]) -> None:
    vera = signed_in(site, "vera")
    vera.cookies.set("testament_lang", "uk")
    gallery = vera.get(f"{GALLERY}?offset=9").text
    for words in ("Вид медіа", "Зв’язки з інцидентами", "Відфільтрувати", "Повернутися на першу"):
        assert words in gallery, words
    assert "Kind of media" not in gallery and "past the last item" not in gallery
    page = open_with_purpose(vera, f"/evidence/{desk['photo']}", "перевірка").text
    assert "Де використано" in page and "Правові елементи" in page and "Пакети" in page
    assert "Where it is used" not in page and "supports it" not in page
