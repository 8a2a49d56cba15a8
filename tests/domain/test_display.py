"""Names as shown: every bidirectional control and control character becomes visible (docs/web.md)."""

from __future__ import annotations

import re

import pytest

from testament.domain.display import BIDI_CONTROLS, HIDDEN_CLASS, ascii_name, download_name, shown


@pytest.mark.parametrize("code", sorted(BIDI_CONTROLS))
def test_every_bidirectional_control_is_shown_as_its_code_point(code: int) -> None:
    name = f"a{chr(code)}b.pdf"
    assert shown(name) == f"a[U+{code:04X}]b.pdf"
    assert download_name(name, "x.bin") == f"a[U+{code:04X}]b.pdf"
    assert re.fullmatch(HIDDEN_CLASS, chr(code))  # the upload page's script shows it too


def test_the_override_of_the_issue_reads_as_what_it_is() -> None:
    assert shown("photo\u202egpj.exe") == "photo[U+202E]gpj.exe"


def test_control_characters_are_shown_and_letters_of_any_script_stay() -> None:
    assert shown("фото\n1.jpg") == "фото[U+000A]1.jpg"
    assert shown("Харків 2022 — ملف.jpg") == "Харків 2022 — ملف.jpg"
    assert shown(None) == ""


def test_a_download_name_has_no_directories_and_a_plain_ascii_twin() -> None:
    assert download_name("../etc/passwd", "x.bin") == "_etc_passwd"
    assert download_name(" . ", "x.bin") == "x.bin"
    assert ascii_name('фото "1".jpg') == "____ _1_.jpg"
