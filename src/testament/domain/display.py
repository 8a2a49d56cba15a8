"""Names as they are shown: every character that could change how a name reads is made visible.

A file name is kept byte for byte as it arrived (an ingested file's name is evidence too), but a
right-to-left override in it (U+202E) makes ``photo<U+202E>gpj.exe`` read as ``photoexe.jpg``. So
wherever a name is shown (pages, the CLI's text output, a download's file name, the API's ``shown_*``
fields) it passes through :func:`shown`, which writes each bidirectional control and each control
character as its code point in brackets: ``photo[U+202E]gpj.exe`` (docs/web.md, "Names as shown").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO), isolates (LRI, RLI, FSI, PDI), the marks (LRM,
# RLM) and the Arabic letter mark: each reorders or hides what follows it.
BIDI_CONTROLS = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C])


def _hidden(code: int) -> bool:
    """Bidirectional controls, control characters (a newline in a name) and line separators."""
    return code in BIDI_CONTROLS or unicodedata.category(chr(code)) in ("Cc", "Zl", "Zp")


_VISIBLE: Mapping[int, str] = {code: f"[U+{code:04X}]" for code in range(0x3000) if _hidden(code)}


def shown(text: str | None) -> str:
    """``text`` with every bidirectional control and control character written as its code point in brackets (``[U+202E]``)."""
    return (text or "").translate(_VISIBLE)


def download_name(name: str | None, fallback: str) -> str:
    """A name to offer a download under: shown as above, without directories; ``fallback`` if empty."""
    safe = shown(name).replace("/", "_").replace("\\", "_").strip().strip(".")
    return safe or fallback


def ascii_name(name: str) -> str:
    """``name`` for the plain ``filename=`` of a Content-Disposition: ASCII without quotes."""
    plain = "".join(c if " " <= c <= "~" and c not in '"\\%' else "_" for c in name)
    return plain or "download"


# The same characters as a regular expression's class, for the page script that shows the names of
# files still being uploaded (the upload page hands it over, so there is one list).
HIDDEN_CLASS = "[" + "".join(f"\\u{code:04x}" for code in sorted(_VISIBLE)) + "]"
