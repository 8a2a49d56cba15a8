"""The guided intake's forms, as typed, and what the services make of them (``web/intake.py``).

Each model only bounds the size of what was typed; the services check the values. A refusal names the
command-line option of the field that was wrong (``--dob``); :func:`refusal` turns those into the forms'
field names, so a refused form can say which of its fields to correct, and every unmet requirement at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from testament.domain import text
from testament.errors import InvalidInput, TestamentError
from testament.survivors import consent, identity

MAX_LINES = 50  # other spellings, contacts, people present
FACT_ROWS = 3  # empty fact rows offered below those already typed
LONG = 100_000  # the account and the summary, as the API allows

# The services' option names → the forms' field names.
FIELDS = {
    "--name": "name", "--other-name": "other_names", "--dob": "date_of_birth",
    "--place": "place", "--address": "place", "--contact": "contacts",
    "--preferred-name": "preferred_name", "--pronouns": "pronouns",
    "--safe-contact": "safe_contact", "--flag": "flags", "--decision": "decision",
    "--override-reason": "override_reason", "--risks-person": "risks_person",
    "--risks-family": "risks_family", "--risks-staff": "risks_staff", "--purpose": "purpose",
    "--recipient-class": "recipient_class", "--scope": "data_scope", "--mode": "mode",
    "--identifiability": "identifiability", "--language": "language",
    "--info-sheet": "info_sheet_version", "--expires": "expires_at",
    "--assessment": "risk_assessment_id", "--interviewer": "interviewer", "--started": "started",
    "--ended": "ended", "--timezone": "timezone", "--interpreter": "interpreter",
    "--present": "present", "--contact-via": "contact_via", "--account": "account",
    "--recording": "recording", "--summary": "summary", "--fact": "facts", "--given": "given",
    "--guardian-consent": "guardian_consent", "--child-assent": "child_assent",
    "--reinterview-justification": "reinterview_justification",
    "--intended-use": "intended_use", "--why-needed": "why_needed",
    "--best-interests": "best_interests", "--understood": "understood",
}  # fmt: skip


def refusal(exc: TestamentError) -> dict[str, Any]:
    """A refusal as a form shows it: each field to correct with the reason (never a typed value)."""
    named = exc.errors or ({exc.where: exc.what} if exc.where else {})
    fields: dict[str, str] = {}
    for option, reason in named.items():
        field = FIELDS.get(option, option)
        fields[field] = f"{fields[field]}; {reason}" if field in fields else reason
    return {"message": exc.what, "hint": exc.hint, "fields": fields}


def lines(text: str) -> tuple[str, ...]:
    """The non-empty lines of a text box (one name, contact or person per line)."""
    found = tuple(line.strip() for line in text.splitlines() if line.strip())
    if len(found) > MAX_LINES:
        raise InvalidInput(f"at most {MAX_LINES} lines", where="lines")
    return found


class PersonForm(BaseModel):
    """Step 1: who the documenter is meeting, and, when the registry finds a match, why go on."""

    name: str = Field(default="", max_length=500)
    other_names: str = Field(default="", max_length=10_000)
    date_of_birth: str = Field(default="", max_length=20)
    place: str = Field(default="", max_length=text.LINE_CHARS)
    contacts: str = Field(default="", max_length=10_000)
    preferred_name: str = Field(default="", max_length=text.NAME_CHARS)
    pronouns: str = Field(default="", max_length=text.NAME_CHARS)
    safe_contact: str = Field(default="", max_length=text.LINE_CHARS)
    different_person: bool = False
    justification: str = Field(default="", max_length=2000)

    def person(self) -> identity.Identity:
        try:
            other_names, contacts = lines(self.other_names), lines(self.contacts)
        except InvalidInput as exc:
            raise InvalidInput(exc.what, where="--other-name") from None
        return identity.Identity(
            name=self.name,
            other_names=other_names,
            date_of_birth=self.date_of_birth.strip() or None,
            place=self.place.strip() or None,
            contacts=contacts,
            preferred_name=self.preferred_name.strip() or None,
            pronouns=self.pronouns.strip() or None,
            safe_contact=self.safe_contact.strip() or None,
        ).checked()

    def goes_on(self) -> bool:
        """Whether the documenter chose to go on past a match: a different person, or a stated reason."""
        return self.different_person or bool(self.justification.strip())


class RiskForm(BaseModel):
    """Step 2: the do-no-harm assessment. The decision starts at ``refer``, the safe default."""

    flags: list[str] = Field(default_factory=list, max_length=10)
    risks_person: str = Field(default="", max_length=LONG)
    risks_family: str = Field(default="", max_length=LONG)
    risks_staff: str = Field(default="", max_length=LONG)
    decision: str = Field(default="refer", max_length=16)
    override_reason: str = Field(default="", max_length=LONG)
    why: str = Field(default="", max_length=2000)

    def values(self) -> dict[str, Any]:
        return self.model_dump(exclude={"why"})


class ConsentForm(BaseModel):
    """Step 3: one consent grant, as the person gave it."""

    purpose: str = Field(default="", max_length=64)
    recipient_class: str = Field(default="", max_length=64)
    data_scope: str = Field(default="all", max_length=64)
    identifiability: str = Field(default="pseudonymous", max_length=16)
    mode: str = Field(default="written", max_length=16)
    language: str = Field(default="uk", max_length=35)
    info_sheet_version: str = Field(default="", max_length=200)
    understood: bool = False
    expires_at: str = Field(default="", max_length=10)
    why: str = Field(default="", max_length=2000)

    def grant(self) -> consent.GrantInput:
        for field, chosen in (
            ("--purpose", self.purpose),
            ("--recipient-class", self.recipient_class),
        ):
            if not chosen:
                raise InvalidInput("choose one", where=field)
        return consent.GrantInput(
            purpose=self.purpose,
            recipient_class=self.recipient_class,
            data_scope=self.data_scope,
            identifiability=self.identifiability,
            mode=self.mode,
            language=self.language.strip(),
            info_sheet_version=self.info_sheet_version,
            understanding_checked=self.understood,
            expires_at=self.expires_at.strip() or None,
        )

    def values(self) -> dict[str, Any]:
        return self.model_dump(exclude={"why"})


class InterviewForm(BaseModel):
    """Step 4: the interview, the account in the person's words, and the facts with how they know them."""

    intended_use: str = Field(default="", max_length=64)
    recipient_class: str = Field(default="", max_length=64)
    why_needed: str = Field(default="", max_length=LONG)
    interviewer: str = Field(default="", max_length=200)
    started: str = Field(default="", max_length=40)
    ended: str = Field(default="", max_length=40)
    timezone: str = Field(default="Europe/Kyiv", max_length=64)
    place: str = Field(default="", max_length=2000)
    language: str = Field(default="uk", max_length=35)
    interpreter: str = Field(default="", max_length=2000)
    present: str = Field(default="", max_length=10_000)
    contact_via: str = Field(default="", max_length=2000)
    account: str = Field(default="", max_length=LONG)
    summary: str = Field(default="", max_length=LONG)
    recording: str = Field(default="", max_length=36)
    fact_text: list[str] = Field(default_factory=list, max_length=1000)
    fact_source: list[str] = Field(default_factory=list, max_length=1000)
    promised: str = Field(default="", max_length=16)
    given: str = Field(default="", max_length=LONG)
    guardian_consent: bool = False
    child_assent: bool = False
    best_interests: str = Field(default="", max_length=LONG)
    reinterview_justification: str = Field(default="", max_length=LONG)
    why: str = Field(default="", max_length=2000)

    def facts(self) -> list[tuple[str, str]]:
        """(statement, source of knowledge) of each fact row that was filled in."""
        sources = [*self.fact_source, *[""] * len(self.fact_text)]
        return [(text, sources[n]) for n, text in enumerate(self.fact_text) if text.strip()]

    def values(self) -> dict[str, Any]:
        """What the form shows again: the typed fields, the facts as rows plus empty ones."""
        shown = self.model_dump(exclude={"fact_text", "fact_source", "why"})
        shown["facts"] = [*self.facts(), *[("", "")] * FACT_ROWS]
        return shown

    def record_arguments(self, risk_assessment_id: str) -> dict[str, Any]:
        """The keyword arguments of ``testimony.record`` for this form."""
        try:
            present = lines(self.present)
        except InvalidInput as exc:
            raise InvalidInput(exc.what, where="--present") from None
        return {
            "risk_assessment_id": risk_assessment_id,
            "interviewer": self.interviewer,
            "started_at": zoned(self.started, self.timezone, "--started"),
            "ended_at": zoned(self.ended, self.timezone, "--ended") if self.ended.strip() else None,
            "timezone": self.timezone.strip(),
            "place": self.place,
            "language": self.language.strip(),
            "interpreter": self.interpreter,
            "present": present,
            "contact_via": self.contact_via,
            "account": self.account or None,
            "recording_item_id": self.recording or None,
            "summary": self.summary or None,
            "facts": self.facts(),
            "nothing_promised": self.promised == "nothing",
            "given": self.given if self.promised == "something" else "",
            "guardian_consent": self.guardian_consent,
            "child_assent": self.child_assent,
            "best_interests": self.best_interests,
            "reinterview_justification": self.reinterview_justification,
            "intended_use": self.intended_use,
            "intended_recipient": self.recipient_class,
            "why_needed": self.why_needed,
        }


def zoned(local: str, zone: str, where: str) -> str:
    """A local date and time (``2024-03-01T10:00``, as a browser's picker sends it) in ``zone``, with
    its offset (``2024-03-01T10:00:00+02:00``), as the testimony service takes it."""
    try:
        place = ZoneInfo(zone.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            "not an IANA time zone", where="--timezone", hint="e.g. Europe/Kyiv or UTC"
        ) from None
    try:
        moment = datetime.fromisoformat(local.strip())
    except ValueError:
        raise InvalidInput("not a date and time", where=where) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=place)).isoformat()
