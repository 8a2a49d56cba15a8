"""The identity vault: who a survivor or witness really is, sealed with a key of their own (docs/survivors.md).

Each person recorded with an identity gets a random 256-bit key, wrapped (AES-KW) by the instance's
identity key and stored in ``person_key``. Their identity (names, date of birth, place, address, contacts,
how they wish to be addressed and reached) is sealed with that key (AES-256-GCM, the person's ID and the
field as associated data) in ``person_identity``. So are the words of their testimonies and the notes on
their needs (``seal``/``unseal``, used by the testimony and referral services). Everything else in
Testament names the person by their pseudonymous ID and label.

Nothing here writes a name to the custody log, the search index, a log line or an error message: custody
events carry the person's ID, and errors name the field that was wrong, never its value. Erasure destroys
the person's wrapped key and sealed values (:mod:`testament.survivors.erasure`), after which nothing can
unseal them again.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import magic
from sqlalchemy import Connection

from testament.custody import custody, history, policy
from testament.custody.access_log import check_purpose
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain import dates
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.text import clean_text
from testament.errors import IntegrityError, InvalidInput, NotFound
from testament.search import indexing
from testament.storage.engine import read_transaction
from testament.survivors.queries import identity as queries
from testament.survivors.results import PersonSummary
from testament.vault import sealing

LABEL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread aloud
ERASED = "erased under policy"
MAX_NAMES = 20
MAX_PHOTO_BYTES = 20 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/tiff")


@dataclass(frozen=True)
class Identity:
    """What the vault holds about one person. Only ``name`` is required."""

    name: str
    other_names: tuple[str, ...] = ()
    date_of_birth: str | None = None
    place: str | None = None
    address: str | None = None
    contacts: tuple[str, ...] = ()
    preferred_name: str | None = None
    pronouns: str | None = None
    safe_contact: str | None = None

    def checked(self) -> Identity:
        """The identity with every field cleaned; InvalidInput names the field, never its value."""
        name = clean_text(self.name, "the name", "--name", required=True, field="name")
        if not any(ch.isalpha() for ch in name):
            raise InvalidInput("the name has no letters", where="--name")
        if len(self.other_names) > MAX_NAMES or len(self.contacts) > MAX_NAMES:
            raise InvalidInput(f"at most {MAX_NAMES} other names or contacts", where="--other-name")
        dob = None
        if self.date_of_birth:
            dob = check_dob(self.date_of_birth)
        return Identity(
            name=name,
            other_names=tuple(
                clean_text(n, "another name", "--other-name", required=True, field="name")
                for n in self.other_names
            ),
            date_of_birth=dob,
            place=_optional(self.place, "the place", "--place", "place_text"),
            address=_optional(self.address, "the address", "--address", "address"),
            contacts=tuple(
                clean_text(c, "a contact", "--contact", required=True, field="contact")
                for c in self.contacts
            ),
            preferred_name=_optional(
                self.preferred_name, "the preferred name", "--preferred-name", "name"
            ),
            pronouns=_optional(self.pronouns, "the pronouns", "--pronouns", "pronouns"),
            safe_contact=_optional(
                self.safe_contact, "the safe contact", "--safe-contact", "contact"
            ),
        )

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Identity:
        values = json.loads(data)
        values["other_names"] = tuple(values.get("other_names", ()))
        values["contacts"] = tuple(values.get("contacts", ()))
        return cls(**values)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Identity:
        """From a request body or form; unknown fields are refused by name."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidInput(f"an identity has no field {', '.join(unknown)}", where="identity")
        data = dict(values)
        for many in ("other_names", "contacts"):
            value = data.get(many) or ()
            if isinstance(value, str) or not isinstance(value, Sequence):
                raise InvalidInput(f"{many} must be a list of texts", where=many)
            data[many] = tuple(str(v) for v in value)
        if not isinstance(data.get("name"), str):
            raise InvalidInput("the name is required", where="name")
        return cls(**data).checked()


