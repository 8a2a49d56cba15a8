"""`testament legal …`: preliminary qualifications, evidence linked to crime elements, the proof chart."""

from __future__ import annotations

from pathlib import Path

import click

from testament.cli.context import opened
from testament.cli.output import json_line
from testament.documentation import legal, proof_chart
from testament.errors import InvalidInput
from testament.locale import LANGUAGES


@click.group("legal")
def legal_group() -> None:
    """Preliminary legal qualification: candidate crime codes, element links and the proof chart.

    Every qualification is preliminary: only lawyers and courts characterise conduct legally.
    """


@legal_group.command("qualify")
@click.argument("incident_id")
@click.argument("crime_code")
@click.option("--note", default="", help="Why the analyst considers this crime.")
def qualify(incident_id: str, crime_code: str, note: str) -> None:
    """Qualify an incident as a possible crime.

    Records that INCIDENT_ID may constitute CRIME_CODE; the qualification is always preliminary.
    Warnings about the case's situation (a crime that does not exist in its conflict type, an
    amendment not in force) go to standard error; the qualification is recorded all the same.
    """
    with opened() as inst:
        result = legal.qualify(inst, incident_id, crime_code, note)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"Recorded preliminary qualification {result.id}")


@legal_group.command("withdraw")
@click.argument("qualification_id")
@click.option("--reason", required=True, help="Why the qualification no longer holds (required).")
def withdraw(qualification_id: str, reason: str) -> None:
    """Withdraw a qualification and its element links.

    The qualification and the links made under it are marked withdrawn; their history stays, and
    the qualification's last version carries the reason.
    """
    with opened() as inst:
        links = legal.withdraw_qualification(inst, qualification_id, reason=reason)
    click.echo(f"Withdrew qualification {qualification_id} and {len(links)} element link(s)")


@legal_group.command("reject")
@click.argument("incident_id")
@click.argument("crime_code")
@click.option("--note", default="", help="Why the suggestion does not fit.")
def reject(incident_id: str, crime_code: str, note: str) -> None:
    """Reject a suggested crime code for an incident.

    The rejection is recorded (a version and a custody event) and the suggestion is not offered
    again; `legal suggest` marks it rejected.
    """
    with opened() as inst:
        record_id = legal.reject_suggestion(inst, incident_id, crime_code, note)
    click.echo(f"Rejected the suggestion of {crime_code} ({record_id})")


@legal_group.command("link")
@click.argument("item_id")
@click.option("--incident", "incident_id", required=True, help="The qualified incident.")
@click.option("--crime", "crime_code", required=True, help="A crime code the incident carries.")
@click.option("--element", "element_id", required=True,
              help="The element: E1, E2 … or a contextual element such as CTX-CAH.C1.")  # fmt: skip
@click.option("--supports", "stance", flag_value="supports", help="The item supports the element.")
@click.option("--contradicts", "stance", flag_value="contradicts",
              help="The item contradicts the element.")  # fmt: skip
@click.option("--confidence", type=click.Choice(["low", "medium", "high"]), default="medium",
              show_default=True, help="The analyst's confidence in this link.")  # fmt: skip
@click.option("--note", default="", help="The analyst's reasoning.")
def link(
    item_id: str,
    incident_id: str,
    crime_code: str,
    element_id: str,
    stance: str | None,
    confidence: str,
    note: str,
) -> None:
    """Link an evidence item to a crime element.

    ITEM_ID supports or contradicts an element of a crime that the incident carries. The item must
    belong to the incident's case, and the element to the crime.
    """
    if stance is None:
        raise click.UsageError("say whether the item --supports or --contradicts the element")
    with opened() as inst:
        link_id = legal.link_element(
            inst, item_id, incident_id, crime_code, element_id,
            stance=stance, confidence=confidence, note=note,
        )  # fmt: skip
    click.echo(f"Recorded element link {link_id}")


@legal_group.command("unlink")
@click.argument("link_id")
def unlink(link_id: str) -> None:
    """Withdraw an element link.

    The link and its history stay in the database and the log.
    """
    with opened() as inst:
        version = legal.unlink_element(inst, link_id)
    click.echo(f"Withdrew element link {link_id} (version {version})")


@legal_group.command("chart")
@click.option("--case", "case_name", required=True, help="The case.")
@click.option("--format", "fmt", type=click.Choice(sorted(proof_chart.RENDERERS)), default="md",
              show_default=True, help="Markdown table, CSV or JSON.")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the chart to this file instead of standard output.")  # fmt: skip
def chart(case_name: str, fmt: str, out: Path | None) -> None:
    """Print the proof chart of a case.

    One row per crime × element: supporting items, independent sources, contradicting items,
    confidence, and whether the element is supported, contested or a gap (docs/legal.md).
    """
    with opened() as inst:
        text = proof_chart.render(proof_chart.chart(inst, case_name), fmt)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write the chart: {exc.strerror}", where=str(out)) from None
    click.echo(f"Wrote the proof chart to {out}")


@legal_group.command("suggest")
@click.argument("incident_id")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def suggest(incident_id: str, as_json: bool) -> None:
    """Suggest crime codes for an incident.

    The codes its types, targets and weapons suggest in the vocabularies; never applied automatically.
    """
    with opened() as inst:
        found = legal.suggest(inst, incident_id)
    for suggestion in found:
        if as_json:
            json_line(suggestion)
            continue
        mark = " (qualified)" if suggestion.qualified else ""
        mark += " (rejected)" if suggestion.rejected else ""
        label = suggestion.label.get("en", "")
        click.echo(f"{suggestion.code}  {label}{mark}  [{', '.join(suggestion.because)}]")
    if not found and not as_json:
        click.echo("No suggestion: the incident's types, targets and weapons suggest no crime")


@legal_group.command("crimes")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def crimes(as_json: bool) -> None:
    """List the crimes of the taxonomy.

    Each with its labels in the pages' languages (English, Ukrainian, Arabic) and its articles; --json
    adds amendments and elements.
    """
    for crime in legal.crimes():
        if as_json:
            json_line(crime)
            continue
        articles = "; ".join(f"{k}: {v}" for k, v in crime.articles.items())
        labels = " / ".join(crime.label.get(code, "") for code in LANGUAGES)
        click.echo(f"{crime.code}  {labels}  [{articles}]")
