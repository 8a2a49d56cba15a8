"""`testament verify`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from testament.cli.output import json_line, read_text
from testament.config import load_settings

if TYPE_CHECKING:
    from testament.custody.verification import Finding


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per finding.")
@click.option("--sample", type=click.IntRange(min=0), help="Re-hash only N randomly chosen blobs.")
@click.option(
    "--key", "key_text", help="Trusted verifier key (default: from the signing key file)."
)
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A checkpoint kept from earlier (repeatable): the log must still contain its tree.",
)
def verify(
    as_json: bool, sample: int | None, key_text: str | None, checkpoint_files: tuple[Path, ...]
) -> None:
    """Check the vault, the custody records, the log and every checkpoint (docs/verification.md)."""
    from testament.custody import verification  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.ledger.keys import VerifierKey  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    trusted = VerifierKey.parse(key_text) if key_text else None
    anchors = [read_text(path, "checkpoint") for path in checkpoint_files]
    inst = open_home(load_settings())

    def show(finding: Finding) -> None:
        if as_json:
            json_line(finding)
            return
        mark = "ok  " if finding.ok and not finding.info else ("note" if finding.ok else "FAIL")
        where = f" [{finding.where}]" if finding.where else ""
        click.echo(f"{mark} ({finding.step}) {finding.check}: {finding.detail}{where}")

    try:
        findings = verification.run(
            inst, sample=sample, trusted_key=trusted, anchors=anchors, on_finding=show
        )
    finally:
        inst.close()
    failures = [f for f in findings if not f.ok]
    if as_json:
        json_line({"summary": True, "ok": not failures, "failures": len(failures)})
    elif failures:
        click.echo(f"Verification FAILED: {len(failures)} problem(s)", err=True)
    else:
        click.echo("Verification passed")
    if failures:
        sys.exit(6)