def check_dob(value: str) -> str:
    """A date of birth as YYYY, YYYY-MM or YYYY-MM-DD; the error never repeats the value."""
    text = clean_text(value, "the date of birth", "--dob")
    parts = text.split("-")
    try:
        if not (1 <= len(parts) <= 3 and len(parts[0]) == 4 and all(p.isdigit() for p in parts)):
            raise InvalidInput("")
        dates.parse(text)
    except InvalidInput:
        raise InvalidInput(
            "the date of birth is not a date",
            where="--dob",
            hint="write YYYY-MM-DD, YYYY-MM or YYYY",
        ) from None
    return text


def _optional(value: str | None, what: str, where: str, field: str) -> str | None:
    return clean_text(value, what, where, field=field) or None if value else None


@dataclass(frozen=True)
class PersonKey:
    """One person's unwrapped key, for sealing and unsealing their values in memory."""

    person_id: str
    _key: bytes = field(repr=False)

    def seal(self, purpose: str, plaintext: bytes) -> bytes:
        return sealing.seal(self._key, self._aad(purpose), plaintext)

    def unseal(self, purpose: str, sealed: bytes) -> bytes:
        try:
            return sealing.unseal(self._key, self._aad(purpose), sealed)
        except sealing.Unsealable as exc:
            if exc.malformed:
                raise IntegrityError(
                    "a sealed value is malformed", where=f"person {self.person_id}"
                ) from None
            raise IntegrityError(
                "a sealed value fails its integrity check",
                where=f"person {self.person_id}",
                hint="it was altered or moved from another record; restore it from a backup",
            ) from None

    def seal_text(self, purpose: str, text: str) -> bytes:
        return self.seal(purpose, text.encode())

    def unseal_text(self, purpose: str, sealed: bytes | None) -> str:
        """The text, or :data:`ERASED` where erasure removed it."""
        return ERASED if sealed is None else self.unseal(purpose, sealed).decode()

    def _aad(self, purpose: str) -> bytes:
        return f"testament/sealed/v1|{self.person_id}|{purpose}".encode()


def new_label() -> str:
    """A pseudonymous label such as ``P-7KQ2MX``, safe to say aloud and to print."""
    return "P-" + "".join(secrets.choice(LABEL_ALPHABET) for _ in range(6))


def create_key(conn: Connection, instance: Instance, person_id: str) -> PersonKey:
    """Give a person their own key (wrapped by the instance's identity key)."""
    raw = sealing.new_key()
    wrapping = instance.identity_key
    queries.insert_person_key(
        conn,
        {
            "person_id": person_id,
            "wrapped_key": wrapping.wrap(raw),
            "key_id": wrapping.key_id,
            "created_at": utc_timestamp(),
        },
    )
    return PersonKey(person_id, raw)


def person_key(conn: Connection, instance: Instance, person_id: str) -> PersonKey | None:
    """The person's key, or None if they have none; :class:`Gone` once it was shredded."""
    row = queries.wrapped_key(conn, person_id)
    if row is None:
        return None
    if row["wrapped_key"] is None:
        raise NotFound(
            f"person {person_id}'s identity was {ERASED}",
            where=person_id,
            hint="nothing sealed with their key can be read any more",
        )
    wrapping = instance.identity_key
    if row["key_id"] != wrapping.key_id:
        raise IntegrityError(
            f"person {person_id}'s key is wrapped by identity key {row['key_id']}, "
            f"but the loaded identity key is {wrapping.key_id}",
            where=str(instance.settings.identity_key_file),
            hint="open this home with the identity key it was written with",
        )
    try:
        return PersonKey(person_id, sealing.unwrap_key(wrapping, row["wrapped_key"]))
    except sealing.Unsealable:
        raise IntegrityError(
            f"person {person_id}'s key fails its integrity check",
            where=person_id,
            hint="the key row was altered; restore it from a backup",
        ) from None


def key_for(conn: Connection, instance: Instance, person_id: str) -> PersonKey:
    """The person's key, creating one if they have none yet (a person recorded before the vault)."""
    found = person_key(conn, instance, person_id)
    return found if found is not None else create_key(conn, instance, person_id)


