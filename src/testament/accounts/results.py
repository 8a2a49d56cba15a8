"""What the accounts use cases answer (``testament.domain.results``): the field names are the JSON keys
of the API, of ``testament user … --json`` and what the pages read."""

from __future__ import annotations

from dataclasses import dataclass

from testament.domain.results import Result


@dataclass(frozen=True)
class UserSummary(Result):
    """An account, its organisation's name and its active role on each case (by case name, sorted)."""

    id: int
    username: str
    organisation: str | None
    is_admin: bool
    disabled: bool
    roles: dict[str, str]
    blur_graphic: bool = True
    totp: bool = False  # whether it has a second factor


@dataclass(frozen=True)
class TotpEnrolment(Result):
    """A new TOTP secret, shown once: as text and as the ``otpauth://`` link an app reads."""

    secret: str
    uri: str


@dataclass(frozen=True)
class TokenInfo(Result):
    """An API token as it is listed: never its secret."""

    id: int
    username: str
    name: str
    scope: str
    created_at: str
    expires_at: str
    revoked_at: str | None
    last_used_at: str | None
