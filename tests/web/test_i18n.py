"""Every message on every page (templates and the words for codes in ``web/labels.py``) is translated;
the catalogues load through Babel; plural rules hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po
from babel.support import Translations

from testament.web import i18n

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "testament" / "web" / "templates"
LABELS = ROOT / "src" / "testament" / "web" / "labels.py"


def _template_messages() -> set[str]:
    found = extract_from_dir(
        str(TEMPLATES),
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}},
    )
    messages = set()
    for _file, _line, message, _comments, _context in found:
        messages.add(message if isinstance(message, str) else message[0])
    for _line, message, _comments, _context in extract_from_file("python", str(LABELS)):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


def test_the_words_for_codes_are_extracted() -> None:
    messages = _template_messages()
    assert {"Key shredding", "Case administrator", "Gap: no supporting item"} <= messages


def test_the_templates_have_messages_to_translate() -> None:
    messages = _template_messages()
    assert "Sign in" in messages and len(messages) > 50


@pytest.mark.parametrize("code", [c for c in i18n.LANGUAGES if c != i18n.DEFAULT])
def test_no_message_lacks_a_translation(code: str) -> None:
    with (i18n.LOCALE_DIR / f"{code}.po").open("rb") as handle:
        catalogue = read_po(handle, locale=code)
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(_template_messages() - translated)
    assert missing == [], (
        f"{code}.po lacks translations (run `make i18n`, then translate): {missing}"
    )


def test_placeholders_survive_translation() -> None:
    with (i18n.LOCALE_DIR / "uk.po").open("rb") as handle:
        catalogue = read_po(handle, locale="uk")
    for message in catalogue:
        if message.id and "%(" in message.id:
            names = sorted(part.split(")")[0] for part in str(message.id).split("%(")[1:])
            given = sorted(part.split(")")[0] for part in str(message.string).split("%(")[1:])
            assert names == given, message.id


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
