"""Transliteration-blind search keys: "Харків", "Kharkiv", "Kharkov" and "Харьков" become one key.

Pure functions, applied the same way when a document is indexed and when a query is parsed, so the
index never holds the words as written, only their keys (docs/search.md describes the rules):

1. :func:`fold` normalises text: Unicode NFKC, case folding, Ukrainian and Russian Cyrillic to Latin
   (one table for both languages), scholarly caron letters (š, č, ž) to digraphs, other diacritics
   dropped, apostrophes inside words (ʼ ' ’ and the soft-sign marks of BGN/PCGN) removed, an English
   possessive ``'s`` dropped.
2. :func:`tokens` splits folded text into words (letters and digits of any script).
3. :func:`key` maps one Latin word to a phonetic key: every run of vowels (``y`` and ``j`` count as
   vowels, being glides) becomes ``a``, ``h``/``g``/``gh`` become ``g``, ``kh``/``x`` become ``x``,
   ``w`` becomes ``v``, ``c`` becomes ``ts``, ``q`` and ``ck`` become ``k``, and a letter repeated becomes
   one. Words that differ only by a transliteration system or by the Ukrainian/Russian vowel shift
   (Київ/Киев, Львів/Львов) get the same key. A short table of names whose Russian and Ukrainian forms
   differ in more than that (Миколаїв/Николаев) maps one key onto the other.

4. Arabic words are normalised by :func:`testament.search.arabic.normalise` (hamza carriers, taa marbuta,
   alef maqsura, Persian letters) and keyed by their romanised consonant classes and long vowels
   (:func:`testament.search.arabic.key`); ``عبد`` and the name after it are one word, as Abd (Abdul,
   Abdel …) and the name after it are in Latin (Abd Allah and Abdullah have one key). A Latin query
   word also looks for the Arabic words it can spell (:func:`arabic_keys`): "Halab" finds ``حلب``.
   Bidirectional control characters (marks, embeddings, overrides, isolates) end a word; zero-width
   joiners are removed.

Words in other scripts (Georgian, Hebrew …) are folded (case, diacritics and vowel marks) but not keyed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from testament.search import arabic

CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "gh",  # Ukrainian h, Russian g: both key to g; "gh" keeps з+г apart from ж (zh)
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ё": "io",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ў": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}
# Letters that NFKD would reduce to a different sound (š → s), so they are spelled out first.
LATIN = {"š": "sh", "č": "ch", "ž": "zh", "ł": "l", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe"}
LATIN |= {"đ": "d", "ð": "d", "þ": "th", "ı": "i", "ĳ": "ij", "ŀ": "l", "ş": "sh", "ș": "sh"}
# Long vowels of the romanisations of Arabic (ALA-LC ā ī ū) written twice: a doubled vowel is long.
LATIN |= {"ā": "aa", "ī": "ii", "ū": "uu", "ē": "ee", "ō": "oo"}
# Marks removed inside words: apostrophes (Ukrainian ʼ, ASCII ', typographic ’ ‘), the BGN/PCGN
# soft and hard sign marks (’ ”), primes, the BGN disambiguating middle dot, the Arabic tatweel, and the
# ayn and hamza of ALA-LC romanisation (ʿ ʾ ʻ ʽ).
WORD_MARKS = "'ʼ’‘`´ʹʺ″′”·ـʿʾʻʽ"
# An English possessive ("Kyiv’s") is an apostrophe, s and the end of a word, after a letter. The
# romanisations' sign marks (ʹ ʺ ″ ′ ” ·) are never apostrophes, so "ʹs" (scholarly ьс) stays a word;
# BGN/PCGN's soft sign is the apostrophe ’ itself, so its "’s" at a word's end still reads as possessive.
POSSESSIVE_MARKS = "'ʼ’‘`´"
_POSSESSIVE = re.compile(f"(?<=[^\\W_])[{POSSESSIVE_MARKS}]s(?![^\\W_])")
# Invisible controls: the bidirectional marks, embeddings, overrides and isolates and the Arabic letter
# mark end a word (a file named "photo<RLO>gpj.exe" still holds the word "photo"); the zero-width
# (non-)joiners inside a Persian or Arabic word are removed.
BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
JOINERS = "\u200c\u200d"
_TABLE = str.maketrans(
    {**CYRILLIC, **LATIN}
    | dict.fromkeys(WORD_MARKS, "")
    | dict.fromkeys(BIDI_CONTROLS, " ")
    | dict.fromkeys(JOINERS, "")
)
_WORD = re.compile(r"[^\W_]+")
_ALNUM = b"abcdefghijklmnopqrstuvwxyz0123456789"
_ASCII_SPACES = bytes(c if c in _ALNUM else 32 for c in range(256))

VOWELS = frozenset("aeiouyj")
# Longest match first; every value is a fixed point, so key(key(w)) == key(w).
CODES = {
    "shch": "shch",
    "ch": "ch",
    "ck": "k",
    "gh": "g",
    "kh": "x",
    "sh": "sh",
    "ts": "ts",
    "zh": "zh",
    "c": "ts",
    "g": "g",
    "h": "g",
    "q": "k",
    "w": "v",
    "x": "x",
}
_CODE = re.compile("|".join(sorted(CODES, key=len, reverse=True)) + "|[aeiouyj]+|.", re.DOTALL)

# Names whose Ukrainian and Russian (or older) forms differ by more than transliteration. The first
# spelling of each row is the canonical one; a key of any other spelling is replaced by its key.
EXONYMS = (
    ("Миколаїв", "Николаев", "Nikolayev"),
    ("Дніпро", "Днепр", "Dnieper"),
    ("Кременчук", "Кременчуг"),
    ("Костянтинівка", "Константиновка"),
    ("Вугледар", "Угледар"),
    ("Вовчанськ", "Волчанск"),
)


@lru_cache(maxsize=1)
def _combining() -> dict[int, None]:
    """A str.translate table deleting every combining mark (built once, on first use).

    Every character with a non-zero combining class lies below U+20000.
    """
    marks = (c for c in range(0x20000) if unicodedata.combining(chr(c)))
    return dict.fromkeys(marks)


def fold(text: str) -> str:
    """Lower-case Latin (and other scripts') text with Cyrillic transliterated and diacritics dropped."""
    if text.isascii():  # the common case, and NFKC, NFKD and combining marks change nothing in it
        lowered = text.lower()
        if "'" in lowered or "`" in lowered:
            lowered = _POSSESSIVE.sub("", lowered).replace("'", "").replace("`", "")
        return lowered
    lowered = unicodedata.normalize("NFKC", text).casefold()
    if arabic.has_arabic(lowered):
        lowered = arabic.normalise(lowered)
    lowered = _POSSESSIVE.sub("", lowered).translate(_TABLE)
    bare = unicodedata.normalize("NFKD", lowered).translate(_combining())
    # Decomposition can reveal a Cyrillic letter under a mark (ѓ is г and an acute): spell it out too.
    return bare if bare.isascii() else bare.translate(_TABLE)


def tokens(text: str) -> list[str]:
    """The words of ``text`` after :func:`fold`."""
    folded = fold(text)
    if folded.isascii():  # bytes.translate and split are ten times faster than a regular expression
        return folded.encode().translate(_ASCII_SPACES).decode().split()
    return _WORD.findall(folded)


def _phonetic(word: str) -> str:
    out: list[str] = []
    for match in _CODE.finditer(word):
        piece = match.group()
        code = "a" if piece[0] in VOWELS else CODES.get(piece, piece)
        if out and code == out[-1] and not code.isdigit():
            continue
        out.append(code)
    return "".join(out)


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, *others in EXONYMS:
        target = _phonetic(tokens(canonical)[0])
        for other in others:
            table[_phonetic(tokens(other)[0])] = target
    return table


def key(word: str) -> str:
    """The phonetic key of one folded word (a word from :func:`tokens`)."""
    if not word.isascii():
        return arabic.key(word) if arabic.has_arabic(word) else word
    if word.startswith(arabic.KEY_PREFIX):  # an Arabic word's key: keys are fixed points
        return word
    coded = _phonetic(word)
    return _aliases().get(coded, coded)


_SEEN: dict[str, str] = {}
_SEEN_MAX = 500_000


def _remember(word: str) -> str:
    if len(_SEEN) >= _SEEN_MAX:
        _SEEN.clear()
    found = _SEEN[word] = key(word)
    return found


def keys(text: str) -> list[str]:
    """The keys of every word of ``text``: what the index holds and what a query looks up."""
    seen = _SEEN  # a plain dict: indexing calls this for every word of every document
    words = tokens(text)
    if not text.isascii() and arabic.has_arabic(text):
        words = arabic.join_arabic(words)
    if "abd" in text or "Abd" in text or "ABD" in text:
        words = arabic.join_latin_abd(words)
    return [seen[word] if word in seen else _remember(word) for word in words]


def arabic_keys(text: str) -> list[frozenset[str]]:
    """For each word of a Latin ``text``, the keys of the Arabic words it may spell (empty if none).

    The articles (al-, el-, ad- …) are left out and ``abd`` joins the name after it, as in Arabic.
    """
    words = tokens(text)
    if not words or not all(word.isascii() for word in words):
        return []
    return [arabic.latin_keys(word) for word in arabic.compound(words)]


def key_text(text: str) -> str:
    """:func:`keys` joined by spaces, the form handed to a full-text engine."""
    return " ".join(keys(text))
