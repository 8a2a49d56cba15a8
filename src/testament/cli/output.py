"""Output helpers shared by commands: JSON Lines with deterministic key order, and record histories."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from testament.domain.results import plain
from testament.errors import InvalidInput

if TYPE_CHECKING:
    from testament.custody.history import Version


def json_line(value: Any) -> None:
    """One JSON line: a result (``testament.domain.results``), a list of them, or a plain dict."""
    click.echo(json.dumps(plain(value), sort_keys=True, ensure_ascii=False))


def read_bytes(path: Path, what: str) -> bytes:
    """Read a file named on the command line, or fail with a diagnosis naming it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the {what}: {exc.strerror}", where=str(path)) from None


def read_text(path: Path, what: str) -> str:
    try:
        return read_bytes(path, what).decode()
    except UnicodeDecodeError:
        raise InvalidInput(f"the {what} is not UTF-8 text", where=str(path)) from None


JSON_HELP = "Print JSON."


def echo_versions(found: Sequence[Version], as_json: bool) -> None:
    """Print every version of a record: who changed it, when, and its custody log entry."""
    for version in found:
        if as_json:
            json_line(version.as_json())
            continue
        click.echo(
            f"v{version.version}  {version.at}  {version.change:<6}  agent:{version.agent_id}  "
            f"log entry {version.log_index}  sha256-commitment {version.digest[:16]}…"
        )


def echo_written(
    what: str, record_id: str, version: int, as_json: bool, verb: str = "is at"
) -> None:
    """Report an edit or a deletion: a sentence, or ``{"id", "version"}`` as JSON."""
    if as_json:
        json_line({"id": record_id, "version": version})
    else:
        click.echo(f"{what} {record_id} {verb} version {version}")


def echo_created(what: str, record_id: str, as_json: bool) -> None:
    if as_json:
        json_line({"id": record_id})
    else:
        click.echo(f"Recorded {what} {record_id}")
