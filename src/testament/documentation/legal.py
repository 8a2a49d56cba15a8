"""Preliminary legal qualification: candidate crime codes on incidents, and evidence linked to elements.

A *qualification* says that an incident may constitute a crime of the Rome Statute taxonomy. Its status is
always ``preliminary``: Testament helps analysts organise evidence, and only lawyers and courts characterise
conduct legally, so nothing here can confirm a qualification. An *element link* says that an evidence item
supports or contradicts one element of a qualified crime (docs/legal.md). Both are versioned records: every
write is a version and a custody event.

The taxonomy itself (checking a reviewed copy, listing crimes and vocabulary terms) is also reached here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from testament.custody import cases, history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import evidence, queries, repository
from testament.documentation.record_views import made
from testament.documentation.results import CrimeDetail, CrimeView, ElementText, TermView
from testament.domain import legal as rules
from testament.domain.access import Action
from testament.domain.results import Result
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput, NotFound
from testament.storage.engine import lock_log, read_transaction
from testament.taxonomy import loader
from testament.taxonomy.lint import lint

SUGGESTING = {
    "types": "incident-types",
    "targets": "target-object-types",
    "weapons": "weapon-systems",
}


@dataclass(frozen=True)
class TaxonomyCheck(Result):
    crimes: int
    contexts: int
    vocabularies: int
    terms: int
    problems: list[str]


def check_taxonomy(directory: Path | None = None) -> TaxonomyCheck:
    """Load and lint the taxonomy in ``directory`` (default: the one shipped with Testament)."""
    if directory is not None and not (directory / "rome_statute.yaml").is_file():
        raise NotFound(
            "no rome_statute.yaml in this directory",
            where=str(directory),
            hint="point --dir at a copy of src/testament/taxonomy",
        )
    taxonomy = loader.load(directory or loader.DATA)
    return TaxonomyCheck(
        crimes=len(taxonomy.crimes),
        contexts=len(taxonomy.contexts),
        vocabularies=len(taxonomy.vocabularies),
        terms=sum(len(v.terms) for v in taxonomy.vocabularies),
        problems=lint(taxonomy),
    )


def vocabulary_terms(code: str, language: str = "en") -> list[TermView]:
    """The terms of a controlled vocabulary: code, label in ``language`` (English if missing), parent."""
    vocabulary = loader.shipped().vocabulary(code)
    if vocabulary is None:
        known = [v.code for v in loader.shipped().vocabularies]
        close = difflib.get_close_matches(code, known, n=3)
        raise NotFound(
            "there is no vocabulary with this code",
            where=code,
            hint=(f"did you mean {', '.join(close)}? " if close else "")
            + f"known: {', '.join(known)}",
        )
    return [
        TermView(
            t.code, t.label.get(language) or t.label.get("en", t.code), t.parent, tuple(t.suggests)
        )
        for t in vocabulary.terms
    ]


def crime_rule(crime: loader.Crime, taxonomy: loader.Taxonomy | None = None) -> rules.CrimeRule:
    """The plain data the rules need about ``crime``: its elements, then its contexts' elements."""
    contexts = {c.code: c for c in (taxonomy or loader.shipped()).contexts}
    elements = [rules.ElementRef(e.id, e.type, e.text) for e in crime.elements]
    for code in crime.context:
        context = contexts.get(code)
        elements += [
            rules.ElementRef(rules.context_element_id(code, e.id), e.type, e.text)
            for e in (context.elements if context else ())
        ]
    return rules.CrimeRule(
        crime.code, crime.articles, crime.amendments, crime.context, tuple(elements)
    )


def crime(code: str) -> loader.Crime:
    """The crime ``code`` of the shipped taxonomy; refuses an unknown code with the closest matches."""
    found = loader.shipped().crime(code)
    if found is None:
        known = [c.code for c in loader.shipped().crimes]
        close = difflib.get_close_matches(code.upper(), known, n=3)
        raise InvalidInput(
            f"{code!r} is not a crime code of the taxonomy",
            where="CRIME_CODE",
            hint=(f"did you mean {', '.join(close)}? " if close else "")
            + "list them with `testament legal crimes`",
        )
    return found


def crime_detail(code: str) -> CrimeDetail:
    """The crime ``code`` with its contexts and every element (:func:`crime` refuses an unknown one)."""
    found = crime(code)
    return CrimeDetail(
        code=found.code,
        family=found.family,
        label=dict(found.label),
        articles=dict(found.articles),
        amendments=dict(found.amendments),
        context=tuple(found.context),
        elements=tuple(ElementText(e.id, e.type, e.text) for e in crime_rule(found).elements),
    )


