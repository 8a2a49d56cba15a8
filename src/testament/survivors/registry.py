"""The re-interview registry: has anyone already taken this person's account? (MC-04, CSO-04)

Locally, :func:`match` compares a name (with date of birth and place, when known) against every identity
in the vault, across scripts and transliterations (:mod:`testament.search.names`), and answers, for each
person it matches, who holds their earlier accounts and under what consent: the pseudonymous ID and
label, the case, each interview's date and interviewer, and the grants' codes. It never answers a name.
That much only to someone with a role on the case holding the person (and to the operator): anyone else
learns only that a possible earlier account exists and whom to contact (:class:`HeldElsewhere`), and
their question becomes a *request* that the holding case's coordinators see and decide (:func:`decide`),
a custody event naming only IDs.

Across organisations, :func:`encodings` writes Bloom-filter encodings of every identity, keyed with a
secret the consortium shares (:mod:`testament.search.linkage`); :func:`check_encodings` compares a
name against a partner's file. Neither side's names leave it: a partner learns only that one of its
opaque references is close, and then asks its holder through the consortium's own channel.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, recording, who_acts
from testament.domain import access, boundedjson
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.errors import InvalidInput, NotFound, PermissionDenied
from testament.search import linkage, names
from testament.secretfiles import read_secret
from testament.storage.engine import lock_log, read_transaction
from testament.survivors import consent, identity
from testament.survivors.queries import identity as vault
from testament.survivors.queries import interviews
from testament.survivors.queries import registry as queries
from testament.survivors.results import (
    GrantHeld,
    HeldElsewhere,
    InterviewHeld,
    Match,
    PartnerMatch,
    RequestAsked,
    RequestHeld,
)

ENCODINGS_FORMAT = "testament-linkage"
MAX_ENCODINGS = 200_000
# A partner's file comes from outside: it is read a line at a time, within these bounds. A line holds
# one reference and one encoding (about 1.5 kB; a 300-character name of one-letter words stays under
# 64 kB), and the file at most MAX_ENCODINGS of them.
MAX_ENCODING_LINE_BYTES = 256 << 10
MAX_ENCODINGS_FILE_BYTES = 512 << 20
# Whom to contact when no instance setting names someone (``registry_contact``): a role, never a person.
COORDINATOR = "the coordinator of the case that holds it"
DECISIONS = ("share-contact", "decline")


def record_of(found: identity.Identity) -> list[names.NameRecord]:
    """The name records an identity offers to matching: its name and each other spelling."""
    records = []
    for name in (found.name, *found.other_names):
        try:
            records.append(names.NameRecord(name, found.date_of_birth, found.place))
        except InvalidInput:
            continue  # an initial alone, say: it cannot be matched, and the other spellings may
    return records


def _best(query: names.NameRecord, candidates: Iterable[names.NameRecord]) -> float:
    return max((names.score(query, c) for c in candidates), default=0.0)


def match(
    instance: Instance,
    query: names.NameRecord | identity.Identity,
    *,
    exclude: str | None = None,
    limit: int = 20,
) -> list[Match | HeldElsewhere]:
    """People in the vault who are probably ``query``, best first (``exclude``: a person ID to skip),
    each as the acting user may see it (:func:`answer`).

    An identity is asked about under its name and every other spelling it gives; its name must be one
    matching can use (InvalidInput otherwise), other spellings that cannot be matched are left out.
    For a documenter on some case (MC-04: asked before an interview), as the API asks.
    """
    if isinstance(query, identity.Identity):
        names.NameRecord(query.name, query.date_of_birth, query.place)
        queries = record_of(query)
    else:
        queries = [query]
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, access.Action.DOCUMENT)
        found = matches_in(conn, instance, queries, exclude=exclude)
    return answer(instance, found[:limit])


def answer(instance: Instance, ranked: list[tuple[str, float]]) -> list[Match | HeldElsewhere]:
    """Each ranked match as the acting user may see it: described in full on a case where they hold a
    role (or for the operator); otherwise only that it exists and whom to contact, with the request
    that records their question (filed once per user and person while undecided)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, access.Action.DOCUMENT)  # asking may file requests
        sees = sees_case(conn, instance)
        cases = {pid: _case_of(conn, pid) for pid, _ in ranked}
        shown = {pid: _described(conn, pid, score) for pid, score in ranked if sees(cases[pid])}
    hidden = [pid for pid, _ in ranked if pid not in shown]
    asked = _ask(instance, hidden, cases) if hidden else {}
    contact = instance.settings.registry_contact or COORDINATOR
    return [shown.get(pid) or HeldElsewhere(True, asked[pid], contact) for pid, _ in ranked]


