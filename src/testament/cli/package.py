"""`testament package …`: evidence packages for investigators, and their offline verification."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, json_line, read_text


@click.group("package")
def package_group() -> None:
    """Evidence packages: make one for an investigator, verify one offline, or import a partner's."""


@package_group.command("create")
@click.option("--case", "case_name", required=True, help="The case to package.")
@click.option("--for", "recipient_class", required=True,
              help="Who receives it (recipient-classes, e.g. international-court).")  # fmt: skip
@click.option("--purpose", required=True, help="What it is for (consent-purposes).")
@click.option(
    "--recipient", required=True, help="The receiving organisation, as it should be told."
)
@click.option("--items", "item_ids", multiple=True, metavar="ID",
              help="An item to include (repeat it); with --incident, both are included.")  # fmt: skip
@click.option("--incident", "incident_ids", multiple=True, metavar="ID",
              help="Include the items linked to this incident (repeat it).")  # fmt: skip
@click.option("--type", "media_types", multiple=True, metavar="KIND",
              help="Keep only files of this kind: image, video, audio, text or application (repeat it).")  # fmt: skip
@click.option(
    "--from",
    "dated_from",
    metavar="DAY",
    help="Keep only files dated (last modified) on or after DAY.",
)
@click.option("--to", "dated_to", metavar="DAY", help="Keep only files dated on or before DAY.")
@click.option("--since-checkpoint", type=click.Path(path_type=Path, dir_okay=False),
              help="A checkpoint the recipient already holds: the package proves it extends it.")  # fmt: skip
@click.option("--approval", help="A second person's approval (`testament disclosure request`) to name "
              "the people who testified.")  # fmt: skip
@click.option("--zip", "zipped", is_flag=True, help="Write one .zip file instead of a directory.")
@click.option("--tsa", "tsa_url", metavar="URL",
              help="An RFC 3161 Time-Stamp Authority to stamp the checkpoint (default: the "
                   "tsa_url setting).")  # fmt: skip
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Where to write the package; it must not exist.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def create(
    case_name: str,
    recipient_class: str,
    purpose: str,
    recipient: str,
    item_ids: tuple[str, ...],
    incident_ids: tuple[str, ...],
    media_types: tuple[str, ...],
    dated_from: str | None,
    dated_to: str | None,
    since_checkpoint: Path | None,
    approval: str | None,
    zipped: bool,
    tsa_url: str | None,
    out: Path,
    as_json: bool,
) -> None:
    """Write a BagIt package of originals, documentation and custody proofs (docs/packages.md)."""
    from testament.packages.create import Narrowing, PackageRequest  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.packages.create import create as create_package  # noqa: PLC0415 - as above

    since = None if since_checkpoint is None else read_text(since_checkpoint, "checkpoint")
    request = PackageRequest(
        case_name, recipient_class, purpose, recipient, out,
        item_ids=item_ids, incident_ids=incident_ids, since_checkpoint=since, zipped=zipped,
        approval=approval,
        only=Narrowing(media_types, dated_from, dated_to) if media_types or dated_from or dated_to else None,
        tsa_url=tsa_url,
    )  # fmt: skip
    with opened() as inst:
        report = create_package(inst, request)
    if as_json:
        json_line(report)
        return
    click.echo(
        f"Package {report.package_id} written to {report.path}: {report.items:,} items, "
        f"{report.testimonies:,} testimonies "
        f"({report.originals:,} originals, {report.payload_bytes:,} bytes), {report.incidents:,} "
        f"incidents, {report.entries:,} custody entries under checkpoint {report.checkpoint_size}."
    )
    for withheld in report.withheld:
        click.echo(f"Withheld {withheld.kind} {withheld.id}: {withheld.detail}.")
    if report.trusted_timestamp:
        click.echo("Trusted timestamp: RFC 3161 token over the checkpoint (data/timestamps/).")
    elif report.timestamp_note:
        click.echo(f"No trusted timestamp: {report.timestamp_note}.")
    else:
        click.echo("No trusted timestamp.")


@package_group.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--trust-key", type=click.Path(path_type=Path, dir_okay=False),
              help="A file holding the sender's verifier key, obtained out of band "
                   "(`testament log key`).")  # fmt: skip
@click.option("--since-checkpoint", type=click.Path(path_type=Path, dir_okay=False),
              help="A checkpoint you already hold from the same sender.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def verify(
    path: Path, trust_key: Path | None, since_checkpoint: Path | None, as_json: bool
) -> None:
    """Check a package offline: no database, no home, no network (exit 0 valid, 1 invalid, 3 undecided)."""
    from testament.packages import verifier  # noqa: PLC0415 - imported on use: keeps --help fast

    key = None if trust_key is None else read_text(trust_key, "trusted key").strip()
    since = None if since_checkpoint is None else read_text(since_checkpoint, "checkpoint")
    report = verifier.verify(path, key, since_checkpoint=since)
    sys.stdout.write(report.as_json() + "\n" if as_json else verifier.render(report))
    sys.exit(report.exit_code)


@package_group.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--case", "case_name", required=True,
              help="The case to import into; created if it does not exist.")  # fmt: skip
@click.option("--trust-key", type=click.Path(path_type=Path, dir_okay=False),
              help="A file holding the partner's verifier key, obtained out of band (default: the "
                   "package's own key, if the partner_keys setting lists it).")  # fmt: skip
@click.option("--quarantine", is_flag=True,
              help="Import a package that fails verification, its items marked quarantined.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def import_(
    path: Path, case_name: str, trust_key: Path | None, quarantine: bool, as_json: bool
) -> None:
    """Verify a partner's package, then import its originals and documentation (docs/packages.md)."""
    from testament.packages.importing import ImportRequest, import_package  # noqa: PLC0415 - imported on use: keeps --help fast

    key = None if trust_key is None else read_text(trust_key, "trusted key").strip()
    with opened() as inst:
        report = import_package(inst, ImportRequest(path, case_name, key, quarantine))
    if as_json:
        json_line(report)
        return
    click.echo(
        f"Package {report.package_id} from {report.partner_origin} imported into "
        f"{report.case}: {report.items:,} new items of {report.originals:,} originals "
        f"({report.already_imported:,} already imported), {report.incidents:,} new incidents, "
        f"{report.sources:,} new sources, {report.links:,} new links; transfer recorded at log "
        f"index {report.log_index}."
    )
    if report.quarantined:
        click.echo(
            f"quarantined: failed step {report.failed_step}. Every item from this package is "
            "marked quarantined; its documentation was not imported."
        )
    for warning in report.warnings:
        click.echo(f"Warning: {warning}")
