"""Load the taxonomy YAML into typed, immutable objects.

The files live beside this module: ``rome_statute.yaml`` (crimes, their elements and contextual elements)
and ``vocabularies/*.yaml`` (controlled vocabularies with English, Ukrainian and Arabic labels). Loading checks
only the shape of the data; :mod:`testament.taxonomy.lint` checks its consistency.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from testament.errors import InvalidInput

DATA = Path(__file__).parent
CONFLICTS = ("IAC", "NIAC")


@dataclass(frozen=True)
class Element:
    id: str
    type: str
    text: str
    review: str


@dataclass(frozen=True)
class Context:
    code: str
    label: Mapping[str, str]
    eoc_ref: str
    elements: tuple[Element, ...]


@dataclass(frozen=True)
class Crime:
    code: str
    family: str
    articles: Mapping[str, str]
    label: Mapping[str, str]
    context: tuple[str, ...]
    eoc_ref: str
    elements: tuple[Element, ...]
    amendments: Mapping[str, str]

    def applies_to(self, conflict: str) -> bool:
        """Whether the crime exists in a conflict of this character (IAC or NIAC)."""
        return "any" in self.articles or conflict in self.articles


@dataclass(frozen=True)
class Term:
    code: str
    label: Mapping[str, str]
    parent: str | None
    huridocs: str | None
    suggests: tuple[str, ...]
    timemap: tuple[str, ...]
    definition: Mapping[str, str]


@dataclass(frozen=True)
class Vocabulary:
    code: str
    file_stem: str
    label: Mapping[str, str]
    source: str
    terms: tuple[Term, ...]

    def term(self, code: str) -> Term | None:
        return next((t for t in self.terms if t.code == code), None)


@dataclass(frozen=True)
class Taxonomy:
    amendments: Mapping[str, Mapping[str, str]]
    contexts: tuple[Context, ...]
    crimes: tuple[Crime, ...]
    vocabularies: tuple[Vocabulary, ...]

    def crime(self, code: str) -> Crime | None:
        return next((c for c in self.crimes if c.code == code), None)

    def vocabulary(self, code: str) -> Vocabulary | None:
        return next((v for v in self.vocabularies if v.code == code), None)


# libyaml's safe loader when PyYAML was built with it: the same data, ten times faster to load.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(f"the taxonomy file cannot be read: {exc}", where=str(path)) from None
    if not isinstance(data, dict):
        raise InvalidInput("the taxonomy file is not a mapping", where=str(path))
    return data


def _labels(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _element(raw: dict[str, Any]) -> Element:
    return Element(str(raw.get("id", "")), str(raw.get("type", "")), str(raw.get("text", "")),
                   str(raw.get("review", "")))  # fmt: skip


def _crime(raw: dict[str, Any]) -> Crime:
    return Crime(
        code=str(raw.get("code", "")),
        family=str(raw.get("family", "")),
        articles=_labels(raw.get("articles")),
        label=_labels(raw.get("label")),
        context=tuple(str(c) for c in raw.get("context") or ()),
        eoc_ref=str(raw.get("eoc_ref", "")),
        elements=tuple(_element(e) for e in raw.get("elements") or ()),
        amendments=_labels(raw.get("amendments")),
    )


def _term(raw: dict[str, Any]) -> Term:
    parent = raw.get("parent")
    huridocs = raw.get("huridocs")
    return Term(
        code=str(raw.get("code", "")),
        label=_labels(raw.get("label")),
        parent=None if parent is None else str(parent),
        huridocs=None if huridocs is None else str(huridocs),
        suggests=tuple(str(s) for s in raw.get("suggests") or ()),
        timemap=tuple(str(s) for s in raw.get("timemap") or ()),
        definition=_labels(raw.get("definition")),
    )


def load_vocabulary(path: Path) -> Vocabulary:
    data = _read(path)
    return Vocabulary(
        code=str(data.get("code", "")),
        file_stem=path.stem,
        label=_labels(data.get("label")),
        source=str(data.get("source", "")),
        terms=tuple(_term(t) for t in data.get("terms") or ()),
    )


def load(directory: Path = DATA) -> Taxonomy:
    """Load the taxonomy from ``directory`` (default: the files shipped with Testament)."""
    statute = _read(directory / "rome_statute.yaml")
    return Taxonomy(
        amendments={str(k): _labels(v) for k, v in (statute.get("amendments") or {}).items()},
        contexts=tuple(
            Context(
                str(c.get("code", "")),
                _labels(c.get("label")),
                str(c.get("eoc_ref", "")),
                tuple(_element(e) for e in c.get("elements") or ()),
            )
            for c in statute.get("contexts") or ()
        ),
        crimes=tuple(_crime(c) for c in statute.get("crimes") or ()),
        vocabularies=tuple(
            load_vocabulary(p) for p in sorted((directory / "vocabularies").glob("*.yaml"))
        ),
    )


@functools.cache
def shipped() -> Taxonomy:
    """The taxonomy shipped with Testament, loaded once."""
    return load()