def _policy(conn: Connection, instance: Instance, action: access.Action) -> Callable[[str], bool]:
    """Whether the acting principal may do ``action`` on a case, as the policy decides it (the owner,
    acting for no account, may; nobody may not)."""
    who = who_acts(instance)
    subject = policy.current_actor(conn, who)
    if subject is None:
        allowed = who.via != "nobody"
        return lambda _case_id: allowed
    actor: access.Actor = subject
    return lambda case_id: bool(access.decide(actor, action, case_id))


def sees_case(conn: Connection, instance: Instance) -> Callable[[str], bool]:
    """Whether the acting principal holds a role on a case, and so sees matches held there in full."""
    return _policy(conn, instance, access.Action.READ)


def _case_of(conn: Connection, person_id: str) -> str:
    return queries.case_of(conn, person_id)


def _ask(instance: Instance, person_ids: list[str], cases: dict[str, str]) -> dict[str, str]:
    """The acting user's open request about each person, filed (a custody event) where none is."""
    user_id = who_acts(instance).user_id
    found: dict[str, str] = {}
    with recording(instance) as conn:
        for person_id in person_ids:
            open_id = queries.open_request(conn, person_id, user_id)
            if open_id is None:
                open_id = new_id()
                queries.insert_request(
                    conn,
                    {
                        "id": open_id,
                        "person_id": person_id,
                        "case_id": cases[person_id],
                        "asked_by": user_id,
                        "asked_at": utc_timestamp(),
                    },
                )
                _request_event(conn, cases[person_id], open_id, person_id, "asked")
            found[person_id] = str(open_id)
    return found


def _request_event(
    conn: Connection, case_id: str, request_id: str, person_id: str, change: str
) -> None:
    custody.record(
        conn,
        [
            custody.NewEvent(
                CustodyEventType.ACCESS,
                acting_agent(conn),
                case_id=case_id,
                detail={
                    "object": "registry-request",
                    "request": request_id,
                    "person": person_id,
                    "action": change,
                },
            )
        ],
    )


def requests(instance: Instance, *, open_only: bool = False) -> list[RequestHeld | RequestAsked]:
    """Registry requests the acting user may see, newest first: those about people of the cases they
    coordinate (every one, for the operator), with the person's label; and those they asked, with
    only the state and whom to contact (once shared, the coordinator who agreed to be contacted)."""
    user_id = who_acts(instance).user_id
    contact = instance.settings.registry_contact or COORDINATOR
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, access.Action.READ)
        coordinates = _policy(conn, instance, access.Action.MANAGE_CASE)
        rows = queries.requests(conn, open_only=open_only)
    found: list[RequestHeld | RequestAsked] = []
    for row in rows:
        if coordinates(row["case_id"]):
            found.append(_for_coordinator(row))
        elif row["asked_by"] == user_id:
            found.append(_for_asker(row, contact))
    return found


def _for_coordinator(row: dict[str, Any]) -> RequestHeld:
    return RequestHeld(
        id=row["id"], side="holder", state=row["decision"] or "open",
        case=row["case"], person=row["person_id"], label=row["label"],
        asked_by=row["asker"], asked_at=row["asked_at"], decided_by=row["decider"],
        decided_at=row["decided_at"],
    )  # fmt: skip


def _for_asker(row: dict[str, Any], contact: str) -> RequestAsked:
    shared = row["decision"] == "share-contact"
    return RequestAsked(
        id=row["id"], side="asker", state=row["decision"] or "open",
        asked_at=row["asked_at"], contact=(row["decider"] or contact) if shared else contact,
        decided_at=row["decided_at"],
    )  # fmt: skip


def decide(instance: Instance, request_id: str, decision: str) -> None:
    """A coordinator of the holding case decides a request: ``share-contact`` (the asker is shown
    whom to talk to: the deciding coordinator) or ``decline``. A custody event names only IDs."""
    if decision not in DECISIONS:
        raise InvalidInput(
            f"{decision!r} is not a decision",
            where="--decision",
            hint=f"use {', '.join(DECISIONS)}",
        )
    with recording(instance) as conn:
        lock_log(conn)  # the decision read below holds until commit
        row = queries.request(conn, request_id)
        missing = NotFound("no registry request has this ID", where=request_id)
        if row is None:
            raise missing
        try:  # the holding case's coordinators decide; to anyone else the request is absent
            policy.require(conn, instance, access.Action.MANAGE_CASE, case=row["case_id"])
        except (NotFound, PermissionDenied):
            raise missing from None
        if row["decision"] is not None:
            raise InvalidInput(
                f"this request was already decided: {row['decision']}", where=request_id
            )
        queries.record_decision(
            conn, request_id, decision, who_acts(instance).user_id, utc_timestamp()
        )
        _request_event(conn, row["case_id"], request_id, row["person_id"], decision)


