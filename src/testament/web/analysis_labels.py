"""How an analysis's result reads on its page: each JSON key in words, each value as a reader writes it.

The analyses answer JSON for programs (``radius_m``, ``share_of_protected``, ``0.4444``, ``null``); the
page shows the same result to a documenter, in English, Ukrainian or Arabic. :data:`KEYS` gives the words for
every key the analyses emit (parameters, their own keys, row columns, table names); a key not listed
reads as words made from it (``share_of_protected``: "Share of protected"), so an analysis that adds a
key never breaks its page. :class:`Shown` formats values: no value as a dash, shares as percentages,
a point as its coordinates, codes by their labels, a count per label as "label n · label n", a nested
object as its keys and values in words, never as JSON. The JSON the command line and the API answer
is left as it is.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping, Sequence
from decimal import InvalidOperation
from typing import Any

from babel.numbers import format_decimal, format_percent

from testament.web import labels
from testament.web.labels import N_

DASH = "—"

KEYS: Mapping[str, str] = {
    # Parameters (as the forms name them where they have a field).
    "by": N_("Count by"),
    "where": N_("Only incidents with"),
    "level": N_("Area level"),
    "unit": N_("Unit"),
    "period": N_("Period"),
    "min_count": N_("At least this many incidents"),
    "baseline_days": N_("Baseline (days before)"),
    "factor": N_("Times the baseline's median"),
    "radius_m": N_("Within (metres)"),
    "window_h": N_("Within (hours)"),
    "window_days": N_("Within (calendar days)"),
    "earth_radius_m": N_("Earth radius (metres)"),
    "method": N_("Method"),
    "eps_m": N_("Neighbourhood (metres)"),
    "min_samples": N_("Incidents to make a cluster"),
    "time_scale_days": N_("Days counted as far as the neighbourhood"),
    "categories": N_("Categories of protected objects"),
    "from": N_("From"),
    "to": N_("To"),
    "top": N_("How many of each to name"),
    "include": N_("Also side by side"),
    "terms": N_("Terms compared"),
    # An analysis's own keys and its tables.
    "rows": N_("Results"),
    "pairs": N_("Pairs of incidents"),
    "groups": N_("Groups of repeat strikes"),
    "noise": N_("In no cluster"),
    "graph": N_("Network of units and places"),
    "nodes": N_("Nodes"),
    "edges": N_("Links"),
    "other_level": N_("Placements at another area level"),
    "baseline_rule": N_("How the baseline is computed"),
    "time_rule": N_("Time rule"),
    "applied": N_("Rule applied"),
    "time_rule.applied": N_("Time rule applied"),
    "time_rule.hours": N_("Rule by hours"),
    "time_rule.days": N_("Rule by days"),
    "summary": N_("Summary"),
    "summary.top": N_("Areas holding the most"),
    "total": N_("Protected incidents in an area"),
    "all_incidents": N_("All incidents in an area"),
    "share_of_all": N_("Share of all incidents"),
    "summary.areas": N_("Areas touched"),
    "top_share": N_("Share of the areas holding the most"),
    "sentence": N_("In one sentence"),
    "distributions": N_("Distributions side by side"),
    "measure": N_("Measure"),
    "protected": N_("Protected objects"),
    "context": N_("Context evidence"),
    # Row columns.
    "id": N_("ID"),
    "external_id": N_("External ID"),
    "incidents": N_("Incidents"),
    "count": N_("Number of incidents"),
    "area": N_("Administrative area"),
    "areas": N_("Administrative areas"),
    "area_code": N_("Area code"),
    "day": N_("Day"),
    "week": N_("Week"),
    "month": N_("Month"),
    "year": N_("Year"),
    "type": N_("Type"),
    "types": N_("Types"),
    "target": N_("Target"),
    "weapon": N_("Weapon"),
    "baseline": N_("Baseline (median)"),
    "history_days": N_("Days of history"),
    "flagged": N_("Above the baseline"),
    "group": N_("Group number"),
    "cluster": N_("Cluster number"),
    "centre": N_("Centre (latitude, longitude)"),
    "box": N_("Bounding box (south-west to north-east)"),
    "first": N_("Earliest"),
    "last": N_("Latest"),
    "distance_m": N_("Distance (metres)"),
    "days_apart": N_("Days apart"),
    "hours_apart": N_("Hours apart"),
    "rule": N_("Time rule met"),
    "all": N_("All incidents"),
    "share": N_("Share of incidents"),
    "share_of_protected": N_("Share of protected incidents"),
    "unit_id": N_("Unit ID"),
    "timeline": N_("Placements"),
    "placement": N_("Placement"),
    "inside": N_("Inside"),
    "possibly": N_("Possibly inside"),
    "possibly_count": N_("Number possibly inside"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "kind": N_("Kind"),
    "label": N_("Name"),
    "edges.source": N_("From"),
    "edges.target": N_("To"),
    "weight": N_("Weight"),
    "figure": N_("Figure"),
    "value": N_("Value of the figure"),
    "of": N_("Out of"),
    "days": N_("Days"),
    "months": N_("Months"),
    "weeks": N_("Weeks"),
    "field": N_("Field"),
    "distance": N_("Jensen–Shannon distance"),
    "labels": N_("Distinct values"),
}

# The words for the codes an analysis writes as values (its rules, figures, kinds of node and link).
WORDS: Mapping[str, str] = {
    "area": N_("area"), "day": N_("day"), "week": N_("week"), "month": N_("month"),
    "year": N_("year"), "type": N_("type"), "target": N_("target"), "weapon": N_("weapon"),
    "protected": N_("protected objects"), "context": N_("context evidence"),
    "hours": N_("by hours"), "days": N_("by days"), "days and hours": N_("by days and by hours"),
    "none": N_("none"), "incidents": N_("incidents"), "areas": N_("areas touched"),
    "span": N_("time span"), "months": N_("months with incidents"),
    "weeks": N_("weeks with incidents"), "pattern": N_("recurring pattern"), "unit": N_("unit"),
    "point": N_("point"), "presence": N_("presence"), "co-presence": N_("presence together"),
    "as-recorded": N_("as recorded"), "broadest": N_("broadest terms"),
}  # fmt: skip
CODED = frozenset({"by", "period", "include", "rule", "applied", "figure", "kind", "field",
                   "terms"})  # fmt: skip
VOCABULARIES: Mapping[str, str] = {
    "type": "incident-types", "types": "incident-types", "target": "target-object-types",
    "targets": "target-object-types", "weapon": "weapon-systems", "weapons": "weapon-systems",
    "categories": "target-object-types", "category": "target-object-types",
}  # fmt: skip
# Sentences the analysis writes in English for the JSON's reader: shown as such, marked lang="en".
ENGLISH = frozenset({"baseline_rule", "measure", "sentence", "time_rule.hours", "time_rule.days"})
# Columns of identifiers and codes, the same in every language: marked translate="no".
CODES = frozenset({"id", "unit_id", "external_id", "area_code", "placement", "edges.source",
                   "edges.target"})  # fmt: skip
# A comparison's two sides, named by the situations (or cases) compared.
SIDES: Mapping[str, str] = {
    "first": "%(side)s", "first_incidents": N_("Incidents in %(side)s"),
    "first_values": N_("Values in %(side)s"), "first_without": N_("Without a value in %(side)s"),
    "first_share": N_("Share in %(side)s"),
}  # fmt: skip


def words(key: str) -> str:
    """A key no table names, as words: ``share_of_protected`` -> "Share of protected"."""
    text = " ".join(key.replace("_", " ").replace("-", " ").split())
    return text[:1].upper() + text[1:] if text else key


def is_share(key: str) -> bool:
    last = key.rsplit(".", 1)[-1]
    return last == "share" or last.endswith("_share") or last.startswith("share_of_")


def is_refs(value: Any) -> bool:
    """A list of incident references (``{"id", "external_id"}``), shown as links."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(v, dict) and "id" in v and set(v) <= {"id", "external_id"} for v in value
        )
    )


