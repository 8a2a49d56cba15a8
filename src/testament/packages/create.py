"""`testament package create`: an evidence package for an investigator (docs/packages.md).

The package is built in three moves, so the log's lock is held for the short part only and a failure
anywhere leaves nothing behind:

1. **Plan**, in a read transaction: the policy (an analyst of the case), the consent gate for the
   audience, and what goes in: the items asked for, each testimony recording only where the person's
   consent covers this purpose and recipient (the rest are *withheld*, with the reason).
2. **Originals**, outside any transaction: each one streamed from the vault, which checks its digest
   as it reads, into the bag under a hidden temporary name. Digests are the vault's; nothing is hashed
   twice.
3. **Record**, in one write transaction: the policy and the consent gate asked again (a withdrawal
   either comes first and refuses the package, or after it and lists this recipient), the plan checked
   unchanged, the ``disclosure`` custody event written (recipient, purpose, package ID and every
   original's digest), a checkpoint signed over it, and then the custody excerpt (entries and an
   inclusion proof each), the metadata and the manifests written and flushed to disk. Only after the
   commit is the bag renamed into place.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from testament import __version__
from testament.custody import custody, policy
from testament.custody.custody import agent_ref
from testament.custody.instance import Instance, acting_agent, recording
from testament.custody.queries import log as log_queries
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.errors import Conflict, InvalidInput, NotFound, TestamentError
from testament.ledger import checkpoint as notes
from testament.ledger import log, timestamps
from testament.packages import ecourt, layout, queries, testimonies
from testament.packages.excerpt import write_excerpt, write_premis
from testament.packages.results import PackageReport, Withheld
from testament.packages.writer import BagWriter, check_target
from testament.storage.engine import lock_log, read_transaction
from testament.survivors import consent
from testament.transfer import disclosure, exports
from testament.transfer.disclosure import Audience


@dataclass(frozen=True)
class PackageRequest:
    """What to put in a package, and for whom. With no items and no incidents: the whole case."""

    case_name: str
    recipient_class: str
    purpose: str
    recipient: str
    out: Path
    item_ids: tuple[str, ...] = ()
    incident_ids: tuple[str, ...] = ()
    since_checkpoint: str | None = None  # a checkpoint the recipient holds (signed note text)
    approval: str | None = None  # a second person's approval to name the people who testified
    zipped: bool = False
    tsa_url: str | None = None  # an RFC 3161 TSA; None: the ``tsa_url`` setting
    only: Narrowing | None = (
        None  # of the items chosen (or of the whole case): a type, a date range
    )


MEDIA_FAMILIES = ("image", "video", "audio", "text", "application")


@dataclass(frozen=True)
class Narrowing:
    """Keep only items of these media type families (``image``, ``video`` …) and whose file is dated
    (last modified) within ``dated_from``..``dated_to`` (days, inclusive); empty means any."""

    media_types: tuple[str, ...] = ()
    dated_from: str | None = None
    dated_to: str | None = None

    def checked(self) -> Narrowing:
        for family in self.media_types:
            if family not in MEDIA_FAMILIES:
                raise InvalidInput(
                    f"{family!r} is not a kind of file", where="--type",
                    hint=f"use {', '.join(MEDIA_FAMILIES)}",
                )  # fmt: skip
        days = [_day(self.dated_from, "--from"), _day(self.dated_to, "--to")]
        if days[0] and days[1] and days[0] > days[1]:
            raise InvalidInput("the first day is after the last", where="--from/--to")
        return Narrowing(self.media_types, days[0], days[1])

    def keeps(self, row: dict[str, Any]) -> bool:
        family = str(row["media_type"]).split("/", 1)[0]
        day = str(row["mtime"])[:10]
        return (
            (not self.media_types or family in self.media_types)
            and (self.dated_from is None or day >= self.dated_from)
            and (self.dated_to is None or day <= self.dated_to)
        )


def _day(text: str | None, option: str) -> str | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a day", where=option, hint="write it as YYYY-MM-DD"
        ) from None


@dataclass
class Plan:
    case_id: str
    items: list[dict[str, Any]]  # included, oldest first
    incidents: set[str] | None  # None: the whole case
    withheld: list[Withheld] = field(default_factory=list)
    testifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # recording -> its people
    testimonies: dict[str, str] = field(default_factory=dict)  # included testimony -> person
    sheet: list[tuple[str, str]] = field(default_factory=list)  # the e-Court sheet's columns

    def key(self) -> tuple[tuple[str, ...], ...]:
        return (
            tuple(i["id"] for i in self.items),
            tuple(w.id for w in self.withheld),
            tuple(self.testimonies),
        )


def create(
    instance: Instance,
    request: PackageRequest,
    *,
    progress: Callable[[int], None] | None = None,
) -> PackageReport:
    """Write the package at ``request.out`` and record its disclosure; returns what it holds.
    ``progress(n)`` is told of each chunk of original written (``n`` bytes)."""
    audience = Audience(request.recipient_class, request.purpose, request.recipient).checked()
    check_ids(request.item_ids, request.incident_ids)
    if request.only is not None:
        request = replace(request, only=request.only.checked())
    check_target(request.out)
    since = _since(instance, request.since_checkpoint)
    sheet = ecourt.load_mapping(instance.settings.ecourt_mapping)
    with read_transaction(instance.engine) as conn:
        chosen = plan(conn, instance, request, audience)
    chosen.sheet = sheet
    package_id = new_id()
    writer = BagWriter(request.out, zipped=request.zipped, top=package_id)
    try:
        for digest, name in _originals(chosen):
            chunks = _counted(instance.blobs.read(digest), progress)
            writer.add(layout.original_path(digest, name), chunks, sha256=digest)
        report = _record(
            instance, request, audience=audience, plan=chosen, writer=writer,
            package_id=package_id, since=since,
        )  # fmt: skip
        writer.commit()
    except BaseException:
        writer.discard()
        raise
    return report


def _counted(chunks: Iterator[bytes], progress: Callable[[int], None] | None) -> Iterator[bytes]:
    for chunk in chunks:
        if progress is not None:
            progress(len(chunk))
        yield chunk


def check_ids(item_ids: Sequence[str], incident_ids: Sequence[str]) -> None:
    """Refuse an item or incident ID that is not an ID at all, naming it (before anything is read)."""
    for value, option in [(i, "--items") for i in item_ids] + [
        (i, "--incident") for i in incident_ids
    ]:
        _check_id(value, option)


def _check_id(value: str, option: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError:
        raise InvalidInput(
            "not an ID", where=f"{option} {value}", hint="IDs look like 0b5c3f1e-…"
        ) from None


def _since(instance: Instance, text: str | None) -> notes.Checkpoint | None:
    """The recipient's earlier checkpoint, which must be one this log signed."""
    if text is None:
        return None
    try:
        return notes.verify(text, instance.record.verifier_key)
    except TestamentError as exc:
        raise InvalidInput(
            f"the earlier checkpoint is not one of this log's: {exc.what}",
            where="--since-checkpoint",
            hint="give the checkpoint file exactly as it was received from this instance",
        ) from None


