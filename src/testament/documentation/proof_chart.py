"""The proof chart of a case: crime × element, with the evidence for and against each, and the gaps.

:func:`chart` reads one consistent snapshot; the renderers (Markdown, CSV, JSON) are pure and
deterministic, so the same database gives the same bytes. docs/legal.md explains the columns and the rule
that counts independent sources.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from testament.custody import cases, policy
from testament.custody.instance import Instance
from testament.documentation import legal, queries
from testament.documentation.results import (
    ChartCase,
    ChartCitation,
    ChartCrime,
    ChartElement,
    ProofChartView,
)
from testament.domain import legal as rules
from testament.domain.access import Action
from testament.errors import InvalidInput
from testament.storage.engine import read_transaction
from testament.taxonomy import loader

SCHEMA = "testament.proof-chart/1"
CSV_COLUMNS = (
    "crime_code",
    "element_id",
    "element_type",
    "status",
    "applies",
    "supporting_items",
    "independent_sources",
    "contradicting_items",
    "confidence_high",
    "confidence_medium",
    "confidence_low",
    "incidents",
)


def _rule(code: str) -> tuple[rules.CrimeRule, dict[str, str]]:
    crime = loader.shipped().crime(code)
    if crime is None:
        return rules.CrimeRule(code, {}, {}, (), ()), {}
    return legal.crime_rule(crime), dict(crime.label)


def chart(instance: Instance, case_name: str) -> rules.ProofChart:
    """The proof chart of a case: every crime qualified on any of its incidents, element by element."""
    with read_transaction(instance.engine) as conn:
        cid = str(policy.require(conn, instance, Action.READ, case=case_name))
        name = queries.case_name(conn, cid)
        situation = cases.conflict_of_case(conn, cid)
        qualified = queries.case_qualifications(conn, cid)
        rows = queries.case_element_links(conn, cid)
        sources = queries.case_item_sources(conn, cid)
    links: dict[str, list[rules.EvidenceLink]] = defaultdict(list)
    for r in rows:
        if (r["incident_id"], r["crime_code"]) not in qualified:
            continue
        keys = sources.get((r["item_id"], r["incident_id"]), set()) | {f"sha256:{r['sha256']}"}
        links[r["crime_code"]].append(
            rules.EvidenceLink(
                r["item_id"],
                r["incident_id"],
                r["element_id"],
                r["stance"],
                r["confidence"],
                frozenset(keys),
            )
        )
    incidents = Counter(code for _, code in qualified)
    crimes = []
    for code in sorted(incidents):
        rule, label = _rule(code)
        warnings = (
            rules.applicability_warnings(rule, situation)
            if label
            else [f"{code} is no longer in the taxonomy; its elements cannot be shown"]
        )
        crimes.append(
            rules.crime_chart(
                rule,
                label,
                incidents[code],
                links[code],
                warnings=warnings,
                regimes=rules.situation_regimes(situation),
            )
        )
    return rules.ProofChart(str(cid), str(name), tuple(crimes))


def _cell(values: Iterable[str]) -> str:
    return " ".join(values)


def _articles(crime: rules.CrimeChart) -> str:
    return "; ".join(f"Art. {a} ({k})" for k, a in sorted(crime.rule.articles.items()))


def render_markdown(proof: rules.ProofChart) -> str:
    """One section per crime, with a table of its elements and a line naming its gaps."""
    out = [
        f"# Proof chart: {proof.case_name}",
        "",
        "Preliminary legal characterisation, for analysis only; not a legal finding.",
        "",
    ]
    if not proof.crimes:
        out += ["No incident of this case carries a qualification yet.", ""]
    for crime in proof.crimes:
        title = crime.label.get("en", crime.rule.code)
        out += [f"## {crime.rule.code}: {title}", ""]
        out += [f"{_articles(crime)}. Incidents: {crime.incidents}.", ""]
        out += [f"> warning: {w}" for w in crime.warnings] + ([""] if crime.warnings else [])
        out += [
            "| Element | Type | Status | Supporting items | Sources | Contradicting items | Confidence |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in crime.rows:
            status = row.status if row.applies else f"{row.status} (other conflict)"
            cells = (row.element.id, row.element.type, status, _cell(row.supporting) or "-",
                     str(row.sources), _cell(row.contradicting) or "-",
                     rules.confidence_text(row.confidence) or "-")  # fmt: skip
            out.append("| " + " | ".join(cells) + " |")
        out += ["", f"Gaps: {', '.join(crime.gaps()) or 'none'}.", ""]
    return "\n".join(out)


def render_csv(proof: rules.ProofChart) -> str:
    """One row per crime × element; item IDs separated by spaces; ``\\n`` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for crime in proof.crimes:
        for row in crime.rows:
            writer.writerow(
                [crime.rule.code, row.element.id, row.element.type, row.status,
                 "yes" if row.applies else "no", _cell(row.supporting), row.sources, _cell(row.contradicting),
                 *(row.confidence[c] for c in rules.CONFIDENCES), crime.incidents]
            )  # fmt: skip
    return buffer.getvalue()


def view(proof: rules.ProofChart) -> ProofChartView:
    """The chart as data, in the stable shape ``testament.proof-chart/1`` (docs/legal.md)."""
    return ProofChartView(
        schema=SCHEMA,
        case=ChartCase(proof.case_id, proof.case_name),
        status=proof.status,
        crimes=tuple(
            ChartCrime(
                code=crime.rule.code,
                label=dict(crime.label),
                articles=dict(crime.rule.articles),
                incidents=crime.incidents,
                warnings=tuple(crime.warnings),
                gaps=tuple(crime.gaps()),
                elements=tuple(
                    ChartElement(
                        id=row.element.id,
                        type=row.element.type,
                        text=row.element.text,
                        status=row.status,
                        applies=row.applies,
                        supporting=tuple(row.supporting),
                        independent_sources=row.sources,
                        contradicting=tuple(row.contradicting),
                        confidence=dict(row.confidence),
                    )
                    for row in crime.rows
                ),
            )
            for crime in proof.crimes
        ),
    )


def citations(proof: rules.ProofChart) -> dict[tuple[str, str], tuple[ChartCitation, ...]]:
    """(crime code, element ID) → the items cited on it, each with its incident and stance (what the
    proof chart page links to; the chart's stable shape names the items only)."""
    return {
        (crime.rule.code, row.element.id): tuple(
            ChartCitation(link.item_id, link.incident_id, link.stance, link.confidence)
            for link in row.links
        )
        for crime in proof.crimes
        for row in crime.rows
    }


def as_json(proof: rules.ProofChart) -> dict[str, Any]:
    """:func:`view` as JSON-ready data."""
    return view(proof).as_json()


def render_json(proof: rules.ProofChart) -> str:
    return json.dumps(as_json(proof), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


RENDERERS: dict[str, Callable[[rules.ProofChart], str]] = {
    "md": render_markdown,
    "csv": render_csv,
    "json": render_json,
}


def render(proof: rules.ProofChart, fmt: str) -> str:
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise InvalidInput(
            f"{fmt!r} is not a chart format", where="--format", hint="use md, csv or json"
        ) from None
    return renderer(proof)
