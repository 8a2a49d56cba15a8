"""Making a report's bytes: one HTML document from a Jinja template, and the same document as PDF.

The PDF is WeasyPrint's rendering of the very HTML the ``html`` format returns, so both formats carry
the same text. Rendering is offline: the fetcher refuses every URL but inline ``data:`` ones, so a
source's address printed in a report is never fetched. Every name taken from a record goes through
:func:`testament.domain.display.shown` (``| shown``), as on the pages.

A report is written in one of the pages' languages (:mod:`testament.locale`): its words from the same
gettext catalogue, a vocabulary's terms and a crime's name from the taxonomy's own labels.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from types import ModuleType
from typing import Any

import jinja2

from testament import __version__
from testament.domain.display import shown
from testament.domain.results import Result
from testament.errors import InvalidInput
from testament.locale import catalogue, check_language, direction
from testament.patterns.results import Checkpoint
from testament.taxonomy import loader, vocabulary

FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class Report(Result):
    """A report's bytes (``filename``, ``media_type``) with what it was computed from: the parameters
    that shaped it and the custody log checkpoint it was computed at."""

    filename: str
    media_type: str
    content: bytes
    parameters: dict[str, Any]
    checkpoint: Checkpoint

    def as_json(self) -> dict[str, Any]:
        # The bytes are the report itself; its description is what a JSON line can carry.
        return {
            "filename": self.filename,
            "media_type": self.media_type,
            "size": len(self.content),
            "parameters": self.parameters,
            "checkpoint": self.checkpoint.as_json(),
        }


def check_format(fmt: str) -> str:
    """``pdf`` or ``html``; InvalidInput naming ``--format`` otherwise."""
    if fmt not in FORMATS:
        raise InvalidInput(
            f"{fmt!r} is not a report format",
            where="--format",
            hint="use pdf or html",
            errors={"format": "pdf or html"},
        )
    return fmt


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated when shown."""
    return message


# A proof chart row's status and an element's type, in the words the proof chart page uses.
WORDS: dict[str, dict[str, str]] = {
    "element-status": {
        "gap": N_("Gap: no supporting item"),
        "contested": N_("Contested"),
        "supported": N_("Supported"),
    },
    "element-type": {
        "conduct": N_("Conduct"),
        "circumstance": N_("Circumstance"),
        "mental": N_("Mental element"),
        "consequence": N_("Consequence"),
    },
}


def term(code: object, kind: str, language: str = "en") -> str:
    """A vocabulary code in words (a code the vocabulary does not know stays as given)."""
    text = "" if code is None else str(code)
    if kind in WORDS:
        english = WORDS[kind].get(text)
        return catalogue(language).gettext(english) if english else text
    return vocabulary.label(kind, text, language) if text else ""


def crime_label(code: object, language: str = "en") -> str:
    taxonomy = loader.shipped()
    found = taxonomy.crime(str(code))
    if found is None:
        return str(code)
    return found.label.get(language) or found.label.get("en") or str(code)


@cache
def environment(language: str = "en") -> jinja2.Environment:
    """One environment per language, built once, as the pages have."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("testament.patterns", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(catalogue(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["shown"] = shown
    env.globals["term"] = partial(term, language=language)
    env.globals["crime_label"] = partial(crime_label, language=language)
    env.globals["lang"] = language
    env.globals["direction"] = direction(language)
    return env


def gettext(language: str) -> Callable[[str], str]:
    """The language's ``gettext``, for a report's words made in Python (its title, a figure's)."""
    return catalogue(check_language(language)).gettext


def command_line(words: Sequence[str]) -> str:
    """The CLI command that computes the report again, quoted for a POSIX shell."""
    return " ".join(shlex.quote(word) for word in words)


def render(
    template: str,
    *,
    title: str,
    parameters: Mapping[str, Any],
    checkpoint: Checkpoint,
    command: Sequence[str],
    fmt: str,
    filename: str,
    language: str = "en",
    **context: Any,
) -> Report:
    """The report as HTML, or that HTML as PDF."""
    html = (
        environment(check_language(language))
        .get_template(template)
        .render(
            title=title,
            parameters=parameters,
            checkpoint=checkpoint,
            command=command_line(command),
            version=__version__,
            **context,
        )
    )
    content = html.encode("utf-8") if fmt == "html" else pdf(html)
    return Report(f"{filename}.{fmt}", FORMATS[fmt], content, dict(parameters), checkpoint)


@cache
def _weasyprint() -> ModuleType:
    """WeasyPrint, imported when a PDF is first asked for (pango and its fonts load then).

    Importing it tells Pillow to accept truncated images, for the whole process. Processing must
    refuse a truncated image (it would otherwise make previews and hashes of a damaged file), so
    the setting it found is put back.
    """
    from PIL import ImageFile  # noqa: PLC0415

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    import weasyprint  # noqa: PLC0415

    ImageFile.LOAD_TRUNCATED_IMAGES = before
    module: ModuleType = weasyprint
    return module


def pdf(html: str) -> bytes:
    """The HTML as PDF, fetching nothing from outside the document."""
    weasyprint = _weasyprint()
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=["data"])
    found: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return found


def slug(text: str) -> str:
    """A file-name-safe form of a case's or an area's name (ASCII letters, digits and dashes)."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return cleaned[:60] or "report"