def is_summary(value: Any) -> bool:
    """A protected-objects summary, told in a sentence composed on the page."""
    return isinstance(value, Mapping) and {"total", "areas", "top", "top_share"} <= set(value)


def sides_of(scope: Mapping[str, Any]) -> tuple[str, ...]:
    """The names of a comparison's two sides (none for any other analysis)."""
    compared = scope.get("compared") or []
    return tuple(str(s.get("situation") or s.get("case") or "") for s in compared)


class Shown:
    """The words for keys and values, in one language; the templates' ``keys`` and ``show``."""

    def __init__(
        self, language: str, messages: gettext.NullTranslations, sides: Sequence[str] = ()
    ) -> None:
        self.language = language
        self.messages = messages
        self.sides = tuple(sides)

    def key(self, key: str) -> str:
        """A key, or a dotted path of keys (a table or a note of a nested object), in words."""
        parts = key.split(".")
        for known in (key, ".".join(parts[-2:])):
            if known in KEYS:
                return self.messages.gettext(KEYS[known])
        if len(parts) == 1:
            return words(key)
        rest = [self._side(part) or self.key(part) for part in parts[1:]]
        return " · ".join([self.key(parts[0]), *rest])

    def column(self, table: str, column: str) -> str:
        """A table's column: a comparison's columns name its sides."""
        if self.sides and (table == "rows" or table.startswith("distributions")):
            side = self._side(column)
            if side:
                return side
        pair = f"{table.rsplit('.', 1)[-1]}.{column}"
        return self.messages.gettext(KEYS[pair]) if pair in KEYS else self.key(column)

    def _side(self, key: str) -> str:
        for n, prefix in enumerate(("first", "second")):
            if n < len(self.sides) and (key == prefix or key.startswith(prefix + "_")):
                message = SIDES.get("first" + key[len(prefix) :])
                if message:
                    return self.messages.gettext(message) % {"side": self.sides[n]}
        return ""

    def is_code(self, table: str, column: str) -> bool:
        return column in CODES or f"{table.rsplit('.', 1)[-1]}.{column}" in CODES

    def english(self, key: str) -> bool:
        return key in ENGLISH or key.rsplit(".", 1)[-1] in ENGLISH

    def __call__(self, key: str, value: Any) -> str:
        """``value`` of ``key`` as text."""
        if value is None:
            return DASH
        if isinstance(value, str):
            return self.code(key, value)
        if isinstance(value, bool | int | float):
            return self.number(key, value)
        if isinstance(value, Mapping):
            return self._mapping(key, value)
        if isinstance(value, list):
            return self._list(key, value)
        return str(value)

    def number(self, key: str, value: float) -> str:
        """A number; a share as a percentage, a truth as yes or no."""
        if isinstance(value, bool):
            return self.messages.gettext(N_("yes") if value else N_("no"))
        try:
            if is_share(key):
                return format_percent(value, "#,##0.0%", locale=self.language)
            return format_decimal(value, locale=self.language)
        except InvalidOperation:  # beyond the precision of a decimal: as Python writes it
            return str(value)

    def code(self, key: str, value: str | None) -> str:
        """A code by its label: a vocabulary term, or one of an analysis's own codes."""
        last = key.rsplit(".", 1)[-1]
        if value is None:
            return self.messages.gettext(WORDS["none"])
        if last in VOCABULARIES:
            return labels.label(
                value, VOCABULARIES[last], language=self.language, messages=self.messages
            )
        if last == "field":
            return self.key(value)
        if last in CODED and value in WORDS:
            return self.messages.gettext(WORDS[value])
        return value

    def _mapping(self, key: str, value: Mapping[str, Any]) -> str:
        if not value:
            return DASH
        if {"latitude", "longitude"} <= set(value) and set(value) <= {"latitude", "longitude"}:
            return f"{value['latitude']:.4f}, {value['longitude']:.4f}"
        if set(value) == {"south", "west", "north", "east"}:
            corners = (value["south"], value["west"], value["north"], value["east"])
            return "{:.4f}, {:.4f} – {:.4f}, {:.4f}".format(*corners)
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()):
            return " · ".join(f"{self.code(key, k)} {self.number(k, v)}" for k, v in value.items())
        if all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()):
            return "; ".join(f"{self.code(key, k)}: {self._list(key, v)}" for k, v in value.items())
        return " · ".join(f"{self.key(k)}: {self._nested(k, v)}" for k, v in value.items())

    def _nested(self, key: str, value: Any) -> str:
        text = self(key, value)
        return f"({text})" if isinstance(value, dict | list) and len(value) > 1 else text

    def _list(self, key: str, value: list[Any]) -> str:
        if not value:
            return DASH
        if all(isinstance(v, str) or v is None for v in value):
            return ", ".join(self.code(key, v) for v in value)
        if is_refs(value):
            return " ".join(str(v.get("external_id") or v["id"][:8]) for v in value)
        if all(isinstance(v, dict) and "count" in v and len(v) == 2 for v in value):
            return " · ".join(self._counted(v) for v in value)
        return "; ".join(self._nested(key, v) for v in value)

    def _counted(self, value: Mapping[str, Any]) -> str:
        name = next(k for k in value if k != "count")
        return f"{self(name, value[name])} {self('count', value['count'])}"