def add_person(
    instance: Instance,
    case_name: str,
    identity: Identity,
    *,
    label: str | None = None,
    description: str = "",
) -> tuple[str, str]:
    """Record a person with their identity sealed in the vault; returns (pseudonymous ID, label)."""
    checked = identity.checked()
    shown = clean_text(label, "the label", "--label", required=True) if label else new_label()
    note = clean_text(description, "the description", "--description")
    with recording(instance) as conn:
        cid = str(policy.require(conn, instance, Action.DOCUMENT, case=case_name))
        agent_id = acting_agent(conn)
        person_id = history.create(
            conn, "person", {"case_id": cid, "label": shown, "description": note}, agent_id=agent_id
        )
        key = create_key(conn, instance, person_id)
        _store(conn, key, checked)
        _sealed(conn, cid, "person-identity", person_id)
        indexing.refresh(conn, "person", [person_id])
    return person_id, shown


def _store(conn: Connection, key: PersonKey, identity: Identity) -> None:
    _upsert(conn, key.person_id, sealed=key.seal("identity", identity.to_json()))


def _upsert(conn: Connection, person_id: str, **sealed: bytes) -> None:
    """Write sealed values into the person's vault row, creating it if needed."""
    values = sealed | {"updated_at": utc_timestamp()}
    if not queries.update_sealed(conn, person_id, values):
        queries.insert_sealed(conn, person_id, values)


def _sealed(conn: Connection, case_id: str, what: str, person_id: str) -> None:
    """The custody event of a sealed write: what was sealed, for whom, by ID only."""
    custody.record(
        conn,
        [
            custody.NewEvent(
                CustodyEventType.ENCRYPTION,
                acting_agent(conn),
                case_id=case_id,
                detail={"object": what, "person": person_id},
            )
        ],
    )


def set_identity(instance: Instance, person_id: str, identity: Identity) -> None:
    """Replace a person's sealed identity (the old one is overwritten, not versioned)."""
    checked = identity.checked()
    with recording(instance) as conn:
        policy.require(conn, instance, Action.REVEAL_IDENTITY, kind="person", record_id=person_id)
        person = history.current(conn, "person", person_id)
        _store(conn, key_for(conn, instance, person_id), checked)
        _sealed(conn, person["case_id"], "person-identity", person_id)


def _read(conn: Connection, instance: Instance, person_id: str) -> Identity | None:
    row = queries.sealed_identity(conn, person_id)
    if row is None:
        return None
    key = person_key(conn, instance, person_id)
    if key is None or row["sealed"] is None:
        raise NotFound(f"person {person_id}'s identity was {ERASED}", where=person_id)
    return Identity.from_json(key.unseal("identity", row["sealed"]))


def read(conn: Connection, instance: Instance, person_id: str) -> Identity | None:
    """The person's identity, unsealed in memory for matching, None if the vault holds none; NotFound
    once erased. Logs nothing: callers never show it (use :func:`reveal` for that)."""
    return _read(conn, instance, person_id)


def has_identity(conn: Connection, person_id: str) -> bool:
    """Whether the vault holds (or held, before an erasure) an identity for this person."""
    return queries.has_key(conn, person_id)


def reveal(instance: Instance, person_id: str, reason: str) -> Identity:
    """Unseal a person's identity for the acting user; the reveal and its reason are a custody event.

    It needs the ``reveal-identity`` action on the person's case.
    """
    stated = check_purpose(reason)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.REVEAL_IDENTITY, kind="person", record_id=person_id)
        person = history.current(conn, "person", person_id)
        identity = _read(conn, instance, person_id)
        if identity is None:
            raise NotFound("the vault holds no identity for this person", where=person_id)
        _access(conn, person["case_id"], person_id, stated, outcome="success")
    return identity


def refused(instance: Instance, person_id: str, reason: str | None) -> None:
    """Record an attempt to see an identity that the policy refused (outcome ``denied``): by someone
    who may read the person's case (to anyone else the person is absent)."""
    stated = " ".join((reason or "").split())[:300] or "(none stated)"
    with recording(instance) as conn:
        policy.require(conn, instance, Action.READ, kind="person", record_id=person_id)
        case_id = queries.case_of_person(conn, person_id)
        _access(conn, case_id, person_id, stated, outcome="denied")