def matches_in(
    conn: Connection,
    instance: Instance,
    queries: Iterable[names.NameRecord],
    *,
    exclude: str | None = None,
) -> list[tuple[str, float]]:
    """(person ID, best score) of every identity that matches any of ``queries``, best first.

    The vault is unsealed once, however many spellings are asked about.
    """
    asked = list(queries)
    scored = []
    for person_id, found in identity.identities(conn, instance):
        if person_id == exclude:
            continue
        candidates = record_of(found)
        best = max((_best(query, candidates) for query in asked), default=0.0)
        if best >= names.MATCH_THRESHOLD:
            scored.append((person_id, best))
    return sorted(scored, key=lambda pair: (-pair[1], pair[0]))


def _described(conn: Connection, person_id: str, score: float) -> Match:
    label, case = queries.label_and_case(conn, person_id)
    held = [InterviewHeld(**row) for row in interviews.interviews_in_brief(conn, person_id)]
    grants = [
        GrantHeld(g["purpose"], g["recipient_class"], g["data_scope"], consent.state(g))
        for g in consent.grant_rows(conn, person_id)
    ]
    return Match(person_id, label, case, round(score, 3), held, grants)


def earlier_ranked(conn: Connection, instance: Instance, person_id: str) -> list[tuple[str, float]]:
    """(person ID, score) of other people in the vault who match this person and have given an
    account, best first."""
    try:
        found = identity.read(conn, instance, person_id)
    except NotFound:  # erased: nothing left to match
        return []
    if found is None:
        return []
    candidates = record_of(found)
    if not candidates:
        return []
    interviewed = interviews.interviewed(conn)
    if not interviewed - {person_id}:
        return []  # nobody else has given an account: nothing to unseal
    ranked = matches_in(conn, instance, candidates, exclude=person_id)
    return [(pid, score) for pid, score in ranked if pid in interviewed]


def earlier_seen(conn: Connection, instance: Instance, person_id: str) -> tuple[list[Match], int]:
    """:func:`earlier_ranked` as the acting user may see it: the matches on cases where they hold a
    role, described; and how many more are held in cases where they hold none."""
    sees = sees_case(conn, instance)
    shown, elsewhere = [], 0
    for pid, score in earlier_ranked(conn, instance, person_id):
        if sees(_case_of(conn, pid)):
            shown.append(_described(conn, pid, score))
        else:
            elsewhere += 1
    return shown, elsewhere


# --- Across organisations -------------------------------------------------------------------------


def load_secret(path: Path) -> bytes:
    """The consortium secret from a file only its owner can read (at least 16 bytes)."""
    secret = read_secret(
        path,
        "the consortium secret",
        missing_hint="every member of the consortium keeps the same secret file; ask its keeper",
    ).strip()
    if len(secret) < linkage.MIN_SECRET_BYTES:
        raise InvalidInput(
            f"the consortium secret must be at least {linkage.MIN_SECRET_BYTES} bytes",
            where=str(path),
        )
    return secret


