"""Does an earlier account name the same person? Fuzzy name matching for the re-interview registry.

Pure functions, no database and no I/O (docs/name-matching.md describes the rules and their sources):

1. A name is split into parts (on spaces, hyphens, commas and full stops, then by
   :func:`testament.search.translit.tokens`: Cyrillic folded to Latin, case and diacritics dropped), and
   one-letter initials are left out. Each part gets three forms: as written, folded; a *spelling* that
   merges the transliteration systems (German ``sch``/``tsch``/``w``, Polish ``sz``/``cz``, English ``x``,
   ``y``/``j``/``i``, ``h``/``g``, ``ё`` as ``io`` or ``e``, doubled letters); and the phonetic
   :func:`~testament.search.translit.key`, which is blind to vowels.
2. Ukrainian and Russian forms of one given name (Петро/Пётр, Микола/Николай) share one spelling through
   :data:`NAME_EQUIVALENTS`.
3. Two parts are compared with rapidfuzz's optimal string alignment distance (a transposed pair of letters
   is one edit) on the spelling and on the folded form. Agreement of the vowel-blind key alone counts for
   :data:`KEY_SIMILARITY`, below the threshold, since Анна/Інна/Яна share a key. Two different
   :data:`GIVEN_NAMES` (Марина/Марія) are different names however close; a part that is the other plus a
   feminine ending (Oleksandr/Oleksandra, Ivan/Ivanna) is a different name too.
4. The parts of the two names are paired so that the product of the similarities is largest, whatever their
   order. A patronymic on one side only is optional; any other unpaired part costs :data:`EXTRA_PART`, and a
   match resting on one shared part costs :data:`~testament.search.pairing.ONE_PART_ONLY`. The parts of
   two Arabic names pair in the names' order (:mod:`testament.search.pairing`).
5. Date of birth and place add or take away a little (:func:`dob_evidence`, :func:`place_evidence`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz.distance import OSA

from testament.errors import InvalidInput
from testament.search import arabic, arabic_names
from testament.search.pairing import combine
from testament.search.translit import key, keys, tokens

MATCH_THRESHOLD = 0.82
KEY_SIMILARITY = 0.78
GENDER_SIMILARITY = 0.3
DISTINCT_NAMES = 0.6
EXTRA_PART = 0.75
PATRONYMIC_OMITTED = 0.98
ACROSS_SCRIPTS = 0.95
LATIN_SPELLINGS = 0.91  # two Latin spellings of one word of an Arabic name: two of them still match
OPTIONAL_PART = 0.98  # a kunya or a nisba on one side only
ARABIC_EXTRA_PART = 0.88  # another name of an Arabic nasab chain (a grandfather's) on one side only
MAX_PARTS = 10
MAX_NAME_LENGTH = 300

DOB_AGREES = {1: 0.02, 2: 0.04, 3: 0.10}  # by the precision both dates share: year, month, day
DOB_CONFLICT = -0.40
DOB_NEAR = 0.0  # for an Arabic name, dates or years two years apart or less: an age guessed
NEAR_YEARS = 2
PLACE_AGREES = 0.02
PLACE_DIFFERS = -0.02

# Forms of one given name that differ by more than a transliteration system: Ukrainian first (the
# canonical form), then Russian, then Latin spellings that no transliteration table produces.
NAME_EQUIVALENTS = (
    ("Олександр", "Александр", "Alexander", "Aleksander"),
    ("Олександра", "Александра", "Alexandra"),
    ("Олексій", "Алексей"),
    ("Анатолій", "Анатолий"),
    ("Андрій", "Андрей"),
    ("Валерій", "Валерий"),
    ("Василь", "Василий"),
    ("Віталій", "Виталий"),
    ("Володимир", "Владимир"),
    ("Ганна", "Анна"),
    ("Геннадій", "Геннадий"),
    ("Данило", "Даниил"),
    ("Дмитро", "Дмитрий"),
    ("Євген", "Евгений"),
    ("Євгенія", "Евгения"),
    ("Йосип", "Иосиф"),
    ("Катерина", "Екатерина"),
    ("Кирило", "Кирилл"),
    ("Костянтин", "Константин"),
    ("Матвій", "Матвей"),
    ("Микола", "Николай"),
    ("Михайло", "Михаил", "Michail"),
    ("Надія", "Надежда"),
    ("Олена", "Елена"),
    ("Опанас", "Афанасий"),
    ("Павло", "Павел"),
    ("Петро", "Пётр", "Петр"),
    ("Пилип", "Филипп"),
    ("Сергій", "Сергей"),
    ("Світлана", "Светлана"),
    ("Тетяна", "Татьяна"),
    ("Тимофій", "Тимофей"),
    ("Федір", "Фёдор", "Федор"),
    ("Хома", "Фома"),
    ("Юрій", "Юрий"),
    ("Яків", "Яков"),
)

# Common Ukrainian given names. Two different names from this list are different names even when one
# edit apart (Марина/Марія, Діна/Діана), where an unknown spelling one edit away is taken for a typo.
_GIVEN_NAMES = """
Олександр Андрій Анатолій Антон Артем Богдан Борис Вадим Валентин Валерій Василь Віктор Віталій
Володимир Вʼячеслав Геннадій Георгій Григорій Данило Денис Дмитро Євген Захар Іван Ігор Ілля Йосип
Кирило Костянтин Леонід Максим Марко Матвій Микита Микола Мирон Мирослав Михайло Назар Олег Олексій
Остап Павло Петро Роман Ростислав Руслан Святослав Семен Сергій Станіслав Степан Тарас Тимофій Федір
Юрій Яків Ярослав Аліна Алла Анастасія Ангеліна Анна Ганна Валентина Валерія Василина Вероніка Віра
Вікторія Галина Дарина Дарія Діана Діна Євгенія Зоряна Зоя Інна Ірина Іванна Ілона Катерина Христина
Ксенія Лариса Леся Лілія Людмила Любов Марина Марія Марта Мирослава Надія Наталія Ніна Оксана
Олександра Олена Олеся Ольга Поліна Павліна Роксолана Світлана Софія Соломія Тамара Тетяна Уляна
Юлія Яна Ярослава Богдана
"""
GIVEN_NAMES = tuple(_GIVEN_NAMES.split())

# Letters whose diacritic carries the sound, which fold would drop: GOST 7.79 System A and ISO 9 (ŝ û â
# ê) and Polish (ż).
_DIACRITICS = str.maketrans({"ŝ": "shch", "û": "ju", "â": "ja", "ê": "je", "ż": "zh"})
# Longest first. German: schtsch, tsch, sch, w, tz; Polish: szcz, cz, sz, w; French: tch; English: x,
# ph, ck; GOST 7.79 B: c; Ukrainian h and Russian g as one letter; y, j and i as one letter.
_SPELLINGS = {
    "schtsch": "shch",
    "shch": "shch",
    "szcz": "shch",
    "tsch": "ch",
    "sch": "sh",
    "tch": "ch",
    "cz": "ch",
    "sz": "sh",
    "ch": "ch",
    "kh": "kh",
    "sh": "sh",
    "zh": "zh",
    "ts": "ts",
    "tz": "ts",
    "gh": "g",
    "ph": "f",
    "ck": "k",
    "c": "ts",
    "h": "g",
    "j": "i",
    "q": "k",
    "w": "v",
    "x": "ks",
    "y": "i",
}
_SPELLING = re.compile("|".join(sorted(_SPELLINGS, key=len, reverse=True)) + "|.", re.DOTALL)
_REPEATS = re.compile(r"(.)\1+")
_YO = re.compile(r"(?<=[bcdfgklmnprstvz])io")  # ё after a consonant: Фёдор, Fyodor, Fedor
_PATRONYMIC = re.compile(r"(?:ovich|evich|ovna|evna|ivna|ichna|..ich)$")
_SLAVIC_PATRONYMIC = ("ovich", "evich", "ovna", "evna", "ivna", "ichna")  # not Darwich, Kurdich
_SEPARATORS = re.compile(r"[\s,;.()/\-\u2010-\u2015]+")
_LATIN_LETTER = re.compile("[a-z]")
_DOB = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a name in the forms the matchers compare."""

    folded: str  # as written, folded: "kowalenko"
    spelling: str  # transliteration systems merged: "kovalenko"
    key: str  # vowel-blind phonetic key: "kavalanka"
    patronymic: bool  # looks like a patronymic (-ovych, -ivna, -ovich, -evna …)
    given_name: bool  # one of GIVEN_NAMES (or an equivalent form of one)
    stems: tuple[
        str, ...
    ]  # without a feminine ending: oleksandra → oleksandr, evgenia → evgen, evgeni
    roman: str = ""  # an Arabic word, or a known Arabic name in Latin, romanised: "mhmd"
    written_arabic: bool = False  # written in the Arabic script
    optional: bool = False  # a kunya (Abu Ahmad) or a nisba (al-Halabi): may be left out
    arabic: bool = False  # part of an Arabic name: its nasab chain may be shorter on one side
    consonants: str = ""  # a part of an Arabic name: its consonant classes alone, in either script
    readings: frozenset[str] = frozenset()  # a Latin part's other readings of its consonants
    position: int = 0  # a part of an Arabic name: its place in the name


