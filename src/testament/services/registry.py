"""The re-interview registry: has anyone already taken this person's account? (MC-04, CSO-04)

Locally, :func:`match` compares a name (with date of birth and place, when known) against every identity
in the vault, across scripts and transliterations (:mod:`testament.search.names`), and answers, for each
person it matches, who holds their earlier accounts and under what consent: the pseudonymous ID and
label, the case, each interview's date and interviewer, and the grants' codes. It never answers a name.

Across organisations, :func:`encodings` writes Bloom-filter encodings of every identity, keyed with a
secret the consortium shares (:mod:`testament.search.linkage`); :func:`check_encodings` compares a
name against a partner's file. Neither side's names leave it: a partner learns only that one of its
opaque references is close, and then asks its holder through the consortium's own channel.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from testament.domain import boundedjson
from testament.domain.custody import CustodyEventType
from testament.errors import InvalidInput, NotFound
from testament.search import linkage, names
from testament.secretfiles import read_secret
from testament.services import consent, custody, identity
from testament.services.instance import Instance, acting_agent, recording
from testament.storage import tables
from testament.storage.engine import read_transaction

ENCODINGS_FORMAT = "testament-linkage"
MAX_ENCODINGS = 200_000


@dataclass(frozen=True)
class Match:
    person_id: str
    label: str
    case: str
    score: float
    interviews: list[dict[str, Any]] = field(default_factory=list)
    grants: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "person": self.person_id,
            "label": self.label,
            "case": self.case,
            "score": round(self.score, 3),
            "interviews": self.interviews,
            "grants": self.grants,
        }


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
) -> list[Match]:
    """People in the vault who are probably ``query``, best first (``exclude``: a person ID to skip).

    An identity is asked about under its name and every other spelling it gives; its name must be one
    matching can use (InvalidInput otherwise), other spellings that cannot be matched are left out.
    """
    if isinstance(query, identity.Identity):
        names.NameRecord(query.name, query.date_of_birth, query.place)
        queries = record_of(query)
    else:
        queries = [query]
    with read_transaction(instance.engine) as conn:
        found = matches_in(conn, instance, queries, exclude=exclude)
        return [_described(conn, pid, s) for pid, s in found[:limit]]


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
    p, c, t, u = tables.person, tables.case, tables.testimony, tables.user_account
    row = conn.execute(
        select(p.c.label, c.c.name).join(c, c.c.id == p.c.case_id).where(p.c.id == person_id)
    ).one()
    interviews = [
        {"id": r.id, "started_at": r.started_at, "interviewer": r.username}
        for r in conn.execute(
            select(t.c.id, t.c.started_at, u.c.username)
            .join(u, u.c.id == t.c.interviewer_id)
            .where(t.c.person_id == person_id)
            .order_by(t.c.started_at)
        )
    ]
    grants = [
        {
            "purpose": g["purpose"],
            "recipient_class": g["recipient_class"],
            "data_scope": g["data_scope"],
            "state": "withdrawn" if g["revoked_at"] else "granted",
        }
        for g in consent.grant_rows(conn, person_id)
    ]
    return Match(person_id, row.label, row.name, score, interviews, grants)


def earlier_accounts(conn: Connection, instance: Instance, person_id: str) -> list[Match]:
    """Other people in the vault who match this person and have given an account (for the testimony
    service's re-interview check)."""
    try:
        found = identity.read(conn, instance, person_id)
    except NotFound:  # erased: nothing left to match
        return []
    if found is None:
        return []
    candidates = record_of(found)
    if not candidates:
        return []
    interviewed = set(conn.execute(select(tables.testimony.c.person_id)).scalars())
    if not interviewed - {person_id}:
        return []  # nobody else has given an account: nothing to unseal
    ranked = matches_in(conn, instance, candidates, exclude=person_id)
    return [_described(conn, pid, score) for pid, score in ranked if pid in interviewed]


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
    """
    instance_id = instance.record.instance_id
    lines = [json.dumps({"format": ENCODINGS_FORMAT, "version": 1, "encoding": linkage.VERSION})]
    people = 0
    with recording(instance) as conn:
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
    """(reference, encoding) pairs of a partner's file; InvalidInput names the line that is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "cannot read the partner's encodings", where=str(path), hint=str(exc)
        ) from None
    found: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
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


def check_encodings(
    query: names.NameRecord, secret: bytes, partner: list[tuple[str, str]]
) -> list[dict[str, Any]]:
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
        {"ref": ref, "similarity": round(sim, 3)}
        for ref, sim in sorted(best.items(), key=lambda pair: (-pair[1], pair[0]))
    ]


def whose(instance: Instance, secret: bytes, ref: str) -> str | None:
    """The person behind one of this instance's references (when a partner asks back)."""
    instance_id = instance.record.instance_id
    with read_transaction(instance.engine) as conn:
        ids = conn.execute(select(tables.person_key.c.person_id)).scalars()
        return next((p for p in ids if _reference(secret, instance_id, p) == ref), None)
