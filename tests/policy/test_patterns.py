"""Each patterns use case refuses an account without the role on the case, in its own transaction, and
writes nothing when it does: an analysis reads a case, so it needs the case's viewer role. Over a
situation, an analysis covers only the situation's cases the reader may read, and names them
(tests/patterns/test_counts.py)."""

from __future__ import annotations

from typing import Any

from testament.custody.instance import Instance
from testament.patterns import (
    listing,
    overview,
    reports,
    service,
    strikes,
    unit_linkage,
    widespread,
)
from testament.patterns.load import Scope
from tests.policy.conftest import UseCase, refusals

CASE_B = Scope(case="Case B")
CASE_A = Scope(case="Case A")

USE_CASES: dict[str, UseCase] = {
    "service.counts": UseCase(lambda inst, w: service.counts(inst, CASE_B, by=["month"])),
    "strikes.spikes": UseCase(lambda inst, w: strikes.spikes(inst, CASE_B, min_count=1)),
    "strikes.repeats": UseCase(
        lambda inst, w: strikes.repeats(inst, CASE_B, radius_m=1000, window_h=24)
    ),
    "listing.incidents": UseCase(lambda inst, w: listing.incidents(inst, CASE_B)),
    "overview.overview": UseCase(lambda inst, w: overview.overview(inst, CASE_B)),
    "reports.incident_dossier": UseCase(
        lambda inst, w: reports.incident_dossier(
            inst, w["incident_id"], fmt="html", purpose="audit"
        )
    ),
    "reports.proof_chart_report": UseCase(
        lambda inst, w: reports.proof_chart_report(inst, "Case B", fmt="html")
    ),
    "reports.pattern_report": UseCase(
        lambda inst, w: reports.pattern_report(
            inst, CASE_B, period_from="2022-01-01", period_to="2022-12-31", fmt="html"
        )
    ),
    "unit_linkage.unit_linkage": UseCase(
        lambda inst, w: unit_linkage.unit_linkage(inst, CASE_B, unit="1st Brigade")
    ),
    "widespread.clusters": UseCase(
        lambda inst, w: widespread.clusters(
            inst, CASE_B, eps_m=1000, min_samples=2, time_scale_days=1
        )
    ),
    "widespread.protected": UseCase(lambda inst, w: widespread.protected(inst, CASE_B)),
    "widespread.context": UseCase(lambda inst, w: widespread.context(inst, CASE_B)),
    # Each side is read through the one gate: a case the reader may not read is absent.
    "widespread.compare": UseCase(lambda inst, w: widespread.compare(inst, [CASE_A, CASE_B])),
}

NOT_USE_CASES: dict[str, str] = {}


def test_each_use_case_refuses_an_account_without_the_role(
    instance: Instance, world: dict[str, Any]
) -> None:
    failures = refusals(instance, world, USE_CASES)
    assert failures == [], "\n".join(failures)
