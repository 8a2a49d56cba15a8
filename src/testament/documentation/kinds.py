"""The documentation's record kinds, each declared once: incident, source, unit and person.

A :class:`RecordKind` names the kind as the versioned store knows it (``history``), the fields a
documenter gives (each with its help, its command-line option, whether a new record needs it, and the
check that turns what was typed into what is stored), the fields the search index reads, the other
kinds its history command shows, and the types its show and list answer with
(:mod:`testament.documentation.record_views`). Everything else reads the declaration: the checks of
:func:`checked`, the generic use cases of :mod:`testament.documentation.records`, the API's request
bodies, the command line's options and commands, and the history views. Adding a plain field to a kind
is a line in its declaration (and its view, which the declaration checks), and a migration.

This module is pure: it imports no database and no edge, so ``testament … --help`` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import urlsplit

from testament.documentation import record_views as views
from testament.domain import dates
from testament.domain.results import Result
from testament.domain.text import clean_text
from testament.errors import InvalidInput
from testament.taxonomy import vocabulary

V = TypeVar("V", bound=Result)
R = TypeVar("R", bound=Result)
Check = Callable[[Any, str | None], Any]
Length = Literal["name", "line", "long"]
Shape = Literal["text", "texts", "coordinate", "aliases"]


@dataclass(frozen=True)
class Field:
    """One field a documenter gives.

    ``check(value, where)`` returns the value to store, or raises :class:`InvalidInput` naming
    ``where``; a field without one is checked by its kind's own use case (an incident's date, a unit's
    parent). ``column`` is where the value is stored (None: it is not stored as given).
    """

    name: str
    help: str
    check: Check | None = None
    required: bool = False
    default: Any = ""
    option: str | None = ""  # "": --name-with-dashes; None: no option (the API's alone)
    column: str | None = ""  # "": the field's name
    shape: Shape = "text"
    length: Length | None = None  # the API refuses longer text (domain/text.py's table)
    describe: str | None = None  # the API's description of the field
    nonempty: bool = False  # the API refuses an empty value in a new record
    add_argument: bool = False  # `add` takes it as an argument, not an option
    add_note: str = ""  # more help where `add` offers it
    vocabulary: str | None = None  # the controlled vocabulary its codes come from

    @property
    def flag(self) -> str:
        return self.option or "--" + self.name.replace("_", "-")

    @property
    def stored(self) -> str | None:
        return self.name if self.column == "" else self.column


Where = Literal["option", "record-or-option", "record"]


@dataclass(frozen=True)
class RecordKind(Generic[V, R]):
    """A kind of documentation record, declared once; ``V`` is what showing one answers, ``R`` a row
    of a list of them."""

    name: str  # as the versioned store and its custody events name it
    noun: str  # as messages name it
    fields: tuple[Field, ...]
    view: type[V]
    listed: type[R]
    history: tuple[str, ...]  # the kinds its `history` command reads (its own first)
    group: str = ""  # its records and their links together ("people"); "": the noun
    search: tuple[str, ...] = ()  # the fields its search document is made of
    in_case: bool = True  # a record of one case (False: shared by every case of the home)
    where: Where = "option"  # what a refused field names: its option, the record, or either

    def __post_init__(self) -> None:
        if not self.group:
            object.__setattr__(self, "group", self.noun)
        shown = set(self.view.__dataclass_fields__)
        missing = [f.stored for f in self.fields if f.stored and f.stored not in shown]
        if missing:
            raise TypeError(f"{self.view.__name__} lacks the {self.name} fields {missing}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def title(self) -> str:
        return self.noun.capitalize()

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def where_for(self, field: Field, record_id: str | None) -> str | None:
        if self.where == "option":
            return field.flag
        if self.where == "record":
            return record_id
        return record_id or field.flag


def checked(
    kind: RecordKind[Any, Any], given: Mapping[str, Any], record_id: str | None = None
) -> dict[str, Any]:
    """The fields given, checked, under the names they are stored as (those the kind checks itself are
    left out); refuses a field the kind does not have."""
    unknown = sorted(set(given) - set(kind.names))
    if unknown:
        raise InvalidInput(f"a {kind.noun} has no field {', '.join(unknown)}", where=record_id)
    values: dict[str, Any] = {}
    for field in kind.fields:
        if field.name in given and field.check is not None and field.stored:
            values[field.stored] = field.check(given[field.name], kind.where_for(field, record_id))
    return values


def new_values(kind: RecordKind[Any, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """What a new record is given: each field's default, then what was given."""
    return {f.name: f.default for f in kind.fields if f.name not in given} | dict(given)