def spelling(word: str) -> str:
    """One folded word with the differences between transliteration systems removed."""
    out = "".join(_SPELLINGS.get(m.group(), m.group()) for m in _SPELLING.finditer(word))
    out = _YO.sub("e", _REPEATS.sub(r"\1", out))
    return "e" + out[2:] if out.startswith("ie") else out  # Є, Е: Yevhen, Ievhen, Evgeny


@lru_cache(maxsize=1)
def _equivalents() -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, *others in NAME_EQUIVALENTS:
        target = spelling(tokens(canonical)[0])
        for other in others:
            table[spelling(tokens(other)[0])] = target
    return table


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    table = _equivalents()
    found = (spelling(tokens(name)[0]) for name in GIVEN_NAMES)
    return frozenset(table.get(spelt, spelt) for spelt in found)


def _part(word: str) -> Part:
    spelt = spelling(word)
    spelt = _equivalents().get(spelt, spelt)
    patronymic = bool(_PATRONYMIC.search(spelt))
    stems = tuple(spelt[: -len(end)] for end in ("ia", "a") if spelt.endswith(end))
    return Part(word, spelt, key(spelt), patronymic, spelt in _given_names(), stems)


def _arabic_part(word: str, optional: bool) -> Part:
    """A unit of an Arabic name: in Arabic script, or a Latin spelling of a known Arabic name."""
    known = arabic_names.known_name(word)
    if arabic.has_arabic(word):
        bare, roman = arabic.strip_article(word), arabic.romanise(word)
        spelt = known or bare  # a known name in its usual spelling: نورا as نورة
        feminine = spelt.endswith(arabic_names.FEMININE_WRITTEN) and len(spelt) > 2
        return Part(
            bare,
            spelt,
            roman,
            False,
            known is not None,
            (spelt[:-1],) if feminine else (),  # the encodings' feminine test (نور, نورة)
            roman,
            True,
            optional,
            True,
            arabic.skeleton(roman),
        )
    word = arabic_names.without_article(word)
    known = known or arabic_names.known_name(word)
    found = replace(
        _part(word),
        optional=optional,
        arabic=True,
        consonants=arabic.latin_skeleton(word),
        readings=arabic.latin_skeletons(word),
    )
    if known is None:
        return found
    roman = arabic.romanise(known)
    return replace(
        found,
        spelling=known,
        key=roman,
        given_name=True,
        roman=roman,
    )


