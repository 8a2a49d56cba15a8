"""Recording consent, asking it before every use, and withdrawing it (MC-01…03, CSO-02, CSO-15).

A grant is recorded with how it was given (mode, language, the information-sheet version shown, whether
the person's understanding was checked) and is a ``consent-change`` custody event naming the person's ID
and the grant's codes, never the person. Every use of a person's information (an export, a share, a
publication, a package) goes through :func:`require`, which refuses with :class:`ConsentRequired` naming
the missing grant, and records which grant allowed the use and who received it (``consent_use``).

Withdrawal revokes grants (all of them, or those named) and blocks every later use. It returns the
recipients already served under those grants, who must be told, and never deletes custody history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody, history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain import consent as rules
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import clean_text
from testament.errors import ConsentRequired, InvalidInput, NotFound
from testament.storage.engine import lock_log, read_transaction
from testament.survivors.queries import consent as queries
from testament.survivors.results import GrantView, RecipientToTell, Withdrawal
from testament.taxonomy import vocabulary

WITHDRAWAL_CHANNELS = ("in-person", "phone", "written", "message", "through-representative")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class GrantInput:
    purpose: str
    recipient_class: str
    data_scope: str = "all"
    identifiability: str = "pseudonymous"
    mode: str = "written"
    language: str = "uk"
    info_sheet_version: str = ""
    understanding_checked: bool = False
    expires_at: str | None = None

    def checked(self, today: str) -> GrantInput:
        """Each field checked against its vocabulary; InvalidInput names the option."""
        if self.mode not in rules.MODES:
            raise InvalidInput(
                f"{self.mode!r} is not a consent mode",
                where="--mode",
                hint=f"use {', '.join(rules.MODES)}",
            )
        if self.identifiability not in rules.IDENTIFIABILITY:
            raise InvalidInput(
                f"{self.identifiability!r} is not a level of identifiability",
                where="--identifiability",
                hint=f"use {', '.join(rules.IDENTIFIABILITY)}",
            )
        if not _LANGUAGE.match(self.language or ""):
            raise InvalidInput(
                "the language must be a language code such as uk, ru, en or crh",
                where="--language",
            )
        sheet = clean_text(
            self.info_sheet_version, "the information-sheet version", "--info-sheet", required=True
        )
        expires = None
        if self.expires_at:
            expires = _day(self.expires_at, "--expires")
            if expires < today:
                raise InvalidInput("the grant would already have expired", where="--expires")
        checked = GrantInput(
            purpose=vocabulary.require_one("consent-purposes", self.purpose, where="--purpose"),
            recipient_class=vocabulary.require_one(
                "recipient-classes", self.recipient_class, where="--recipient-class"
            ),
            data_scope=vocabulary.require_one("data-scopes", self.data_scope, where="--scope"),
            identifiability=self.identifiability,
            mode=self.mode,
            language=self.language,
            info_sheet_version=sheet,
            understanding_checked=bool(self.understanding_checked),
            expires_at=expires,
        )
        if not checked.understanding_checked:
            raise InvalidInput(
                "a grant is consent only once the person has said in their own words what they "
                "agreed to (MC-03)",
                where="--understood",
                hint="explain again and ask them to restate it; record the grant once they can",
            )
        return checked


def _day(text: str, where: str) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InvalidInput("not a date", where=where, hint="write YYYY-MM-DD") from None


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def check_use(use: str, purpose: str, recipient_class: str, data_scope: str) -> rules.Use:
    """A use, its codes checked; InvalidInput names the option."""
    if use not in rules.USES:
        raise InvalidInput(
            f"{use!r} is not a use", where="--use", hint=f"use {', '.join(rules.USES)}"
        )
    return rules.Use(
        use=use,
        purpose=vocabulary.require_one("consent-purposes", purpose, where="--purpose"),
        recipient_class=vocabulary.require_one(
            "recipient-classes", recipient_class, where="--recipient-class"
        ),
        data_scope=vocabulary.require_one("data-scopes", data_scope, where="--scope"),
        identifiability=referral_use().identifiability if use == "refer" else "pseudonymous",
    )


def _person(conn: Connection, person_id: str) -> dict[str, Any]:
    return history.current(conn, "person", person_id)


def _event(conn: Connection, case_id: str, detail: dict[str, Any]) -> int:
    (index,) = custody.record(
        conn,
        [
            custody.NewEvent(
                CustodyEventType.CONSENT_CHANGE, acting_agent(conn), case_id=case_id, detail=detail
            )
        ],
    )
    return index


def grant(instance: Instance, person_id: str, values: GrantInput) -> str:
    """Record a consent grant; returns its ID."""
    now = utc_timestamp()
    checked = values.checked(now[:10])
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="person", record_id=person_id)
        lock_log(conn)  # an erasure is either committed before or sees this grant
        person = _person(conn, person_id)
        if _erased(conn, person_id):
            raise ConsentRequired(
                "this person's data was erased; nothing can be granted for it", where=person_id
            )
        grant_id = new_id()
        queries.insert_grant(
            conn,
            {
                "id": grant_id,
                "person_id": person_id,
                "purpose": checked.purpose,
                "recipient_class": checked.recipient_class,
                "data_scope": checked.data_scope,
                "identifiability": checked.identifiability,
                "mode": checked.mode,
                "language": checked.language,
                "info_sheet_version": checked.info_sheet_version,
                "understanding_checked": checked.understanding_checked,
                "granted_at": now,
                "expires_at": checked.expires_at,
                "recorded_by": acting_agent(conn),
            },
        )
        _event(
            conn,
            person["case_id"],
            {
                "object": "consent-grant",
                "change": "granted",
                "person": person_id,
                "grant": grant_id,
                "purpose": checked.purpose,
                "recipient_class": checked.recipient_class,
                "data_scope": checked.data_scope,
                "identifiability": checked.identifiability,
                "mode": checked.mode,
            },
        )
    return grant_id


def _rows(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    return queries.grants_of(conn, person_id)


def grant_rows(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """A person's grants as stored, oldest first (for the re-interview registry)."""
    return _rows(conn, person_id)


