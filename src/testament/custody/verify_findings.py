"""What `testament verify` finds: one :class:`Finding` per check, under the step that made it.

:data:`STEPS` names the numbered steps of docs/verification.md; :func:`failed`, :func:`passed` and
:func:`noted` make a step's findings. The steps themselves are in :mod:`testament.custody.verification` and :mod:`testament.custody.verify_log`.
"""

from __future__ import annotations

from dataclasses import dataclass

from testament.domain.results import Result

MAX_FINDINGS_PER_STEP = 50
MAX_NAMED = 10


@dataclass(frozen=True)
class Finding(Result):
    """One check of a step: ``ok`` False names ``where`` what differs; ``info`` is a note."""

    step: int
    check: str
    ok: bool
    detail: str
    where: str | None = None
    info: bool = False


STEPS: dict[int, str] = {
    1: "log key",
    2: "checkpoint signatures and numbering",
    3: "log entries",
    4: "tree nodes",
    5: "checkpoint roots and consistency",
    6: "custody records against log entries",
    7: "records against their creation events",
    8: "blob fixity",
    9: "documentation records against their versions",
}


def failed(step: int, detail: str, where: str) -> Finding:
    """A failed check: ``where`` names what differs."""
    return Finding(step, STEPS[step], False, detail, where)


def passed(step: int, detail: str) -> Finding:
    """A step's summary when every check passed."""
    return Finding(step, STEPS[step], True, detail)


def noted(step: int, detail: str, where: str | None = None) -> Finding:
    """Information that does not fail verification."""
    return Finding(step, STEPS[step], True, detail, where, info=True)