def crimes() -> list[CrimeView]:
    """Every crime of the taxonomy with its English and Ukrainian labels, articles and amendments."""
    return [
        CrimeView(
            code=c.code,
            family=c.family,
            label=dict(c.label),
            articles=dict(c.articles),
            amendments=dict(c.amendments),
            elements=tuple(crime_rule(c).element_ids()),
        )
        for c in loader.shipped().crimes
    ]


def _note(note: str) -> str:
    return clean_text(note, "the note", "--note", field="note")


@dataclass(frozen=True)
class Qualified(Result):
    """A new qualification and the warnings about its applicability to the case's situation."""

    id: str
    warnings: list[str]


def qualify(
    instance: Instance,
    incident_id: str,
    crime_code: str,
    note: str = "",
    *,
    status: str = rules.PRELIMINARY,
) -> Qualified:
    """Record that an incident may constitute ``crime_code``, always as a preliminary qualification."""
    rules.check_status(status)
    rule = crime_rule(crime(crime_code))
    note = _note(note)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.ANALYSE, kind="incident", record_id=incident_id)
        incident = history.current(conn, "incident", incident_id)
        lock_log(conn)  # no constraint backs this check: it holds until commit
        existing = queries.qualified_codes(conn, incident_id).get(rule.code)
        if existing is not None:
            raise Conflict(
                f"this incident already carries {rule.code}",
                where=incident_id,
                hint=f"the qualification is {existing}",
            )
        agent_id = acting_agent(conn)
        values = {
            "incident_id": incident_id,
            "crime_code": rule.code,
            "status": rules.PRELIMINARY,
            "analyst_id": agent_id,
            "note": note,
        }
        new_id = history.create(conn, "qualification", values, agent_id=agent_id)
        situation = cases.conflict_of_case(conn, incident["case_id"])
    return Qualified(new_id, rules.applicability_warnings(rule, situation))


def _reason(reason: str) -> str:
    cleaned = clean_text(reason, "the reason", "--reason", field="note")
    if not cleaned:
        raise InvalidInput(
            "a withdrawal needs a reason",
            where="--reason",
            hint="say why the qualification no longer holds; it is kept in the record's history",
        )
    return cleaned


def withdraw_qualification(instance: Instance, qualification_id: str, *, reason: str) -> list[str]:
    """Withdraw a qualification and the element links made under it; returns the links' IDs.

    The qualification's last version says ``withdrawn`` with ``reason`` as its note (the note it was
    made with stays in its first version); then it and its links are marked deleted.
    """
    reason = _reason(reason)
    with recording(instance) as conn:
        policy.require(
            conn, instance, Action.ANALYSE, kind="qualification", record_id=qualification_id
        )
        row = history.current(conn, "qualification", qualification_id, deleted=True)
        agent_id = acting_agent(conn)
        changes = {"status": rules.WITHDRAWN, "note": reason}
        history.update(conn, "qualification", qualification_id, changes, agent_id=agent_id)
        withdrawn = queries.live_element_links(conn, row["incident_id"], row["crime_code"])
        for link_id in withdrawn:
            history.delete(conn, "element-link", link_id, agent_id=agent_id)
        history.delete(conn, "qualification", qualification_id, agent_id=agent_id)
    return withdrawn


def reject_suggestion(instance: Instance, incident_id: str, crime_code: str, note: str = "") -> str:
    """Record that an analyst rejected the suggestion of ``crime_code`` for an incident, so that it is
    not offered again; returns the record's ID.

    The rejection is a qualification with the status ``rejected``, withdrawn in the same transaction:
    it never counts as a qualification, and its two versions (and custody events) say who rejected
    what and when, with the note saying why.
    """
    code = crime(crime_code).code
    note = _note(note)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.ANALYSE, kind="incident", record_id=incident_id)
        history.current(conn, "incident", incident_id)
        lock_log(conn)  # no constraint backs these checks: they hold until commit
        if code in queries.qualified_codes(conn, incident_id):
            raise Conflict(
                f"this incident carries {code}",
                where=incident_id,
                hint="withdraw the qualification, with a reason, instead of rejecting it",
            )
        if code in queries.rejected_codes(conn, incident_id):
            raise Conflict(f"the suggestion of {code} was already rejected", where=incident_id)
        agent_id = acting_agent(conn)
        values = {"incident_id": incident_id, "crime_code": code, "status": rules.REJECTED,
                  "analyst_id": agent_id, "note": note}  # fmt: skip
        new_id = history.create(conn, "qualification", values, agent_id=agent_id)
        history.delete(conn, "qualification", new_id, agent_id=agent_id)
    return new_id