def _as_rule(row: dict[str, Any]) -> rules.Grant:
    return rules.Grant(
        grant_id=row["id"],
        purpose=row["purpose"],
        recipient_class=row["recipient_class"],
        data_scope=row["data_scope"],
        identifiability=row["identifiability"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        understood=bool(row["understanding_checked"]),
    )


def _state(rule: rules.Grant, day: str) -> str:
    if rule.revoked_at:
        return "withdrawn"
    if not rules.live(rule, day):
        return "expired"
    return "active" if rule.understood else "unconfirmed"


def state(row: dict[str, Any], day: str | None = None) -> str:
    """A stored grant's state on ``day`` (today): ``active``, ``expired``, ``withdrawn``, or
    ``unconfirmed`` (recorded without the check that they understood it: not consent, MC-03).
    Only ``active`` is consent; whatever shows a grant says which it is."""
    return _state(_as_rule(row), day or today())


def grants(instance: Instance, person_id: str) -> list[GrantView]:
    """Every grant of a person, oldest first, with its :func:`state` (not who recorded it)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind="person", record_id=person_id)
        _person(conn, person_id)
        rows = _rows(conn, person_id)
    day = today()
    found = []
    for row in rows:
        row.pop("recorded_by")
        found.append(GrantView(**row, state=state(row, day)))
    return found


def recording_use(purpose: str, recipient_class: str) -> rules.Use:
    """What holding a testimony for an intended use asks of consent: that purpose, to that recipient
    class, for the person's testimony (``testament consent check --as record`` asks the same)."""
    return rules.Use(use="record", purpose=purpose, recipient_class=recipient_class,
                     data_scope="testimony")  # fmt: skip


REFERRAL_PURPOSE = "referral-support"
REFERRAL_RECIPIENT = "partner-organisation"


def referral_use() -> rules.Use:
    """What referring a need to a support service asks of consent: ``referral-support`` to a
    ``partner-organisation`` (a service outside the organisation), everything recorded, with the
    person named, since the service must reach them (``testament consent check --as refer`` asks the
    same)."""
    return rules.Use(use="refer", purpose=REFERRAL_PURPOSE, recipient_class=REFERRAL_RECIPIENT,
                     data_scope=rules.ALL_SCOPES, identifiability="named")  # fmt: skip


def decide(conn: Connection, person_id: str, use: rules.Use) -> rules.ConsentDecision:
    """The decision for one person and one use, as of today; records nothing.

    The one consent gate: ``testament consent check``, every export and disclosure (:func:`require`),
    recording a testimony, changing its intended use and referring a need all ask it.
    """
    if _erased(conn, person_id):
        return rules.ConsentDecision(False, None, "the person's data was erased under policy")
    return rules.decide((_as_rule(r) for r in _rows(conn, person_id)), use, today())


def check(instance: Instance, person_id: str, use: rules.Use) -> rules.ConsentDecision:
    """:func:`decide` in its own read transaction (``testament consent check``)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind="person", record_id=person_id)
        _person(conn, person_id)
        return decide(conn, person_id, use)


def require(
    conn: Connection,
    person_ids: Iterable[str],
    use: rules.Use,
    *,
    recipient: str,
    agent_id: int,
    uses: dict[str, rules.Use] | None = None,
) -> int:
    """Refuse unless a live grant covers ``use`` for every person; record each use. Returns how many.

    ``uses`` may give some people a different use (a wider data scope, say); the rest get ``use``.
    Call it inside the transaction that performs the use, so a withdrawal either comes first and
    refuses it, or comes after and lists this recipient among those to tell (both hold the log's lock
    from their first read of the grants until they commit).
    """
    lock_log(conn)
    decided: list[tuple[str, rules.Use, str]] = []
    for person_id in person_ids:
        wanted = (uses or {}).get(person_id, use)
        decision = decide(conn, person_id, wanted)
        if not decision.allowed or decision.grant_id is None:
            raise ConsentRequired(
                f"consent does not cover this {wanted.use}: {decision.reason}",
                where=f"person {person_id}",
                hint="record the grant with `testament consent grant` once the person has agreed "
                "to it, or leave this person's information out",
            )
        decided.append((person_id, wanted, decision.grant_id))
    now = utc_timestamp()
    for person_id, wanted, grant_id in decided:
        queries.insert_use(
            conn,
            {
                "person_id": person_id,
                "grant_id": grant_id,
                "use": wanted.use,
                "purpose": wanted.purpose,
                "recipient_class": wanted.recipient_class,
                "recipient": recipient,
                "used_at": now,
                "agent_id": agent_id,
            },
        )
    return len(decided)


def withdraw(
    instance: Instance,
    person_id: str,
    *,
    communicated_via: str,
    grant_ids: Sequence[str] = (),
) -> Withdrawal:
    """Revoke the person's grants (``grant_ids``, or all live ones); returns who must be told."""
    if communicated_via not in WITHDRAWAL_CHANNELS:
        raise InvalidInput(
            f"{communicated_via!r} is not a way a withdrawal is communicated",
            where="--via",
            hint=f"use {', '.join(WITHDRAWAL_CHANNELS)}",
        )
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="person", record_id=person_id)
        return _withdraw(conn, person_id, communicated_via, grant_ids)


