"""Languages of the pages: English (the source text), Ukrainian and Arabic, from gettext catalogues.

The catalogues are ``locale/<code>.po`` files, loaded by :mod:`testament.locale` (the reports use
them too). At start-up Babel reads each one and compiles it in memory into a
:class:`babel.support.Translations` (gettext with the plural rule of the catalogue's header); there is
no compiled ``.mo`` in the repository to forget to rebuild. ``tests/web/test_i18n.py``
extracts every message from the templates and from :mod:`testament.web.labels` and fails if a language
lacks one. Arabic pages are laid out right to left (``<html dir="rtl">``, from :func:`direction`);
the style sheets use logical properties (``margin-inline-start``...) so that the layout mirrors.
"""

from __future__ import annotations

from fastapi import Request

from testament.locale import DEFAULT, LANGUAGES, LOCALE_DIR, catalogue, direction

__all__ = ["COOKIE", "DEFAULT", "LANGUAGES", "LOCALE_DIR", "catalogue", "direction", "language"]

COOKIE = "testament_lang"


def language(request: Request) -> str:
    """The chosen language: the switch's cookie, else the browser's first supported language."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT
