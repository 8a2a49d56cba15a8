"""Survivors: the identity vault (a key and sealed identity per person), consent grants, withdrawals
and uses, erasures, training attestations, risk assessments, testimonies and their facts, the directory
of support services, needs and referrals; a case can be closed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_service",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("areas", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_service")),
        sa.UniqueConstraint("name", name=op.f("uq_support_service_name")),
    )
    op.create_table(
        "training_attestation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=48), nullable=False),
        sa.Column("attested_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["agent.id"], name=op.f("fk_training_attestation_recorded_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_training_attestation_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attestation")),
    )
    with op.batch_alter_table("training_attestation", schema=None) as batch_op:
        batch_op.create_index("ix_training_attestation_user_id", ["user_id"], unique=False)

    op.create_table(
        "consent_withdrawal",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("communicated_via", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_consent_withdrawal_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["agent.id"], name=op.f("fk_consent_withdrawal_recorded_by_agent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_withdrawal")),
    )
    op.create_table(
        "erasure",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("grounds", sa.String(length=32), nullable=False),
        sa.Column("erased_at", sa.String(length=32), nullable=False),
        sa.Column("erased_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["erased_by"], ["agent.id"], name=op.f("fk_erasure_erased_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_erasure_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure")),
        sa.UniqueConstraint("person_id", name=op.f("uq_erasure_person_id")),
    )
    op.create_table(
        "person_identity",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("photo_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_identity_person_id_person")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_identity")),
    )
    op.create_table(
        "person_key",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("shredded_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_key_person_id_person")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_key")),
    )
    op.create_table(
        "risk_assessment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.Column("risks_person", sa.Text(), nullable=False),
        sa.Column("risks_family", sa.Text(), nullable=False),
        sa.Column("risks_staff", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("override_by", sa.Integer(), nullable=True),
        sa.Column("assessed_at", sa.String(length=32), nullable=False),
        sa.Column("assessed_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by"], ["agent.id"], name=op.f("fk_risk_assessment_assessed_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["override_by"], ["agent.id"], name=op.f("fk_risk_assessment_override_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_risk_assessment_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessment")),
    )
    with op.batch_alter_table("risk_assessment", schema=None) as batch_op:
        batch_op.create_index("ix_risk_assessment_person_id", ["person_id"], unique=False)

    op.create_table(
        "support_need",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("note_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("assessed_at", sa.String(length=32), nullable=False),
        sa.Column("assessed_by", sa.Integer(), nullable=False),
        sa.Column("addressed_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessed_by"], ["agent.id"], name=op.f("fk_support_need_assessed_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_support_need_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_need")),
    )
    with op.batch_alter_table("support_need", schema=None) as batch_op:
        batch_op.create_index("ix_support_need_person_id", ["person_id"], unique=False)

    op.create_table(
        "consent_grant",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=48), nullable=False),
        sa.Column("recipient_class", sa.String(length=48), nullable=False),
        sa.Column("data_scope", sa.String(length=48), nullable=False),
        sa.Column("identifiability", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("info_sheet_version", sa.String(length=32), nullable=False),
        sa.Column("understanding_checked", sa.Boolean(), nullable=False),
        sa.Column("granted_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.Column("withdrawal_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_consent_grant_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["agent.id"], name=op.f("fk_consent_grant_recorded_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawal_id"],
            ["consent_withdrawal.id"],
            name=op.f("fk_consent_grant_withdrawal_id_consent_withdrawal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_grant")),
    )
    with op.batch_alter_table("consent_grant", schema=None) as batch_op:
        batch_op.create_index("ix_consent_grant_person_id", ["person_id"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("need_id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("referred_at", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("follow_up_due", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_id"], ["support_need.id"], name=op.f("fk_referral_need_id_support_need")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_referral_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["agent.id"], name=op.f("fk_referral_recorded_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["support_service.id"],
            name=op.f("fk_referral_service_id_support_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index("ix_referral_person_id", ["person_id"], unique=False)

    op.create_table(
        "testimony",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("risk_assessment_id", sa.String(length=36), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        sa.Column("ended_at", sa.String(length=32), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("interpreter", sa.Text(), nullable=False),
        sa.Column("present", sa.Text(), nullable=False),
        sa.Column("contact_via", sa.Text(), nullable=False),
        sa.Column("account_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("summary_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("recording_item_id", sa.String(length=36), nullable=True),
        sa.Column("nothing_promised", sa.Boolean(), nullable=False),
        sa.Column("given", sa.Text(), nullable=False),
        sa.Column("guardian_consent", sa.Boolean(), nullable=False),
        sa.Column("child_assent", sa.Boolean(), nullable=False),
        sa.Column("reinterview_justification", sa.Text(), nullable=False),
        sa.Column("intended_use", sa.String(length=48), nullable=False),
        sa.Column("why_needed", sa.Text(), nullable=False),
        sa.Column("best_interests", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interviewer_id"],
            ["user_account.id"],
            name=op.f("fk_testimony_interviewer_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_testimony_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["agent.id"], name=op.f("fk_testimony_recorded_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["recording_item_id"],
            ["evidence_item.id"],
            name=op.f("fk_testimony_recording_item_id_evidence_item"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_assessment_id"],
            ["risk_assessment.id"],
            name=op.f("fk_testimony_risk_assessment_id_risk_assessment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_testimony")),
    )
    with op.batch_alter_table("testimony", schema=None) as batch_op:
        batch_op.create_index("ix_testimony_person_id", ["person_id"], unique=False)

    op.create_table(
        "consent_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("grant_id", sa.String(length=36), nullable=False),
        sa.Column("use", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=48), nullable=False),
        sa.Column("recipient_class", sa.String(length=48), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("used_at", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_consent_use_agent_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["consent_grant.id"], name=op.f("fk_consent_use_grant_id_consent_grant")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_consent_use_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_use")),
    )
    with op.batch_alter_table("consent_use", schema=None) as batch_op:
        batch_op.create_index("ix_consent_use_person_id", ["person_id"], unique=False)

    op.create_table(
        "testimony_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("testimony_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("knowledge", sa.String(length=16), nullable=False),
        sa.Column("statement_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["testimony_id"],
            ["testimony.id"],
            name=op.f("fk_testimony_fact_testimony_id_testimony"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_testimony_fact")),
    )
    with op.batch_alter_table("testimony_fact", schema=None) as batch_op:
        batch_op.create_index("ix_testimony_fact_testimony_id", ["testimony_id"], unique=False)

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.String(length=32), nullable=True))
    op.create_table(
        "disclosure_approval",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("recipient_class", sa.String(length=48), nullable=False),
        sa.Column("purpose", sa.String(length=48), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.String(length=32), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.String(length=32), nullable=True),
        sa.Column("used_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["agent.id"], name=op.f("fk_disclosure_approval_approved_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_disclosure_approval_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["agent.id"], name=op.f("fk_disclosure_approval_requested_by_agent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_approval")),
    )


def downgrade() -> None:
    op.drop_table("disclosure_approval")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("closed_at")

    with op.batch_alter_table("testimony_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_testimony_fact_testimony_id")

    op.drop_table("testimony_fact")
    with op.batch_alter_table("consent_use", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_use_person_id")

    op.drop_table("consent_use")
    with op.batch_alter_table("testimony", schema=None) as batch_op:
        batch_op.drop_index("ix_testimony_person_id")

    op.drop_table("testimony")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_person_id")

    op.drop_table("referral")
    with op.batch_alter_table("consent_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_grant_person_id")

    op.drop_table("consent_grant")
    with op.batch_alter_table("support_need", schema=None) as batch_op:
        batch_op.drop_index("ix_support_need_person_id")

    op.drop_table("support_need")
    with op.batch_alter_table("risk_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_assessment_person_id")

    op.drop_table("risk_assessment")
    op.drop_table("person_key")
    op.drop_table("person_identity")
    op.drop_table("erasure")
    op.drop_table("consent_withdrawal")
    with op.batch_alter_table("training_attestation", schema=None) as batch_op:
        batch_op.drop_index("ix_training_attestation_user_id")

    op.drop_table("training_attestation")
    op.drop_table("support_service")
