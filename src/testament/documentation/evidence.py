"""Evidence links, verification assessments and external identifiers.

An evidence item (ingested with ``testament ingest``) is linked to the incidents it documents, each link with
a note on its relevance and, optionally, the source it came from. Its verification is assessed on the three
axes of the Berkeley Protocol (source, technical and content analysis). Every assessment is kept: the latest
per axis is the item's current standing, the rest its verification history. An item may also carry the
identifiers other bodies gave it, one per scheme, such as the Evidence Registration Number an ICC registry
assigns (``ICC-ERN``, ECP-01, ECP-04).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import queries
from testament.documentation.results import (
    AssessmentView,
    EvidenceItem,
    EvidenceLinkView,
    EvidenceListed,
    ExternalIdView,
    ItemName,
    ProvenanceView,
)
from testament.domain import dates
from testament.domain.access import Action
from testament.domain.display import shown
from testament.domain.tags import folded
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput, NotFound
from testament.search import indexing
from testament.storage.engine import lock_log, read_transaction
from testament.taxonomy import vocabulary

AXES = ("source", "technical", "content")
KINDS = ("item-incident", "assessment", "item-external-id")
# The kinds of media a list may keep: the first three by their type's family, a document any other.
MEDIA_KINDS = ("image", "video", "audio", "document")
# External identifiers (ECP-01, ECP-04): a scheme names who numbers, the value is theirs. An ICC
# Evidence Registration Number is SITUATION-PARTY-BATCH-PAGE, a page range's last page optional.
ERN_SCHEME = "ICC-ERN"
ERN = re.compile(r"[A-Z0-9]{2,12}-[A-Z0-9]{2,12}-\d{4}-\d{4}(-\d{4})?", re.ASCII)
SCHEME = re.compile(r"[A-Za-z0-9-]{2,32}", re.ASCII)
VALUE_CHARS = 200


def _no_item(item_id: str) -> NotFound:
    return NotFound(
        "no evidence item has this ID",
        where=item_id,
        hint="item IDs are printed by `testament ingest`",
    )


def require_item(connection: Connection, instance: Instance, action: Action, item_id: str) -> None:
    """The policy's :func:`~testament.custody.policy.require` on an evidence item, answering an item of a
    case the principal may not read as it answers a missing one."""
    try:
        policy.require(connection, instance, action, kind="evidence", record_id=item_id)
    except NotFound:
        raise _no_item(item_id) from None


def _item(connection: Connection, item_id: str) -> dict[str, Any]:
    row = queries.item(connection, item_id)
    if row is None:
        raise _no_item(item_id)
    return _named(row)


def _named(item: dict[str, Any]) -> dict[str, Any]:
    """An item with ``shown_name``: its original name (kept byte for byte) as it may be displayed."""
    return item | {"shown_name": shown(item["original_name"])}


def _same_case(item: Mapping[str, Any], other: Mapping[str, Any], what: str) -> None:
    if item["case_id"] != other["case_id"]:
        raise InvalidInput(
            f"the evidence item and the {what} are in different cases",
            where=f"item {item['id']}, {what} {other['id']}",
            hint=f"link an item only to a {what} of its own case",
        )


def link(
    instance: Instance,
    item_id: str,
    incident_id: str,
    relevance: str,
    *,
    source_id: str | None = None,
) -> str:
    """Link an item to an incident of its case, saying why it is relevant; returns the link's ID."""
    values = {
        "item_id": item_id,
        "incident_id": incident_id,
        "source_id": source_id,
        "relevance": clean_text(relevance, "the relevance", "--relevance", required=True),
    }
    with recording(instance) as conn:
        require_item(conn, instance, Action.DOCUMENT, item_id)
        policy.require(conn, instance, Action.DOCUMENT, kind="incident", record_id=incident_id)
        if source_id is not None:
            policy.require(conn, instance, Action.READ, kind="source", record_id=source_id)
        item = _item(conn, item_id)
        _same_case(item, history.current(conn, "incident", incident_id), "incident")
        if source_id is not None:
            _same_case(item, history.current(conn, "source", source_id), "source")
        lock_log(conn)  # no constraint backs this check: it holds until commit
        existing = queries.live_item_link(conn, item_id, incident_id)
        if existing is not None:
            raise Conflict("this item is already linked to this incident", where=str(existing))
        new_id = history.create(conn, "item-incident", values, agent_id=acting_agent(conn))
        indexing.refresh(conn, "item", [item_id])
        return new_id


