"""An analysis page reads as words, in the reader's language: every key the analyses emit has a label
(translated), an unknown key reads as words, no value is shown as ``null`` or as raw JSON where a
reader's form exists, shares are percentages, and the protected-objects summary is a sentence with
Ukrainian plurals. The JSON the API answers is unchanged."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from testament.accounts import accounts
from testament.custody.instance import Instance
from testament.documentation import placements, units
from testament.web import analysis_labels, i18n
from testament.web.analysis_labels import DASH, Shown, words
from tests.conftest import SQLITE_ONLY
from tests.patterns.conftest import SAMPLE
from tests.web.conftest import signed_in
from tests.web.test_labels import _english_words
from tests.web.test_patterns_pages import analyst

__all__ = ["analyst"]

MODULE = Path(analysis_labels.__file__)
PAGES = [
    ("counts", [("by", "area"), ("by", "type")]),
    ("units", []),
    ("spikes", [("min_count", "1"), ("baseline_days", "3"), ("factor", "1")]),
    ("repeats", [("radius_m", "500"), ("window_h", "48")]),
    ("clusters", [("min_samples", "2")]),
    ("protected", []),
    ("context", []),
    ("compare", [("with", "Elsewhere"), ("include", "context"), ("include", "protected")]),
]
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _shown(lang: str, sides: tuple[str, ...] = ()) -> Shown:
    return Shown(lang, i18n.catalogue(lang), sides)


# --- The formatter ----------------------------------------------------------------------------------


def test_values_read_as_a_reader_writes_them() -> None:
    en, uk = _shown("en"), _shown("uk")
    assert en("from", None) == DASH == uk("baseline", None)
    assert en("share_of_protected", 0.4444) == "44.4%"
    assert uk("top_share", 0.4444) == "44,4%"
    assert en("share", 1) == "100.0%"
    assert en("centre", {"latitude": 47.119, "longitude": 37.68291}) == "47.1190, 37.6829"
    assert en("categories", {"education": 1, "healthcare": 3}) == (
        "Educational facility 1 · Healthcare facility 3"
    )
    assert uk("categories", {"education": 1}) == "Заклад освіти 1"
    assert en("types", ["shelling", "air-strike"]) == "Shelling / bombardment, Air strike"
    assert en("types", [{"type": "shelling", "count": 2}]) == "Shelling / bombardment 2"
    assert en("flagged", True) == "yes" and uk("flagged", False) == "ні"
    assert en("rule", "days") == "by days" and uk("rule", "hours") == "за годинами"
    assert en("earth_radius_m", 6371008.8) == "6,371,008.8"
    assert en("where", {}) == DASH and en("include", []) == DASH
    assert en("box", {"south": 1, "west": 2, "north": 3, "east": 4}) == (
        "1.0000, 2.0000 – 3.0000, 4.0000"
    )


def test_keys_read_as_words_in_each_language() -> None:
    en, uk = _shown("en"), _shown("uk")
    assert en.key("radius_m") == "Within (metres)"
    assert uk.key("radius_m") == "У межах (метрів)"
    assert en.key("share_of_protected") == "Share of protected incidents"
    assert en.key("time_rule.hours") == "Rule by hours"
    assert en.key("summary.top") == "Areas holding the most"
    assert en.column("graph.edges", "target") == "To" and en.column("rows", "target") == "Target"
    assert en.key("a_key_nobody_wrote") == "A key nobody wrote"
    assert words("share_of_protected") == "Share of protected"


def test_a_comparison_names_its_sides() -> None:
    uk = _shown("uk", ("Сирія", "Україна"))
    assert uk.column("rows", "first_incidents") == "Інциденти: Сирія"
    assert uk.column("distributions.type", "second_share") == "Частка: Україна"
    assert uk.column("distributions.type", "second") == "Україна"
    assert uk.key("context.first") == "Докази контексту · Сирія"
    assert uk.column("context.first", "first") == "Найраніше"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
KEY = st.from_regex(r"[a-z]{1,6}(_[a-z]{1,6}){0,3}", fullmatch=True)


def _has_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, dict):
        return any(_has_text(k) or _has_text(v) for k, v in value.items())
    return isinstance(value, list) and any(_has_text(v) for v in value)


@given(key=KEY, value=JSON)
def test_any_key_and_value_read_without_null_or_underscores(key: str, value: Any) -> None:
    for lang in ("en", "uk", "ar"):
        shown = _shown(lang)
        text = shown(key, value)
        if not _has_text(value):
            assert "null" not in text and "None" not in text, text
        assert "_" not in shown.key(key)
        if value is None or value in ([], {}):
            assert text == DASH


def test_every_label_is_translated() -> None:
    messages = {
        message if isinstance(message, str) else message[0]
        for _line, message, _comments, _context in extract_from_file("python", str(MODULE))
    }
    assert {"Within (metres)", "Share of protected incidents", "by days"} <= messages
    for code in ("uk", "ar"):
        with (i18n.LOCALE_DIR / f"{code}.po").open("rb") as handle:
            catalogue = read_po(handle, locale=code)
        translated = {
            m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id and m.string
        }
        assert sorted(messages - translated) == [], code


def test_the_protected_sentence_follows_ukrainian_plurals() -> None:
    uk = i18n.catalogue("uk")
    forms = [uk.ngettext("%(num)s attack on protected objects", "%(num)s attacks on protected objects", n) % {"num": n} for n in (1, 3, 5, 21)]  # fmt: skip
    assert forms == [
        "1 напад на захищені об'єкти", "3 напади на захищені об'єкти",
        "5 нападів на захищені об'єкти", "21 напад на захищені об'єкти",
    ]  # fmt: skip


# --- The pages ---------------------------------------------------------------------------------------


class _Text(HTMLParser):
    """Every piece of text of a page after its form, marked as another language or not."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _text(page: str) -> str:
    parser = _Text()
    parser.feed(page.split("</form>", 1)[1])
    return unescape(" ".join(parser.parts))


