"""`testament vault …`: the vault's staging area (docs/vault.md, "Partial files after a crash")."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from testament.cli.output import JSON_HELP, json_line
from testament.config import load_settings


@click.group("vault")
def vault_group() -> None:
    """Look after the vault: partial files that a crash left in its staging area."""


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _state(stale: bool, owner: int | None) -> str:
    if stale:
        return f"stale (process {owner} no longer runs)"
    return "in use" if owner is None else f"in use (process {owner} is writing it)"


@vault_group.command("clean-tmp")
@click.option("--yes", is_flag=True, help="Remove the stale files (default: only list them).")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def clean_tmp(yes: bool, as_json: bool) -> None:
    """List partial files left in vault/tmp by a crashed upload or ingest; --yes removes them.

    Without --yes nothing changes. With it, a `deletion` custody event naming each stale file and
    its size is recorded first, then the files are removed. Files that a running process is still
    writing are never touched.
    """
    from testament.custody import vault_staging  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    inst = open_home(load_settings())
    try:
        cleaned = vault_staging.clean(inst) if yes else None
        found = vault_staging.temporaries(inst) if cleaned is None else cleaned.listed
    finally:
        inst.close()
    removed = {t.name: t.size for t in cleaned.removed} if cleaned is not None else {}
    for t in found:
        if as_json:
            json_line({"name": t.name, "size": t.size, "modified": _when(t.modified),
                       "owner": t.owner, "stale": t.stale, "removed": t.name in removed})  # fmt: skip
        else:
            done = "  removed" if t.name in removed else ""
            click.echo(
                f"{t.name}  {t.size:,} bytes  {_when(t.modified)}  {_state(t.stale, t.owner)}{done}"
            )
    stale = [t for t in found if t.stale]
    summary = {
        "summary": True,
        "stale": len(stale),
        "stale_bytes": sum(t.size for t in stale),
        "in_use": len(found) - len(stale),
        "removed": len(removed),
        "log_index": None if cleaned is None else cleaned.log_index,
    }
    if as_json:
        json_line(summary)
    elif not stale:
        click.echo("No stale files in vault/tmp.")
    elif cleaned is None:
        click.echo(
            f"{vault_staging.stale_summary(found)}. Nothing was removed; "
            "run `testament vault clean-tmp --yes` to remove them."
        )
    else:
        click.echo(
            f"Removed {len(removed)} stale file(s), {sum(removed.values()):,} bytes; "
            f"recorded as custody log entry {cleaned.log_index}."
        )