def _access(
    conn: Connection,
    cid: str | None,
    person_id: str,
    stated: str,
    *,
    outcome: str,
    action: str = "reveal",
) -> None:
    custody.record(
        conn,
        [
            custody.NewEvent(
                CustodyEventType.ACCESS,
                acting_agent(conn),
                case_id=cid,
                outcome=outcome,
                detail={
                    "object": "person-identity",
                    "person": person_id,
                    "action": action,
                    "purpose": clean_text(stated, "the reason", "--reason"),
                },
            )
        ],
    )


def exported(conn: Connection, instance: Instance, person_id: str) -> dict[str, Any] | str:
    """The identity for an approved named export, or :data:`ERASED`."""
    try:
        found = _read(conn, instance, person_id)
    except NotFound:
        return ERASED
    return ERASED if found is None else asdict(found)


def identities(
    conn: Connection, instance: Instance, case_id: str | None = None
) -> list[tuple[str, Identity]]:
    """Every readable identity (of one case, or all), unsealed in memory for matching; erased skipped."""
    wrapping = instance.identity_key
    found = []
    for row in queries.sealed_identities(conn, case_id):
        person_id = row["person_id"]
        try:
            key = PersonKey(person_id, sealing.unwrap_key(wrapping, row["wrapped_key"]))
        except sealing.Unsealable:
            continue  # damaged or foreign: `testament verify` reports it; matching skips it
        found.append((person_id, Identity.from_json(key.unseal("identity", row["sealed"]))))
    return found


def forget(conn: Connection, person_id: str) -> None:
    """Destroy the person's key and every value sealed with it (erasure's part in the vault)."""
    now = utc_timestamp()
    queries.shred_key(conn, person_id, now)
    queries.shred_sealed(conn, person_id, now)


def check_photo(data: bytes, where: str = "--photo") -> str:
    """The photo's media type; InvalidInput unless it is an image of a usable size."""
    if not data:
        raise InvalidInput("the photo is empty", where=where)
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(
            f"the photo is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MiB", where=where
        )
    media_type = str(magic.from_buffer(data[:8192], mime=True))
    if media_type not in PHOTO_TYPES:
        raise InvalidInput(
            f"the photo is {media_type}, not an image Testament keeps in the vault",
            where=where,
            hint=f"use {', '.join(t.split('/')[1].upper() for t in PHOTO_TYPES)}",
        )
    return media_type


def set_photo(instance: Instance, person_id: str, data: bytes) -> None:
    """Seal a photo of the person's face in the vault (it replaces an earlier one)."""
    check_photo(data)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.REVEAL_IDENTITY, kind="person", record_id=person_id)
        person = history.current(conn, "person", person_id)
        key = key_for(conn, instance, person_id)
        _upsert(conn, person_id, photo_sealed=key.seal("photo", data))
        _sealed(conn, person["case_id"], "person-photo", person_id)


def reveal_photo(instance: Instance, person_id: str, reason: str) -> tuple[bytes, str]:
    """Unseal the person's photo and its media type; an ``access`` custody event with the reason."""
    stated = check_purpose(reason)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.REVEAL_IDENTITY, kind="person", record_id=person_id)
        person = history.current(conn, "person", person_id)
        row = queries.sealed_photo(conn, person_id)
        key = person_key(conn, instance, person_id)
        if row is None or row["photo_sealed"] is None or key is None:
            raise NotFound("the vault holds no photo of this person", where=person_id)
        data = key.unseal("photo", row["photo_sealed"])
        _access(
            conn, person["case_id"], person_id, stated, outcome="success", action="reveal-photo"
        )
    return data, check_photo(data)


def summary(instance: Instance, person_id: str) -> PersonSummary:
    """What anyone who may read the case sees: the person's ID, label and whether the vault holds them."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind="person", record_id=person_id)
        person = history.current(conn, "person", person_id)
        key_row = queries.key_state(conn, person_id)
    state = "none" if key_row is None else ("erased" if key_row["shredded_at"] else "sealed")
    return PersonSummary(id=person_id, label=str(person["label"]), identity=state)
