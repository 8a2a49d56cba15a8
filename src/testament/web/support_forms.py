"""The needs page's and the directory's forms, as typed, and what the services make of them (``web/support.py``).

Each model only bounds the size of what was typed; the services check the values. A refusal names the
command-line option of the field that was wrong (``--follow-up``); :func:`refusal` turns it into the
form's field name, so the page can put the reason next to that field.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from testament.errors import InvalidInput, TestamentError
from testament.survivors import referrals

LONG = 100_000  # a need's note, as the API allows
NEED_FIELDS = {"--area": "area", "--urgency": "urgency", "--note": "note"}
REFERRAL_FIELDS = {"--service": "service", "--follow-up": "follow_up_due", "--status": "status"}
# directory.service_values names each column in ``errors``; its options are the fallback.
SERVICE_FIELDS = {
    "name": "name", "areas": "areas", "region": "region", "contact": "contact",
    "languages": "languages", "NAME": "name", "--area": "areas", "--region": "region",
    "--contact": "contact", "--language": "languages",
}  # fmt: skip
_BACK = re.compile(r"^/people/[0-9a-f-]{36}/needs$")


def refusal(exc: TestamentError, fields: dict[str, str]) -> dict[str, Any]:
    """A refusal as a form shows it: the reason on top and next to each field it names.

    A reason about one field is the refusal's own message, the fullest. A hint that spells a command
    (in backticks) is for the command line and is left out.
    """
    named = exc.errors or ({exc.where: exc.what} if exc.where else {})
    shown: dict[str, str] = {}
    for key, reason in named.items():
        if key in fields:
            field = fields[key]
            said = exc.what if len(named) == 1 else reason
            shown[field] = f"{shown[field]}; {said}" if field in shown else said
    hint = exc.hint if exc.hint and "`" not in exc.hint else None
    return {"message": exc.what, "hint": hint, "fields": shown}


class NeedForm(BaseModel):
    """One need: the support area, how soon, and a note that the service seals."""

    area: str = Field(default="", max_length=64)
    urgency: str = Field(default="", max_length=64)
    note: str = Field(default="", max_length=LONG)

    def need(self) -> referrals.NeedInput:
        for option, chosen in (("--area", self.area), ("--urgency", self.urgency)):
            if not chosen:
                raise InvalidInput("choose one", where=option)
        return referrals.NeedInput(self.area, self.urgency, self.note)

    def fields(self) -> dict[str, str]:
        return NEED_FIELDS


class ReferForm(BaseModel):
    """A referral of one need to a service of the directory, with an optional follow-up date."""

    service: str = Field(default="", max_length=36)
    follow_up_due: str = Field(default="", max_length=40)

    def arguments(self) -> dict[str, Any]:
        """The arguments of ``referrals.refer`` after the need's ID."""
        if not self.service:
            raise InvalidInput("choose a service", where="--service")
        due = self.follow_up_due.strip()
        return {"service": self.service, "follow_up_due": due or None}

    def fields(self) -> dict[str, str]:
        return REFERRAL_FIELDS | {self.service: "service"}  # a service not found names its ID


class ReferralForm(BaseModel):
    """A referral's new status, its follow-up date changed or removed (``follow_up_was`` was shown)."""

    status: str = Field(default="", max_length=64)
    follow_up_due: str = Field(default="", max_length=40)
    follow_up_was: str = Field(default="", max_length=40)

    def changes(self) -> dict[str, Any]:
        """The keyword arguments of ``referrals.update_referral``: only what changed."""
        due = self.follow_up_due.strip()
        moved = due != self.follow_up_was.strip()
        return {
            "status": self.status or None,
            "follow_up_due": due if moved and due else None,
            "clear_follow_up": moved and not due,
        }

    def fields(self) -> dict[str, str]:
        return REFERRAL_FIELDS


class ServiceForm(BaseModel):
    """A service for the directory. ``back`` is the needs page to return to, if one sent us here."""

    name: str = Field(default="", max_length=500)
    areas: list[str] = Field(default_factory=list, max_length=20)
    region: str = Field(default="", max_length=500)
    contact: str = Field(default="", max_length=1000)
    languages: str = Field(default="", max_length=500)
    back: str = Field(default="", max_length=100)

    def language_codes(self) -> list[str]:
        """The languages as typed: codes separated by commas, semicolons or spaces."""
        return [code for code in re.split(r"[\s,;]+", self.languages) if code]

    def values(self) -> dict[str, Any]:
        return self.model_dump(exclude={"back"})

    def fields(self) -> dict[str, str]:
        return SERVICE_FIELDS


def back_to(target: str) -> str:
    """A person's needs page to return to; anything else is dropped (never an open redirect)."""
    return target if _BACK.match(target) else ""
