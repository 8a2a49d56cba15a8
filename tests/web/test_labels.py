"""Codes are shown in words, in the reader's language: vocabulary terms, statuses, roles, event types.

Two guards. Every member of every enum the pages show, and every vocabulary term, has a Ukrainian and
an Arabic label. And every page, rendered in Ukrainian and in Arabic over HTTP with records that use every value, shows no English
word: an untranslated message, a slug or an enum value shown raw fails the test, naming the page and
the words. Only text marked ``lang="en"`` (the legal element paraphrases, checked in English) and the
records' own data are left out.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from testament.accounts import accounts, credentials
from testament.custody import cases, ingest
from testament.custody.instance import Instance, _os_user
from testament.documentation import evidence, incidents, legal, people, sources, units
from testament.documentation.evidence import AXES
from testament.domain import legal as rules
from testament.domain.access import Role
from testament.domain.custody import CustodyEventType
from testament.domain.text import NAME_CHARS
from testament.http.limits import MAX_JSON_BODY_BYTES
from testament.search.base import Kind
from testament.survivors import directory, identity, referrals
from testament.taxonomy import loader, vocabulary
from testament.web import i18n, labels
from tests.conftest import SQLITE_ONLY
from tests.services.test_referrals import consent_to_referral

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
CASE = "Справа про обстріли"
FILE = "протокол огляду.txt"
OTHER_FILE = "ще один.txt"


def _uk(value: str, kind: str) -> str:
    return labels.label(value, kind, language="uk", messages=i18n.catalogue("uk"))


# --- Every value has a Ukrainian label --------------------------------------------------------------

MEMBERS: dict[str, set[str]] = {
    "role": {r.value for r in Role},
    "custody-event": {e.value for e in CustodyEventType},
    "element-status": {rules.GAP, rules.CONTESTED, rules.SUPPORTED},
    "element-type": {e.type for crime in loader.shipped().crimes for e in crime.elements}
    | {e.type for ctx in loader.shipped().contexts for e in ctx.elements},
    "verification-axis": set(AXES),
    "record-kind": set(get_args(Kind)),
    "version-change": {"create", "update", "delete"},
    "token-scope": set(credentials.SCOPES),
}


@pytest.mark.parametrize("kind", sorted(MEMBERS))
def test_every_member_of_an_enum_has_words_and_a_ukrainian_translation(kind: str) -> None:
    known = labels.ENUMS[kind]
    assert MEMBERS[kind] <= set(known), f"{kind}: no words for {sorted(MEMBERS[kind] - set(known))}"
    with (i18n.LOCALE_DIR / "uk.po").open("rb") as handle:
        translated = {m.id: m.string for m in read_po(handle, locale="uk") if m.string}
    for code, english in known.items():
        assert english in translated, f"uk.po lacks {english!r} ({kind} {code!r})"
        assert _uk(code, kind) == translated[english] != code


@pytest.mark.parametrize("vocab", loader.shipped().vocabularies, ids=lambda v: v.code)
def test_every_vocabulary_term_has_a_ukrainian_label(vocab: loader.Vocabulary) -> None:
    assert vocab.label.get("uk"), vocab.code
    for term in vocab.terms:
        assert term.label.get("uk"), f"{vocab.code}: {term.code} has no uk label"
        assert term.label.get("en"), f"{vocab.code}: {term.code} has no en label"
        assert _uk(term.code, vocab.code) == term.label["uk"]
        assert (
            labels.label(term.code, vocab.code, language="en", messages=i18n.catalogue("en"))
            == (term.label["en"])
        )


def test_every_crime_and_context_has_a_ukrainian_label() -> None:
    taxonomy = loader.shipped()
    for found in (*taxonomy.crimes, *taxonomy.contexts):
        assert found.label.get("uk"), found.code
        assert _uk(found.code, labels.CRIME) == found.label["uk"]


def _ar(value: str, kind: str) -> str:
    return labels.label(value, kind, language="ar", messages=i18n.catalogue("ar"))


@pytest.mark.parametrize("kind", sorted(MEMBERS))
def test_every_member_of_an_enum_has_an_arabic_translation(kind: str) -> None:
    with (i18n.LOCALE_DIR / "ar.po").open("rb") as handle:
        translated = {m.id: m.string for m in read_po(handle, locale="ar") if m.string}
    for code, english in labels.ENUMS[kind].items():
        assert english in translated, f"ar.po lacks {english!r} ({kind} {code!r})"
        assert _ar(code, kind) == translated[english] != code


@pytest.mark.parametrize("vocab", loader.shipped().vocabularies, ids=lambda v: v.code)
def test_every_vocabulary_term_has_an_arabic_label(vocab: loader.Vocabulary) -> None:
    assert vocab.label.get("ar"), vocab.code
    for term in vocab.terms:
        assert term.label.get("ar"), f"{vocab.code}: {term.code} has no ar label"
        assert _ar(term.code, vocab.code) == term.label["ar"]


def test_every_crime_and_context_has_an_arabic_label() -> None:
    taxonomy = loader.shipped()
    for found in (*taxonomy.crimes, *taxonomy.contexts):
        assert found.label.get("ar"), found.code
        assert _ar(found.code, labels.CRIME) == found.label["ar"]
    assert _ar("CAH-TORTURE", labels.CRIME) == "التعذيب"
    assert _ar("reported", "incident-status") == "مُبلَّغ عنها"


def test_an_unknown_kind_is_a_mistake_and_an_unknown_value_stays_as_given() -> None:
    with pytest.raises(KeyError):
        _uk("reported", "incident-statuses")
    assert _uk("no-such-status", "incident-status") == "no-such-status"
    assert _uk("no such event", "custody-event") == "no such event"
    assert _uk("reported", "incident-status") == "Повідомлено"
    assert _uk("shred", "custody-event") == "Знищення ключа"


# --- Every page in Ukrainian, over HTTP, with every value -------------------------------------------


class _Visible(HTMLParser):
    """The text a reader sees (and the titles and alt texts they hear), minus what is marked as not in
    the page's language: ``lang="en"`` or ``translate="no"`` (keys and checkpoints)."""

    VOID = frozenset({"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.words: list[str] = []

    def _english(self) -> bool:
        return any(english for _tag, english in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        english = (
            found.get("lang") == "en"
            or found.get("translate") == "no"
            or tag in ("script", "style")
        )
        if not (english or self._english()):
            self.words += [
                found.get(a) or "" for a in ("title", "alt", "placeholder", "aria-label")
            ]
        if tag not in self.VOID:
            self.stack.append((tag, english))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._english():
            self.words.append(data)


TOKEN = re.compile(r"[\w'’./:=-]+")
LATIN = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
# Names and codes, not words: the product, a hash function, a file extension, the language codes that
# forms give as examples, and the spellings that the search page gives as an example. Tokens with a
# digit (IDs, digests, dates, "Shahed-136") and words in capitals (crime codes such as CAH-MURDER,
# "API", "FPV") are names too.
ALLOWED = frozenset({"Testament", "tlog-proof", "uk", "ru", "en", "crh", "Kharkiv", "Kharkov"})


def _english_words(page: str, data: set[str]) -> list[str]:
    parser = _Visible()
    parser.feed(page)
    text = " ".join(parser.words)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    words = [
        word
        for token in TOKEN.findall(text)
        if not re.search(r"\d", token)
        for word in LATIN.findall(token)
    ]
    return [word for word in words if word not in ALLOWED and not word.isupper()]


def _everything(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    vocab = vocabulary.codes
    cases.create_case(instance, CASE)
    full = incidents.create(
        instance,
        CASE,
        incidents.IncidentInput(
            title="Обстріл школи",
            date="2022-03-01",
            place_text="Харків",
            types=vocab("incident-types"),
            targets=vocab("target-object-types"),
            weapons=vocab("weapon-systems"),
            sensitivity=vocab("sensitivity-labels"),
            description="Опис події.",
        ),
    )
    incidents.edit(instance, full, {"description": "Уточнений опис події."})
    dated: list[dict[str, Any]] = [  # exact, month, year and an estimate; the first is a day
        {"date": "2022-03-01T10:00:00Z"},
        {"date": "2022-03"},
        {"date": "2022"},
        {"date_from": "2022-03-01", "date_to": "2022-03-09"},
    ]
    shown = [full]
    for number, (when, status) in enumerate(zip(dated, vocab("incident-status"), strict=True)):
        given = incidents.IncidentInput(title=f"Подія {number}", status=status, **when)
        shown.append(incidents.create(instance, CASE, given))
    for number, role in enumerate(vocab("person-roles")):
        person = people.create(instance, CASE, f"Особа {number}")
        people.add_role(instance, person, full, role)
    for number, degree in enumerate(vocab("degrees-of-involvement")):
        unit = units.create(instance, f"Підрозділ {number}")
        units.involve(instance, unit, full, degree)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / FILE).write_text("Огляд місця події.", encoding="utf-8")
    (folder / OTHER_FILE).write_text("Свідчення.", encoding="utf-8")
    results = ingest.ingest(instance, [folder], case_name=CASE).results
    item, other = (r.item_id for r in results)
    for axis, status in zip(AXES, vocab("verification-status"), strict=False):
        evidence.assess(instance, item, axis=axis, status=status, method="Порівняння з мапою")
    evidence.link(instance, item, full, relevance="Фото місця")
    evidence.link(instance, other, full, relevance="Свідчення")
    source = sources.create(instance, CASE, kind="document", title="Звіт про обстріл",
                            reference="Звіт № 5", published_at="2022-03-02")  # fmt: skip
    sources.link_incident(instance, source, full, "Підтверджує час")
    legal.qualify(instance, full, "CAH-MURDER")
    legal.link_element(instance, item, full, "CAH-MURDER", "E1", stance="supports")
    legal.link_element(instance, item, full, "CAH-MURDER", "CTX-CAH.C1", stance="supports")
    legal.link_element(instance, other, full, "CAH-MURDER", "CTX-CAH.C1", stance="contradicts")
    survivor, _label = identity.add_person(instance, CASE, identity.Identity(name="Олена Коваль"))
    consent_to_referral(instance, survivor)
    service = directory.add_service(
        instance, "Центр допомоги", vocab("support-areas"), "Харківська область", "+380 57 000"
    )
    needs = referrals.assess_needs(
        instance,
        survivor,
        [(area, urgency, "") for area, urgency in zip(vocab("support-areas"),
                                                       vocab("need-urgency") * 2, strict=False)],
    )  # fmt: skip
    for need, status in zip(needs, vocab("referral-status"), strict=False):
        referral = referrals.refer(instance, need, service, follow_up_due="2020-01-31")
        if status != "proposed":
            referrals.update_referral(instance, referral, status=status)
    accounts.create_user(instance, "ops", PASSWORD, admin=True)
    for role in Role:
        accounts.create_user(instance, f"user-{role.value}", PASSWORD)
        accounts.grant_role(instance, f"user-{role.value}", CASE, role.value)
    for scope in credentials.SCOPES:
        credentials.create_token(instance, "ops", f"token-{scope}", scope=scope)
    return {"incidents": shown, "item": item, "person": survivor, "source": source}


def _data(instance: Instance, world: dict[str, Any]) -> set[str]:
    """The records' own words that may be Latin: usernames (the command line's too), token names,
    media types and file names."""
    shown = evidence.show(instance, world["item"])
    return {
        _os_user(),
        "ops",
        *(f"user-{role.value}" for role in Role),
        *(f"token-{scope}" for scope in credentials.SCOPES),
        str(shown.media_type),
        "text/plain",
        FILE,
        OTHER_FILE,
    }


def _pages(world: dict[str, Any], case: str) -> list[str]:
    full, *others = world["incidents"]
    return [
        "/dashboard",
        f"/cases/{case}",
        f"/cases/{case}/incidents/new",
        f"/cases/{case}/evidence",
        f"/cases/{case}/upload",
        f"/cases/{case}/map",
        f"/cases/{case}/proof-chart",
        f"/cases/{case}/intake",
        f"/incidents/{full}",
        f"/incidents/{full}/edit",
        *(f"/incidents/{other}" for other in others),
        f"/evidence/{world['item']}",
        f"/sources/{world['source']}",
        f"/people/{world['person']}/intake",
        f"/people/{world['person']}/needs",
        "/services",
        "/search?q=Харків",
        "/settings",
        "/admin",
    ]


def _through_the_purpose(http: TestClient, path: str) -> Any:
    """The page at ``path``, stating a purpose first where the page asks for one, as a reader would."""
    page = http.get(path)
    asked = re.search(r'<form method="(\w+)" action="([^"]+)"[^>]*>(?:(?!</form>).)*name="purpose"',
                      page.text, re.DOTALL)  # fmt: skip
    if asked is None:
        return page
    method, action = asked.groups()
    if method == "get":
        return http.get(action, params={"purpose": "перевірка"})
    csrf = re.search(r'data-csrf="([^"]+)"', page.text)
    assert csrf is not None
    sent = http.post(action, data={"purpose": "перевірка"}, headers={"X-CSRF-Token": csrf.group(1)})
    assert sent.status_code in (200, 303), (path, sent.status_code)
    target = sent.headers.get("location") or sent.headers.get("hx-redirect")
    assert target, (path, sent.headers)
    shown = http.get(target)
    assert 'name="purpose"' not in shown.text, path
    return shown


@SQLITE_ONLY
@pytest.mark.parametrize("lang", ["uk", "ar"])
def test_every_page_in_ukrainian_shows_no_english(
    site: Any, instance: Instance, tmp_path: Path, lang: str
) -> None:
    """And in Arabic: the same pages, right to left."""
    world = _everything(instance, tmp_path)
    data = _data(instance, world)
    http = TestClient(site, base_url="http://127.0.0.1", follow_redirects=False)
    http.cookies.set(i18n.COOKIE, lang)
    assert http.post("/login", data={"username": "ops", "password": PASSWORD}).status_code == 303
    found: dict[str, list[str]] = {}
    case = CASE.replace(" ", "%20")
    for path in _pages(world, case):
        page = _through_the_purpose(http, path)
        assert page.status_code in (200, 404), (path, page.status_code, page.text[:500])
        assert f'lang="{lang}" dir="{i18n.direction(lang)}"' in page.text
        english = _english_words(page.text, data)
        if english:
            found[path] = sorted(set(english))
    assert found == {}, f"English on {lang} pages: {found}"


@SQLITE_ONLY
def test_the_same_pages_show_the_english_labels_in_english(
    site: Any, instance: Instance, tmp_path: Path
) -> None:
    world = _everything(instance, tmp_path)
    http = TestClient(site, base_url="http://127.0.0.1", follow_redirects=False)
    assert http.post("/login", data={"username": "ops", "password": PASSWORD}).status_code == 303
    full = world["incidents"][0]
    page = _through_the_purpose(http, f"/incidents/{full}").text
    for vocab in ("incident-types", "weapon-systems", "sensitivity-labels", "person-roles"):
        first = vocabulary.codes(vocab)[0]
        assert escape(vocabulary.label(vocab, first, "en")) in page, vocab
    item = _through_the_purpose(http, f"/evidence/{world['item']}").text
    assert "Ingestion" in item and "Access" in item and "viewed" in item
    chart = http.get(f"/cases/{CASE.replace(' ', '%20')}/proof-chart").text
    assert "Supported" in chart and "Contested" in chart and "Gap: no supporting item" in chart
    admin = http.get("/admin").text
    assert "Case administrator" in admin and "read and write" in admin


@SQLITE_ONLY
def test_what_the_admin_page_says_it_saved_and_the_error_pages_are_in_ukrainian(
    site: Any, instance: Instance
) -> None:
    """The admin page's confirmations name the role in words, and the pages a refused form lands on
    (a field too long, a form too large) say why in the reader's language."""
    cases.create_case(instance, CASE)
    accounts.create_user(instance, "ops", PASSWORD, admin=True)
    http = TestClient(site, base_url="http://127.0.0.1", follow_redirects=False)
    http.cookies.set(i18n.COOKIE, "uk")
    assert http.post("/login", data={"username": "ops", "password": PASSWORD}).status_code == 303
    csrf = re.search(r'data-csrf="([^"]+)"', http.get("/admin").text)
    assert csrf is not None
    headers = {"X-CSRF-Token": csrf.group(1)}
    user = {"username": "olena", "password": PASSWORD}
    made = http.post("/admin/users", data=user, headers=headers)
    role = {"username": "olena", "case": CASE, "role": "documenter"}
    granted = http.post("/admin/roles", data=role, headers=headers)
    revoked = http.post("/admin/roles", data=role | {"role": "none"}, headers=headers)
    assert "«Документувальник»" in granted.text
    too_long = http.post(
        f"/cases/{CASE}/incidents", data={"title": "ж" * (NAME_CHARS + 1)}, headers=headers
    )
    too_large = http.post(
        f"/cases/{CASE}/incidents",
        data={"title": "Удар", "description": "ж" * (MAX_JSON_BODY_BYTES // 2)},
        headers=headers,
    )
    assert (too_long.status_code, too_large.status_code) == (422, 413)
    assert f"щонайбільше {NAME_CHARS} символів" in too_long.text
    for page in (made, granted, revoked, too_long, too_large):
        assert page.status_code in (200, 413, 422)
        assert _english_words(page.text, {"olena", "ops", CASE, "title"}) == [], page.text