def _is_arabic_name(words: list[str], units: list[tuple[str, bool]]) -> bool:
    """Arabic script, a particle (al-, bin, Abu …) or compound (Abdullah, Nureddine), or more known
    Arabic given names than Ukrainian given names and patronymics (Boutros Hanna: Hanna is both)."""
    if [unit for unit, _ in units] != words or any(optional for _, optional in units):
        return True
    if any(arabic.has_arabic(word) for word in words):
        return True
    ukrainian = sum(
        p.given_name or p.spelling.endswith(_SLAVIC_PATRONYMIC) for p in map(_part, words)
    )
    return sum(arabic_names.known_name(word) is not None for word in words) > ukrainian


def _words(name: str) -> list[str]:
    return [
        word
        for chunk in _SEPARATORS.split(name.lower().translate(_DIACRITICS))
        if sum(c.isalpha() for c in chunk) > 1
        for word in tokens(chunk)
        if not word.isdigit()
    ]


@lru_cache(maxsize=65_536)
def parts(name: str) -> tuple[Part, ...]:
    """The parts of a name that matching uses, sorted: initials and numbers are left out."""
    words = _words(name)
    units = arabic.name_units(words)
    if _is_arabic_name(words, units):
        return arabic_parts(name)
    return tuple(sorted(map(_part, words), key=lambda p: (p.spelling, p.folded)))


