"""Importers: parse files into plain records, one at a time, naming the row of anything they refuse."""

from __future__ import annotations

from dataclasses import dataclass

from testament.errors import InvalidInput


@dataclass(frozen=True)
class Rejected:
    """A row that cannot be read: its position, its raw content (for the rejects file) and why."""

    row: int
    raw: object
    error: InvalidInput
