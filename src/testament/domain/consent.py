"""Consent as a set of grants, and the one rule that decides whether a use is covered (MC-01, MC-02, CSO-02).

Pure and stdlib-only. A *grant* says: for this purpose, to this class of recipient, this part of the
person's information, at most this identifiable, until this date. A *use* (an export, a share, a
publication, a package) asks :func:`decide`, which allows it only through one live grant that matches the
purpose and the recipient class exactly, covers the data scope (``all`` covers every scope) and allows
at least the identifiability the use needs (a grant for *named* also allows pseudonymous and anonymous
use). A withdrawn or expired grant covers nothing, and neither does one recorded without the check that the
person understood what they agreed to (MC-03): that is not informed consent. A refusal says which grant is
missing, or which grant would have covered the use and why it does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

IDENTIFIABILITY = ("anonymous", "pseudonymous", "named")  # least to most identifying
MODES = ("written", "oral", "recorded")
# record: hold a testimony for a use; refer: pass the person to a support service (MC-05)
USES = ("export", "share", "publish", "package", "record", "refer")
ALL_SCOPES = "all"


@dataclass(frozen=True)
class Grant:
    grant_id: str
    purpose: str
    recipient_class: str
    data_scope: str
    identifiability: str
    expires_at: str | None = None  # YYYY-MM-DD, the last day it holds
    revoked_at: str | None = None
    understood: bool = True  # the person restated what they agreed to (MC-03)


@dataclass(frozen=True)
class Use:
    use: str
    purpose: str
    recipient_class: str
    data_scope: str
    identifiability: str = "pseudonymous"

    def wanted(self) -> str:
        """The grant this use needs, in words (no personal data: codes only)."""
        return (
            f"purpose {self.purpose} to {self.recipient_class}, "
            f"scope {self.data_scope}, {self.identifiability}"
        )


@dataclass(frozen=True)
class ConsentDecision:
    allowed: bool
    grant_id: str | None
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def level(identifiability: str) -> int:
    return IDENTIFIABILITY.index(identifiability)


def matches(grant: Grant, use: Use) -> bool:
    """Whether the grant is for this use, leaving aside whether it is still live."""
    return (
        grant.purpose == use.purpose
        and grant.recipient_class == use.recipient_class
        and grant.data_scope in (ALL_SCOPES, use.data_scope)
        and level(grant.identifiability) >= level(use.identifiability)
    )


def live(grant: Grant, today: str) -> bool:
    """Not withdrawn, and not past its last day (``today`` as YYYY-MM-DD)."""
    return grant.revoked_at is None and (grant.expires_at is None or today <= grant.expires_at)


def counts(grant: Grant, today: str) -> bool:
    """Whether the grant is consent today: live, and the person's understanding was checked (MC-03)."""
    return grant.understood and live(grant, today)


def _why_not(grant: Grant) -> str:
    if grant.revoked_at:
        return f"was withdrawn on {grant.revoked_at[:10]}"
    if not grant.understood:
        return (
            "was recorded without confirming that the person understood what they agreed to, "
            "so it is not informed consent (MC-03)"
        )
    return f"expired on {grant.expires_at}"


def decide(grants: Iterable[Grant], use: Use, today: str) -> ConsentDecision:
    """Allow ``use`` through the first matching grant that counts; otherwise name what is missing."""
    dead: list[Grant] = []
    for grant in grants:
        if matches(grant, use):
            if counts(grant, today):
                return ConsentDecision(True, grant.grant_id, f"grant {grant.grant_id}")
            dead.append(grant)
    if dead:
        return ConsentDecision(False, None, f"the grant for {use.wanted()} {_why_not(dead[0])}")
    return ConsentDecision(False, None, f"no grant for {use.wanted()}")
