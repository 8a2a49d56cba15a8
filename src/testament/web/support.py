"""Survivors' support on the pages (MC-05): the dashboard's follow-ups and a person's needs page.

Both name a person by pseudonymous label only, and a need by its area and urgency: never a name and
never a note. Notes are sealed; the CLI and the API unseal them for a documenter who states a purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from testament.api.auth import Principal
from testament.api.guard import allow, visible_cases
from testament.domain.access import Action
from testament.services import people, referrals, vocabulary
from testament.web import i18n
from testament.web.pages import Viewer, instance_of, render

SHOWN = 100  # follow-ups listed on the dashboard; the rest are counted
VOCABULARIES = {"area": "support-areas", "urgency": "need-urgency", "status": "referral-status"}


def term_labels(request: Request) -> dict[str, dict[str, str]]:
    """Each code's label in the page's language, by vocabulary (``area``, ``urgency``, ``status``)."""
    lang = i18n.language(request)
    return {
        key: {code: vocabulary.label(name, code, lang) for code in vocabulary.codes(name)}
        for key, name in VOCABULARIES.items()
    }


def follow_ups(request: Request, who: Principal) -> dict[str, Any]:
    """The dashboard's panel: what is due today in the cases ``who`` may read."""
    inst = instance_of(request)
    found = referrals.follow_ups_due(inst, visible_cases(inst, who), datetime.now(UTC).date())
    return {
        "items": [item.as_json() for item in found[:SHOWN]],
        "more": max(0, len(found) - SHOWN),
        "labels": term_labels(request),
    }


def routes(site: FastAPI) -> None:
    @site.get("/people/{person_id}/needs", include_in_schema=False)
    def needs_page(request: Request, person_id: str, who: Viewer) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="person", record_id=person_id)
        person = people.show(inst, person_id)
        return render(request, "needs.html", person_id=person_id, label=person["label"],
                      needs=referrals.needs_for_person(inst, person_id),
                      labels=term_labels(request))  # fmt: skip
