"""Finding what is reviewed, through the one gate: each target's case, its authors and its review row.

Not a use case: the use cases call :func:`resolve` inside their own transaction. A target that does
not exist, or is in a case the actor may not read, is answered as absent, naming it; one in a case
where the actor lacks the role is refused, naming it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from testament.custody import policy
from testament.custody.instance import Instance
from testament.domain.access import Action
from testament.errors import NotFound, PermissionDenied
from testament.review import queries, rules


@dataclass(frozen=True)
class Found:
    """One target as the use cases see it."""

    kind: str
    id: str
    case_id: str
    authors: frozenset[int]
    row: Any  # its review row (None: never reviewed)


def _located(
    conn: Connection, pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, set[int]]]:
    located: dict[tuple[str, str], tuple[str, set[int]]] = {}
    for kind, finder in (("item", queries.items), ("incident", queries.incidents)):
        ids = [target_id for k, target_id in pairs if k == kind]
        if ids:
            for target_id, found in finder(conn, ids).items():
                located[(kind, target_id)] = found
    return located


def _gate(
    conn: Connection, instance: Instance, case_id: str, action: Action, *, target: tuple[str, str]
) -> None:
    kind, target_id = target
    try:
        policy.require(conn, instance, action, case=case_id)
    except NotFound:
        raise NotFound(f"no {rules.NOUNS[kind]} has this ID", where=target_id) from None
    except PermissionDenied as exc:
        raise PermissionDenied(
            exc.what, where=rules.where(kind, target_id), hint=exc.hint
        ) from None


def resolve(
    conn: Connection,
    instance: Instance,
    given: Iterable[tuple[str, str]],
    action: Action,
    *,
    case: str | None = None,
) -> list[Found]:
    """The targets, each asked of the policy for ``action`` on its case (once per case). With
    ``case`` (a name or ID), a target of another case is refused as absent from it (a page acts
    within one case)."""
    pairs = rules.targets(given)
    case_id = None if case is None else policy.require(conn, instance, Action.READ, case=case)
    located = _located(conn, pairs)
    asked: set[str] = set()
    found: list[Found] = []
    rows: dict[str, dict[str, Any]] = {
        kind: queries.statuses(conn, kind, [t for k, t in pairs if k == kind])
        for kind in rules.KINDS
    }
    for kind, target_id in pairs:
        if (kind, target_id) not in located:
            raise NotFound(f"no {rules.NOUNS[kind]} has this ID", where=target_id)
        cid, authors = located[(kind, target_id)]
        if cid not in asked:
            _gate(conn, instance, cid, action, target=(kind, target_id))
            asked.add(cid)
        if case_id is not None and cid != case_id:
            raise NotFound(
                f"no {rules.NOUNS[kind]} in this case has this ID",
                where=target_id,
                hint="act on each case's records from that case",
            )
        found.append(Found(kind, target_id, cid, frozenset(authors), rows[kind].get(target_id)))
    return found
