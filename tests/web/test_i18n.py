"""Every message on every page and in every report (templates, the words for codes in
``web/labels.py``, a report's words made in Python) is translated; the catalogues load through Babel;
plural rules hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po
from babel.support import Translations

from testament.web import i18n

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "testament"
TEMPLATES = PACKAGE / "web" / "templates"
REPORT_TEMPLATES = PACKAGE / "patterns" / "templates"
LABELS = tuple(  # the words for codes, the analyses' keys and values, the patterns page's figures
    PACKAGE / "web" / name
    for name in ("labels.py", "analysis_labels.py", "analyses.py", "patterns.py")
)
REPORT_CODE = (PACKAGE / "patterns" / "reports.py", PACKAGE / "patterns" / "rendering.py")


def _messages_of(templates: Path, code: tuple[Path, ...]) -> set[str]:
    found = extract_from_dir(
        str(templates),
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}},
    )
    messages = set()
    for _file, _line, message, _comments, _context in found:
        messages.add(message if isinstance(message, str) else message[0])
    for path in code:
        for _line, message, _comments, _context in extract_from_file("python", str(path)):
            messages.add(message if isinstance(message, str) else message[0])
    return messages


def _report_messages() -> set[str]:
    return _messages_of(REPORT_TEMPLATES, REPORT_CODE)


def _template_messages() -> set[str]:
    return _messages_of(TEMPLATES, LABELS) | _report_messages()


def test_the_words_for_codes_are_extracted() -> None:
    messages = _template_messages()
    assert {"Key shredding", "Case administrator", "Gap: no supporting item"} <= messages
    assert {"Above the baseline", "Compare", "Incidents per day"} <= messages, "analyses' words too"


def test_make_i18n_extracts_what_the_tests_check() -> None:
    """babel.cfg names every file whose words the tests require translated, so `make i18n` adds them."""
    config = (ROOT / "babel.cfg").read_text()
    for path in (*LABELS, *REPORT_CODE):
        assert f"[python: {path.relative_to(ROOT)}]" in config, path


def test_the_reports_have_messages_to_translate() -> None:
    messages = _report_messages()
    assert {"Incident dossier", "Case proof chart", "Pattern report", "Computed at"} <= messages
    assert "Incident dossier: %(title)s" in messages, "a title made in Python is extracted too"
    assert "Gap: no supporting item" in messages


def test_a_report_is_worded_from_the_same_catalogue() -> None:
    uk = i18n.catalogue("uk")
    assert uk.gettext("Incident dossier") == "Досьє інциденту"
    assert uk.ngettext("%(count)s event", "%(count)s events", 3) == "%(count)s події"


def test_the_templates_have_messages_to_translate() -> None:
    messages = _template_messages()
    assert "Sign in" in messages and len(messages) > 50


@pytest.mark.parametrize("code", [c for c in i18n.LANGUAGES if c != i18n.DEFAULT])
def test_no_message_lacks_a_translation(code: str) -> None:
    with (i18n.LOCALE_DIR / f"{code}.po").open("rb") as handle:
        catalogue = read_po(handle, locale=code)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]  # a plural message by its singular
        for m in catalogue
        if m.id and m.string and all(m.string) and not m.fuzzy
    }
    missing = sorted(_template_messages() - translated)
    assert missing == [], (
        f"{code}.po lacks translations (run `make i18n`, then translate): {missing}"
    )


TRANSLATED = [c for c in i18n.LANGUAGES if c != i18n.DEFAULT]


def test_every_language_but_english_has_a_catalogue() -> None:
    assert "ar" in TRANSLATED and "uk" in TRANSLATED
    assert sorted(p.stem for p in i18n.LOCALE_DIR.glob("*.po")) == sorted(TRANSLATED)


def _placeholders(text: str) -> list[str]:
    return sorted(part.split(")")[0] for part in text.split("%(")[1:])


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_survive_translation(code: str) -> None:
    with (i18n.LOCALE_DIR / f"{code}.po").open("rb") as handle:
        catalogue = read_po(handle, locale=code)
    for message in catalogue:
        if not message.id or not message.string or not all(message.string):
            continue  # untranslated: the test above says so
        if isinstance(message.id, str):
            assert _placeholders(str(message.string)) == _placeholders(message.id), (
                f"{code}.po: {message.id!r} is translated {message.string!r}"
            )
            continue
        # A plural's forms: none names a placeholder the source lacks, the last (the general one)
        # names all; Arabic's forms for zero, one and two may leave the number out ("حدث واحد").
        source = set(_placeholders(message.id[0]) + _placeholders(message.id[1]))
        for form in message.string:
            assert set(_placeholders(form)) <= source, f"{code}.po: {message.id!r} has {form!r}"
        assert _placeholders(message.string[-1]) == _placeholders(message.id[1]), (
            f"{code}.po: the last form of {message.id!r} lacks a placeholder"
        )


def test_a_catalogue_translates_and_falls_back() -> None:
    uk = i18n.catalogue("uk")
    assert isinstance(uk, Translations)
    assert uk.gettext("Sign in") == "Увійти"
    assert uk.gettext("A message nobody wrote") == "A message nobody wrote"
    assert i18n.catalogue("en").gettext("Sign in") == "Sign in"


@pytest.mark.parametrize(
    ("n", "form"),
    [(1, 0), (21, 0), (11, 2), (2, 1), (4, 1), (12, 2), (14, 2), (22, 1), (5, 2), (0, 2)],
)
def test_ukrainian_plural_forms(n: int, form: int) -> None:
    """The rule in uk.po's header, as Babel compiles it, is CLDR's for Ukrainian."""
    uk = i18n.catalogue("uk")
    assert isinstance(uk, Translations)
    assert uk.plural(n) == form  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("n", "form"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (10, 3), (11, 4), (99, 4), (100, 5), (101, 5), (102, 5),
     (103, 3), (111, 4)],
)  # fmt: skip
def test_arabic_plural_forms(n: int, form: int) -> None:
    """The rule in ar.po's header, as Babel compiles it: zero, one, two, few, many and other."""
    ar = i18n.catalogue("ar")
    assert isinstance(ar, Translations)
    assert ar.plural(n) == form  # type: ignore[attr-defined]


