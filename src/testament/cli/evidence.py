"""`testament evidence …`: link evidence items to incidents, record their verification assessments and
the identifiers other bodies gave them."""

from __future__ import annotations

from typing import Any

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, echo_created, echo_versions, echo_written, json_line
from testament.documentation import evidence, item_uses
from testament.pipeline import service
from testament.pipeline.results import ProcessingView


@click.group("evidence")
def evidence_group() -> None:
    """Evidence items' links to incidents and their verification (Berkeley Protocol)."""


@evidence_group.command("link")
@click.argument("item_id")
@click.option("--incident", "incident_id", required=True, help="An incident of the item's case.")
@click.option("--relevance", required=True, help="Why the item matters to the incident.")
@click.option("--source", "source_id", help="The ID of the source the item came from.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def link(
    item_id: str, incident_id: str, relevance: str, source_id: str | None, as_json: bool
) -> None:
    """Link evidence item ITEM_ID to an incident."""
    with opened() as inst:
        new_id = evidence.link(inst, item_id, incident_id, relevance, source_id=source_id)
    echo_created("evidence link", new_id, as_json)


@evidence_group.command("unlink")
@click.argument("link_id")
@click.option("--expect-version", type=int, help="Refuse if the link is no longer at this version.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def unlink(link_id: str, expect_version: int | None, as_json: bool) -> None:
    """Mark an item–incident link deleted (its versions stay retrievable)."""
    with opened() as inst:
        version = evidence.unlink(inst, link_id, expected_version=expect_version)
    echo_written("Link", link_id, version, as_json, "marked deleted at")


@evidence_group.command("assess")
@click.argument("item_id")
@click.option("--axis", required=True, type=click.Choice(evidence.AXES),
              help="Which Berkeley Protocol analysis: source, technical or content.")  # fmt: skip
@click.option("--status", required=True,
              help="A verification-status code (`testament taxonomy terms verification-status`).")  # fmt: skip
@click.option("--method", required=True, help="How it was assessed.")
@click.option(
    "--date", "assessed_on", help="The day of the assessment (YYYY-MM-DD); default today (UTC)."
)
@click.option("--note", default="", help="Free text.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def assess(item_id: str, as_json: bool, **options: Any) -> None:
    """Record an assessment of ITEM_ID on one axis; earlier assessments are kept."""
    with opened() as inst:
        new_id = evidence.assess(inst, item_id, **options)
    echo_created("assessment", new_id, as_json)


@evidence_group.command("external-id")
@click.argument("item_id")
@click.option("--scheme", required=True,
              help="Whose numbering: 2 to 32 letters, digits or dashes (ICC-ERN for an ICC "
                   "Evidence Registration Number).")  # fmt: skip
@click.option("--value", required=True,
              help="The identifier; an ICC-ERN is SITUATION-PARTY-BATCH-PAGE (UKR-OTP-0001-0001).")  # fmt: skip
@click.option("--assigned-by", required=True, help="The registry or organisation that assigned it.")
@click.option(
    "--on", "assigned_on", help="The day it was assigned (YYYY-MM-DD); default: not recorded."
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def external_id(item_id: str, as_json: bool, **options: Any) -> None:
    """Record an identifier another body gave ITEM_ID; an item holds one per scheme."""
    with opened() as inst:
        new_id = evidence.set_external_id(inst, item_id, **options)
    echo_created("external identifier", new_id, as_json)


@evidence_group.command("show")
@click.argument("item_id")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def show(item_id: str, as_json: bool) -> None:
    """Show an item's incident links, external identifiers, assessments and what processing found."""
    with opened() as inst:
        data = evidence.show(inst, item_id)
        found = service.item_processing(inst, item_id)
    if as_json:
        json_line({**data.as_json(), "processing": found.as_json()})
        return
    click.echo(f"{'name':>12}: {data.shown_name}")
    for key in ("id", "sha256", "media_type", "size"):
        click.echo(f"{key:>12}: {getattr(data, key)}")
    for item_link in data.incidents:
        click.echo(f"{'incident':>12}: {item_link.incident_id}  {item_link.relevance}")
    for axis in evidence.AXES:
        latest = data.latest.get(axis)
        standing = f"{latest.status} on {latest.assessed_on}" if latest else "not assessed"
        click.echo(f"{axis:>12}: {standing}")
    for known in data.external_ids:
        click.echo(f"{known.scheme:>12}: {known.value}  ({known.assigned_by})")
    for origin in data.provenance:
        state = (
            f"QUARANTINED: failed step {origin.failed_step}" if origin.quarantined else "verified"
        )
        click.echo(
            f"{'imported':>12}: package {origin.package_id} of {origin.partner_origin}, {state}"
        )
    _echo_processing(found)
    for mark in data.assessments:
        click.echo(
            f"{'assessment':>12}: {mark.assessed_on}  {mark.axis:<9} {mark.status:<18} "
            f"agent:{mark.analyst_id}  {mark.method}"
        )


def _echo_processing(found: ProcessingView) -> None:
    """What processing found, one line per kind, then the suggested place and the derivatives."""
    for done in found.extractions:
        state = (
            f"{done.tool} {done.tool_version}" if done.status == "ok" else f"FAILED: {done.error}"
        )
        click.echo(f"{done.kind:>12}: {state}")
    if found.suggested_location:
        place = found.suggested_location
        click.echo(
            f"{'suggested':>12}: {place['latitude']:.6f}, {place['longitude']:.6f} "
            f"({place['source']}; a suggestion, not an asserted location)"
        )
    if found.text_length:
        click.echo(f"{'text':>12}: {found.text_length} characters")
    for derived in found.derivatives:
        click.echo(f"{derived.role:>12}: {derived.item_id}  {derived.name}")
    if found.derived_from is not None:
        origin = found.derived_from
        click.echo(f"{'derived from':>12}: {origin.parent_id} ({origin.role}, {origin.tool})")
    for job in found.jobs:
        if job.state != "done":
            click.echo(f"{'job':>12}: {job.state}" + (f"  {job.error}" if job.error else ""))


@evidence_group.command("uses")
@click.argument("item_id")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def uses(item_id: str, as_json: bool) -> None:
    """Where ITEM_ID is used: its incidents, the legal elements it bears on, the packages it went into."""
    with opened() as inst:
        found = item_uses.uses(inst, item_id)
    if as_json:
        json_line(found)
        return
    for incident in found.incidents:
        click.echo(
            f"{'incident':>12}: {incident.incident_id}  {incident.title}  ({incident.relevance})"
        )
    for element in found.elements:
        click.echo(
            f"{element.stance:>12}: {element.crime_code} {element.element_id}  "
            f"on {element.incident_id}  ({element.confidence} confidence)"
        )
    for package in found.packages:
        asked = f"  request {package.request_id}" if package.request_id else ""
        click.echo(
            f"{'package':>12}: {package.package_id}  to {package.recipient} "
            f"({package.recipient_class}, {package.purpose}) on {package.shared_at}{asked}"
        )
    if not (found.incidents or found.elements or found.packages):
        click.echo("not used yet: no incident, legal element or package", err=True)


@evidence_group.command("duplicates")
@click.argument("item_id")
@click.option("--max-distance", type=click.IntRange(0, 256), default=None,
              help="Largest PDQ distance in bits (of 256). Default: the duplicate_max_distance setting (31).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def duplicates(item_id: str, max_distance: int | None, as_json: bool) -> None:
    """List possible near-duplicates of an image or video: an analysis aid, never an integrity proof."""
    with opened() as inst:
        found = service.duplicates(inst, item_id, max_distance=max_distance)
    for match in found:
        if as_json:
            json_line(match)
        else:
            click.echo(
                f"{match.distance:>3} bits  {match.item_id}  {match.media_type}  {match.name}"
            )
    if not found and not as_json:
        click.echo("no possible near-duplicates", err=True)


@evidence_group.command("history")
@click.argument("record_id")
@click.option("--kind", type=click.Choice(evidence.KINDS), default="item-incident", show_default=True,
              help="The kind of record.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON object per version.")
def history_command(record_id: str, kind: str, as_json: bool) -> None:
    """Every version of an evidence link, assessment or external identifier, with its log entry."""
    with opened() as inst:
        found = evidence.versions(inst, record_id, kind)
    echo_versions(found, as_json)
