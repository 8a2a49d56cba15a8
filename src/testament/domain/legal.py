"""Rules of preliminary legal qualification and of the proof chart, over plain data (no I/O).

This module does not read the taxonomy: the service turns a crime of ``rome_statute.yaml`` into a
:class:`CrimeRule` and passes it in, so the rules can be tested with any crime, real or generated.

**Element IDs.** A crime's own elements keep their IDs (``E1``, ``E2`` …). The elements of a context it
lists are named ``<context code>.<element id>`` (``CTX-CAH.C1``, ``CTX-WC-NIAC.C2``), because every
context numbers its elements ``C1``, ``C2`` and a war crime lists several contexts. An element link
stores this qualified ID.

**Independent sources.** Supporting items are grouped into sources: an item belongs to the sources its
link to the incident names, and to its own file (its SHA-256). Items that share a file or a source are one
source, transitively, so the same photograph ingested twice, or two files from one witness, count once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from testament.errors import InvalidInput

PRELIMINARY = "preliminary"
# The status of a qualification's last version once withdrawn (its note then says why), and of a
# suggestion an analyst rejected (kept as a qualification withdrawn in the same transaction).
WITHDRAWN = "withdrawn"
REJECTED = "rejected"
STANCES = ("supports", "contradicts")
CONFIDENCES = ("high", "medium", "low")
CONFLICTS = ("IAC", "NIAC")
# Situation conflict characterisation (vocabulary conflict-characterisation) → the regimes that apply.
REGIMES: Mapping[str, tuple[str, ...]] = {
    "international": ("IAC",),
    "non-international": ("NIAC",),
    "both": ("IAC", "NIAC"),
    "unknown": (),
}
REGIME_NAMES = {
    "IAC": "an international armed conflict",
    "NIAC": "a non-international armed conflict",
}
# Contexts that belong to one regime: the armed-conflict nexus of each, grave breaches (Geneva
# Conventions, 8(2)(a)) and common Article 3 (8(2)(c)); docs/requirements.md lists the contexts.
CONTEXT_REGIMES: Mapping[str, str] = {
    "CTX-WC-IAC": "IAC",
    "CTX-WC-PROT": "IAC",
    "CTX-WC-NIAC": "NIAC",
    "CTX-WC-CA3": "NIAC",
}
GAP, CONTESTED, SUPPORTED = "gap", "contested", "supported"


@dataclass(frozen=True)
class ElementRef:
    """An element a link may name: a crime's own (``E1``) or a context's (``CTX-CAH.C1``)."""

    id: str
    type: str
    text: str


@dataclass(frozen=True)
class CrimeRule:
    """What the rules need to know about one crime of the taxonomy."""

    code: str
    articles: Mapping[str, str]
    amendments: Mapping[str, str]
    contexts: tuple[str, ...]
    elements: tuple[ElementRef, ...]

    def element_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.elements)


def context_element_id(context_code: str, element_id: str) -> str:
    """The ID under which a context's element is linked: ``CTX-CAH`` + ``C1`` → ``CTX-CAH.C1``."""
    return f"{context_code}.{element_id}"


def context_of(element_id: str) -> str | None:
    """The context an element ID names (``CTX-CAH.C1`` → ``CTX-CAH``); None for a crime's own."""
    context, dot, _ = element_id.rpartition(".")
    return context if dot else None


def situation_regimes(situation: tuple[str, Sequence[str]] | None) -> tuple[str, ...]:
    """The regimes a situation's conflict brings into play; empty when unknown or absent."""
    return REGIMES.get(situation[0], ()) if situation else ()


def element_applies(element_id: str, regimes: Sequence[str]) -> bool:
    """Whether an element matters in a situation: not when it is the context of another regime."""
    context = context_of(element_id)
    regime = CONTEXT_REGIMES.get(context) if context else None
    return not regimes or regime is None or regime in regimes