@pytest.mark.parametrize(("code", "way"), [("en", "ltr"), ("uk", "ltr"), ("ar", "rtl")])
def test_arabic_is_written_right_to_left(code: str, way: str) -> None:
    assert i18n.direction(code) == way


BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_translation_hides_a_bidi_control(code: str) -> None:
    """The pages isolate what they put into a sentence themselves (web/display.py); an invisible
    direction mark inside a translation would reorder the words around it unseen."""
    with (i18n.LOCALE_DIR / f"{code}.po").open("rb") as handle:
        catalogue = read_po(handle, locale=code)
    for message in catalogue:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not any(BIDI_CONTROLS.search(form or "") for form in forms), message.id


def test_a_value_in_an_arabic_sentence_is_isolated_and_a_number_stays_a_number() -> None:
    """ "INC-7 (Kharkiv)" keeps its order inside the Arabic words around it; %(num)d still formats."""
    from testament.web.pages import templates_for

    arabic = templates_for("ar").env.from_string(
        '{{ _("Saved: %(what)s.", what=x) }}|{% trans name=x %}Recorded as {{ name }}.{% endtrans %}'
        '|{{ ngettext("%(num)d incident", "%(num)d incidents", 3) }}'
    )
    saved, recorded, counted = arabic.render(x="INC-7 (Kharkiv) <b>").split("|")
    isolated = "\u2068INC-7 (Kharkiv) &lt;b&gt;\u2069"
    assert isolated in saved and isolated in recorded, "isolated, and still escaped"
    assert "3" in counted and "\u2068" not in counted
    english = templates_for("en").env.from_string('{{ _("Saved: %(what)s.", what=x) }}')
    assert english.render(x="INC-7") == "Saved: INC-7."