@lru_cache(maxsize=65_536)
def arabic_parts(name: str) -> tuple[Part, ...]:
    """The parts of a name read as an Arabic name: what a Latin name is compared as against one."""
    units = arabic.name_units(_words(name))
    kept = [(word, optional) for word, optional in units if len(word) > 1]
    found = [replace(_arabic_part(w, o), position=i) for i, (w, o) in enumerate(kept)]
    return tuple(sorted(found, key=lambda p: (p.spelling, p.folded)))


def match_key_parts(name: str) -> list[str]:
    """The normalised name parts both matchers compare, in a fixed order (name order does not matter)."""
    return [p.spelling for p in parts(name)]


@dataclass(frozen=True)
class NameRecord:
    """A person as an earlier account names them. Raises InvalidInput for a name matching cannot use.

    ``dob`` is ISO 8601 to the precision known (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``); ``place`` is a
    place of birth or residence, in any script. No message quotes the values: they are personal data.
    """

    name: str
    dob: str | None = None
    place: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidInput("the name is empty", where="name")
        if "\x00" in self.name or len(self.name) > MAX_NAME_LENGTH:
            raise InvalidInput(
                f"the name is longer than {MAX_NAME_LENGTH} characters or contains a NUL character",
                where="name",
            )
        words = tokens(self.name)
        if not any(not w.isdigit() for w in words):
            raise InvalidInput("the name has no letters", where="name")
        if any(arabic.has_arabic(w) and _LATIN_LETTER.search(w) for w in words):
            raise InvalidInput(
                "a word of the name mixes Arabic letters with letters of another script",
                where="name",
                hint="write each word in one script; give other spellings as separate records",
            )
        if not parts(self.name):
            raise InvalidInput(
                "matching needs at least one name part of two letters or more",
                where="name",
                hint="write the name in full; initials alone cannot be matched",
            )
        if len(parts(self.name)) > MAX_PARTS:
            raise InvalidInput(f"the name has more than {MAX_PARTS} parts", where="name")
        if self.dob is not None:
            dob_parts(self.dob)
        if self.place is not None and not isinstance(self.place, str):
            raise InvalidInput("the place must be text", where="place")


@lru_cache(maxsize=65_536)
def dob_parts(dob: str) -> tuple[int, ...]:
    """(year,), (year, month) or (year, month, day) of an ISO date of birth; InvalidInput otherwise."""
    found = _DOB.match(dob) if isinstance(dob, str) else None
    if found is None:
        raise InvalidInput(
            "the date of birth must be YYYY, YYYY-MM or YYYY-MM-DD",
            where="dob",
            hint="write the year alone, or the year and month, when the day is not known",
        )
    values = tuple(int(v) for v in found.groups() if v is not None)
    month_ok = len(values) < 2 or 1 <= values[1] <= 12
    day_ok = len(values) < 3 or (month_ok and values[2] <= _days_in(values[0], values[1]))
    if not (month_ok and day_ok and (len(values) < 3 or values[2] >= 1)):
        raise InvalidInput("the date of birth is not a date in the calendar", where="dob")
    return values


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in {4, 6, 9, 11} else 31