@pytest.fixture
def pages(site: Any, instance: Instance, analyst: dict[str, str]) -> dict[str, dict[str, str]]:
    """Every analysis page, in English, Ukrainian and Arabic, with a unit placed and two cases compared."""
    units.create(instance, "1st Brigade")
    placements.place(
        instance, "1st Brigade", area="Kharkiv", from_date="2022-03-01", to_date="2022-03-20"
    )
    accounts.grant_role(instance, "ana", "Elsewhere", "viewer")
    found: dict[str, dict[str, str]] = {}
    for lang in ("en", "uk", "ar"):
        http = signed_in(site, "ana", cookies={"testament_lang": lang})
        for name, params in PAGES:
            got = http.get(f"/cases/Patterns/analyses/{name}", params=params)
            assert got.status_code == 200, (name, got.text)
            found.setdefault(lang, {})[name] = got.text
    return found


@SQLITE_ONLY
def test_no_page_shows_a_raw_key_or_null(pages: dict[str, dict[str, str]]) -> None:
    for lang, by_name in pages.items():
        for name, page in by_name.items():
            text = _text(page)
            assert SNAKE.findall(text) == [], (lang, name, SNAKE.findall(text))
            assert not re.search(r"\bnull\b|\bNone\b|\{\"", text), (lang, name)


@SQLITE_ONLY
@pytest.mark.parametrize("lang", ["uk", "ar"])
def test_the_ukrainian_pages_show_no_english(pages: dict[str, dict[str, str]], lang: str) -> None:
    """Nor the Arabic ones."""
    data = {"ana", "Patterns", "Elsewhere", "Kharkiv", "Kherson", "1st Brigade", "dbscan",
            "hdbscan", "CSV", "SVG", "PNG", *(external for external, *_ in SAMPLE)}  # fmt: skip
    found = {name: _english_words(page, data) for name, page in pages[lang].items()}
    assert {name: words for name, words in found.items() if words} == {}


@SQLITE_ONLY
def test_shares_are_percentages_and_labels_are_words(pages: dict[str, dict[str, str]]) -> None:
    en, uk = pages["en"], pages["uk"]
    assert "100.0%" in _text(en["protected"]) and "100,0%" in _text(uk["protected"])
    assert "66.7%" in _text(en["compare"]) and "66,7%" in _text(uk["compare"])
    assert "Share of protected incidents" in _text(en["protected"])
    assert "Частка інцидентів із захищеними об'єктами" in _text(uk["protected"])
    assert "Within (metres)" in _text(en["repeats"]) and "Distance (metres)" in _text(en["repeats"])
    assert "49.9900, 36.2300" in _text(en["repeats"]) and "Centre (latitude, longitude)" in _text(
        en["repeats"]
    )
    assert "Educational facility 2" in _text(en["protected"])
    assert "Заклад освіти 2" in _text(uk["protected"])
    assert "Incidents in Elsewhere" in _text(en["compare"])


@SQLITE_ONLY
def test_the_protected_summary_is_composed_on_the_page(pages: dict[str, dict[str, str]]) -> None:
    en, uk = _text(pages["en"]["protected"]), _text(pages["uk"]["protected"])
    assert "3 attacks on protected objects across 1 area, with 100.0% in 1 area: Kharkiv" in en
    assert "3 напади на захищені об'єкти у 1 адміністративній одиниці," in uk
    assert "attack(s)" not in en and "attack(s)" not in uk
    assert "Нападів на захищені об'єкти немає." in _text(pages["uk"]["compare"])


@SQLITE_ONLY
def test_incidents_stay_links(pages: dict[str, dict[str, str]], analyst: dict[str, str]) -> None:
    for name in ("repeats", "clusters", "protected"):
        assert f'href="/incidents/{analyst["K1"]}"' in pages["uk"][name], name


@SQLITE_ONLY
def test_the_json_is_unchanged(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana")
    got = http.get("/cases/Patterns/analyses/protected.csv")
    assert got.status_code == 200
    header = got.text.splitlines()[0]
    assert "share_of_protected" in header, "the CSV keeps the JSON's keys"