def _withdraw(
    conn: Connection, person_id: str, communicated_via: str, grant_ids: Sequence[str]
) -> Withdrawal:
    lock_log(conn)  # every use of these grants is either committed before or refused after
    person = _person(conn, person_id)
    rows = {row["id"]: row for row in _rows(conn, person_id)}
    unknown = sorted(set(grant_ids) - set(rows))
    if unknown:
        raise NotFound(
            "this person has no grant with this ID", where=unknown[0], errors={"grant": unknown[0]}
        )
    chosen = list(grant_ids) or list(rows)
    revoking = [g for g in chosen if rows[g]["revoked_at"] is None]
    now = utc_timestamp()
    withdrawal_id = new_id()
    agent_id = acting_agent(conn)
    queries.insert_withdrawal(
        conn,
        {
            "id": withdrawal_id,
            "person_id": person_id,
            "communicated_via": communicated_via,
            "recorded_at": now,
            "recorded_by": agent_id,
        },
    )
    if revoking:
        queries.revoke_grants(conn, revoking, now, withdrawal_id)
    to_tell = _served(conn, chosen)
    _event(
        conn,
        person["case_id"],
        {
            "object": "consent-grant",
            "change": "withdrawn",
            "person": person_id,
            "withdrawal": withdrawal_id,
            "grants": sorted(revoking),
            "communicated_via": communicated_via,
            "recipients_to_tell": len(to_tell),
        },
    )
    return Withdrawal(withdrawal_id, sorted(revoking), to_tell)


def _served(conn: Connection, grant_ids: Sequence[str]) -> list[RecipientToTell]:
    """The recipients already served under these grants, who must be told."""
    if not grant_ids:
        return []
    return [RecipientToTell(**row) for row in queries.recipients_served(conn, grant_ids)]


def _erased(conn: Connection, person_id: str) -> bool:
    return queries.is_erased(conn, person_id)


def withdraw_all_for_erasure(conn: Connection, person_id: str) -> Withdrawal:
    """Erasure's part here: every grant revoked, communicated through the erasure itself."""
    return _withdraw(conn, person_id, "erasure", ())


def consent_bearing(conn: Connection, case_id: str) -> list[str]:
    """The people of a case whose information is governed by consent: those with a sealed identity, a
    grant, or a testimony; erased people excluded (nothing of theirs is left to use)."""
    return queries.consent_bearing(conn, case_id)
