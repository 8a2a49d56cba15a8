"""Properties of the consent rule (MC-01, MC-02): what a grant covers, and that dead grants cover nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from testament.domain import consent as rules

PURPOSES = st.sampled_from(["internal-analysis", "criminal-investigation", "referral-support"])
CLASSES = st.sampled_from(["internal", "national-prosecutor", "icc-otp", "media-public"])
SCOPES = st.sampled_from(["testimony", "recordings", "incident-facts"])
LEVELS = st.sampled_from(rules.IDENTIFIABILITY)
DAYS = st.dates().map(lambda d: d.isoformat())

grants = st.builds(
    rules.Grant,
    grant_id=st.uuids().map(str),
    purpose=PURPOSES,
    recipient_class=CLASSES,
    data_scope=st.one_of(SCOPES, st.just(rules.ALL_SCOPES)),
    identifiability=LEVELS,
    expires_at=st.one_of(st.none(), DAYS),
    revoked_at=st.one_of(st.none(), DAYS.map(lambda d: d + "T00:00:00Z")),
)
uses = st.builds(
    rules.Use,
    use=st.sampled_from(rules.USES),
    purpose=PURPOSES,
    recipient_class=CLASSES,
    data_scope=SCOPES,
    identifiability=LEVELS,
)


@given(st.lists(grants, max_size=6), uses, DAYS)
def test_an_allowed_use_names_a_live_grant_that_matches_it(
    found: list[rules.Grant], use: rules.Use, today: str
) -> None:
    decision = rules.decide(found, use, today)
    covering = [g for g in found if rules.matches(g, use) and rules.live(g, today)]
    assert decision.allowed == bool(covering)
    if decision.allowed:
        grant = next(g for g in found if g.grant_id == decision.grant_id)
        assert grant.purpose == use.purpose and grant.recipient_class == use.recipient_class
        assert grant.revoked_at is None
        assert grant.expires_at is None or today <= grant.expires_at
    else:
        assert decision.grant_id is None
        assert use.purpose in decision.reason and use.recipient_class in decision.reason


@given(grants, uses, DAYS)
def test_revoking_a_grant_never_widens_what_it_allows(
    grant: rules.Grant, use: rules.Use, today: str
) -> None:
    revoked = rules.Grant(**(grant.__dict__ | {"revoked_at": today + "T00:00:00Z"}))
    assert not rules.decide([revoked], use, today)


@given(grants, uses, DAYS)
def test_a_grant_for_named_use_also_allows_less_identifying_use(
    grant: rules.Grant, use: rules.Use, today: str
) -> None:
    if rules.decide([grant], use, today):
        for lower in rules.IDENTIFIABILITY[: rules.level(use.identifiability) + 1]:
            assert rules.decide(
                [grant], rules.Use(**(use.__dict__ | {"identifiability": lower})), today
            )


def test_internal_analysis_does_not_cover_the_icc() -> None:
    internal = rules.Grant("g1", "internal-analysis", "internal", "all", "named")
    icc = rules.Use("export", "criminal-investigation", "icc-otp", "testimony")
    decision = rules.decide([internal], icc, "2026-11-29")
    assert not decision
    assert decision.reason == (
        "no grant for purpose criminal-investigation to icc-otp, scope testimony, pseudonymous"
    )