def _check_item(connection: Connection, item_id: str, incident: dict[str, Any]) -> None:
    item_case = queries.item_case(connection, item_id)
    if item_case is None:
        raise NotFound("no evidence item has this ID", where=item_id)
    if item_case != incident["case_id"]:
        raise InvalidInput(
            "the evidence item and the incident belong to different cases",
            where=f"{item_id} {incident['id']}",
            hint="link an item only to elements of incidents in its own case",
        )


def link_element(
    instance: Instance,
    item_id: str,
    incident_id: str,
    crime_code: str,
    element_id: str,
    *,
    stance: str,
    confidence: str = "medium",
    note: str = "",
) -> str:
    """Record that an item supports or contradicts an element of a crime qualified on an incident."""
    rule = crime_rule(crime(crime_code))
    rules.check_element(rule, element_id)
    values: dict[str, Any] = {
        "item_id": item_id,
        "incident_id": incident_id,
        "crime_code": rule.code,
        "element_id": element_id,
        "stance": rules.check_stance(stance),
        "confidence": rules.check_confidence(confidence),
        "note": _note(note),
    }
    with recording(instance) as conn:
        evidence.require_item(conn, instance, Action.ANALYSE, item_id)
        policy.require(conn, instance, Action.ANALYSE, kind="incident", record_id=incident_id)
        incident = history.current(conn, "incident", incident_id)
        _check_item(conn, item_id, incident)
        if rule.code not in queries.qualified_codes(conn, incident_id):
            raise InvalidInput(
                f"the incident does not carry {rule.code}",
                where=incident_id,
                hint=f"qualify it first: `testament legal qualify {incident_id} {rule.code}`",
            )
        lock_log(conn)  # no constraint backs these checks: they hold until commit
        existing = queries.same_element_link(conn, values)
        if existing is not None:
            raise Conflict("this link already exists", where=existing)
        agent_id = acting_agent(conn)
        values["analyst_id"] = agent_id
        return history.create(conn, "element-link", values, agent_id=agent_id)


def unlink_element(instance: Instance, link_id: str) -> int:
    """Withdraw an element link (it and its versions stay); returns its new version."""
    with recording(instance) as conn:
        policy.require(conn, instance, Action.ANALYSE, kind="element_link", record_id=link_id)
        return history.delete(conn, "element-link", link_id, agent_id=acting_agent(conn))


@dataclass(frozen=True)
class Suggestion(Result):
    """A crime code an incident's vocabulary terms suggest; shown to analysts, never applied."""

    code: str
    label: dict[str, str]
    because: list[str]
    qualified: bool
    rejected: bool = False  # an analyst rejected it (:func:`reject_suggestion`): not offered again


def suggest(instance: Instance, incident_id: str) -> list[Suggestion]:
    """The crime codes suggested by the incident's types, targets and weapons (suggestions only)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind="incident", record_id=incident_id)
        data = history.snapshot("incident", history.current(conn, "incident", incident_id))
        qualified = queries.qualified_codes(conn, incident_id)
        rejected = queries.rejected_codes(conn, incident_id)
    reasons: dict[str, list[str]] = {}
    for field, vocabulary_code in SUGGESTING.items():
        vocabulary = loader.shipped().vocabulary(vocabulary_code)
        for term_code in data[field]:
            term = vocabulary.term(term_code) if vocabulary else None
            for code in term.suggests if term else ():
                reasons.setdefault(code, []).append(f"{vocabulary_code}:{term_code}")
    return [
        Suggestion(
            code, dict(crime(code).label), reasons[code], code in qualified, code in rejected
        )
        for code in sorted(reasons)
    ]


@dataclass(frozen=True)
class ElementLinkView(Result):
    """A live element link: an item's stance on one element of a crime qualified on an incident."""

    id: str
    item_id: str
    incident_id: str
    crime_code: str
    element_id: str
    stance: str
    confidence: str
    note: str
    version: int
    updated_at: str


def element_links(instance: Instance, incident_id: str) -> list[ElementLinkView]:
    """The incident's live element links, oldest first (for a dossier that prints them)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind="incident", record_id=incident_id)
        rows = repository.live_rows(conn, "element-link", "incident_id", incident_id)
    return [made(ElementLinkView, row) for row in rows]