# --- Checks -------------------------------------------------------------------------------------------


def text(what: str, *, required: bool = False, field: str | None = None) -> Check:
    """Text, stripped and within its length (``what`` names it in messages: "the title")."""

    def check(value: Any, where: str | None) -> str:
        return clean_text(value, what, where, required=required, field=field)

    return check


def code_of(vocab: str) -> Check:
    """One code of a controlled vocabulary."""

    def check(value: Any, where: str | None) -> str:
        return vocabulary.require_one(vocab, value, where=where)

    return check


def codes_of(vocab: str) -> Check:
    """Codes of a controlled vocabulary, each once, in the order given."""

    def check(value: Any, where: str | None) -> list[str]:
        return vocabulary.require(vocab, value, where=where)

    return check


_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")  # \s is str.isspace for str patterns
_KEEP = {
    dates.DatePrecision.EXACT: 20,
    dates.DatePrecision.DAY: 10,
    dates.DatePrecision.MONTH: 7,
    dates.DatePrecision.YEAR: 4,
}


def check_url(value: str, *, where: str | None = "--url") -> str:
    """An absolute http or https URL with a host, without spaces or control characters."""
    url = clean_text(value, "the URL", where, required=True, field="url")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"{url!r} is not an http or https URL",
            where=where,
            hint="write it as https://host/path",
        )
    if _SPACE_OR_CONTROL.search(url):
        raise InvalidInput("a URL cannot contain spaces or control characters", where=where)
    return url


def published(text: str, *, where: str | None = "--published") -> str | None:
    """A publication date as ISO text at the precision it was given (YYYY, YYYY-MM, YYYY-MM-DD or a time)."""
    parsed = dates.parse(text, where=where)
    if parsed.start is None:
        return None
    return parsed.start[: _KEEP[parsed.precision]]


SCRIPT = re.compile(r"^[A-Z][a-z]{3}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def alias(
    name: str, script: str, lang: str | None = None, *, where: str | None = None
) -> dict[str, str]:
    """A validated alias: the name, its ISO 15924 script (``Cyrl``, ``Latn`` …), an optional BCP 47 tag."""
    entry = {"name": clean_text(name, "an alias", where, required=True, field="alias")}
    if not isinstance(script, str) or not SCRIPT.match(script):
        raise InvalidInput(
            f"{script!r} is not an ISO 15924 script code",
            where=where,
            hint="use four letters, capitalised: Cyrl, Latn, Arab …",
        )
    entry["script"] = script
    if lang:
        if not LANGUAGE.match(lang):
            raise InvalidInput(
                f"{lang!r} is not a language tag",
                where=where,
                hint="use a BCP 47 tag: uk, ru, en-GB",
            )
        entry["lang"] = lang
    return entry


def aliases(given: Any, where: str | None) -> list[dict[str, str]]:
    """The aliases, checked and without repeats; ``None`` (JSON null) is none, as for ``parent``."""
    found: list[dict[str, str]] = []
    for item in given or ():
        unknown = sorted(set(item) - {"name", "script", "lang"})
        if unknown:
            raise InvalidInput(f"an alias has no field {', '.join(unknown)}", where=where)
        entry = alias(item.get("name", ""), item.get("script", ""), item.get("lang"), where=where)
        if entry not in found:
            found.append(entry)
    return found


# --- The kinds ----------------------------------------------------------------------------------------

PUBLISHED = "YYYY-MM-DD, YYYY-MM, YYYY or an ISO time with a zone; kept at that precision."

SOURCE: RecordKind[views.SourceView, views.SourceListed] = RecordKind(
    name="source",
    noun="source",
    fields=(
        Field("kind", "A source-types code (`testament taxonomy terms source-types`).",
              code_of("source-types"), required=True, nonempty=True, vocabulary="source-types",
              describe="A source-types code."),
        Field("title", "A short title.", text("the title", required=True, field="title"),
              required=True, length="name"),
        Field("url", "Its http(s) address; required for kind url.",
              lambda value, where: check_url(value, where=where) if value else None, default=None,
              describe="An http(s) address; required for kind url (null removes it)."),
        Field("reference", "A citation, file number or other reference.",
              text("the reference", field="reference"), length="long"),
        Field("published_at", "When it was published: YYYY-MM-DD, YYYY-MM, YYYY or an ISO time "
              "with a zone.", lambda value, where: published(value or "", where=where),
              option="--published", describe=PUBLISHED),
        Field("description", "Free text.", text("the description", field="description"),
              length="long"),
    ),
    view=views.SourceView,
    listed=views.SourceListed,
    history=("source", "incident-source"),
    search=("title", "reference", "description"),
)  # fmt: skip

