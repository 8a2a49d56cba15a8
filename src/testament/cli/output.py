"""Output helpers shared by commands: JSON Lines with deterministic key order."""

from __future__ import annotations

import json
from typing import Any

import click


def json_line(value: dict[str, Any]) -> None:
    click.echo(json.dumps(value, sort_keys=True, ensure_ascii=False))
