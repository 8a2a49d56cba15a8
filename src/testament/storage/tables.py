"""Tables, as SQLAlchemy Core metadata. The Alembic migrations create exactly these (a test compares them).

Two families:

* the **record** tables (``agent``, ``case``, ``evidence_item``, ``custody_event``) that the application
  reads and writes;
* the **log** tables (``log_state``, ``log_entry``, ``log_node``, ``checkpoint``) that hold the custody log:
  entry bytes, the persisted hashes of every perfect subtree (so a proof is a handful of keyed reads), and
  every checkpoint ever signed.

``testament verify`` checks that the two families agree (docs/verification.md).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

instance = Table(
    "instance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("instance_id", String(36), nullable=False),
    Column("log_origin", Text, nullable=False),
    Column("vault_key_id", String(64)),
    Column("signing_key_id", String(8), nullable=False),
    Column("verifier_key", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

agent = Table(
    "agent",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("record_salt", LargeBinary(16), nullable=False),
    UniqueConstraint("kind", "name", name="uq_agent_kind_name"),
)

case = Table(
    "case",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("created_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("record_salt", LargeBinary(16), nullable=False),
    # Set when a coordinator closes the case; refused while a survivor's urgent need is unaddressed.
    Column("closed_at", String(32)),
)

evidence_item = Table(
    "evidence_item",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("original_name", Text, nullable=False),
    Column("source_path", Text, nullable=False),
    Column("mtime", String(32), nullable=False),
    Column("media_type", Text, nullable=False),
    Column("source_note", Text),
    Column("ingested_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("ingested_at", String(32), nullable=False),
    Column("duplicate", Boolean, nullable=False),
    Column("record_salt", LargeBinary(16), nullable=False),
    UniqueConstraint("case_id", "sha256", "source_path", name="uq_evidence_item_acquisition"),
)
Index("ix_evidence_item_sha256", evidence_item.c.sha256)

custody_event = Table(
    "custody_event",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("log_index", BigInteger, nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("occurred_at", String(32), nullable=False),
    Column("agent_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("case_id", String(36), ForeignKey("case.id")),
    Column("item_id", String(36), ForeignKey("evidence_item.id")),
    Column("sha256", String(64)),
    Column("outcome", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("record", String(64)),
)
Index("ix_custody_event_item_id", custody_event.c.item_id)

log_state = Table(
    "log_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
)

log_entry = Table(
    "log_entry",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

log_node = Table(
    "log_node",
    metadata,
    # (level << 48) | index of a perfect subtree; level 0 holds the leaf hashes.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoint = Table(
    "checkpoint",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("signed_at", String(32), nullable=False),
    # 1, 2, 3, … in signing order (migration 0008); signed into the note too (docs/verification.md).
    Column("number", BigInteger, nullable=False, unique=True),
)


# --- The documentation model (migration 0002) -------------------------------------------------------------
#
# Every documentation record (a situation, incident, person, unit, source or one of the links between them)
# is *versioned*: its row holds the current version, ``record_version`` holds every version ever written
# (canonical JSON, never deleted), and each create, update and delete is a custody event whose ``record``
# is a salted commitment to that version. Deleting sets ``deleted_at``; nothing is hard-deleted.


def _versioned(name: str, *columns: Column[object] | Index | UniqueConstraint) -> Table:
    return Table(
        name,
        metadata,
        Column("id", String(36), primary_key=True),
        *columns,
        Column("version", Integer, nullable=False),
        Column("created_at", String(32), nullable=False),
        Column("updated_at", String(32), nullable=False),
        Column("deleted_at", String(32)),
    )


def _case_ref() -> Column[object]:
    return Column("case_id", String(36), ForeignKey("case.id"), nullable=False)


record_version = Table(
    "record_version",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("change", String(8), nullable=False),
    Column("data", Text, nullable=False),
    Column("salt", LargeBinary(16), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("agent_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("at", String(32), nullable=False),
    Column("log_index", BigInteger, nullable=False, unique=True),
    UniqueConstraint("kind", "record_id", "version", name="uq_record_version_kind_record"),
)

admin_area = Table(
    "admin_area",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("level", Integer, nullable=False),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("alt_names", Text, nullable=False),
    Column("parent_code", Text),
    Column("dataset", Text, nullable=False),
    Column("geometry", LargeBinary, nullable=False),
    Column("min_x", Float, nullable=False),
    Column("min_y", Float, nullable=False),
    Column("max_x", Float, nullable=False),
    Column("max_y", Float, nullable=False),
    UniqueConstraint("level", "code", name="uq_admin_area_level_code"),
)

situation = _versioned(
    "situation",
    Column("name", Text, nullable=False, unique=True),
    Column("description", Text, nullable=False),
    Column("starts_on", String(10)),
    Column("ends_on", String(10)),
    Column("conflict", String(32), nullable=False),
    Column("amendments", Text, nullable=False),
)

case_situation = Table(
    "case_situation",
    metadata,
    Column("case_id", String(36), ForeignKey("case.id"), primary_key=True),
    Column("situation_id", String(36), ForeignKey("situation.id"), nullable=False),
)

incident = _versioned(
    "incident",
    _case_ref(),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("occurred_from", String(32)),
    Column("occurred_to", String(32)),
    Column("date_precision", String(16), nullable=False),
    Column("date_text", Text, nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("uncertainty_m", Float),
    Column("place_text", Text, nullable=False),
    Column("area_id", Integer, ForeignKey("admin_area.id")),
    Column("status", String(32), nullable=False),
    Column("types", Text, nullable=False),
    Column("targets", Text, nullable=False),
    Column("weapons", Text, nullable=False),
    Column("sensitivity", Text, nullable=False),
    Column("unmapped", Text, nullable=False),
    Column("external_ns", Text),
    Column("external_id", Text),
    UniqueConstraint("case_id", "external_ns", "external_id", name="uq_incident_external"),
)
Index("ix_incident_case_id", incident.c.case_id)
# A case's incidents in date order: the list pages and the API's list read them this way.
Index("ix_incident_case_occurred", incident.c.case_id, incident.c.occurred_from, incident.c.id)
# A case's incidents by position: the map's view of a box, and its clusters, read only this index.
Index(
    "ix_incident_case_position",
    incident.c.case_id,
    incident.c.longitude,
    incident.c.latitude,
    incident.c.deleted_at,
)

# Areas an incident lies in: derived (point-in-polygon, or the area given), recomputed, not versioned.
incident_area = Table(
    "incident_area",
    metadata,
    Column("incident_id", String(36), ForeignKey("incident.id"), primary_key=True),
    Column("area_id", Integer, ForeignKey("admin_area.id"), primary_key=True),
    Column("method", String(16), nullable=False),
)
Index("ix_incident_area_area_id", incident_area.c.area_id)

source = _versioned(
    "source",
    _case_ref(),
    Column("kind", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("url", Text),
    Column("reference", Text, nullable=False),
    Column("published_at", String(32)),
    Column("description", Text, nullable=False),
    Column("external_ns", Text),
    Column("external_id", Text),
    UniqueConstraint("case_id", "external_ns", "external_id", name="uq_source_external"),
)
Index("ix_source_case_id", source.c.case_id)

casualty = _versioned(
    "casualty",
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("category", String(32), nullable=False),
    Column("count", Integer, nullable=False),
    Column("qualifier", String(16), nullable=False),
    Column("source_id", String(36), ForeignKey("source.id")),
    Column("note", Text, nullable=False),
)
Index("ix_casualty_incident_id", casualty.c.incident_id)

incident_relation = _versioned(
    "incident_relation",
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("related_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("relation", String(32), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_incident_relation_incident_id", incident_relation.c.incident_id)

person = _versioned(
    "person",
    _case_ref(),
    Column("label", Text, nullable=False),
    Column("description", Text, nullable=False),
)
Index("ix_person_case_id", person.c.case_id)

person_role = _versioned(
    "person_role",
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False),
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("role", String(32), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_person_role_incident_id", person_role.c.incident_id)
Index("ix_person_role_person_id", person_role.c.person_id)

unit = _versioned(
    "unit",
    Column("name", Text, nullable=False),
    Column("parent_id", String(36), ForeignKey("unit.id")),
    Column("kind", Text, nullable=False),
    Column("country", Text, nullable=False),
    Column("aliases", Text, nullable=False),
    Column("description", Text, nullable=False),
)

unit_commander = _versioned(
    "unit_commander",
    Column("unit_id", String(36), ForeignKey("unit.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("rank", Text, nullable=False),
    Column("person_id", String(36), ForeignKey("person.id")),
    Column("from_date", String(10)),
    Column("to_date", String(10)),
    Column("note", Text, nullable=False),
)
Index("ix_unit_commander_unit_id", unit_commander.c.unit_id)

unit_involvement = _versioned(
    "unit_involvement",
    Column("unit_id", String(36), ForeignKey("unit.id"), nullable=False),
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("degree", String(32), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_unit_involvement_incident_id", unit_involvement.c.incident_id)
Index("ix_unit_involvement_unit_id", unit_involvement.c.unit_id)

incident_source = _versioned(
    "incident_source",
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("source_id", String(36), ForeignKey("source.id"), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_incident_source_incident_id", incident_source.c.incident_id)
Index("ix_incident_source_source_id", incident_source.c.source_id)

item_incident = _versioned(
    "item_incident",
    Column("item_id", String(36), ForeignKey("evidence_item.id"), nullable=False),
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("source_id", String(36), ForeignKey("source.id")),
    Column("relevance", Text, nullable=False),
)
Index("ix_item_incident_incident_id", item_incident.c.incident_id)
Index("ix_item_incident_item_id", item_incident.c.item_id)

assessment = _versioned(
    "assessment",
    Column("item_id", String(36), ForeignKey("evidence_item.id"), nullable=False),
    Column("axis", String(16), nullable=False),
    Column("status", String(32), nullable=False),
    Column("method", Text, nullable=False),
    Column("analyst_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("assessed_on", String(10), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_assessment_item_id", assessment.c.item_id)

qualification = _versioned(
    "qualification",
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("crime_code", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("analyst_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_qualification_incident_id", qualification.c.incident_id)

element_link = _versioned(
    "element_link",
    Column("item_id", String(36), ForeignKey("evidence_item.id"), nullable=False),
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("crime_code", String(32), nullable=False),
    Column("element_id", String(48), nullable=False),
    Column("stance", String(16), nullable=False),
    Column("confidence", String(16), nullable=False),
    Column("analyst_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_element_link_incident_id", element_link.c.incident_id)


# --- Search (migration 0003) ------------------------------------------------------------------------------
#
# Derived data: `testament search reindex` rebuilds it from the tables above (docs/search.md). The full-text
# table itself, ``search_text``, differs between the databases (an FTS5 virtual table on SQLite, a tsvector
# table with a GIN index on PostgreSQL), so migration 0003 creates it and it is not declared here.

search_document = Table(
    "search_document",
    metadata,
    # Assigned in insertion order: the full-text table's row ID, and the "newest" that ranking caps on.
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    Column("kind", String(16), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("title", Text, nullable=False),
    Column("occurred_from", String(32)),
    Column("occurred_to", String(32)),
    UniqueConstraint("kind", "record_id", name="uq_search_document_kind_record"),
)


# --- Accounts (migration 0004) ----------------------------------------------------------------------------
#
# People who sign in, and their role on each case (docs/accounts.md). A role is never deleted: revoking it
# sets ``revoked_at``, and both changes are custody events naming only IDs.

organisation = Table(
    "organisation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
)

user_account = Table(
    "user_account",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisation.id")),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("disabled_at", String(32)),
    Column("is_admin", Boolean, nullable=False),
    Column("totp_secret", Text),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", String(32)),
    Column("totp_required", Boolean, nullable=False, server_default=false()),
    Column("totp_last_step", BigInteger),
    # A secret its owner has been shown but not yet confirmed with a code (docs/accounts.md).
    Column("totp_pending", Text),
    # Media previews start blurred and grey until clicked; a user may turn that off for themselves.
    Column("blur_graphic", Boolean, nullable=False, server_default=true()),
)

case_role = Table(
    "case_role",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("granted_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("granted_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
)
Index("ix_case_role_user_id", case_role.c.user_id)
Index("ix_case_role_case_id", case_role.c.case_id)

# Sign-in credentials: a browser session (cookie) or an API token. Only SHA-256 hashes of the secrets
# are stored, so a copy of the database lets nobody in.
web_session = Table(
    "web_session",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("last_seen_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("ended_at", String(32)),
)

# One-time codes for signing in without the authenticator; only their SHA-256 is kept.
recovery_code = Table(
    "recovery_code",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("used_at", String(32)),
)
Index("ix_recovery_code_user_id", recovery_code.c.user_id)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scope", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
    Column("last_used_at", String(32)),
)


# --- Survivors (migration 0007): the identity vault, consent, erasure, testimonies, referrals -------------
#
# A person's identity (names, contacts, date of birth, exact address) and the words of their testimony are
# sealed with the person's own key (AES-256-GCM), which is wrapped by the instance's identity key. Erasure
# destroys the wrapped key and the sealed values (docs/survivors.md). Nothing here enters the search index
# or the custody log; log entries name these rows by ID only.

person_key = Table(
    "person_key",
    metadata,
    Column("person_id", String(36), ForeignKey("person.id"), primary_key=True),
    Column("wrapped_key", LargeBinary),
    Column("key_id", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("shredded_at", String(32)),
)

person_identity = Table(
    "person_identity",
    metadata,
    Column("person_id", String(36), ForeignKey("person.id"), primary_key=True),
    Column("sealed", LargeBinary),
    Column("photo_sealed", LargeBinary),  # a photo of their face, sealed like the rest
    Column("updated_at", String(32), nullable=False),
)

consent_withdrawal = Table(
    "consent_withdrawal",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False),
    Column("communicated_via", String(32), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Integer, ForeignKey("agent.id"), nullable=False),
)

consent_grant = Table(
    "consent_grant",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False),
    Column("purpose", String(48), nullable=False),
    Column("recipient_class", String(48), nullable=False),
    Column("data_scope", String(48), nullable=False),
    Column("identifiability", String(16), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("language", String(16), nullable=False),
    Column("info_sheet_version", String(32), nullable=False),
    Column("understanding_checked", Boolean, nullable=False),
    Column("granted_at", String(32), nullable=False),
    Column("expires_at", String(32)),
    Column("recorded_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("revoked_at", String(32)),
    Column("withdrawal_id", String(36), ForeignKey("consent_withdrawal.id")),
)
Index("ix_consent_grant_person_id", consent_grant.c.person_id)

consent_use = Table(
    "consent_use",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False),
    Column("grant_id", String(36), ForeignKey("consent_grant.id"), nullable=False),
    Column("use", String(16), nullable=False),
    Column("purpose", String(48), nullable=False),
    Column("recipient_class", String(48), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("used_at", String(32), nullable=False),
    Column("agent_id", Integer, ForeignKey("agent.id"), nullable=False),
)
Index("ix_consent_use_person_id", consent_use.c.person_id)

erasure = Table(
    "erasure",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False, unique=True),
    Column("grounds", String(32), nullable=False),
    Column("erased_at", String(32), nullable=False),
    Column("erased_by", Integer, ForeignKey("agent.id"), nullable=False),
)

training_attestation = Table(
    "training_attestation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("topic", String(48), nullable=False),
    Column("attested_at", String(32), nullable=False),
    Column("expires_at", String(32)),
    Column("recorded_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("revoked_at", String(32)),
)
Index("ix_training_attestation_user_id", training_attestation.c.user_id)

risk_assessment = Table(
    "risk_assessment",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False),
    Column("flags", Text, nullable=False),
    Column("risks_person", Text, nullable=False),
    Column("risks_family", Text, nullable=False),
    Column("risks_staff", Text, nullable=False),
    Column("decision", String(16), nullable=False),
    Column("override_reason", Text),
    Column("override_by", Integer, ForeignKey("agent.id")),
    Column("assessed_at", String(32), nullable=False),
    Column("assessed_by", Integer, ForeignKey("agent.id"), nullable=False),
)
Index("ix_risk_assessment_person_id", risk_assessment.c.person_id)

testimony = Table(
    "testimony",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False),
    Column("risk_assessment_id", String(36), ForeignKey("risk_assessment.id"), nullable=False),
    Column("interviewer_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("ended_at", String(32)),
    Column("timezone", String(64), nullable=False),
    Column("place", Text, nullable=False),
    Column("language", String(16), nullable=False),
    Column("interpreter", Text, nullable=False),
    Column("present", Text, nullable=False),
    Column("contact_via", Text, nullable=False),
    Column("account_sealed", LargeBinary),
    Column("summary_sealed", LargeBinary),
    Column("recording_item_id", String(36), ForeignKey("evidence_item.id")),
    Column("nothing_promised", Boolean, nullable=False),
    Column("given", Text, nullable=False),
    Column("guardian_consent", Boolean, nullable=False),
    Column("child_assent", Boolean, nullable=False),
    Column("reinterview_justification", Text, nullable=False),
    Column("intended_use", String(48), nullable=False),  # MC-07: a consent-purposes code
    # Who the account is for, a recipient-classes code: consent must cover it with the purpose.
    Column("intended_recipient", String(48), nullable=False, server_default=""),
    Column(
        "why_needed", Text, nullable=False
    ),  # MC-07: why the information is not already available
    Column("best_interests", Text, nullable=False),  # MC-10: for a child
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Integer, ForeignKey("agent.id"), nullable=False),
)
Index("ix_testimony_person_id", testimony.c.person_id)

testimony_fact = Table(
    "testimony_fact",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("testimony_id", String(36), ForeignKey("testimony.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("knowledge", String(16), nullable=False),
    Column("statement_sealed", LargeBinary),
)
Index("ix_testimony_fact_testimony_id", testimony_fact.c.testimony_id)

support_service = Table(
    "support_service",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("areas", Text, nullable=False),
    Column("region", Text, nullable=False),
    Column("contact", Text, nullable=False),
    Column("languages", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

support_need = Table(
    "support_need",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False),
    Column("area", String(32), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("note_sealed", LargeBinary),
    Column("assessed_at", String(32), nullable=False),
    Column("assessed_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("addressed_at", String(32)),
)
Index("ix_support_need_person_id", support_need.c.person_id)

referral = Table(
    "referral",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False),
    Column("need_id", String(36), ForeignKey("support_need.id"), nullable=False),
    Column("service_id", String(36), ForeignKey("support_service.id"), nullable=False),
    Column("referred_at", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("follow_up_due", String(32)),
    Column("updated_at", String(32), nullable=False),
    Column("recorded_by", Integer, ForeignKey("agent.id"), nullable=False),
)
Index("ix_referral_person_id", referral.c.person_id)

# De-redacting identities in an export needs two different people: one asks, another approves (MC-06).
disclosure_approval = Table(
    "disclosure_approval",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("recipient_class", String(48), nullable=False),
    Column("purpose", String(48), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("requested_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("requested_at", String(32), nullable=False),
    Column("approved_by", Integer, ForeignKey("agent.id")),
    Column("approved_at", String(32)),
    Column("used_at", String(32)),
)

# A documenter with no role on a case asked whether a person it holds gave an earlier account; the
# case's coordinators decide what to share (docs/survivors.md, "The re-interview registry").
registry_request = Table(
    "registry_request",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("asked_by", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("asked_at", String(32), nullable=False),
    Column("decision", String(16)),  # share-contact or decline
    Column("decided_by", Integer, ForeignKey("user_account.id")),
    Column("decided_at", String(32)),
)
Index("ix_registry_request_case_id", registry_request.c.case_id)