PERSON: RecordKind[views.PersonView, views.PersonListed] = RecordKind(
    name="person",
    noun="person",
    fields=(
        Field("label", "A pseudonym, or a public figure's public name.",
              text("the label", required=True, field="label"), required=True, length="name",
              describe="A pseudonym, or a public figure's public name.",
              add_note=" (default with --name: P-7KQ2MX)."),
        Field("description", "What matters about them, without identifying details.",
              text("the description"), length="long"),
    ),
    view=views.PersonView,
    listed=views.PersonListed,
    history=("person", "person-role"),
    group="people",
    search=("label", "description"),
    where="record-or-option",
)  # fmt: skip

UNIT: RecordKind[views.UnitView, views.UnitListed] = RecordKind(
    name="unit",
    noun="unit",
    fields=(
        Field("name", "The unit's name.", text("the name", required=True, field="name"),
              required=True, length="name", add_argument=True),
        Field("parent", "The parent unit (ID, name or alias); when editing, an empty value for none.",
              column=None, default=None, describe="The parent unit's ID, name or alias."),
        Field("kind", "What sort of unit: brigade, battalion, police unit …",
              text("the kind", field="kind"), length="long"),
        Field("country", "The state or party the unit belongs to.",
              text("the country", field="country"), length="long"),
        Field("aliases", "Names in other scripts.", aliases, default=(), option=None,
              shape="aliases", describe="Every alias (an edit replaces them all)."),
        Field("description", "Free text.", text("the description", field="description"),
              length="long"),
    ),
    view=views.UnitView,
    listed=views.UnitListed,
    history=("unit", "unit-commander", "unit-involvement", "unit-placement"),
    in_case=False,
    where="record",
)  # fmt: skip

# An incident's fields as a documenter states them (documentation/incidents.py's IncidentInput): the
# plain ones are checked as declared here; its date, point and area become stored fields through the
# incident's own checks (documentation/incidents.py's prepare). A plain field of an incident is also an
# attribute of IncidentInput, which importers fill.
INCIDENT: RecordKind[views.IncidentView, views.IncidentListed] = RecordKind(
    name="incident",
    noun="incident",
    fields=(
        Field("title", "Short title.", text("the title", required=True, field="title"),
              required=True, length="name"),
        Field("description", "What happened, in the documenter's words.",
              text("the description"), length="long"),
        Field("date", "When: YYYY-MM-DD, YYYY-MM, YYYY or an ISO time with a zone.", column=None,
              describe="YYYY-MM-DD, YYYY-MM, YYYY or an ISO time with a zone."),
        Field("date_from", "Earliest date of an estimated range (with --date-to).", column=None),
        Field("date_to", "Latest date of an estimated range.", column=None),
        Field("latitude", "WGS 84 latitude in decimal degrees.", shape="coordinate", default=None),
        Field("longitude", "WGS 84 longitude in decimal degrees.", shape="coordinate", default=None),
        Field("uncertainty_m", "Radius of uncertainty around the point, in metres.",
              shape="coordinate", default=None),
        Field("area", "An administrative area (name, alternative name or code) when there is no "
              "point.", column=None),
        Field("place_text", "The place as reported, verbatim.",
              text("the place", field="place_text"), length="line"),
        Field("status", "reported, corroborated, verified or disputed.",
              code_of("incident-status"), default="reported", vocabulary="incident-status"),
        Field("types", "An incident type code (repeatable; `testament taxonomy terms "
              "incident-types`).", codes_of("incident-types"), option="--type", shape="texts",
              default=(), vocabulary="incident-types"),
        Field("targets", "A targeted object type (repeatable; target-object-types).",
              codes_of("target-object-types"), option="--target", shape="texts", default=(),
              vocabulary="target-object-types"),
        Field("weapons", "A weapon system (repeatable; weapon-systems).",
              codes_of("weapon-systems"), option="--weapon", shape="texts", default=(),
              vocabulary="weapon-systems"),
        Field("sensitivity", "A sensitivity label: graphic, sexual-violence, child (repeatable).",
              codes_of("sensitivity-labels"), option="--sensitivity", shape="texts", default=(),
              vocabulary="sensitivity-labels"),
    ),
    view=views.IncidentView,
    listed=views.IncidentListed,
    history=("incident", "casualty", "incident-relation"),
    search=("title", "description", "date_text", "place_text"),
)  # fmt: skip

KINDS: Mapping[str, RecordKind[Any, Any]] = {k.name: k for k in (INCIDENT, SOURCE, UNIT, PERSON)}
