"""The review rules, pure: what is reviewed, and who may set a state that needs a second person.

The second-person rule (docs/review.md): a state flagged ``second_person`` ("verified") is set only by
someone who is not an author of the target. An item's author is the agent that ingested it; an
incident's authors are the agents of every version of it (who created it and who edited it). Agents
compare as the custody log names them: an account, or the operating-system user at the command line.
Review itself is not authorship: who moved the target into review, assigned it or commented on it may
still verify it, as long as they did not make it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from testament.errors import InvalidInput

# The kinds that are reviewed, and the policy's name for each (custody.policy.case_of).
KINDS: dict[str, str] = {"item": "evidence", "incident": "incident"}
NOUNS: dict[str, str] = {"item": "evidence item", "incident": "incident"}
MAX_TARGETS = 10_000


def targets(given: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (kind, ID) pairs, checked and without repeats, in the order given."""
    seen: dict[tuple[str, str], None] = {}
    for number, pair in enumerate(given, start=1):
        try:
            kind, target_id = pair
        except (TypeError, ValueError):
            raise InvalidInput(
                "a target is a pair of a kind and an ID", where=f"target {number}"
            ) from None
        if kind not in KINDS:
            raise InvalidInput(
                "only evidence items and incidents are reviewed",
                where=f"{kind} {target_id}",
                errors={"kind": "item or incident"},
            )
        if not isinstance(target_id, str) or not target_id.strip():
            raise InvalidInput("a target needs an ID", where=f"target {number}")
        seen[(kind, target_id.strip())] = None
    if not seen:
        raise InvalidInput("choose at least one item or incident", where="targets")
    if len(seen) > MAX_TARGETS:
        raise InvalidInput(
            f"at most {MAX_TARGETS:,} items and incidents at once ({len(seen):,} given)",
            where="targets",
        )
    return list(seen)


def is_author(agent_id: int, authors: Collection[int]) -> bool:
    """Whether the acting agent made the target (and so may not be its second person)."""
    return agent_id in authors


def where(kind: str, target_id: str) -> str:
    """How an error names a target: its kind and ID."""
    return f"{kind} {target_id}"
