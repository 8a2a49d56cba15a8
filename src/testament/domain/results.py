"""Typed results: what a use case returns, and the JSON every edge makes of it.

A use case returns a frozen dataclass that derives from :class:`Result` (or a list of them), never a
dict. The field names are the JSON keys, so the API's response models (``testament.api.models``), the
CLI's ``--json`` lines and the pages all read one declaration. :func:`plain` makes the JSON-ready value:
a result becomes an object with its fields in declaration order, tuples become lists, enums their value,
dates and times ISO text. A result that must say more than its fields (a derived key, a renamed one)
overrides ``as_json``, and says why.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Result:
    """Base of every use case's result type."""

    def as_json(self) -> dict[str, Any]:
        return {field.name: plain(getattr(self, field.name)) for field in dataclasses.fields(self)}


def plain(value: Any) -> Any:
    """The JSON-ready form of a result, a list of results, or a value inside one."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "as_json"):
            return value.as_json()
        value = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value