def conflict_types(articles: Mapping[str, str], contexts: Iterable[str]) -> frozenset[str]:
    """The regimes (IAC, NIAC) in which a crime exists: its article keys, ``any``, and its contexts."""
    if "any" in articles:
        return frozenset(CONFLICTS)
    found = {key for key in articles if key in CONFLICTS}
    found.update(CONTEXT_REGIMES[c] for c in contexts if c in CONTEXT_REGIMES)
    return frozenset(found)


def _articles(rule: CrimeRule, regimes: Iterable[str]) -> str:
    return "; ".join(f"Art. {rule.articles[r]} ({r})" for r in regimes if r in rule.articles)


def mismatch_warning(rule: CrimeRule, conflict: str, regimes: Iterable[str]) -> str:
    """The warning for a crime that does not exist in the situation's conflict."""
    where = " or ".join(REGIME_NAMES[r] for r in sorted(regimes))
    return (
        f"{rule.code} ({_articles(rule, CONFLICTS)}) exists only in {where}, but the case's "
        f"situation is characterised as {conflict!r}; check the qualification or the situation"
    )


def amendment_warning(rule: CrimeRule, regime: str, amendment: str) -> str:
    return (
        f"{rule.code} under {_articles(rule, [regime]) or regime} exists only for States Parties "
        f"bound by {amendment}, which the case's situation does not list as in force"
    )


def applicability_warnings(
    rule: CrimeRule, situation: tuple[str, Sequence[str]] | None
) -> list[str]:
    """Warnings (never refusals) about whether ``rule`` applies in a situation (conflict, amendments)."""
    if "any" in rule.articles:
        return []
    if situation is None:
        return [
            f"the case has no situation, so whether {rule.code} applies to its conflict cannot be "
            "checked; place the case in one with `testament case set-situation`"
        ]
    conflict, in_force = situation
    crime_regimes = conflict_types(rule.articles, rule.contexts)
    if conflict not in REGIMES or not REGIMES[conflict]:
        return [
            f"the case's situation has no conflict characterisation yet ({conflict!r}); "
            f"{rule.code} exists only in {' or '.join(REGIME_NAMES[r] for r in sorted(crime_regimes))}"
        ]
    regimes = [r for r in REGIMES[conflict] if r in crime_regimes]
    if not regimes:
        return [mismatch_warning(rule, conflict, crime_regimes)]
    warnings = [
        amendment_warning(rule, r, rule.amendments[r])
        for r in regimes
        if r in rule.amendments and rule.amendments[r] not in in_force
    ]
    if len(regimes) < len(REGIMES[conflict]):
        warnings.append(
            f"{rule.code} exists only in {REGIME_NAMES[regimes[0]]}; in this situation of parallel "
            "conflicts, the incident must belong to that conflict"
        )
    return warnings


def check_status(status: str) -> str:
    """Only ``preliminary`` is accepted: legal characterisation belongs to lawyers and courts."""
    if status != PRELIMINARY:
        raise InvalidInput(
            f"a qualification's status is always {PRELIMINARY!r}, not {status!r}",
            where="status",
            hint="Testament records candidate crime codes for analysts; only lawyers and courts "
            "characterise conduct legally, so no qualification is ever confirmed here",
        )
    return status


def _one_of(value: str, allowed: Sequence[str], what: str, where: str) -> str:
    if value not in allowed:
        raise InvalidInput(
            f"{value!r} is not a {what}", where=where, hint=f"use one of: {', '.join(allowed)}"
        )
    return value


def check_stance(stance: str) -> str:
    return _one_of(stance, STANCES, "stance", "--supports/--contradicts")


def check_confidence(confidence: str) -> str:
    return _one_of(confidence, CONFIDENCES, "confidence", "--confidence")


def check_element(rule: CrimeRule, element_id: str) -> ElementRef:
    """The element ``element_id`` of ``rule``; refuses an element that does not belong to the crime."""
    for element in rule.elements:
        if element.id == element_id:
            return element
    raise InvalidInput(
        f"{element_id!r} is not an element of {rule.code}",
        where="--element",
        hint=f"the elements of {rule.code} are: {', '.join(rule.element_ids())}",
    )