def unlink(instance: Instance, link_id: str, *, expected_version: int | None = None) -> int:
    """Mark an item–incident link deleted (its versions stay); returns the version."""
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="item_incident", record_id=link_id)
        row = history.current(conn, "item-incident", link_id)
        version = history.delete(
            conn,
            "item-incident",
            link_id,
            agent_id=acting_agent(conn),
            expected_version=expected_version,
        )
        indexing.refresh(conn, "item", [row["item_id"]])
        return version


def _single_day(text: str, where: str) -> str:
    parsed = dates.parse(text, where=where)
    single = parsed.precision in (dates.DatePrecision.DAY, dates.DatePrecision.EXACT)
    if not single or parsed.start is None:
        raise InvalidInput(
            f"{text!r} is not a single day", where=where, hint="write the day as YYYY-MM-DD"
        )
    return parsed.start[:10]


def _assessed_on(text: str | None) -> str:
    if not text:
        return datetime.now(UTC).date().isoformat()
    return _single_day(text, "--date")


def assess(
    instance: Instance,
    item_id: str,
    *,
    axis: str,
    status: str,
    method: str,
    assessed_on: str | None = None,
    note: str = "",
) -> str:
    """Record an assessment of an item on one Berkeley Protocol axis, by the acting analyst."""
    if axis not in AXES:
        raise InvalidInput(
            f"{axis!r} is not a verification axis", where="--axis", hint=f"use {', '.join(AXES)}"
        )
    values: dict[str, Any] = {
        "item_id": item_id,
        "axis": axis,
        "status": vocabulary.require_one("verification-status", status, where="--status"),
        "method": clean_text(method, "the method", "--method", required=True),
        "assessed_on": _assessed_on(assessed_on),
        "note": clean_text(note, "the note", "--note"),
    }
    with recording(instance) as conn:
        require_item(conn, instance, Action.ANALYSE, item_id)
        _item(conn, item_id)
        values["analyst_id"] = acting_agent(conn)
        return history.create(conn, "assessment", values, agent_id=values["analyst_id"])


def _scheme(scheme: str) -> str:
    cleaned = clean_text(scheme, "the scheme", "--scheme", required=True)
    if not SCHEME.fullmatch(cleaned):
        raise InvalidInput(
            "the scheme must be 2 to 32 letters, digits or dashes",
            where="--scheme",
            hint=f"for example {ERN_SCHEME}",
        )
    return cleaned.upper()  # one spelling per scheme: icc-ern is ICC-ERN


def _external_value(scheme: str, value: str) -> str:
    cleaned = clean_text(value, "the identifier", "--value", required=True)
    if len(cleaned) > VALUE_CHARS:
        raise InvalidInput(
            f"the identifier is {len(cleaned):,} characters long; at most {VALUE_CHARS} are accepted",
            where="--value",
        )
    if scheme == ERN_SCHEME and not ERN.fullmatch(cleaned):
        raise InvalidInput(
            "the identifier is not an Evidence Registration Number",
            where="--value",
            hint="write it as SITUATION-PARTY-BATCH-PAGE, such as UKR-OTP-0001-0001 "
            "(2 to 12 capital letters or digits, then 4 digits, 4 digits)",
        )
    return cleaned


def set_external_id(
    instance: Instance,
    item_id: str,
    *,
    scheme: str,
    value: str,
    assigned_by: str,
    assigned_on: str | None = None,
) -> str:
    """Record an identifier another body gave an item (an ICC Evidence Registration Number under
    ``ICC-ERN``, ECP-01, ECP-04); returns the record's ID. An item holds one live identifier per scheme."""
    chosen = _scheme(scheme)
    values: dict[str, Any] = {
        "item_id": item_id,
        "scheme": chosen,
        "value": _external_value(chosen, value),
        "assigned_by": clean_text(
            assigned_by, "who assigned it", "--assigned-by", required=True, field="name"
        ),
        "assigned_on": None if not assigned_on else _single_day(assigned_on, "--on"),
    }
    with recording(instance) as conn:
        require_item(conn, instance, Action.DOCUMENT, item_id)
        _item(conn, item_id)
        lock_log(conn)  # the partial unique index backs this check too
        existing = queries.live_external_id(conn, item_id, chosen)
        if existing is not None:
            raise Conflict(
                f"this item already has a {chosen} identifier",
                where=existing,
                hint="an item holds one identifier per scheme",
            )
        return history.create(conn, "item-external-id", values, agent_id=acting_agent(conn))


def _public(kind: str, row: Mapping[Any, Any]) -> dict[str, Any]:
    return history.snapshot(kind, row) | {
        "version": row["version"],
        "created_at": row["created_at"],
    }


