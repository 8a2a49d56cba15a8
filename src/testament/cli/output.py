"""Output helpers shared by commands: JSON Lines with deterministic key order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from testament.errors import InvalidInput


def json_line(value: dict[str, Any]) -> None:
    click.echo(json.dumps(value, sort_keys=True, ensure_ascii=False))


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
