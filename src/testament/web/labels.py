"""How a stored code is shown to a reader: in words, in the reader's language, never as a slug.

Two sources, one entry point (:func:`label`, the templates' ``label(value, kind)``):

- a controlled vocabulary (``kind`` is its code, e.g. ``incident-status``): the term's label in the
  taxonomy YAML (``taxonomy/vocabularies/*.yaml``), which carries ``en`` and ``uk``;
- a code that lives in Python (``kind`` is a key of :data:`ENUMS`: roles, custody event types, proof
  chart statuses...): the English words below, marked with :func:`N_` so that ``make i18n`` extracts
  them into the page catalogues, and translated there like any page message;
- ``crime``: a crime or contextual element of the Rome Statute taxonomy, by its label.

``tests/web/test_labels.py`` fails when a member of any of these lacks a Ukrainian label.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping

from testament.domain.access import Role
from testament.domain.custody import CustodyEventType as Event
from testament.domain.legal import CONTESTED, GAP, SUPPORTED
from testament.taxonomy import loader, vocabulary

CRIME = "crime"


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated when shown."""
    return message


ENUMS: Mapping[str, Mapping[str, str]] = {
    "role": {
        Role.VIEWER: N_("Viewer"),
        Role.DOCUMENTER: N_("Documenter"),
        Role.ANALYST: N_("Analyst"),
        Role.COORDINATOR: N_("Coordinator"),
        Role.ADMIN: N_("Case administrator"),
    },
    "custody-event": {
        Event.INGESTION: N_("Ingestion"),
        Event.MESSAGE_DIGEST_CALCULATION: N_("Digest calculation"),
        Event.FIXITY_CHECK: N_("Fixity check"),
        Event.CAPTURE: N_("Capture"),
        Event.CREATION: N_("Creation"),
        Event.MIGRATION: N_("Format migration"),
        Event.REDACTION: N_("Redaction"),
        Event.TRANSFER: N_("Transfer"),
        Event.DELETION: N_("Deletion"),
        Event.METADATA_MODIFICATION: N_("Metadata change"),
        Event.REPLICATION: N_("Replication"),
        Event.VALIDATION: N_("Validation"),
        Event.DIGITAL_SIGNATURE_GENERATION: N_("Digital signature made"),
        Event.DIGITAL_SIGNATURE_VALIDATION: N_("Digital signature checked"),
        Event.ENCRYPTION: N_("Encryption"),
        Event.DECRYPTION: N_("Decryption"),
        Event.FORMAT_IDENTIFICATION: N_("Format identification"),
        Event.DISSEMINATION: N_("Dissemination"),
        Event.METADATA_EXTRACTION: N_("Metadata extraction"),
        Event.UNPACKING: N_("Unpacking"),
        Event.INSTANCE_INITIALISATION: N_("Instance set up"),
        Event.ACCESS: N_("Access"),
        Event.DISCLOSURE: N_("Disclosure"),
        Event.CONSENT_CHANGE: N_("Consent change"),
        Event.SHRED: N_("Key shredding"),
        Event.ROLE_CHANGE: N_("Role change"),
    },
    # What an access event did (its detail's "action").
    "access-action": {
        "view": N_("viewed"),
        "download": N_("downloaded"),
        "reveal": N_("revealed"),
    },
    # A proof chart row: how the evidence stands on one element (domain.legal.row_status).
    "element-status": {
        GAP: N_("Gap: no supporting item"),
        CONTESTED: N_("Contested"),
        SUPPORTED: N_("Supported"),
    },
    "element-type": {
        "conduct": N_("Conduct"),
        "circumstance": N_("Circumstance"),
        "mental": N_("Mental element"),
        "consequence": N_("Consequence"),
    },
    # The Berkeley Protocol's three axes of verification (services.evidence.AXES).
    "verification-axis": {
        "source": N_("Source"),
        "technical": N_("Technical"),
        "content": N_("Content"),
    },
    # What a search hit is (search.base.Kind).
    "record-kind": {
        "incident": N_("Incident"),
        "source": N_("Source"),
        "person": N_("Person"),
        "item": N_("Evidence item"),
    },
    # A record version's change (services.history).
    "version-change": {
        "create": N_("created"),
        "update": N_("changed"),
        "delete": N_("deleted"),
    },
    # An API token's scope (services.credentials.SCOPES).
    "token-scope": {
        "read": N_("read only"),
        "write": N_("read and write"),
    },
}


def label(value: object, kind: str, *, language: str, messages: gettext.NullTranslations) -> str:
    """``value`` of ``kind`` in words, in ``language``; a value the kind does not know stays as given.

    Raises ``KeyError`` for a ``kind`` that is neither an enum here, a vocabulary nor ``crime``: a
    template asking for one is a mistake to catch in tests, not to hide.
    """
    code = "" if value is None else str(value)
    if kind in ENUMS:
        english = ENUMS[kind].get(code)
        return messages.gettext(english) if english else code
    if kind == CRIME:
        taxonomy = loader.shipped()
        found = taxonomy.crime(code) or next((c for c in taxonomy.contexts if c.code == code), None)
        return (found.label.get(language) or found.label.get("en") or code) if found else code
    if loader.shipped().vocabulary(kind) is None:
        raise KeyError(f"no vocabulary or enum is called {kind!r}")
    return vocabulary.label(kind, code, language)