def show(instance: Instance, item_id: str) -> EvidenceItem:
    """An item's incident links, its latest assessment per axis and every assessment, oldest first."""
    with read_transaction(instance.engine) as conn:
        require_item(conn, instance, Action.READ, item_id)
        data = _item(conn, item_id)
        links = [
            EvidenceLinkView(**_public("item-incident", r))
            for r in queries.item_links(conn, item_id)
        ]
        assessments = [
            AssessmentView(**_public("assessment", r))
            for r in queries.item_assessments(conn, item_id)
        ]
        external = [
            ExternalIdView(**_public("item-external-id", r))
            for r in queries.item_external_ids(conn, item_id)
        ]
        provenance = [ProvenanceView(**r) for r in queries.item_provenance(conn, item_id)]
    return EvidenceItem(
        **data,
        incidents=tuple(links),
        assessments=tuple(assessments),
        latest={a.axis: a for a in assessments},
        external_ids=tuple(external),
        provenance=tuple(provenance),
    )


def check_media(media: str | None) -> str | None:
    """``media`` if it is one of :data:`MEDIA_KINDS` (or empty: any kind); refuses any other."""
    if not media:
        return None
    if media not in MEDIA_KINDS:
        raise InvalidInput(
            f"{media[:40]!r} is not a kind of media",
            where="media",
            hint=f"use one of {', '.join(MEDIA_KINDS)}",
            errors={"media": "unknown"},
        )
    return media


def list_for_case(
    instance: Instance,
    case_name: str,
    *,
    limit: int = 100,
    offset: int = 0,
    copies: bool = True,
    media: str | None = None,
    linked: bool | None = None,
    tag: str | None = None,
) -> list[EvidenceListed]:
    """A page of the case's evidence items, newest first, each with how many incidents it is linked to;
    ``copies=False`` leaves out the thumbnails, keyframes and page previews processing made (the
    gallery shows them on their originals). ``media`` keeps one of :data:`MEDIA_KINDS` (a document:
    any other type); ``linked`` only the items linked to an incident (True) or to none (False);
    ``tag`` only the items that carry it (compared case-folded)."""
    with read_transaction(instance.engine) as conn:
        cid = policy.require(conn, instance, Action.READ, case=case_name)
        kind = check_media(media)  # asked after the policy: a refusal says nothing of the filter
        rows = queries.case_items(
            conn, cid, limit=limit, offset=offset, copies=copies, media=kind, linked=linked,
            tag=folded(tag) if tag and tag.strip() else None,
        )  # fmt: skip
    return [EvidenceListed(**_named(row)) for row in rows]


def name_items(connection: Connection, links: Sequence[dict[str, Any]]) -> None:
    """Add to each link to an item (``item_id``) the item's name, as kept and as shown, its type and
    size, so that lists name items rather than show their IDs."""
    wanted = {link["item_id"] for link in links}
    found = {key: _named(row) for key, row in queries.item_labels(connection, wanted).items()}
    for link in links:
        named = found.get(link["item_id"], {})
        link.update(
            {key: named.get(key) for key in ("original_name", "shown_name", "media_type", "size")}
        )


def names(instance: Instance, item_ids: Sequence[str]) -> list[ItemName]:
    """These items' names as shown (for lists that name items, such as a proof chart), each item once.

    An account is answered "not found" for an item of a case it may not read, as for a missing one.
    """
    links: list[dict[str, Any]] = [{"item_id": item_id} for item_id in item_ids]
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        readable = policy.readable_cases(conn, instance)
        if readable is not None:
            _all_readable(conn, item_ids, readable)
        name_items(conn, links)
    found = {
        link["item_id"]: link["shown_name"] for link in links if link["shown_name"] is not None
    }
    return [ItemName(item_id, name) for item_id, name in found.items()]


def _all_readable(connection: Connection, item_ids: Sequence[str], readable: set[str]) -> None:
    found = queries.cases_of(connection, "item", set(item_ids))
    for item_id in item_ids:
        if found.get(item_id) not in readable:
            raise _no_item(item_id)


def versions(
    instance: Instance, record_id: str, kind: str = "item-incident"
) -> list[history.Version]:
    """Every version of an evidence link, an assessment or an external identifier, oldest first."""
    if kind not in KINDS:
        raise InvalidInput(
            f"{kind!r} is not a kind of evidence record", hint=f"use {', '.join(KINDS)}"
        )
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind=kind, record_id=record_id)
        return history.versions(conn, kind, record_id)
