"""Consistency checks for the taxonomy: a test runs them, and so can a reviewer after editing the YAML.

Each problem is one line naming the file, the code and what is wrong. Checked: duplicate codes, dangling
references (contexts, parents, suggested crimes, amendments), missing English, Ukrainian or Arabic labels
(every language of the pages, :data:`testament.locale.LANGUAGES`; a test keeps the two lists equal), unknown
families, conflict characters and element types, and element texts not marked for legal review.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from testament.taxonomy.loader import CONFLICTS, Context, Crime, Element, Taxonomy, Vocabulary

LANGUAGES = ("en", "uk", "ar")
FAMILIES = ("CAH", "WC", "GEN")
ELEMENT_TYPES = ("conduct", "consequence", "circumstance", "mental")
REVIEW_STATES = ("paraphrase-pending-legal-review", "reviewed")
WAR_CRIME_CONTEXT = {"IAC": "CTX-WC-IAC", "NIAC": "CTX-WC-NIAC"}


def _duplicates(codes: Iterable[str]) -> list[str]:
    return sorted(code for code, n in Counter(codes).items() if n > 1)


def _labels(where: str, label: Mapping[str, str]) -> Iterator[str]:
    for language in LANGUAGES:
        if not label.get(language, "").strip():
            yield f"{where}: missing {language} label"


def _elements(where: str, elements: tuple[Element, ...]) -> Iterator[str]:
    if not elements:
        yield f"{where}: has no elements"
    for dup in _duplicates(e.id for e in elements):
        yield f"{where}: duplicate element id {dup}"
    for e in elements:
        if e.type not in ELEMENT_TYPES:
            yield f"{where} {e.id}: unknown element type {e.type!r}"
        if not e.text.strip():
            yield f"{where} {e.id}: empty element text"
        if e.review not in REVIEW_STATES:
            yield f"{where} {e.id}: review must be one of {', '.join(REVIEW_STATES)}"


def _context(context: Context) -> Iterator[str]:
    where = f"rome_statute.yaml context {context.code}"
    yield from _labels(where, context.label)
    yield from _elements(where, context.elements)


def _crime(crime: Crime, contexts: set[str], amendments: set[str]) -> Iterator[str]:
    where = f"rome_statute.yaml crime {crime.code}"
    yield from _labels(where, crime.label)
    yield from _elements(where, crime.elements)
    if crime.family not in FAMILIES:
        yield f"{where}: unknown family {crime.family!r}"
    keys = set(crime.articles)
    if not keys or not keys <= {"any", *CONFLICTS} or ("any" in keys and len(keys) > 1):
        yield f"{where}: articles must be keyed 'any' or by IAC/NIAC"
    for ref in crime.context:
        if ref not in contexts:
            yield f"{where}: dangling context reference {ref}"
    if crime.family == "WC":
        for conflict in keys & set(CONFLICTS):
            if WAR_CRIME_CONTEXT[conflict] not in crime.context:
                yield f"{where}: applies to {conflict} but lacks {WAR_CRIME_CONTEXT[conflict]}"
    for conflict, amendment in crime.amendments.items():
        if conflict not in keys:
            yield f"{where}: amendment for {conflict}, which has no article"
        if amendment not in amendments:
            yield f"{where}: dangling amendment reference {amendment}"


def _vocabulary(vocab: Vocabulary, crimes: set[str]) -> Iterator[str]:
    where = f"vocabularies/{vocab.file_stem}.yaml"
    if vocab.code != vocab.file_stem:
        yield f"{where}: code {vocab.code!r} differs from the file name"
    yield from _labels(where, vocab.label)
    if not vocab.terms:
        yield f"{where}: has no terms"
    for dup in _duplicates(t.code for t in vocab.terms):
        yield f"{where}: duplicate term code {dup}"
    codes = {t.code for t in vocab.terms}
    for term in vocab.terms:
        yield from _labels(f"{where} term {term.code}", term.label)
        if term.parent is not None and term.parent not in codes:
            yield f"{where} term {term.code}: dangling parent {term.parent}"
        for crime in term.suggests:
            if crime not in crimes:
                yield f"{where} term {term.code}: suggests unknown crime {crime}"


def lint(taxonomy: Taxonomy) -> list[str]:
    """Every problem found, as one line each; an empty list means the taxonomy is consistent."""
    problems: list[str] = []
    context_codes = [c.code for c in taxonomy.contexts]
    crime_codes = [c.code for c in taxonomy.crimes]
    problems += [
        f"rome_statute.yaml: duplicate context code {d}" for d in _duplicates(context_codes)
    ]
    problems += [f"rome_statute.yaml: duplicate crime code {d}" for d in _duplicates(crime_codes)]
    problems += [f"vocabularies: duplicate vocabulary code {d}"
                 for d in _duplicates(v.code for v in taxonomy.vocabularies)]  # fmt: skip
    for context in taxonomy.contexts:
        problems += _context(context)
    for crime in taxonomy.crimes:
        problems += _crime(crime, set(context_codes), set(taxonomy.amendments))
    for vocabulary in taxonomy.vocabularies:
        problems += _vocabulary(vocabulary, set(crime_codes))
    for code, label in taxonomy.amendments.items():
        problems += _labels(f"rome_statute.yaml amendment {code}", label)
    return problems
