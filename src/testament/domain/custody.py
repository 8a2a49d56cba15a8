"""Custody events: the vocabulary and the exact bytes that enter the custody log.

A custody event records one action on evidence. Its log entry (the Merkle leaf input) is the RFC 8785
canonical JSON of :meth:`CustodyEvent.entry`. Entries carry identifiers, digests, an agent ID, the action
and the time, and never personal data: names, paths and free-text notes stay in the database and enter
the entry only as a salted commitment (``record``), so a later edit of those fields is detectable
without disclosing them (ARCHITECTURE key decision 3; PREM-01, PREM-05, MTL-06 in docs/requirements.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from testament.domain.canonical import canonical_json

ENTRY_VERSION = 1
PREMIS_EVENT_TYPE_URI = "http://id.loc.gov/vocabulary/preservation/eventType/"
LOCAL_EVENT_TYPE_URI = "urn:testament:event-type:"


class CustodyEventType(StrEnum):
    """Custody event types: PREMIS 3.0 event types (PREM-04, docs/requirements.md) plus local types.

    Each member's docstring-like description lives in :data:`EVENT_TYPE_DESCRIPTIONS` and its identifier
    URI in :func:`event_type_uri`; ``docs/custody-events.md`` lists them all and a test keeps the three in step.
    """

    INGESTION = "ingestion"
    MESSAGE_DIGEST_CALCULATION = "message digest calculation"
    FIXITY_CHECK = "fixity check"
    CAPTURE = "capture"
    CREATION = "creation"
    MIGRATION = "migration"
    REDACTION = "redaction"
    TRANSFER = "transfer"
    DELETION = "deletion"
    METADATA_MODIFICATION = "metadata modification"
    REPLICATION = "replication"
    VALIDATION = "validation"
    DIGITAL_SIGNATURE_GENERATION = "digital signature generation"
    DIGITAL_SIGNATURE_VALIDATION = "digital signature validation"
    ENCRYPTION = "encryption"
    DECRYPTION = "decryption"
    FORMAT_IDENTIFICATION = "format identification"
    DISSEMINATION = "dissemination"
    METADATA_EXTRACTION = "metadata extraction"
    UNPACKING = "unpacking"
    # Local types (not in PREMIS): see LOCAL_TYPES.
    INSTANCE_INITIALISATION = "instance initialisation"
    ACCESS = "access"
    DISCLOSURE = "disclosure"
    CONSENT_CHANGE = "consent-change"
    SHRED = "shred"
    ROLE_CHANGE = "role-change"


PREMIS_CODES: dict[CustodyEventType, str] = {
    CustodyEventType.INGESTION: "ing",
    CustodyEventType.MESSAGE_DIGEST_CALCULATION: "mes",
    CustodyEventType.FIXITY_CHECK: "fix",
    CustodyEventType.CAPTURE: "cap",
    CustodyEventType.CREATION: "cre",
    CustodyEventType.MIGRATION: "mig",
    CustodyEventType.REDACTION: "red",
    CustodyEventType.TRANSFER: "tra",
    CustodyEventType.DELETION: "del",
    CustodyEventType.METADATA_MODIFICATION: "mem",
    CustodyEventType.REPLICATION: "rep",
    CustodyEventType.VALIDATION: "val",
    CustodyEventType.DIGITAL_SIGNATURE_GENERATION: "dig",
    CustodyEventType.DIGITAL_SIGNATURE_VALIDATION: "dsv",
    CustodyEventType.ENCRYPTION: "enc",
    CustodyEventType.DECRYPTION: "der",
    CustodyEventType.FORMAT_IDENTIFICATION: "for",
    CustodyEventType.DISSEMINATION: "dis",
    CustodyEventType.METADATA_EXTRACTION: "mee",
    CustodyEventType.UNPACKING: "unp",
}

LOCAL_TYPES: frozenset[CustodyEventType] = frozenset(
    {
        CustodyEventType.INSTANCE_INITIALISATION,
        CustodyEventType.ACCESS,
        CustodyEventType.DISCLOSURE,
        CustodyEventType.CONSENT_CHANGE,
        CustodyEventType.SHRED,
        CustodyEventType.ROLE_CHANGE,
    }
)

EVENT_TYPE_DESCRIPTIONS: dict[CustodyEventType, str] = {
    CustodyEventType.INGESTION: "A file entered the vault: hashed on first contact and stored untouched.",
    CustodyEventType.MESSAGE_DIGEST_CALCULATION: "A digest was computed for an object.",
    CustodyEventType.FIXITY_CHECK: "A stored object was re-hashed and compared with its recorded digest.",
    CustodyEventType.CAPTURE: "Content was captured from a source, such as a web page.",
    CustodyEventType.CREATION: "A new object was created, such as a record or a derivative.",
    CustodyEventType.MIGRATION: "An object was transformed into another format.",
    CustodyEventType.REDACTION: "A redacted working copy was produced or content was withheld.",
    CustodyEventType.TRANSFER: "Objects left the instance, for example in an evidence package.",
    CustodyEventType.DELETION: (
        "A record was marked deleted (records are never hard-deleted), or partial files a crash left "
        "in the vault's staging area were removed (`testament vault clean-tmp --yes`)."
    ),
    CustodyEventType.METADATA_MODIFICATION: (
        "A documentation record was changed; the entry names the changed fields and commits to the new version."
    ),
    CustodyEventType.REPLICATION: "An object was copied to another store.",
    CustodyEventType.VALIDATION: "An object was checked against a format or package specification.",
    CustodyEventType.DIGITAL_SIGNATURE_GENERATION: "A signature was produced over an object.",
    CustodyEventType.DIGITAL_SIGNATURE_VALIDATION: "A signature on an object was checked.",
    CustodyEventType.ENCRYPTION: "An object was encrypted.",
    CustodyEventType.DECRYPTION: "An object was decrypted.",
    CustodyEventType.FORMAT_IDENTIFICATION: "An object's format was identified.",
    CustodyEventType.DISSEMINATION: (
        "A case was exported (a file, standard output or a download); the entry holds the format, "
        "the count of each kind of record and the SHA-256 and size of the bytes written."
    ),
    CustodyEventType.METADATA_EXTRACTION: (
        "An extractor read an item (metadata, text, previews, perceptual hashes, content credentials); "
        "the entry names the kind, the tool, its version and parameters, and the SHA-256 of the result."
    ),
    CustodyEventType.UNPACKING: (
        "A member of an archive became an item of its own; the entry names the archive's digest and "
        "the member's path."
    ),
    CustodyEventType.INSTANCE_INITIALISATION: (
        "The instance was created; names its log origin and the IDs of its keys."
    ),
    CustodyEventType.ACCESS: "A person opened, viewed or downloaded an item or a sensitive record.",
    CustodyEventType.DISCLOSURE: "Evidence was disclosed to a recipient outside the instance.",
    CustodyEventType.CONSENT_CHANGE: "A consent grant was given, changed or withdrawn.",
    CustodyEventType.SHRED: "Content was made unrecoverable by destroying its keys (erasure).",
    CustodyEventType.ROLE_CHANGE: (
        "A user's role on a case, or a training attestation that qualifies them to interview survivors, "
        "was granted or revoked; the entry names the user ID, the role or training topic and the change."
    ),
}


def event_type_uri(event_type: CustodyEventType) -> str:
    """The identifier of an event type: the LoC PREMIS URI, or a local URN for local types."""
    if event_type in LOCAL_TYPES:
        return LOCAL_EVENT_TYPE_URI + event_type.value.replace(" ", "-")
    return PREMIS_EVENT_TYPE_URI + PREMIS_CODES[event_type]


def utc_timestamp(moment: datetime | None = None) -> str:
    """RFC 3339 UTC with microseconds and a ``Z``: the only time format inside log entries."""
    when = (moment or datetime.now(UTC)).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def commitment(salt: bytes, record: Any) -> str:
    """A salted SHA-256 commitment to ``record`` (hex): hides the record, reveals later edits."""
    return commitment_to(salt, canonical_json(record))


def commitment_to(salt: bytes, canonical: bytes) -> str:
    """:func:`commitment` of a record already encoded as canonical JSON (saves encoding it twice)."""
    return hashlib.sha256(salt + canonical).hexdigest()


@dataclass(frozen=True)
class CustodyEvent:
    """One custody event, as stored in the database and, canonicalised, in the log."""

    event_id: str
    event_type: CustodyEventType
    occurred_at: str
    agent: str
    case: str | None = None
    item: str | None = None
    sha256: str | None = None
    outcome: str = "success"
    detail: dict[str, Any] = field(default_factory=dict)
    record: str | None = None

    def entry(self) -> dict[str, Any]:
        """The JSON object whose canonical bytes are the log entry."""
        body: dict[str, Any] = {
            "v": ENTRY_VERSION,
            "id": self.event_id,
            "type": self.event_type.value,
            "time": self.occurred_at,
            "agent": self.agent,
            "outcome": self.outcome,
        }
        optional = {
            "case": self.case,
            "item": self.item,
            "sha256": self.sha256,
            "record": self.record,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        if self.detail:
            body["detail"] = self.detail
        return body

    def entry_bytes(self) -> bytes:
        """RFC 8785 canonical JSON of :meth:`entry`: the exact Merkle leaf input."""
        return canonical_json(self.entry())
