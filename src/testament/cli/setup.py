"""`testament init`."""

from __future__ import annotations

import click

from testament.cli.output import json_line
from testament.config import Settings, load_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON line.")
def init(as_json: bool) -> None:
    """Create $TESTAMENT_HOME (database, instance keys, vault), or upgrade an existing one.

    An upgrade also rebuilds the search index, since what a record contributes to it may have changed.
    """
    from testament.custody import instance  # noqa: PLC0415 - imported on use: keeps --help fast

    settings = load_settings()
    report = instance.init(settings)
    upgraded = not report.created and report.schema_before != report.schema_after
    reindexed = _reindex(settings) if upgraded else None
    if as_json:
        json_line(report.__dict__ | {"search_reindexed": reindexed})
        return
    if reindexed is not None:
        click.echo(f"Rebuilt the search index: {reindexed} records")
    if report.created:
        click.echo(f"Created a Testament home in {report.home}")
    elif report.schema_before != report.schema_after:
        click.echo(
            f"Upgraded the Testament home in {report.home} "
            f"from schema {report.schema_before} to {report.schema_after}"
        )
    else:
        click.echo(f"The Testament home in {report.home} is up to date")
    click.echo(f"Log origin:   {report.log_origin}")
    click.echo(f"Verifier key: {report.verifier_key}")


def _reindex(settings: Settings) -> int:
    from testament.documentation import search  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    opened = open_home(settings)
    try:
        return sum(search.reindex(opened).counts.values())
    finally:
        opened.close()
