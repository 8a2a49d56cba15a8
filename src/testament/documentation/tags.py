"""Tags: free words on evidence items and incidents, added and removed one by one or in bulk.

A tag is checked and normalised by :mod:`testament.domain.tags` (trimmed, NFC, compared case-folded, at
most 64 characters). Each is a versioned record of kind ``record-tag``: adding creates one (a custody
event), removing marks it deleted (another). Adding a tag a record already carries, or removing one it
does not, changes nothing and is reported as unchanged.

A call on many records is one transaction: every record is asked of the policy (a documenter's, on its
case) and checked first; if any is refused or missing, nothing is written and the error names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import queries as doc_queries
from testament.documentation import tag_queries as queries
from testament.documentation.results import BulkOutcome, TagCount, TaggedRecord, TagView
from testament.domain.access import Action
from testament.domain.display import shown
from testament.domain.tags import TagText, folded, tag_text, target_kind
from testament.errors import InvalidInput, NotFound, PermissionDenied
from testament.storage.engine import lock_log, read_transaction

MAX_TARGETS = 10_000


def _no_record(kind: str, record_id: str, *, in_case: bool = False) -> NotFound:
    what = "evidence item" if kind == "item" else "incident"
    return NotFound(f"no {what}{' in this case' if in_case else ''} has this ID", where=record_id)


def targets_of(
    conn: Connection,
    instance: Instance,
    kind: str,
    targets: Sequence[str],
    action: Action,
    *,
    case: str | None = None,
) -> dict[str, str]:
    """Each target's case, once the policy allows ``action`` on every one (a refusal names the
    target); refuses an empty selection, too many, and deleted incidents. With ``case`` (a name or
    ID: a page acts within one case), a target of another case is refused as absent from it."""
    ids = list(dict.fromkeys(t.strip() for t in targets if t.strip()))
    within = None if case is None else policy.require(conn, instance, Action.READ, case=case)
    if not ids:
        raise InvalidInput(
            "nothing is selected", where="targets", hint="select at least one record"
        )
    if len(ids) > MAX_TARGETS:
        raise InvalidInput(f"at most {MAX_TARGETS:,} records at once", where="targets")
    cases = doc_queries.cases_of(conn, kind, ids)
    asked: set[str] = set()
    for record_id in ids:  # in order, the first at fault named; the policy asked once per case
        case_id = cases.get(record_id)
        if case_id is None:
            policy.require(conn, instance, action)  # refuses as for any record, before "absent"
            raise _no_record(kind, record_id)
        if case_id not in asked:
            _gate(conn, instance, action, case_id, target=(kind, record_id))
            asked.add(case_id)
        if within is not None and case_id != within:
            raise _no_record(kind, record_id, in_case=True)
    if kind == "incident":
        gone = sorted(set(ids) - history.live_ids(conn, "incident", ids))
        if gone:
            raise _no_record(kind, gone[0])
    return {record_id: cases[record_id] for record_id in ids}


def _gate(
    conn: Connection, instance: Instance, action: Action, case_id: str, *, target: tuple[str, str]
) -> None:
    """The policy on a record's case, its refusal naming the record."""
    kind, record_id = target
    try:
        policy.require(conn, instance, action, case=case_id)
    except NotFound:
        raise _no_record(kind, record_id) from None
    except PermissionDenied as exc:
        raise PermissionDenied(exc.what, where=record_id, hint=exc.hint) from None


def add(
    instance: Instance, kind: str, targets: Sequence[str], text: str, *, case: str | None = None
) -> BulkOutcome:
    """Tag each record (``item`` or ``incident``) with ``text``; all or nothing (with ``case``, every record must be of that case)."""
    kind, tag = target_kind(kind), tag_text(text)
    with recording(instance) as conn:
        cases = targets_of(conn, instance, kind, targets, Action.DOCUMENT, case=case)
        lock_log(conn)  # the check for a tag already there holds until commit
        have = {row["target_id"] for row in queries.live_tags(conn, kind, cases, tag.folded)}
        new = [record_id for record_id in cases if record_id not in have]
        rows = [_row(cases[record_id], kind, record_id, tag) for record_id in new]
        history.create_many(conn, "record-tag", rows, agent_id=acting_agent(conn))
        return BulkOutcome("tag", kind, tuple(new), tuple(r for r in cases if r in have))


def _row(case_id: str, kind: str, record_id: str, tag: TagText) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "target_kind": kind,
        "target_id": record_id,
        "label": tag.label,
        "folded": tag.folded,
    }


def remove(
    instance: Instance, kind: str, targets: Sequence[str], text: str, *, case: str | None = None
) -> BulkOutcome:
    """Take the tag ``text`` (compared case-folded) off each record; all or nothing (with ``case``, every record must be of that case)."""
    kind, tag = target_kind(kind), tag_text(text)
    with recording(instance) as conn:
        cases = targets_of(conn, instance, kind, targets, Action.DOCUMENT, case=case)
        lock_log(conn)
        found = queries.live_tags(conn, kind, cases, tag.folded)
        agent = acting_agent(conn)
        for row in found:
            history.delete(conn, "record-tag", row["id"], agent_id=agent)
        gone = {row["target_id"] for row in found}
        changed = tuple(r for r in cases if r in gone)
        return BulkOutcome("untag", kind, changed, tuple(r for r in cases if r not in gone))


def _view(row: dict[str, Any]) -> TagView:
    return TagView(
        id=row["id"],
        case_id=row["case_id"],
        target_kind=row["target_kind"],
        target_id=row["target_id"],
        label=row["label"],
        folded=row["folded"],
        version=int(row["version"]),
        created_at=row["created_at"],
    )


def of_record(instance: Instance, kind: str, record_id: str) -> list[TagView]:
    """The live tags of one item or incident, in order."""
    kind = target_kind(kind)
    with read_transaction(instance.engine) as conn:
        targets_of(conn, instance, kind, [record_id], Action.READ)
        return [_view(row) for row in queries.live_tags(conn, kind, [record_id])]


def of_case(instance: Instance, case_name: str, kind: str | None = None) -> list[TagCount]:
    """The tags used in a case (on one kind of record, if given), each with how many records carry it."""
    if kind is not None:
        target_kind(kind)
    with read_transaction(instance.engine) as conn:
        case_id = str(policy.require(conn, instance, Action.READ, case=case_name))
        rows = queries.case_tags(conn, case_id, kind)
        return [TagCount(str(r["label"]), str(r["folded"]), int(r["records"])) for r in rows]


def tagged(instance: Instance, case_name: str, kind: str, text: str) -> list[str]:
    """The IDs of the items or incidents of a case that carry a tag (compared case-folded)."""
    kind = target_kind(kind)
    with read_transaction(instance.engine) as conn:
        case_id = str(policy.require(conn, instance, Action.READ, case=case_name))
        return queries.tagged(conn, case_id, kind, folded(text))


def tagged_records(instance: Instance, case_name: str, text: str) -> list[TaggedRecord]:
    """The items and incidents of a case that carry a tag (compared case-folded), incidents first."""
    with read_transaction(instance.engine) as conn:
        case_id = str(policy.require(conn, instance, Action.READ, case=case_name))
        rows = queries.tagged_records(conn, case_id, folded(text))
    return [TaggedRecord(r["kind"], str(r["id"]), shown(str(r["name"]))) for r in rows]