@dataclass(frozen=True)
class EvidenceLink:
    """One live element link, as the chart counts it."""

    item_id: str
    incident_id: str
    element_id: str
    stance: str
    confidence: str
    sources: frozenset[str]  # "sha256:<hex>" and "source:<id>" keys of this item for this incident


def independent_sources(links: Iterable[EvidenceLink]) -> int:
    """How many independent sources back ``links``: items sharing a file or source count as one."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for link in links:
        keys = sorted(link.sources) or [f"item:{link.item_id}"]
        for key in keys[1:]:
            parent[root(key)] = root(keys[0])
        root(keys[0])
    return len({root(key) for key in list(parent)})


def row_status(supporting: int, contradicting: int) -> str:
    if not supporting:
        return GAP
    return CONTESTED if contradicting else SUPPORTED


@dataclass(frozen=True)
class ElementRow:
    """One row of the proof chart: a crime element and the evidence for and against it."""

    element: ElementRef
    supporting: tuple[str, ...]
    sources: int
    contradicting: tuple[str, ...]
    confidence: Mapping[str, int]
    status: str
    applies: bool = True
    links: tuple[EvidenceLink, ...] = ()  # every live link on the element, for and against


def element_row(
    element: ElementRef, links: Sequence[EvidenceLink], regimes: Sequence[str] = ()
) -> ElementRow:
    mine = [link for link in links if link.element_id == element.id]
    backing = [link for link in mine if link.stance == "supports"]
    against = sorted({link.item_id for link in mine if link.stance == "contradicts"})
    supporting = sorted({link.item_id for link in backing})
    return ElementRow(
        element=element,
        supporting=tuple(supporting),
        sources=independent_sources(backing),
        contradicting=tuple(against),
        confidence={c: sum(1 for link in backing if link.confidence == c) for c in CONFIDENCES},
        status=row_status(len(supporting), len(against)),
        applies=element_applies(element.id, regimes),
        links=tuple(sorted(mine, key=lambda link: (link.stance, link.item_id, link.incident_id))),
    )


@dataclass(frozen=True)
class CrimeChart:
    """The rows of one crime: every element, the crime's own then its contexts', in taxonomy order.

    Every element is listed; ``applies`` is false for a context of a regime the situation excludes
    (the NIAC nexus in an international conflict), which is then not counted as a gap.
    """

    rule: CrimeRule
    label: Mapping[str, str]
    incidents: int
    warnings: tuple[str, ...]
    rows: tuple[ElementRow, ...]

    def gaps(self) -> tuple[str, ...]:
        """The elements nothing supports, leaving out the contexts of a regime the situation excludes."""
        return tuple(row.element.id for row in self.rows if row.status == GAP and row.applies)


def crime_chart(
    rule: CrimeRule,
    label: Mapping[str, str],
    incidents: int,
    links: Sequence[EvidenceLink],
    *,
    warnings: Sequence[str] = (),
    regimes: Sequence[str] = (),
) -> CrimeChart:
    """The chart of one crime; ``regimes`` (from the situation) marks the elements that apply."""
    rows = tuple(element_row(element, links, regimes) for element in rule.elements)
    return CrimeChart(rule, dict(label), incidents, tuple(warnings), rows)


@dataclass(frozen=True)
class ProofChart:
    """Crime × element for one case; every qualification in it is preliminary."""

    case_id: str
    case_name: str
    crimes: tuple[CrimeChart, ...]
    status: str = PRELIMINARY


def confidence_text(confidence: Mapping[str, int]) -> str:
    """``{'high': 2, 'medium': 0, 'low': 1}`` → ``"2 high, 1 low"`` (empty when nothing supports)."""
    return ", ".join(f"{confidence[c]} {c}" for c in CONFIDENCES if confidence.get(c))
