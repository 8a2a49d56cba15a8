"""Survivors (migration 0007): the identity vault, consent, erasure, testimonies, support and referrals,
and the re-interview registry's requests.

A person's identity (names, contacts, date of birth, exact address) and the words of their testimony are
sealed with the person's own key (AES-256-GCM), which is wrapped by the instance's identity key. Erasure
destroys the wrapped key and the sealed values (docs/survivors.md). Nothing here enters the search index
or the custody log; log entries name these rows by ID only.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from testament.storage.tables.base import metadata

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