def plan(conn: Connection, instance: Instance, request: PackageRequest, audience: Audience) -> Plan:
    """What a package for ``request`` holds and withholds, asking the policy and the consent gate
    first (also the browser's preview, :mod:`.sharing`)."""
    case_id = str(policy.require(conn, instance, Action.ANALYSE, case=request.case_name))
    wanted: set[str] | None = None
    incidents: set[str] | None = None
    if request.item_ids or request.incident_ids:
        wanted = set(request.item_ids)
        incidents = set(request.incident_ids)
        missing = incidents - queries.live_incidents(conn, case_id, incidents)
        if missing:
            raise NotFound("no incident of this case has this ID", where=sorted(missing)[0])
        wanted |= queries.items_of_incidents(conn, incidents)
    rows = queries.items(conn, case_id, wanted)
    missing = set(request.item_ids) - {r["id"] for r in rows}
    if missing:
        raise NotFound("no evidence item of this case has this ID", where=sorted(missing)[0])
    if request.only is not None:  # narrowed: its documentation is that of the items kept
        rows = [row for row in rows if request.only.keeps(row)]
        incidents = incidents if incidents is not None else set()
    plan = Plan(case_id, [], incidents)
    recorded_by = queries.recordings(conn, [r["id"] for r in rows])
    use = audience.use("testimony")
    for row in rows:
        people = recorded_by.get(row["id"], ())  # a recording may hold several testimonies
        if any(not consent.decide(conn, person, use).allowed for person in people):
            plan.withheld.append(_withheld(row, audience))
            continue
        if people:
            plan.testifiers[row["id"]] = people
        plan.items.append(row)
    if incidents is not None:
        links = queries.incident_links(conn, [r["id"] for r in plan.items])
        incidents |= {link["incident_id"] for found in links.values() for link in found}
    plan.testimonies, withheld = testimonies.chosen(
        conn, case_id, audience, recordings=None if incidents is None else {r["id"] for r in rows},
        named=request.approval is not None,
    )  # fmt: skip
    plan.withheld.extend(withheld)
    return plan


