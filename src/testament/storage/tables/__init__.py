"""Tables, as SQLAlchemy Core metadata. The Alembic migrations create exactly these (a test compares them).

All of them are declared on one :class:`MetaData` (:mod:`.base`), in modules by the capability that owns
them: :mod:`.custody` (the instance, cases, evidence items, custody events, the log, record versions),
:mod:`.documentation` (incidents, sources, people, units, their links, legal analysis, search),
:mod:`.accounts` (organisations, users, roles, sessions, tokens), :mod:`.survivors` (the identity vault,
consent, erasure, testimonies, support, the re-interview registry), :mod:`.transfer` (disclosure
approvals), :mod:`.packages` (where an item imported from a partner's package came from), :mod:`.review`
(review states, where each item and incident stands, comments) and
:mod:`.pipeline` (jobs, extractions, derivatives, perceptual hashes, web captures). Importing
this package declares them all; use them from here (``from testament.storage.tables import case``), so
a table can move between modules freely.
"""

from __future__ import annotations

from testament.storage.tables.accounts import (
    api_token,
    case_role,
    organisation,
    recovery_code,
    user_account,
    web_session,
)
from testament.storage.tables.base import NAMING, metadata
from testament.storage.tables.custody import (
    agent,
    case,
    case_situation,
    checkpoint,
    custody_event,
    evidence_item,
    instance,
    log_entry,
    log_node,
    log_state,
    record_version,
    situation,
)
from testament.storage.tables.documentation import (
    admin_area,
    assessment,
    casualty,
    element_link,
    incident,
    incident_area,
    incident_relation,
    incident_source,
    item_external_id,
    item_incident,
    person,
    person_role,
    qualification,
    search_document,
    source,
    unit,
    unit_commander,
    unit_involvement,
    unit_placement,
)
from testament.storage.tables.packages import package_provenance
from testament.storage.tables.pipeline import (
    item_derivative,
    item_extraction,
    item_text,
    perceptual_hash,
    processing_job,
    web_capture,
)
from testament.storage.tables.review import (
    review_comment,
    review_mention,
    review_state,
    review_status,
)
from testament.storage.tables.search import (
    incident_facet,
    incident_facet_count,
    incident_facet_pair,
    saved_search,
)
from testament.storage.tables.survivors import (
    consent_grant,
    consent_use,
    consent_withdrawal,
    erasure,
    person_identity,
    person_key,
    referral,
    registry_request,
    risk_assessment,
    support_need,
    support_service,
    testimony,
    testimony_fact,
    training_attestation,
)
from testament.storage.tables.tags import record_tag
from testament.storage.tables.transfer import disclosure_approval, package_request

__all__ = [
    "NAMING",
    "admin_area",
    "agent",
    "api_token",
    "assessment",
    "case",
    "case_role",
    "case_situation",
    "casualty",
    "checkpoint",
    "consent_grant",
    "consent_use",
    "consent_withdrawal",
    "custody_event",
    "disclosure_approval",
    "element_link",
    "erasure",
    "evidence_item",
    "incident",
    "incident_area",
    "incident_facet",
    "incident_facet_count",
    "incident_facet_pair",
    "incident_relation",
    "incident_source",
    "instance",
    "item_derivative",
    "item_external_id",
    "item_extraction",
    "item_incident",
    "item_text",
    "log_entry",
    "log_node",
    "log_state",
    "metadata",
    "organisation",
    "package_provenance",
    "package_request",
    "perceptual_hash",
    "person",
    "person_identity",
    "person_key",
    "person_role",
    "processing_job",
    "qualification",
    "record_tag",
    "record_version",
    "recovery_code",
    "referral",
    "registry_request",
    "review_comment",
    "review_mention",
    "review_state",
    "review_status",
    "risk_assessment",
    "saved_search",
    "search_document",
    "situation",
    "source",
    "support_need",
    "support_service",
    "testimony",
    "testimony_fact",
    "training_attestation",
    "unit",
    "unit_commander",
    "unit_involvement",
    "unit_placement",
    "user_account",
    "web_capture",
    "web_session",
]
