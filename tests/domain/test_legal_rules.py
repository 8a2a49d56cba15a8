"""The pure rules of legal qualification and of the proof chart (no database, no taxonomy files)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from testament.domain import legal as rules
from testament.errors import InvalidInput

CTX_IDS = ("CTX-CAH", "CTX-WC-IAC", "CTX-WC-NIAC", "CTX-WC-PROT", "CTX-WC-CA3")


def _rule(
    code: str = "WC-X",
    articles: dict[str, str] | None = None,
    contexts: tuple[str, ...] = ("CTX-WC-IAC",),
    amendments: dict[str, str] | None = None,
    own: int = 2,
) -> rules.CrimeRule:
    elements = [rules.ElementRef(f"E{n}", "conduct", f"element {n}") for n in range(1, own + 1)]
    elements += [
        rules.ElementRef(rules.context_element_id(c, f"C{n}"), "circumstance", "context")
        for c in contexts
        for n in (1, 2)
    ]
    return rules.CrimeRule(
        code, articles or {"IAC": "8(2)(b)(ii)"}, amendments or {}, contexts, tuple(elements)
    )


def _link(
    item: str, element: str = "E1", stance: str = "supports", *sources: str
) -> rules.EvidenceLink:
    return rules.EvidenceLink(item, "inc", element, stance, "medium", frozenset(sources))


# --- applicability to the situation ---------------------------------------------------------------


def test_conflict_types_come_from_articles_and_contexts() -> None:
    assert rules.conflict_types({"any": "7(1)(a)"}, ["CTX-CAH"]) == {"IAC", "NIAC"}
    assert rules.conflict_types({"IAC": "8(2)(b)(ii)"}, ["CTX-WC-IAC"]) == {"IAC"}
    assert rules.conflict_types({"IAC": "a", "NIAC": "b"}, []) == {"IAC", "NIAC"}
    assert rules.conflict_types({}, ["CTX-WC-NIAC"]) == {"NIAC"}


def test_iac_only_crime_in_a_non_international_conflict_warns() -> None:
    (warning,) = rules.applicability_warnings(_rule(), ("non-international", []))
    assert "WC-X" in warning and "Art. 8(2)(b)(ii) (IAC)" in warning
    assert "international armed conflict" in warning and "'non-international'" in warning


def test_matching_conflict_gives_no_warning() -> None:
    assert rules.applicability_warnings(_rule(), ("international", [])) == []
    cah = _rule("CAH-X", {"any": "7(1)(a)"}, ("CTX-CAH",))
    for situation in (None, ("unknown", []), ("non-international", [])):
        assert rules.applicability_warnings(cah, situation) == []


def test_no_situation_or_unknown_conflict_warns_for_war_crimes() -> None:
    (none,) = rules.applicability_warnings(_rule(), None)
    assert "no situation" in none and "testament case set-situation" in none
    (unknown,) = rules.applicability_warnings(_rule(), ("unknown", []))
    assert "no conflict characterisation" in unknown


def test_amendment_not_in_force_warns() -> None:
    starv = _rule(
        "WC-STARV",
        {"IAC": "8(2)(b)(xxv)", "NIAC": "8(2)(e)(xix)"},
        ("CTX-WC-IAC", "CTX-WC-NIAC"),
        {"NIAC": "amendment-2019"},
    )
    (warning,) = rules.applicability_warnings(starv, ("non-international", []))
    assert "amendment-2019" in warning and "8(2)(e)(xix)" in warning
    assert rules.applicability_warnings(starv, ("non-international", ["amendment-2019"])) == []
    assert rules.applicability_warnings(starv, ("international", [])) == []


def test_parallel_conflicts_note_the_one_regime() -> None:
    (warning,) = rules.applicability_warnings(_rule(), ("both", []))
    assert "parallel conflicts" in warning


# --- refusals ----------------------------------------------------------------------------------------


def test_only_preliminary_status_is_accepted() -> None:
    assert rules.check_status("preliminary") == "preliminary"
    for status in ("confirmed", "final", ""):
        with pytest.raises(InvalidInput) as caught:
            rules.check_status(status)
        assert "lawyers and courts" in (caught.value.hint or "")


def test_element_of_another_crime_is_refused() -> None:
    rule = _rule(own=2)
    assert rules.check_element(rule, "CTX-WC-IAC.C2").type == "circumstance"
    for wrong in ("E3", "C1", "CTX-CAH.C1", "ctx-wc-iac.c1", ""):
        with pytest.raises(InvalidInput) as caught:
            rules.check_element(rule, wrong)
        assert "E1, E2, CTX-WC-IAC.C1, CTX-WC-IAC.C2" in (caught.value.hint or "")


def test_stance_and_confidence_are_closed_lists() -> None:
    assert rules.check_stance("contradicts") == "contradicts"
    assert rules.check_confidence("low") == "low"
    with pytest.raises(InvalidInput):
        rules.check_stance("context")
    with pytest.raises(InvalidInput):
        rules.check_confidence("certain")


# --- chart rows ---------------------------------------------------------------------------------------


def test_row_status() -> None:
    assert rules.row_status(0, 0) == rules.GAP
    assert rules.row_status(0, 3) == rules.GAP
    assert rules.row_status(2, 1) == rules.CONTESTED
    assert rules.row_status(1, 0) == rules.SUPPORTED


def test_independent_sources_merge_shared_files_and_sources() -> None:
    links = [
        _link("a", "E1", "supports", "sha256:1", "source:S"),
        _link("b", "E1", "supports", "sha256:1"),  # the same file again
        _link("c", "E1", "supports", "sha256:2", "source:S"),  # another file, same source
        _link("d", "E1", "supports", "sha256:3"),
    ]
    assert rules.independent_sources(links) == 2
    assert rules.independent_sources([]) == 0


def test_element_row_counts_only_its_element() -> None:
    element = rules.ElementRef("E1", "conduct", "")
    row = rules.element_row(
        element,
        [
            _link("a", "E1", "supports", "sha256:1"),
            _link("b", "E1", "contradicts", "sha256:2"),
            _link("c", "E2", "supports", "sha256:3"),
        ],
    )
    assert row.supporting == ("a",) and row.contradicting == ("b",)
    assert row.sources == 1 and row.status == rules.CONTESTED
    assert row.confidence == {"high": 0, "medium": 1, "low": 0}
    assert rules.confidence_text(row.confidence) == "1 medium"


def test_contexts_of_another_regime_are_listed_but_not_gaps() -> None:
    rule = _rule(
        articles={"IAC": "8(2)(a)(ii)", "NIAC": "8(2)(c)(i)"},
        contexts=("CTX-WC-IAC", "CTX-WC-PROT", "CTX-WC-NIAC", "CTX-WC-CA3"),
        own=1,
    )
    assert rules.situation_regimes(("non-international", [])) == ("NIAC",)
    assert rules.situation_regimes(None) == rules.situation_regimes(("unknown", [])) == ()
    chart = rules.crime_chart(rule, {}, 1, [], regimes=("NIAC",))
    assert len(chart.rows) == len(rule.elements)
    assert chart.gaps() == (
        "E1",
        "CTX-WC-NIAC.C1",
        "CTX-WC-NIAC.C2",
        "CTX-WC-CA3.C1",
        "CTX-WC-CA3.C2",
    )
    assert not rules.element_applies("CTX-WC-PROT.C1", ("NIAC",))
    assert rules.element_applies("CTX-WC-PROT.C1", ("IAC", "NIAC"))
    assert rules.element_applies("CTX-CAH.C1", ("IAC",)) and rules.element_applies("E1", ("IAC",))
    assert rules.context_of("CTX-CAH.C2") == "CTX-CAH" and rules.context_of("E2") is None


_codes = st.text(alphabet="ABCDEFGHIJ-", min_size=1, max_size=8)
_rules = st.builds(
    _rule,
    code=_codes,
    articles=st.sampled_from(
        [{"any": "7"}, {"IAC": "8a"}, {"NIAC": "8e"}, {"IAC": "x", "NIAC": "y"}]
    ),
    contexts=st.lists(st.sampled_from(CTX_IDS), unique=True, max_size=3).map(tuple),
    own=st.integers(min_value=0, max_value=6),
)


@given(_rules, st.data())
def test_every_accepted_element_renders_one_row(rule: rules.CrimeRule, data: st.DataObject) -> None:
    ids = rule.element_ids()
    chosen = data.draw(st.lists(st.sampled_from(ids), max_size=10)) if ids else []
    links = [_link(f"item{n}", e, "supports", f"sha256:{n}") for n, e in enumerate(chosen)]
    chart = rules.crime_chart(rule, {"en": "x"}, 1, links)
    assert [row.element.id for row in chart.rows] == list(ids)
    for element_id in ids:
        assert rules.check_element(rule, element_id).id == element_id
    for row in chart.rows:
        assert (row.status == rules.SUPPORTED) == (row.element.id in chosen)
    assert set(chart.gaps()) == set(ids) - set(chosen)


_sources = st.lists(
    st.tuples(st.integers(0, 5), st.one_of(st.none(), st.integers(0, 3))), max_size=12
)


@given(_sources)
def test_independent_sources_bounds(pairs: list[tuple[int, int | None]]) -> None:
    links = [
        _link(f"i{n}", "E1", "supports", f"sha256:{h}", *([f"source:{s}"] if s is not None else []))
        for n, (h, s) in enumerate(pairs)
    ]
    count = rules.independent_sources(links)
    assert count <= len({h for h, _ in pairs})
    assert (count == 0) == (not pairs)
    # A duplicate of any item (same file, same source) never adds an independent source.
    if links:
        assert rules.independent_sources([*links, links[0]]) == count
        assert rules.independent_sources(list(reversed(links))) == count