def _withheld(row: dict[str, Any], audience: Audience) -> Withheld:
    return Withheld(
        kind="item",
        id=row["id"],
        sha256=row["sha256"],
        reason="consent",
        detail=f"the recording of a testimony whose consent does not cover {audience.purpose} "
        f"for {audience.recipient_class}",
    )


def _originals(plan: Plan) -> Iterator[tuple[str, str]]:
    """Each distinct original once, under the name of the first item that holds it."""
    seen: set[str] = set()
    for row in plan.items:
        if row["sha256"] not in seen:
            seen.add(row["sha256"])
            yield row["sha256"], row["original_name"]


def _record(
    instance: Instance,
    request: PackageRequest,
    *,
    audience: Audience,
    plan: Plan,
    writer: BagWriter,
    package_id: str,
    since: notes.Checkpoint | None,
) -> PackageReport:
    digests = sorted({row["sha256"] for row in plan.items})
    with recording(instance) as conn:
        lock_log(conn)  # the plan's checks below hold until commit
        agent_id = _recheck(conn, instance, request, audience, plan)
        counts = _metadata(conn, writer, plan=plan, package_id=package_id, request=request,
                           audience=audience, organisation=_organisation(instance))  # fmt: skip
        told = testimonies.write(
            conn, instance, writer, plan.case_id, plan.testimonies,
            named=request.approval is not None, originals={r["id"]: r for r in plan.items},
        )  # fmt: skip
        earlier = queries.entry_indexes(conn, [r["id"] for r in plan.items])
        write_premis(conn, writer, indexes=earlier, items=plan.items)
        described = {path: writer.digests[path] for path in (*layout.DESCRIBED, *told)}
        contents = (digests, described, earlier)
        event = _disclosure(agent_id, plan, audience, package_id, contents)
        (log_index,) = custody.record(conn, [event])
        signed = log.sign_checkpoint(
            conn, instance.record.log_origin, instance.signer, utc_timestamp()
        )
        if signed is None:  # cannot happen: the event above is not yet covered
            raise Conflict("the log was signed past the disclosure", where="custody log")
        indexes = sorted({*earlier, log_index})
        excerpt = write_excerpt(conn, writer, indexes=indexes, signed=signed, instance=instance,
                                since=since)  # fmt: skip
        writer.flush()
    # After the commit: a TSA may take seconds, and the log's lock is not held for it. A failure from
    # here on leaves the disclosure recorded and no package (create discards what was written).
    info = _bag_info(instance, request, audience, package_id, signed.size)
    stamped, note = _finish(instance, request, writer, info, signed.note)
    return PackageReport(
        package_id=package_id,
        path=str(request.out),
        case=request.case_name,
        recipient=audience.recipient,
        recipient_class=audience.recipient_class,
        purpose=audience.purpose,
        items=len(plan.items),
        testimonies=len(plan.testimonies),
        originals=len(digests),
        payload_bytes=writer.octets,
        incidents=counts[0],
        sources=counts[1],
        entries=excerpt,
        checkpoint_size=signed.size,
        log_index=log_index,
        trusted_timestamp=stamped,
        withheld=tuple(plan.withheld),
        timestamp_note=note,
    )


def _finish(
    instance: Instance,
    request: PackageRequest,
    writer: BagWriter,
    info: dict[str, str],
    checkpoint: str,
) -> tuple[bool, str | None]:
    """The trusted timestamp, when a TSA is configured, then the tag files, flushed to disk."""
    stamped, note = _timestamp(instance, request, writer, checkpoint.encode("utf-8"))
    writer.finish(info | {layout.TRUSTED_TIMESTAMP: "rfc3161" if stamped else "none"})
    writer.flush()
    return stamped, note


