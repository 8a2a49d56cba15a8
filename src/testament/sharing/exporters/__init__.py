"""Exporters: write plain records to a text stream one at a time, never holding the whole export.

Each module's ``write(records, out)`` takes an iterable of incident records (the incident's fields, the
names of its ``areas`` and its ``sources``, as ``services/exports.py`` builds them) and returns how many
it wrote.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["TextSink"]


class TextSink(Protocol):
    """Where an exporter writes: a text file, standard output, or a wrapper that digests what passes."""

    def write(self, text: str, /) -> int: ...
