"""Common Arabic given names: which one a word writes, and which others it may write.

Pure functions over the lexicon in :mod:`testament.search.arabic_given_names`, with the romanisation and
Latin readings of :mod:`testament.search.arabic` (docs/name-matching.md, "Arabic names"):

- :func:`known_name`: the name an Arabic word is, or a Latin spelling writes. A spelling listed for a
  name is that name (Turkish Hatice, French Georges); any other must be able to write it
  (:func:`~testament.search.arabic.candidates`), agree on its vowels, and be at least
  :data:`LEAST_LIKENESS` alike to one of its common spellings; of several, the closest.
- :func:`possible_names`: that name, and the other known names the spelling can write about as closely
  (:data:`NAME_MARGIN`): Hamit may be حميد or حامد. Both matchers read two different known names as
  different names unless one side may write the other's.
- :func:`feminine`: a Latin name and the same with a feminine ending (Nour, Noura) are different names.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA

from testament.search.arabic import (
    LONG_VOWELS,
    VOWELS,
    candidates,
    has_arabic,
    latin_skeletons,
    normalise,
    romanise,
    single,
    skeleton,
    strip_article,
    vowels_agree,
    without_repeats,
)
from testament.search.arabic_given_names import GIVEN_NAMES


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    """Each normalised Arabic spelling of a given name → the name's usual one (نورا → نوره)."""
    table: dict[str, str] = {}
    for names, _ in GIVEN_NAMES:
        usual, *others = [single(normalise(name)) for name in names.split("/")]
        for spelt in (usual, *others):
            table.setdefault(spelt, usual)
    return table


@lru_cache(maxsize=1)
def _given_names() -> dict[str, tuple[tuple[str, str], ...]]:
    """Each given name's romanised form (of each spelling) → its usual Arabic spelling, normalised,
    and each common Latin spelling."""
    table: dict[str, tuple[tuple[str, str], ...]] = {}
    for names, latin in GIVEN_NAMES:
        spellings = [single(normalise(name)) for name in names.split("/")]
        usual = _spellings()[spellings[0]]
        for roman in dict.fromkeys(romanise(spelt) for spelt in spellings):
            for written in latin.lower().split("/"):
                table[roman] = (*table.get(roman, ()), (usual, written))
    return table


@lru_cache(maxsize=1)
def _listed() -> dict[str, str]:
    """Each common Latin spelling of a given name → the name's usual Arabic spelling, normalised (a
    spelling listed for two names, Hamid for حامد and حميد, is the first)."""
    table: dict[str, str] = {}
    for names, latin in GIVEN_NAMES:
        usual = _spellings()[single(normalise(names.split("/")[0]))]
        for written in latin.lower().split("/"):
            table.setdefault(written, usual)
            table.setdefault(single(written), usual)  # Abdulilah as abd-ilah
    return table


@lru_cache(maxsize=1)
def _given_skeletons() -> frozenset[str]:
    return frozenset(skeleton(roman) for roman in _given_names())


def without_article(word: str) -> str:
    """A folded Latin word without an article written onto it (Alshaar, Elhamoud, Alahmad; Alomari,
    a nisba), or a Maghrebi bin and article (Belgacem, Benali) before a known name."""
    if (
        (len(word) > 4 and word[:2] in ("al", "el") and word[2] not in "aeiouy")
        or (len(word) > 6 and word[:2] in ("al", "el") and word[-1] in "iy")
        or (len(word) > 5 and word[:2] in ("al", "el") and known_name(word[2:]))
    ):
        return word[2:]
    if len(word) > 6 and word[:3] in ("bel", "ben") and known_name(word[3:]):
        return word[3:]
    return word


@lru_cache(maxsize=65_536)
def feminine(one: str, other: str) -> bool:
    """Whether one word is the other with a feminine ending: Latin, folded (Nour, Noura; Said, Saida),
    or Arabic, normalised (نور, نوره: the taa marbuta normalised as haa)."""
    if len(one) > len(other):
        one, other = other, one
    ending = other[len(one) :]
    if has_arabic(other):
        return ending == FEMININE_WRITTEN and len(one) > 1 and other.startswith(one)
    if ending == "e" and one.endswith("n"):
        return False  # French Hamdane, Nesrine: a silent e
    return ending in _FEMININE and other.startswith(one)


FEMININE_WRITTEN = "ه"
_FEMININE = frozenset(["a", "ah", "e", "eh", "at", "ia", "iya", "iyya", "iyah"])


@lru_cache(maxsize=65_536)
def likeness(word: str, name: str, *, plain: bool = True) -> float:
    """How close a folded Latin word is to the common Latin spellings of a known name (its Arabic);
    ``plain``: or the word without repeated letters (Ranaa, ALA-LC Ranā, is Rana)."""
    forms = [latin for spelt, latin in _given_names().get(romanise(name), ()) if spelt == name]
    plain_word = without_repeats(word) if plain else word
    return max(
        (
            max(OSA.normalized_similarity(word, f), OSA.normalized_similarity(plain_word, f))
            for f in forms
        ),
        default=0.0,
    )


LEAST_LIKENESS = 0.55  # how alike a word must be to a common spelling of a name to be that name
NAME_MARGIN = 0.15  # how much less alike a Latin spelling may be to another known name it can write


@lru_cache(maxsize=65_536)
def possible_names(spelt: str) -> tuple[str, ...]:
    """The known names a folded Latin word may write: its own (:func:`known_name`) first, then each
    other one it can spell and is about as alike to (Hamit: حميد or حامد; Samir: سمير, not سامر)."""
    own = known_name(spelt)
    if own is None:
        return ()
    least = likeness(spelt, own) - NAME_MARGIN
    others = {
        name
        for roman in candidates(spelt)
        for name, _ in _given_names().get(roman, ())
        if name != own and likeness(spelt, name, plain=False) >= least  # Saleem: سليم, not سالم
    }
    return (own, *sorted(others))


def known_name(spelt: str) -> str | None:
    """The normalised Arabic spelling of the given name an Arabic or folded Latin word writes, if any."""
    table = _given_names()
    if has_arabic(spelt):
        return _spellings().get(strip_article(spelt))
    listed = _listed().get(spelt) or _listed().get(without_repeats(spelt))
    if listed is not None:
        return listed
    if not latin_skeletons(spelt) & _given_skeletons():
        return None
    written = [
        entry
        for roman in candidates(spelt)
        for entry in table.get(roman, ())
        if spelt.startswith("abd-") or vowels_agree(spelt, entry[1])
    ]
    if not written:
        return None
    plain = without_repeats(spelt)  # Ranaa (ALA-LC Ranā) is Rana, but Saleem is not Salem
    long = [frozenset(VOWELS[c] for c in run) for run in LONG_VOWELS.findall(spelt)]
    if max(likeness(spelt, name) for name, _ in written) < LEAST_LIKENESS:
        return None  # Chahwane can write حنا, but is no spelling of Hanna
    return max(
        written,
        key=lambda e: (
            sum(1 for run in long if run & set(romanise(e[0]))),  # Sālim: سالم, not سليم
            OSA.normalized_similarity(spelt, e[1]),
            OSA.normalized_similarity(plain, e[1]),
            e,  # and one answer whatever the order of the candidates
        ),
    )[0]