def _timestamp(
    instance: Instance, request: PackageRequest, writer: BagWriter, checkpoint: bytes
) -> tuple[bool, str | None]:
    """An RFC 3161 token over the checkpoint's exact bytes, when a TSA is configured; written with
    the TSA's chain under ``data/timestamps/``. A TSA that cannot be reached or whose reply does not
    verify leaves the package without one, and says why: it never fails the package."""
    url = request.tsa_url or instance.settings.tsa_url
    if not url:
        return False, None
    chain_file = instance.settings.tsa_chain
    if chain_file is None:
        return False, "no TSA certificate chain is configured (TESTAMENT_TSA_CHAIN)"
    try:
        chain = chain_file.read_bytes()
    except OSError as exc:
        return False, f"the TSA certificate chain cannot be read ({exc.strerror})"
    try:
        stamp = timestamps.request_stamp(url, checkpoint, chain)
    except timestamps.TimestampError as exc:
        return False, str(exc)
    writer.add(layout.TIMESTAMP, [stamp.response])
    writer.add(layout.TSA_CHAIN, [stamp.chain_pem])
    return True, None


def _recheck(
    conn: Connection, instance: Instance, request: PackageRequest, audience: Audience, chosen: Plan
) -> int:
    """The policy and the consent gate again, in the recording transaction; the plan unchanged.

    The consent uses are recorded here: the case's incident facts, as every export of them asks
    (``exports.consent_checked``), and each included testimony recording's person for testimony."""
    again = plan(conn, instance, request, audience)  # asks the policy first
    if again.key() != chosen.key():
        raise Conflict(
            "the case changed while the package was being written",
            where=request.case_name,
            hint="make the package again",
        )
    agent_id = acting_agent(conn)
    if request.approval is not None:  # names people: identity access and a second person's approval
        policy.require(conn, instance, Action.REVEAL_IDENTITY, case=request.case_name)
        disclosure.use(conn, request.approval, chosen.case_id, audience)
    exports.consent_checked(conn, "jsonl", chosen.case_id, audience, named=False)
    uses = {person: audience.use("testimony") for people in chosen.testifiers.values()
            for person in people}  # fmt: skip
    named = audience.use("testimony", named=request.approval is not None)
    uses |= dict.fromkeys(chosen.testimonies.values(), named)
    if uses:
        consent.require(conn, sorted(uses), named, recipient=audience.recipient, agent_id=agent_id,
                        uses=uses)  # fmt: skip
    return agent_id


def _disclosure(
    agent_id: int,
    plan: Plan,
    audience: Audience,
    package_id: str,
    contents: tuple[Sequence[str], dict[str, str], Sequence[int]],
) -> custody.NewEvent:
    """The ``disclosure`` event: for whom, and what, by digest: every original, and the metadata
    files (items, incidents, sources, withheld, package.json, the sheet, PREMIS, testimonies), so that
    the signed log covers those too; and which custody entries the excerpt holds besides this one."""
    digests, described, earlier = contents
    return custody.NewEvent(
        CustodyEventType.DISCLOSURE,
        agent_id,
        case_id=plan.case_id,
        detail={
            "object": "package",
            "package": package_id,
            "recipient": audience.recipient,
            "recipient_class": audience.recipient_class,
            "purpose": audience.purpose,
            "items": list(digests),
            "metadata": described,
            "entries": layout.entries_commitment(earlier),
            "withheld": len(plan.withheld),
        },
    )


def _organisation(instance: Instance) -> str:
    return instance.settings.organisation or instance.record.log_origin


def _bag_info(
    instance: Instance,
    request: PackageRequest,
    audience: Audience,
    package_id: str,
    size: int,
) -> dict[str, str]:
    origin = instance.record.log_origin
    return {
        "Source-Organization": _organisation(instance),
        "Bagging-Date": utc_timestamp()[:10],
        "External-Identifier": package_id,
        "BagIt-Profile-Identifier": layout.PROFILE_IDENTIFIER,
        "Bag-Software-Agent": f"Testament {__version__}",
        layout.RECIPIENT: audience.recipient,
        layout.RECIPIENT_CLASS: audience.recipient_class,
        layout.PURPOSE: audience.purpose,
        layout.CASE: request.case_name,
        layout.LOG_ORIGIN: origin,
        layout.CHECKPOINT_SIZE: str(size),
        layout.TRUSTED_TIMESTAMP: "none",
    }


