"""Every message on every page and in every report (templates, the words for codes in
``web/labels.py``, a report's words made in Python) is translated; the catalogues load through Babel;
plural rules hold."""

from __future__ import annotations

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
LABELS = PACKAGE / "web" / "labels.py"
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
    return _messages_of(TEMPLATES, (LABELS,)) | _report_messages()


def test_the_words_for_codes_are_extracted() -> None:
    messages = _template_messages()
    assert {"Key shredding", "Case administrator", "Gap: no supporting item"} <= messages


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