def dob_evidence(a: str | None, b: str | None, *, lenient: bool = False) -> float:
    """What two dates of birth add to a name score: agreement to the precision both share, or a conflict.

    A day and month swapped (04-09 against 09-04, the US and European orders) is neither. For Arabic
    names (``lenient``), where registers often hold a guessed age, 1 January is read as the year alone,
    and dates (or years) at most :data:`NEAR_YEARS` apart do not count against.
    """
    if a is None or b is None:
        return 0.0
    x, y = (known_parts(a), known_parts(b)) if lenient else (dob_parts(a), dob_parts(b))
    shared = min(len(x), len(y))
    if x[:shared] == y[:shared]:
        return DOB_AGREES[shared]
    if shared == 3 and x == (y[0], y[2], y[1]):
        return 0.0
    return DOB_NEAR if lenient and abs(x[0] - y[0]) <= NEAR_YEARS else DOB_CONFLICT


def known_parts(dob: str) -> tuple[int, ...]:
    """:func:`dob_parts`, with 1 January read as the year alone: where only the year was known, many
    registers write the first of January."""
    values = dob_parts(dob)
    return values[:1] if values[1:] == (1, 1) else values


@lru_cache(maxsize=65_536)
def _place_keys(place: str) -> frozenset[str]:
    return frozenset(keys(place))


def place_evidence(a: str | None, b: str | None) -> float:
    """Weak evidence from places: any shared word key (Харків, Kharkiv, Kharkov) agrees."""
    first, second = _place_keys(a or ""), _place_keys(b or "")
    if not first or not second:
        return 0.0
    return PLACE_AGREES if first & second else PLACE_DIFFERS


def judge(
    *, same: bool, feminine: bool, closeness: float, given_names: bool, same_key: bool
) -> float:
    """A part similarity from what both matchers observe about two parts (rule 3 of the module).

    ``same``: equal spellings; ``feminine``: one is the other plus a feminine ending; ``closeness``: 1 minus
    edits over length; ``given_names``: both are (different) known given names; ``same_key``: equal
    phonetic keys.
    """
    if same:
        return 1.0
    if feminine:
        return GENDER_SIMILARITY
    if given_names:
        return min(closeness, DISTINCT_NAMES)
    return max(closeness, KEY_SIMILARITY) if same_key else closeness


def part_similarity(a: Part, b: Part) -> float:
    """How alike two name parts are, in [0, 1]."""
    if a.spelling == b.spelling:
        return 1.0
    if a.written_arabic != b.written_arabic:
        return across_scripts(a, b) if a.written_arabic else across_scripts(b, a)
    if a.arabic and b.arabic:
        found = _arabic_alike(a, b)
        if found is not None:
            return found
    return judge(
        same=False,
        feminine=a.spelling in b.stems or b.spelling in a.stems,
        closeness=max(
            OSA.normalized_similarity(a.spelling, b.spelling),
            OSA.normalized_similarity(a.folded, b.folded),
        ),
        given_names=a.given_name and b.given_name,
        same_key=a.key == b.key,
    )


def _arabic_alike(a: Part, b: Part) -> float | None:
    """Two parts of Arabic names in one script, or None where the general rules decide."""
    if arabic_names.feminine(
        a.spelling if a.written_arabic else a.folded, b.spelling if b.written_arabic else b.folded
    ):
        return GENDER_SIMILARITY  # Nour, Noura; نور, نورة
    if a.written_arabic:
        # two Arabic spellings of one word: رؤوف and رءوف
        return ACROSS_SCRIPTS if a.roman == b.roman and len(a.roman) > 2 else None
    if not (a.given_name and b.given_name):
        return max(_closeness(a, b), _same_consonants(a, b))
    if a.spelling in arabic_names.possible_names(
        b.folded
    ) or b.spelling in arabic_names.possible_names(a.folded):
        return LATIN_SPELLINGS  # Hamit and Hamed: each may write حامد
    return None


def _closeness(a: Part, b: Part) -> float:
    return max(
        OSA.normalized_similarity(a.spelling, b.spelling),
        OSA.normalized_similarity(a.folded, b.folded),
    )