def _jsonl(lines: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    for line in lines:
        yield (json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _metadata(
    conn: Connection,
    writer: BagWriter,
    *,
    plan: Plan,
    package_id: str,
    request: PackageRequest,
    audience: Audience,
    organisation: str,
) -> tuple[int, int]:
    """items.jsonl, the e-Court sheet, incidents.jsonl, sources.jsonl, package.json and
    withheld.jsonl."""
    items = list(_item_lines(conn, plan))
    writer.add(layout.ITEMS, _jsonl(iter(items)))
    writer.add(layout.ECOURT_CSV, [ecourt.write_csv(items, plan.sheet)])
    writer.add(
        layout.ECOURT_XLSX, [ecourt.write_xlsx(items, plan.sheet, made_at=datetime.now(UTC))]
    )
    incidents = [
        line for line in exports.case_lines(conn, "incident", plan.case_id)
        if plan.incidents is None or line["data"]["id"] in plan.incidents
    ]  # fmt: skip
    linked = {
        line["data"]["source_id"]
        for line in exports.case_lines(conn, "incident-source", plan.case_id)
        if plan.incidents is None or line["data"]["incident_id"] in plan.incidents
    }
    sources = [
        line for line in exports.case_lines(conn, "source", plan.case_id)
        if plan.incidents is None or line["data"]["id"] in linked
    ]  # fmt: skip
    writer.add(layout.INCIDENTS, _jsonl(iter(incidents)))
    writer.add(layout.SOURCES, _jsonl(iter(sources)))
    writer.add(layout.WITHHELD, _jsonl(w.as_json() for w in plan.withheld))
    info = {
        "package": package_id,
        "case": request.case_name,
        "source_organization": organisation,
        "recipient": audience.recipient,
        "recipient_class": audience.recipient_class,
        "purpose": audience.purpose,
        "created_at": utc_timestamp(),
        "items": len(plan.items),
        "incidents": len(incidents),
        "sources": len(sources),
        "withheld": len(plan.withheld),
        "software": f"Testament {__version__}",
    }
    writer.add_text(layout.PACKAGE_INFO, json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    return len(incidents), len(sources)


def _item_lines(conn: Connection, plan: Plan) -> Iterator[dict[str, Any]]:
    ids = [row["id"] for row in plan.items]
    links = queries.incident_links(conn, ids)
    marks = queries.assessments(conn, ids)
    legal = queries.element_links(conn, ids)
    known_as = queries.external_ids(conn, ids)
    agents = agent_names(conn, {int(row["ingested_by"]) for row in plan.items})
    names = dict(_originals(plan))
    for row in plan.items:
        yield {
            "id": row["id"],
            "sha256": row["sha256"],
            "size": row["size"],
            "media_type": row["media_type"],
            "original_name": row["original_name"],
            "path": layout.original_path(row["sha256"], names[row["sha256"]]),
            "modified_at": row["mtime"],
            "source_note": row["source_note"],
            "ingested_at": row["ingested_at"],
            "ingested_by": agents.get(int(row["ingested_by"])),
            "duplicate": bool(row["duplicate"]),
            "external_ids": known_as.get(row["id"], {}),
            "testimony_recording": row["id"] in plan.testifiers,
            "incidents": [
                _link(r, ("incident_id", "relevance", "source_id")) for r in links[row["id"]]
            ],
            "assessments": [
                _link(r, ("axis", "status", "method", "assessed_on", "note"))
                for r in marks[row["id"]]
            ],
            "legal_elements": [
                _link(
                    r, ("incident_id", "crime_code", "element_id", "stance", "confidence", "note")
                )
                for r in legal[row["id"]]
            ],
        }


def _link(row: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {"id": row["id"], **{name: row[name] for name in names}}


def agent_names(conn: Connection, ids: set[int]) -> dict[int, dict[str, str]]:
    """Each agent as a person can be told: the log's opaque reference, its kind, and the account's
    username or the operating-system user's name (who ingested an item, who asked to share)."""
    found = log_queries.agents(conn, ids) if ids else []
    accounts = {int(name) for _, kind, name in found if kind == "user" and name.isdigit()}
    usernames = log_queries.usernames(conn, accounts) if accounts else {}
    named = {}
    for agent_id, kind, name in found:
        shown = usernames.get(int(name), "(deleted account)") if kind == "user" else name
        named[agent_id] = {"agent": agent_ref(agent_id), "kind": kind, "name": shown}
    return named
