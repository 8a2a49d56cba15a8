"""What the forms of people, units and sources share (``web/people.py``, ``web/sources.py``,
``web/units.py``): a refusal as a form shows it, and the history of a record with its log entries.

A use case names the field it refused by its command-line option (``--label``), by the record, or by
what was typed (a reversed period, ``2022-05 – 2022-01``). :func:`refused` turns that into the form's
field, so the page can put the reason next to it; a refusal that names no field of the form is shown on
top only. Hints written for the command line (an option, a command in backticks) are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from testament.custody import history
from testament.errors import Conflict, InvalidInput, NotFound, TestamentError

REFUSED = (
    InvalidInput,
    NotFound,
    Conflict,
)  # shown on the form; a refusal by the policy is a 403 page
# The options the use cases name, as the forms' fields.
OPTIONS = {
    "--label": "label",
    "--description": "description",
    "--role": "role",
    "--incident": "incident_id",
    "--note": "note",
    "--name": "name",
    "--rank": "rank",
    "--person": "person_id",
    "--from": "from_date",
    "--to": "to_date",
    "--degree": "degree",
    "--parent": "parent",
    "--kind": "kind",
    "--country": "country",
    "--title": "title",
    "--url": "url",
    "--reference": "reference",
    "--published": "published_at",
    "--script": "script",
    "--lang": "lang",
}


def refused(exc: TestamentError, default: str | None = None) -> dict[str, Any]:
    """A refusal as a form shows it: the reason on top and next to the field it names (``default``
    when it names none of the form's fields by option, as a record ID or a period does)."""
    named = exc.errors or ({exc.where: exc.what} if exc.where else {})
    fields: dict[str, str] = {}
    for key, reason in named.items():
        field = OPTIONS.get(key, key if key in OPTIONS.values() else default)
        if field is not None:
            said = exc.what if len(named) == 1 else reason
            fields[field] = f"{fields[field]}; {said}" if field in fields else said
    if not named and default is not None:
        fields[default] = exc.what
    hint = exc.hint if exc.hint and "`" not in exc.hint and "--" not in exc.hint else None
    return {"message": exc.what, "hint": hint, "fields": fields, "stale": isinstance(exc, Conflict)}


def status_of(exc: TestamentError) -> int:
    """409 when someone else saved first (or the link exists already), else 422 (a unit or a record
    named on the form that is not there is a mistake in what was typed)."""
    return 409 if isinstance(exc, Conflict) else 422


def alias_field(exc: TestamentError) -> str:
    """Which of the alias form's fields a refusal of an alias is about (the use case names the unit)."""
    if "script" in exc.what:
        return "script"
    if "language tag" in exc.what:
        return "lang"
    return "alias_name"


@dataclass(frozen=True)
class Changed:
    """One version as the history table shows it: what changed, which fields, when and its log entry."""

    version: int
    change: str
    fields: tuple[str, ...]
    at: str
    log_index: int


def changes(versions: Sequence[history.Version]) -> list[Changed]:
    """Each version with the names of the fields it changed (every field, for the first)."""
    shown: list[Changed] = []
    before: dict[str, Any] = {}
    for v in versions:
        data = {k: value for k, value in v.data.items() if k not in ("id", "case_id")}
        fields = tuple(sorted(k for k in data if k not in before or before[k] != data[k]))
        shown.append(Changed(v.version, v.change, fields, v.at[:19].replace("T", " "), v.log_index))
        before = data
    return shown