def _reference(secret: bytes, instance_id: str, person_id: str) -> str:
    """An opaque reference a partner can quote back; only this instance can tell whom it means."""
    mac = hmac.new(secret, f"{instance_id}|{person_id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def encodings(instance: Instance, secret: bytes, out: Path) -> int:
    """Write every identity's encodings (one line per name spelling) for partners; how many people.

    The file holds opaque references and encodings, no names; writing it is a ``dissemination`` event.
    It covers every case, so it is an instance administrator's.
    """
    instance_id = instance.record.instance_id
    lines = [json.dumps({"format": ENCODINGS_FORMAT, "version": 1, "encoding": linkage.VERSION})]
    people = 0
    with recording(instance) as conn:
        policy.require_admin(conn, instance)
        for person_id, found in identity.identities(conn, instance):
            records = record_of(found)
            if not records:
                continue
            people += 1
            ref = _reference(secret, instance_id, person_id)
            lines.extend(
                json.dumps({"ref": ref, "encoding": linkage.encode(r, secret)}) for r in records
            )
        data = ("\n".join(lines) + "\n").encode()
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise InvalidInput(
                f"cannot write the encodings: {exc.strerror}", where=str(out)
            ) from None
        custody.record(
            conn,
            [
                custody.NewEvent(
                    CustodyEventType.DISSEMINATION,
                    acting_agent(conn),
                    sha256=hashlib.sha256(data).hexdigest(),
                    detail={"object": "linkage-encodings", "people": people, "size": len(data)},
                )
            ],
        )
    return people


def read_encodings(path: Path) -> list[tuple[str, str]]:
    """(reference, encoding) pairs of a partner's file; InvalidInput names the line that is wrong.

    The file is bounded before it is parsed: its size, then each line's, then how many it holds.
    """
    try:
        lines = list(_lines(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "cannot read the partner's encodings", where=str(path), hint=str(exc)
        ) from None
    found: list[tuple[str, str]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        value = boundedjson.loads(line, f"{path}, line {number}", what=f"line {number}")
        if number == 1:
            if not isinstance(value, dict) or value.get("format") != ENCODINGS_FORMAT:
                raise InvalidInput(
                    "not a Testament encodings file", where=f"{path}, line 1",
                    hint="ask the partner for the output of `testament registry encodings`",
                )  # fmt: skip
            continue
        _check_version(value, path, number)
        if not (
            isinstance(value, dict)
            and isinstance(value.get("ref"), str)
            and isinstance(value.get("encoding"), str)
            and value["encoding"].startswith(linkage.VERSION + ".")
        ):
            raise InvalidInput(
                "each line needs a ref and an encoding", where=f"{path}, line {number}"
            )
        found.append((value["ref"], value["encoding"]))
        if len(found) > MAX_ENCODINGS:
            raise InvalidInput("too many encodings in one file", where=str(path))
    return found


def _check_version(value: object, path: Path, number: int) -> None:
    """An encoding made by an older Testament is refused by name: the partner re-encodes."""
    encoding = value.get("encoding") if isinstance(value, dict) else None
    if isinstance(encoding, str) and encoding.startswith("tbf") and "." in encoding:
        version = encoding.partition(".")[0]
        if version != linkage.VERSION:
            raise InvalidInput(
                f"the encodings are of version {version}; this Testament reads {linkage.VERSION}",
                where=f"{path}, line {number}",
                hint="ask the partner to run `testament registry encodings` again with this release",
            )


def _lines(path: Path) -> Iterator[str]:
    """The file's lines, each read within :data:`MAX_ENCODING_LINE_BYTES`, the whole within
    :data:`MAX_ENCODINGS_FILE_BYTES` (InvalidInput past either, before it is parsed)."""
    if path.stat().st_size > MAX_ENCODINGS_FILE_BYTES:
        raise InvalidInput(
            f"the partner's file is larger than {MAX_ENCODINGS_FILE_BYTES:,} bytes",
            where=str(path),
            hint="ask the partner for the output of `testament registry encodings`",
        )
    with path.open("rb") as handle:
        for number, raw in enumerate(
            iter(partial(handle.readline, MAX_ENCODING_LINE_BYTES + 1), b""), 1
        ):
            if len(raw) > MAX_ENCODING_LINE_BYTES:
                raise InvalidInput(
                    f"line {number} is longer than {MAX_ENCODING_LINE_BYTES:,} bytes",
                    where=f"{path}, line {number}",
                    hint="ask the partner for the output of `testament registry encodings`",
                )
            yield raw.decode("utf-8")


def check_encodings(
    query: names.NameRecord, secret: bytes, partner: list[tuple[str, str]]
) -> list[PartnerMatch]:
    """The partner's references whose encodings match ``query``'s, best first."""
    mine = linkage.encode(query, secret)
    best: dict[str, float] = {}
    for ref, encoding in partner:
        try:
            similarity = linkage.similarity(mine, encoding)
        except InvalidInput:
            raise InvalidInput(
                "an encoding in the partner's file is damaged", where=f"ref {ref}"
            ) from None
        if similarity >= linkage.ENCODING_THRESHOLD:
            best[ref] = max(best.get(ref, 0.0), similarity)
    return [
        PartnerMatch(ref, round(sim, 3))
        for ref, sim in sorted(best.items(), key=lambda pair: (-pair[1], pair[0]))
    ]


def whose(instance: Instance, secret: bytes, ref: str) -> str | None:
    """The person behind one of this instance's references (when a partner asks back); any case's, so
    an instance administrator's."""
    instance_id = instance.record.instance_id
    with read_transaction(instance.engine) as conn:
        policy.require_admin(conn, instance)
        ids = vault.keyed_people(conn)
        return next((p for p in ids if _reference(secret, instance_id, p) == ref), None)
