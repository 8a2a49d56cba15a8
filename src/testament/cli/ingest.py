"""`testament ingest`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from testament.cli.output import json_line
from testament.config import load_settings
from testament.domain.display import shown

if TYPE_CHECKING:
    from testament.custody.ingest import IngestResult


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--case", "case_name", required=True, help="Case the evidence belongs to (created if new)."
)
@click.option("--source", "source_note", help="Where the evidence came from (kept out of the log).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per path.")
def ingest(paths: tuple[Path, ...], case_name: str, source_note: str | None, as_json: bool) -> None:
    """Hash, store and record files and directories (recursively) as evidence."""
    from testament.custody import ingest as service  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    inst = open_home(load_settings())
    bar: dict[str, Any] = {}
    show_bar = not as_json and sys.stderr.isatty()

    def on_start(files: int, total: int) -> None:
        if show_bar:
            bar["bar"] = click.progressbar(
                length=total, label=f"Ingesting {files} file(s)", file=sys.stderr
            )
            bar["bar"].__enter__()

    def progress(n: int) -> None:
        if "bar" in bar:
            bar["bar"].update(n)

    def on_result(result: IngestResult) -> None:
        if as_json:
            json_line(result.as_json())
        elif result.status in {"skipped", "rejected"}:
            click.echo(f"{result.status}: {shown(result.path)}: {result.reason}", err=True)

    try:
        report = service.ingest(
            inst,
            list(paths),
            case_name=case_name,
            source_note=source_note,
            progress=progress,
            on_start=on_start,
            on_result=on_result,
        )
    finally:
        if "bar" in bar:
            bar["bar"].__exit__(None, None, None)
        inst.close()
    if not as_json:
        click.echo(
            f"{report.count('stored')} stored, {report.count('linked')} linked to content already "
            f"in the vault, {report.count('already-ingested')} already ingested, "
            f"{report.count('skipped')} skipped, {report.count('rejected')} rejected"
        )
        if report.checkpoint_size is not None:
            click.echo(f"Signed checkpoint at log size {report.checkpoint_size}")
    if report.failed:
        click.echo(
            "error: some files were rejected (listed above); nothing was recorded for them",
            err=True,
        )
        sys.exit(1)
