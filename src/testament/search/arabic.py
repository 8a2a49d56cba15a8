"""Arabic script in search and name matching: normalisation, romanisation, and Latin spellings read back.

Pure functions, no database and no I/O (docs/search.md and docs/name-matching.md, "Arabic"):

1. :func:`normalise` applies pyarabic's normalisers: diacritics (tashkeel) and tatweel removed; hamza on
   a carrier written as its carrier (أ إ آ → ا, ؤ → و, ئ → ي); taa marbuta as haa. Then the letters
   pyarabic leaves alone: alef wasla as alef, alef maqsura as yaa, the Persian and Urdu yaa and kaf
   (ی ک) as Arabic ones, and a lone hamza dropped.
2. :func:`romanise` writes a normalised Arabic word in Latin *consonant classes*, with its long vowels:
   the letters that Latin spellings confuse share a class (ح ه خ → h; ث ت ط → t; ذ د ض → d; ظ ز → z;
   ص س → s; ج غ → g; ق ك → k; ش → x); ع, and the alef that carries a word's first vowel, become ``e``,
   which a Latin spelling writes as any vowel, an apostrophe or nothing (Omar عمر, Ibrahim إبراهيم,
   Dar'a درعا); ا و ي are the long vowels a, u and i; and a final haa (or taa marbuta) is left out.
   :func:`tidy` then drops the vowels at either end (the alef carrying an initial vowel, the y of Yusuf, the i of Ali) and
   repeated letters.
3. :func:`candidates` reads a Latin spelling the other way: its consonants map to the same classes
   (kh and German ch → h, sh and German sch → x, j, dj, German dsch, Egyptian g and gh → g, q and c → k,
   th → t, dh → d, p → b, v → f), and each run of vowels may stand for no long vowel or for the long
   vowels its letters can write (a; e as a or i; i and y as i; o, u and w as u), with or without an ayn.
   Every reading, tidied,
   is a candidate: a final h after a vowel may be a final haa (Abdullah عبد الله). "Halab" gives
   "hlb" (حلب), "Deraa" and "Dara'a" give "dra" (درعا), "Mohamed" gives
   "mhmd" (محمد) but not "mhmud" (محمود).

Compound names are one unit on both sides (:func:`compound`): ``عبد`` and the name after it (عبد الله,
عبدالله, Abd Allah, Abdullah, Abdel Aziz), a name and ``الدين`` (نور الدين, Nur ad-Din, Nureddine), and
a name and ``الله`` (خير الله, Khairallah).
The article (ال, al-, el- and its assimilated forms ad-, ar-, as-, ash- …) is left out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations, product

from pyarabic import araby

# Arabic, Arabic Supplement, Arabic Extended-A and the presentation forms (NFKC folds the last two).
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LEFT_ALONE = str.maketrans(
    {
        araby.ALEF_WASLA: araby.ALEF,
        araby.ALEF_MAKSURA: araby.YEH,
        "\u06cc": araby.YEH,  # Persian yeh
        "\u06a9": araby.KAF,  # keheh, the Persian and Urdu kaf
        araby.HAMZA: "",
    }
)
_CLASSES = str.maketrans(
    {
        "ب": "b",
        "ت": "t",
        "ث": "t",
        "ج": "g",
        "ح": "h",
        "خ": "h",
        "د": "d",
        "ذ": "d",
        "ر": "r",
        "ز": "z",
        "س": "s",
        "ش": "x",
        "ص": "s",
        "ض": "d",
        "ط": "t",
        "ظ": "z",
        "ع": "e",
        "غ": "g",
        "ف": "f",
        "ق": "k",
        "ك": "k",
        "ل": "l",
        "م": "m",
        "ن": "n",
        "ه": "h",
        "و": "u",
        "ي": "i",
        "ا": "a",
        "پ": "b",
        "چ": "g",
        "ژ": "z",
        "گ": "g",
        "ڤ": "f",
    }
)
ARTICLE = "ال"
ABD = "عبد"
DIN = "الدين"
NOT_ARTICLES = frozenset(["الياس", "اليسع", "الهام"])
ALLAH = "الله"
LATIN_ALLAH = frozenset(["allah", "alla", "ullah", "illah", "allah"])
# Latin consonants, longest first; what a spelling writes for each class.
_LATIN = {
    "ddsch": "g",
    "ddj": "g",  # Dutch: Naddjar
    "dsch": "g",
    "tsch": "x",
    "sch": "x",
    "kh": "h",
    "gh": "g",
    "dj": "g",
    "th": "t",
    "ph": "f",
    "ck": "k",
    "q": "k",
    "p": "b",
    "x": "ks",
}
VOWELS = {"a": "a", "e": "ai", "i": "i", "y": "i", "o": "u", "u": "u", "w": "u"}
_ORDER = "eaiu"  # the order of the letters of a run of vowels once tidied
AYN = "e"  # ع, and the alef that carries a word's first vowel: any Latin vowel, or none
# Letters that spellings use for more than one Arabic letter: German and Levantine ch (خ) or French ch
# (ش); English c (ك), French c (س: Youcef) or Turkish c (ج: Cemal); English j (ج) or German j (ي:
# Jussuf); Persian v or Turkish v for و (Sevsen); sh for ش, or BGN's ş for ص folded to sh; dh for ذ,
# or Iraqi dh for ظ and ض (Kadhim); z for ز, or Levantine z for ذ (Munzer); Swedish and Dutch sj for ش.
# A final t may be a d (Turkish Ahmet, Mahmut).
_AMBIGUOUS = {
    "ch": ("h", "x", "k"),
    "c": ("k", "s", "g"),
    "j": ("g", "i"),
    "v": ("f", "u"),
    "sh": ("x", "s", "sh"),
    "th": ("t", "th"),
    "sc": ("sk", "x"),
    "dh": ("d", "z"),
    "z": ("z", "d"),
    "sj": ("x",),
}
_LATIN_PIECE = re.compile(
    "|".join(sorted([*_LATIN, *_AMBIGUOUS], key=len, reverse=True)) + "|[aeiouyw]+|[a-z]|.",
    re.DOTALL,
)
_REPEATS = re.compile(r"(.)\1+")
_ENDS = re.compile(r"^[aiu]+|[aiu]+$")
_RUNS = re.compile(r"[aeiu]{2,}")
MAX_CANDIDATES = 256
# Standalone Latin articles: al- el- ul- il-, and the assimilated forms before a sun letter.
_ARTICLES = "al el ul il ad ed ud ar er ur as es us ash esh asch esch at et az ez an en un ath adh"
LATIN_ARTICLES = frozenset(_ARTICLES.split())
LATIN_ABD_WORDS = frozenset(
    ["abd", "abdul", "abdel", "abdal", "abdil", "abdoul", "abdol", "abdoel"]
)
# Abdul-, Abdel-, Abdal- …, or an assimilated article (Abdurrahman, Abdussalam): the article is left out.
_LATIN_ABD_PREFIX = re.compile(r"^abd[aeiou]+l(?=[a-z]{2})|^abd[aeiou]+(?=([rsnzdt])\1)")
LATIN_DIN = frozenset(
    [
        "din",
        "deen",
        "dine",
        "eddine",
        "eddin",
        "edine",
        "uddin",
        "uddine",
        "addin",
        "aldin",
        "eldin",
        "eddeen",
    ]
)
# Nureddine, Nuraldin, Salaheddin; and Turkish, softened: Nurettin, Selahattin.
_LATIN_DIN_TAIL = re.compile(
    r"^(?P<name>[a-z]{2,}?)(?:(?:[aeiou]?[dl])?d(?:i|ee|ii|y)ne?|[aeiu]ttin)$"
)


def has_arabic(text: str) -> bool:
    """Whether the text holds a letter of the Arabic script."""
    return bool(_ARABIC.search(text))


def normalise(text: str) -> str:
    """Arabic text with diacritics, tatweel and letter variants normalised (rule 1 of the module)."""
    text = araby.strip_tatweel(araby.strip_tashkeel(text))
    text = araby.normalize_teh(araby.normalize_hamza(text, method="tasheel"))
    return text.translate(_LEFT_ALONE)


def tidy(letters: str) -> str:
    """A romanised form without long vowels at either end or repeated letters, and with each run of
    vowels in one order (spellings disagree on it: Saeed, Saied)."""
    letters = _REPEATS.sub(r"\1", letters)
    ordered = _RUNS.sub(lambda run: "".join(sorted(set(run.group()), key=_ORDER.index)), letters)
    return _REPEATS.sub(r"\1", _ENDS.sub("", ordered) or ordered[:1])


def strip_article(word: str) -> str:
    """A normalised Arabic word without the article ال (kept on a word too short to carry it, and on a
    name that begins with these letters: الياس, Elias)."""
    if word.startswith(ARTICLE) and len(word) > 3 and word not in NOT_ARTICLES:
        return word[2:]
    return word


@lru_cache(maxsize=65_536)
def romanise(word: str) -> str:
    """One normalised Arabic word in consonant classes and long vowels, tidied (rule 2)."""
    bare = strip_article(word)
    if bare.startswith(araby.ALEF):
        bare = "ع" + bare[1:]  # the alef carries the first vowel, which Latin writes as a vowel
    if len(bare) > 2 and bare.endswith("ه"):
        bare = bare[:-1]  # a final haa or taa marbuta, which Latin writes as a vowel, h or nothing
    return tidy(bare.translate(_CLASSES))


def _after_vowel(word: str, match: re.Match[str]) -> bool:
    return match.start() == 0 or word[match.start() - 1] in VOWELS


def _vowel_options(run: str, *, few: bool = False) -> list[str]:
    """What a run of Latin vowels may write: nothing, or a set of long vowels and ayn, in one order
    (``few``: nothing, or one of them)."""
    letters = sorted(set("".join(VOWELS[c] for c in run)) | {AYN}, key=_ORDER.index)
    if few:  # and, for a run of several letters, all of them (the wa of Chahwane, وا)
        own = "".join(sorted(set("".join(VOWELS[c] for c in run)), key=_ORDER.index))
        return ["", *letters, *([own] if len(own) > 1 else [])]
    if len(run) == 1:  # one letter writes one long vowel, perhaps beside an ayn
        return ["", *letters, *(AYN + c for c in letters if c != AYN)]
    return ["", *("".join(c) for n in (1, 2, 3) for c in combinations(letters, n))]


def _readings(word: str, *, few: bool = False) -> list[list[str]]:
    options: list[list[str]] = []
    for match in _LATIN_PIECE.finditer(word):
        piece = match.group()
        if piece[0] in VOWELS:
            options.append(_vowel_options(piece, few=few))
        elif piece in _AMBIGUOUS:
            options.append(list(_AMBIGUOUS[piece]))
        elif (
            piece == "s"
            and word[match.end() : match.end() + 1] in VOWELS
            and _after_vowel(word, match)
        ):
            options.append(["s", "z"])  # German s before a vowel for ز: Siad, Asisa
        elif piece == "g":
            options.append(["g", "k"])  # Gulf, Sudanese and Maghrebi g for ق: Abdelgadir, Belgacem
        elif piece == "t" and match.end() == len(word):
            options.append(["t", "d"])
        elif piece == "h" and match.end() == len(word) and word[-2:-1] in VOWELS:
            options.append(["", "h"])  # Abdullah, Fatimah: a final haa, or taa marbuta
        elif piece.isalpha() and piece.isascii():
            options.append([_LATIN.get(piece, piece)])
    return options


@lru_cache(maxsize=65_536)
def candidates(word: str) -> frozenset[str]:
    """The romanised Arabic forms a folded Latin word can spell (rule 3); empty for other words."""
    if not word.isascii() or not word.replace("-", "").isalpha():
        return frozenset()
    options = _readings(word)
    if (
        _count(options) > MAX_CANDIDATES
    ):  # a long word of many vowel runs: each run one vowel or none
        options = _readings(word, few=True)
    if _count(options) > MAX_CANDIDATES:
        options = [choice[:4] if choice[:1] == [""] else choice for choice in options]
    return frozenset(tidy("".join(reading)) for reading in product(*options))


def _count(options: list[list[str]]) -> int:
    count = 1
    for choice in options:
        count *= len(choice)
    return count


def compound(words: list[str]) -> list[str]:
    """Words with the article left out and compound names joined (the module's last paragraph).

    ``words`` are folded: Arabic ones normalised, Latin ones lower-case.
    """
    return [unit for unit, _ in name_units(words)]


def join_arabic(words: list[str]) -> list[str]:
    """:func:`compound` for the Arabic words of a text only: what the search index does."""
    if not any(has_arabic(word) for word in words):
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == ABD and i + 1 < len(words) and has_arabic(words[i + 1]):
            out.append(join_abd(word, words[i + 1]))
            i += 2
            continue
        if word == DIN and out and has_arabic(out[-1]):
            out[-1] += "دين"
        elif word == ALLAH and out and has_arabic(out[-1]):
            out[-1] += ALLAH
        else:
            out.append(single(word) if has_arabic(word) else word)
        i += 1
    return out


def join_latin_abd(words: list[str]) -> list[str]:
    """Latin words with Abd (Abdul, Abdel …) joined to the name after it, the article between left
    out, as one word written as Abdullah and Abdulrahman are: what the search index holds."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in LATIN_ABD_WORDS and i + 1 < len(words):
            skip = words[i + 1] in LATIN_ARTICLES and i + 2 < len(words)
            out.append("abd" + words[i + 1 + skip])
            i += 2 + skip
            continue
        out.append(word)
        i += 1
    return [latin_abd(word, "") for word in out]


def latin_abd(word: str, joint: str) -> str:
    """A Latin word written Abdul-, Abdel-, Abdur- … as ``abd``, ``joint`` and the name after: the
    search index joins with nothing (keys stay fixed points), names with a hyphen (:func:`join_abd`)."""
    found = _LATIN_ABD_PREFIX.match(word)
    return "abd" + joint + word[found.end() :] if found else word


def join_abd(abd: str, name: str) -> str:
    """``عبد`` (or Abd, Abdul, Abdel …) and the name after it, as one word; in Latin with a hyphen,
    so that no digraph forms across the join (Abd-Hamid, not the dh of Abdhamid)."""
    if has_arabic(abd):
        return ABD + strip_article(name)
    return "abd-" + name


def single(word: str) -> str:
    """One word of a name as a unit: ``عبدال…`` as ``عبد…``, a name ending in ``الدين`` as one word,
    Abdul-, Abdel- … as ``abd-``, and Nureddine, Nurettin as ``nurdin``."""
    if has_arabic(word):
        if word.startswith(ABD + ARTICLE) and len(word) > 5:
            return ABD + word[5:]
        if word.endswith(DIN) and len(word) > len(DIN) + 1:
            return word[: -len(DIN)] + "دين"
        return word
    if _LATIN_ABD_PREFIX.match(word):
        return latin_abd(word, "-")
    tail = _LATIN_DIN_TAIL.match(word)
    if tail and len(word) > 6:
        return tail.group("name") + "din"
    return word


KEY_PREFIX = "zz"


def key(word: str) -> str:
    """The search key of a normalised Arabic word: ``zz`` and its romanised form.

    No transliteration key holds a doubled letter, so ``zz`` keeps these keys apart from them.
    """
    return KEY_PREFIX + romanise(word)


def latin_keys(word: str) -> frozenset[str]:
    """The search keys of Arabic words that a folded Latin word (after :func:`compound`) may spell."""
    return frozenset(KEY_PREFIX + c for c in candidates(word))


# --- Names -------------------------------------------------------------------------------------------

# Particles of a name: the nasab's bin, ibn and bint (left out), the kunya's Abu and Umm (joined to the
# name after them), in Arabic and in Latin spellings.
NASAB = frozenset(["bin", "ibn", "bint", "ben", "bn", "binti", "ibnu", "بن", "ابن", "بنت"])
KUNYA = frozenset(["abu", "abou", "abo", "umm", "um", "oum", "om", "ابو", "ام"])


def skeleton(roman: str) -> str:
    """A romanised form's consonants alone, a letter repeated written once."""
    return _REPEATS.sub(r"\1", roman.translate(_NO_VOWELS))


_NO_VOWELS = str.maketrans(dict.fromkeys("aeiu", ""))


def latin_skeleton(word: str, reading: int = 0, *, final_h: bool = False) -> str:
    """A folded Latin word's consonant classes alone, tidied; ``reading`` 1 and 2 take the other
    readings of the letters that have several (French ch and c, German j, Turkish c and v)."""
    letters = "".join(
        _AMBIGUOUS[piece][min(reading, len(_AMBIGUOUS[piece]) - 1)]
        if piece in _AMBIGUOUS
        else _LATIN.get(piece, piece)
        for piece in (m.group() for m in _LATIN_PIECE.finditer(word))
        if (piece[0] not in VOWELS or piece in _AMBIGUOUS) and piece.isalpha()
    )
    after_vowel = len(word) > 2 and word.endswith("h") and word[-2] in VOWELS
    if after_vowel and letters.endswith("h") and not final_h:
        letters = letters[:-1]  # a final haa or taa marbuta (Abdullah), unless ``final_h`` (Saleh)
    return skeleton(tidy(letters))


READINGS = 3


@lru_cache(maxsize=65_536)
def latin_skeletons(word: str) -> frozenset[str]:
    """Every reading of :func:`latin_skeleton`, with and without a final h after a vowel (ه or ح),
    and a final t read as d (Turkish Ahmet, Mahmut)."""
    found = {latin_skeleton(word, r, final_h=h) for r in range(READINGS) for h in (False, True)}
    return frozenset(
        found | {f[:-1] + "d" for f in found if word.endswith("t") and f.endswith("t")}
    )


@lru_cache(maxsize=65_536)
def consonant_readings(word: str) -> tuple[str, ...]:
    """The consonant classes of every form a folded Latin word can write, the usual reading first
    (for the encodings' tags, which cannot hold every candidate)."""
    usual = latin_skeleton(word)
    found = {skeleton(c) for c in candidates(word)} | {usual}
    return (usual, *sorted(found - {usual, ""}, key=lambda c: (len(c) != len(usual), c)))


def without_repeats(word: str) -> str:
    """A word with each run of one letter written once (Ranaa, ALA-LC Ranā, as Rana)."""
    return _REPEATS.sub(r"\1", word)


_RUN = re.compile("[aeiouyw]+")
LONG_VOWELS = re.compile(
    r"([eiou])\1"
)  # a doubled vowel is long (Saleem; ALA-LC ī ū; aa is often an ayn: Saad)


@lru_cache(maxsize=65_536)
def vowel_runs(word: str) -> tuple[frozenset[str], ...]:
    """The long vowels each run of vowels of a folded Latin word can write; a final e after a
    consonant (French Ibrahime) and a final h after a vowel (Fatmeh) are left out."""
    if (len(word) > 3 and word.endswith("h") and word[-2] in "aeiou") or (
        len(word) > 3 and word.endswith("e") and word[-2] not in "aeiouyw"
    ):
        word = word[:-1]
    runs = _RUN.findall(word[1:]) if word[:1] in "yw" else _RUN.findall(word)
    return tuple(frozenset("".join(VOWELS[c] for c in run)) for run in runs)


@lru_cache(maxsize=65_536)
def vowels_agree(one: str, other: str) -> bool:
    """Whether two Latin spellings can write the same vowels: run by run each pair shares a vowel,
    a run inside a word may be elided on one side (Fatma, Fatima), and both end in a vowel or both do
    not (Rima, Reem)."""
    first, second = vowel_runs(one), vowel_runs(other)
    ends = _ends_in_vowel(one), _ends_in_vowel(other)
    if None not in ends and ends[0] != ends[1]:
        return False
    if len(first) > len(second):
        first, second = second, first
    remaining = iter(second)
    return all(any(run & later for later in remaining) for run in first)


def vowel_signatures(word: str) -> list[str]:
    """The vowels a word may write, one long vowel per run, each way as text (for keyed tags): two
    spellings that share one may write the same vowels (Shehadeh, Shihada; not Hamdan, Hamdoun)."""
    ends = {True: ".", False: "", None: "?"}[_ends_in_vowel(word)]
    runs = [sorted(run) for run in vowel_runs(word)]
    return sorted(",".join(choice) + ends for choice in product(*runs))


def _ends_in_vowel(word: str) -> bool | None:
    """Whether a word ends in a vowel; None for a final e after a consonant, silent in French
    (Ibrahime) but spoken in Turkish (Ayşe)."""
    if len(word) > 3 and word.endswith("h") and word[-2] in "aeiou":
        return True  # Aisheh, Fatimah: the taa marbuta
    if len(word) > 3 and word.endswith("e") and word[-2] not in "aeiouyw":
        return None
    return word[-1:] in ("a", "e", "i", "o", "u", "y")


def name_units(words: list[str]) -> list[tuple[str, bool]]:
    """The units of a name and whether each may be left out (a kunya or a nisba).

    Articles and the nasab's bin, ibn and bint are left out; Abu or Umm joins the name after it;
    ``عبد`` joins the name after it and a name joins ``الدين``; a word after the article ending in -i
    is a nisba.
    """
    marked: list[tuple[str, bool]] = []  # each word, and whether an article came before it
    article = False
    for i, word in enumerate(words):
        more = i + 1 < len(words)
        if more and (word in LATIN_ARTICLES or (word in NASAB and marked)):
            article = word in LATIN_ARTICLES
            continue
        marked.append((word, article))
        article = False
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(marked):
        word, after_article = marked[i]
        following = marked[i + 1][0] if i + 1 < len(marked) else None
        if following is not None and word in KUNYA:
            out.append((word + strip_article(following), True))
            i += 2
        elif following is not None and (word == ABD or word in LATIN_ABD_WORDS):
            out.append((join_abd(word, following), False))
            i += 2
        elif out and (word == DIN or word in LATIN_DIN or _REPEATS.sub(r"\1", word) in LATIN_DIN):
            before, optional = out[-1]
            out[-1] = (before + ("دين" if has_arabic(before) else "din"), optional)
            i += 1
        elif out and (word == ALLAH or word in LATIN_ALLAH):
            before, optional = out[-1]  # Khair Allah, Jad Allah: one name, as Khairallah
            out[-1] = (before + ("الله" if has_arabic(before) else "allah"), optional)
            i += 1
        else:
            unit = single(word)
            nisba = (after_article or unit.startswith(ARTICLE)) and len(unit) > 4
            out.append((unit, nisba and unit[-1] in "iyي"))
            i += 1
    return out