def _same_consonants(a: Part, b: Part) -> float:
    """Two Latin spellings of one Arabic word (Taweel, Tawil; Khatib, Hatip) share their consonants."""
    same = len(a.consonants) > 1 and (a.consonants == b.consonants or bool(a.readings & b.readings))
    return LATIN_SPELLINGS if same and arabic.vowels_agree(a.folded, b.folded) else 0.0


def across_scripts(written: Part, latin: Part) -> float:
    """An Arabic word against a Latin (or Cyrillic) one: alike if the Latin spelling can write it."""
    if written.given_name and latin.given_name:  # and not one name: equal spellings are 1
        # Two known names: the Latin spelling is the other one unless it may write this one too.
        if written.spelling not in arabic_names.possible_names(latin.folded):
            return min(OSA.normalized_similarity(written.roman, latin.roman), DISTINCT_NAMES)
        return ACROSS_SCRIPTS
    if written.roman in arabic.candidates(latin.folded):
        return ACROSS_SCRIPTS
    closeness = max(
        (OSA.normalized_similarity(written.consonants, c) for c in latin.readings), default=0.0
    )
    return judge(
        same=False,
        feminine=False,
        closeness=closeness * KEY_SIMILARITY,
        given_names=written.given_name and latin.given_name,
        same_key=False,
    )


def unpaired_cost(
    patronymic: bool, other_has_patronymic: bool, *, optional: bool = False, arabic: bool = False
) -> float:
    """The cost of a part left unpaired: a patronymic is optional unless the other name has one too;
    so are a kunya and a nisba; another name of an Arabic nasab chain costs less than another part."""
    if optional or (patronymic and not other_has_patronymic):
        return OPTIONAL_PART if optional else PATRONYMIC_OMITTED
    return ARABIC_EXTRA_PART if arabic else EXTRA_PART


def name_score(a: tuple[Part, ...], b: tuple[Part, ...]) -> float:
    """How well two names agree, in [0, 1]: in any order, or for two Arabic names in theirs."""
    if (len(a), [p.folded for p in a]) > (len(b), [p.folded for p in b]):
        a, b = b, a  # one order of work for (a, b) and (b, a): the score is symmetric
    ordered = all(p.arabic for p in a + b)
    if ordered:
        a, b = in_order(a), in_order(b)
    a_patronymic, b_patronymic = any(p.patronymic for p in a), any(p.patronymic for p in b)
    longer = len(b) > len(
        a
    )  # only the longer name may hold a kunya, nisba or nasab name the other lacks
    return combine(
        [[part_similarity(x, y) for y in b] for x in a],
        [unpaired_cost(x.patronymic, b_patronymic) for x in a],
        [
            unpaired_cost(
                y.patronymic,
                a_patronymic,
                optional=y.optional and longer,
                arabic=y.arabic and longer and y.position > 0,  # not the given name
            )
            for y in b
        ],
        ([not p.optional for p in a], [not p.optional for p in b]) if ordered else None,
    )


def in_order(found: tuple[Part, ...]) -> tuple[Part, ...]:
    """The parts of an Arabic name in the name's order."""
    return tuple(sorted(found, key=lambda p: p.position))


def score(a: NameRecord, b: NameRecord) -> float:
    """How likely two records name the same person, in [0, 1]; :data:`MATCH_THRESHOLD` decides."""
    first, second = parts(a.name), parts(b.name)
    lenient = any(p.arabic for p in first + second)
    if lenient:  # one is an Arabic name: the other is read as one too (Halima Adam Eltom)
        first, second = arabic_parts(a.name), arabic_parts(b.name)
    total = name_score(first, second)
    total += dob_evidence(a.dob, b.dob, lenient=lenient) + place_evidence(a.place, b.place)
    return min(1.0, max(0.0, total))


def is_match(a: NameRecord, b: NameRecord) -> bool:
    """Whether two records probably name the same person (score at or above :data:`MATCH_THRESHOLD`)."""
    return score(a, b) >= MATCH_THRESHOLD
