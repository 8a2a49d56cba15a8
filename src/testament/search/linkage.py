"""Has a partner organisation interviewed this person? Keyed Bloom-filter encodings of a NameRecord.

Pure functions, no database and no I/O (docs/name-matching.md, "Across organisations"). Each organisation
encodes its records with a secret shared by the consortium and sends only the encodings: names, dates and
places stay where they are, and without the secret nobody can test an encoding against a guessed name.

Each part of the name is encoded in the normalised forms of :func:`testament.search.names.parts`
(folded, transliteration systems merged, Ukrainian and Russian forms of a given name merged):

- a Bloom filter of :data:`PART_BITS` bits holding the part's letter pairs, each set at :data:`HASHES`
  positions drawn from HMAC-SHA256 under the secret;
- keyed tags (truncated HMAC-SHA256) of its spelling, its phonetic key and its stems without a feminine
  ending, its length, and whether it is a patronymic or a known given name;
- for a part of an Arabic name, its place in the name and keyed tags of its consonants, of a Latin
  spelling's consonants and vowels, and of the other known names a Latin spelling may write.

The parts are sorted by their bytes: a Ukrainian name's order does not show; an Arabic name's parts
carry their place, so that the pairing keeps the name's order (:mod:`testament.search.pairing`). The date of birth becomes keyed tags at
each precision it has (and with the day and month swapped), the place one keyed tag per word key.
:func:`similarity` estimates the edits between two parts from the letter pairs their filters do not
share, judges each pair of parts with the local matcher's rules (:func:`testament.search.names.judge`),
pairs the parts as it does (:func:`testament.search.pairing.combine`) and adds the same date and place
evidence.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import struct
from dataclasses import dataclass
from functools import lru_cache

from testament.errors import InvalidInput
from testament.search import arabic, arabic_names, names, pairing
from testament.search.translit import keys

VERSION = "tbf3"
PART_BITS = 2048
HASHES = 8  # bit positions per letter pair
TAG_BYTES = 8
MIN_SECRET_BYTES = 16
ENCODING_THRESHOLD = names.MATCH_THRESHOLD
_PATRONYMIC, _GIVEN_NAME, _WRITTEN_ARABIC, _OPTIONAL, _ARABIC = 1, 2, 4, 8, 16
NEAR_YEARS = range(-names.NEAR_YEARS, names.NEAR_YEARS + 1)
_FILTER_BYTES = PART_BITS // 8
CONSONANT_TAGS = 6
SPELT_TAGS = 6
NAME_TAGS = 3
# key, two stems; consonant readings; consonant and vowel readings; other known names it may write
_TAGS = 3 + CONSONANT_TAGS + SPELT_TAGS + NAME_TAGS
_PART_SIZE = (
    TAG_BYTES + 3 + _FILTER_BYTES + _TAGS * TAG_BYTES
)  # spelling, flags, length, place in the name, filter, tags
_NO_TAG = bytes(TAG_BYTES)


def _digest(key: bytes, data: bytes) -> bytes:
    return hmac.digest(key, data, "sha256")


def _tag(key: bytes, text: str) -> bytes:
    return _digest(key, text.encode())[:TAG_BYTES]


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise InvalidInput(
            f"the consortium secret must be at least {MIN_SECRET_BYTES} bytes",
            where="secret",
            hint="use the secret the consortium generated (32 random bytes)",
        )


def _pairs(text: str) -> list[str]:
    """Unordered letter pairs of the padded text, repeats numbered: a transposition changes two of them."""
    padded = f"^{text}$"
    seen: dict[str, int] = {}
    found = []
    for i in range(len(padded) - 1):
        pair = "".join(sorted(padded[i : i + 2]))
        seen[pair] = seen.get(pair, 0) + 1
        found.append(f"{pair}{seen[pair]}")
    return found


def _bloom(text: str, key: bytes) -> bytes:
    bits = 0
    for pair in _pairs(text):
        digest = _digest(key, pair.encode())
        for (position,) in struct.iter_unpack(">H", digest[: 2 * HASHES]):
            bits |= 1 << (position % PART_BITS)
    return bits.to_bytes(_FILTER_BYTES, "big")


def _flags(part: names.Part) -> int:
    found = (_PATRONYMIC, _GIVEN_NAME, _WRITTEN_ARABIC, _OPTIONAL, _ARABIC)
    held = (part.patronymic, part.given_name, part.written_arabic, part.optional, part.arabic)
    return sum(flag for flag, has in zip(found, held, strict=True) if has)


def _consonants(part: names.Part) -> list[str]:
    """Tags for a part of an Arabic name (:mod:`testament.search.arabic`): its consonants in each
    reading (``c``), and for a Latin spelling its consonants with the vowels it writes (``l``)."""
    if part.written_arabic:
        return [f"c{part.consonants}"] if part.consonants else []
    if not part.arabic:
        return []
    readings = arabic.consonant_readings(part.folded)
    found = [f"c{c}" for c in readings[:CONSONANT_TAGS]]
    if not found:
        return found
    signatures = arabic.vowel_signatures(part.folded)[:3]
    pairs = [(0, 0), (0, 1), (1, 0), (2, 0), (0, 2), (1, 1)]  # the likelier readings first
    spelt = [
        f"l{readings[r]}|{signatures[v]}"
        for r, v in pairs
        if r < len(readings) and v < len(signatures)
    ]
    return found + spelt[:SPELT_TAGS]


def _encode_part(part: names.Part, filter_key: bytes, tag_key: bytes) -> bytes:
    flags = _flags(part)
    stems = [_tag(tag_key, f"s{stem}") for stem in part.stems]
    tags = _consonants(part)
    consonants = [t for t in tags if t.startswith("c")]
    spelt = [t for t in tags if t.startswith("l")]
    others = _other_names(part)
    return b"".join(
        [
            _tag(tag_key, f"s{part.spelling}"),
            bytes([flags, min(len(part.spelling), 255), part.position]),
            _bloom(part.spelling, filter_key),
            _tag(tag_key, f"k{part.key}"),
            *stems,
            _NO_TAG * (2 - len(stems)),
            *(_tag(tag_key, c) for c in consonants),
            _NO_TAG * (CONSONANT_TAGS - len(consonants)),
            *(_tag(tag_key, t) for t in spelt),
            _NO_TAG * (SPELT_TAGS - len(spelt)),
            *(_tag(tag_key, f"s{name}") for name in others),
            _NO_TAG * (NAME_TAGS - len(others)),
        ]
    )


def _other_names(part: names.Part) -> tuple[str, ...]:
    """For a Latin spelling of a known Arabic name, the other known names it may write (Hamit: حميد,
    and حامد), as spelling tags: an Arabic part's spelling tag is among them if it may write that."""
    if part.written_arabic or not part.given_name or not part.arabic:
        return ()
    return arabic_names.possible_names(part.folded)[1 : NAME_TAGS + 1]


def _dob_tags(dob: str | None, key: bytes, lenient: bool) -> list[bytes]:
    if dob is None:
        return []
    values = names.known_parts(dob) if lenient else names.dob_parts(dob)
    labels = [f"y{values[0]}", f"m{values[:2]}", f"d{values}"][: len(values)]
    if len(values) == 3:
        labels.append(f"s{values[0]}-{sorted(values[1:])}")
    return [_tag(key, label) for label in labels]


def _place_tags(place: str | None, key: bytes) -> list[bytes]:
    return sorted(_tag(key, word) for word in sorted(set(keys(place or "")))[:255])


def encode(record: names.NameRecord, secret: bytes) -> str:
    """The record's encoding under the consortium secret: ``tbf3.`` and base64url, no personal data."""
    _check_secret(secret)
    filter_key, tag_key, dob_key, place_key = (
        _digest(secret, b"testament linkage v1 " + label)
        for label in (b"pairs", b"parts", b"dob", b"place")
    )
    found = names.parts(record.name)
    lenient = any(p.arabic for p in found)
    parts = sorted(_encode_part(p, filter_key, tag_key) for p in found)
    dob, place = _dob_tags(record.dob, dob_key, lenient), _place_tags(record.place, place_key)
    years = _year_tags(record.dob, dob_key) if lenient else []
    body = b"".join(
        [bytes([len(parts), len(dob), len(place), len(years)]), *parts, *dob, *place, *years]
    )
    return f"{VERSION}.{base64.urlsafe_b64encode(body).decode().rstrip('=')}"


def _year_tags(dob: str | None, key: bytes) -> list[bytes]:
    """The year of birth and the years near it (the year itself first), for an Arabic name's record."""
    if dob is None:
        return []
    year = names.dob_parts(dob)[0]
    return [_tag(key, f"w{year + offset}") for offset in sorted(NEAR_YEARS, key=abs)]


@dataclass(frozen=True, slots=True)
class _Part:
    spelling: bytes
    flags: int
    length: int
    pairs: int
    key: bytes
    stems: tuple[bytes, ...]
    consonants: frozenset[bytes]
    spelt: frozenset[bytes]  # a Latin spelling's consonants and the vowels it may write
    others: frozenset[bytes]  # the other known names a Latin spelling may write
    position: int  # a part of an Arabic name: its place in the name

    @property
    def patronymic(self) -> bool:
        return bool(self.flags & _PATRONYMIC)

    @property
    def given_name(self) -> bool:
        return bool(self.flags & _GIVEN_NAME)

    @property
    def written_arabic(self) -> bool:
        return bool(self.flags & _WRITTEN_ARABIC)

    @property
    def optional(self) -> bool:
        return bool(self.flags & _OPTIONAL)

    @property
    def arabic(self) -> bool:
        return bool(self.flags & _ARABIC)


def _read_part(chunk: bytes) -> _Part:
    flags, length, position = chunk[TAG_BYTES], chunk[TAG_BYTES + 1], chunk[TAG_BYTES + 2]
    tail = chunk[-_TAGS * TAG_BYTES :]
    stems = (tail[TAG_BYTES : 2 * TAG_BYTES], tail[2 * TAG_BYTES : 3 * TAG_BYTES])
    return _Part(
        spelling=chunk[:TAG_BYTES],
        flags=flags,
        length=length,
        pairs=int.from_bytes(chunk[TAG_BYTES + 3 : -_TAGS * TAG_BYTES], "big"),
        position=position,
        key=tail[:TAG_BYTES],
        stems=tuple(stem for stem in stems if stem != _NO_TAG),
        consonants=_tag_set(tail, 3, CONSONANT_TAGS),
        spelt=_tag_set(tail, 3 + CONSONANT_TAGS, SPELT_TAGS),
        others=_tag_set(tail, 3 + CONSONANT_TAGS + SPELT_TAGS, NAME_TAGS),
    )


def _tag_set(tail: bytes, first: int, count: int) -> frozenset[bytes]:
    step = TAG_BYTES
    return frozenset(
        tail[i : i + step] for i in range(first * step, (first + count) * step, step)
    ) - {_NO_TAG}


_Decoded = tuple[tuple[_Part, ...], tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...]]


@lru_cache(maxsize=65_536)
def _decode(encoding: str) -> _Decoded:
    bad = InvalidInput("not a name encoding of this version", where="encoding")
    prefix, _, text = encoding.partition(".") if isinstance(encoding, str) else ("", "", "")
    if prefix != VERSION:
        raise bad
    try:
        body = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise bad from None
    if len(body) < 4:
        raise bad
    count, dobs, places, years = body[0], body[1], body[2], body[3]
    end = 4 + count * _PART_SIZE
    if (
        not 1 <= count <= names.MAX_PARTS
        or dobs > 4
        or years not in (0, len(NEAR_YEARS))
        or len(body) != end + TAG_BYTES * (dobs + places + years)
    ):
        raise bad
    parts = tuple(_read_part(body[i : i + _PART_SIZE]) for i in range(4, end, _PART_SIZE))
    tags = tuple(body[i : i + TAG_BYTES] for i in range(end, len(body), TAG_BYTES))
    return parts, tags[:dobs], tags[dobs : dobs + places], tags[dobs + places :]


def _elements(bits: int) -> float:
    """The number of letter pairs in a filter, estimated from the share of bits set."""
    ones = min(bits.bit_count(), PART_BITS - 1)
    return -PART_BITS / HASHES * math.log1p(-ones / PART_BITS)


def closeness(a: int, b: int, a_length: int, b_length: int) -> float:
    """1 minus the estimated edits over the longer length, from two parts' filters and lengths.

    A substituted or transposed letter changes up to four letter pairs (two on each side), a dropped one
    three; and no fewer edits than the difference in length turn one part into the other.
    """
    differing = round(max(0.0, 2 * _elements(a | b) - _elements(a) - _elements(b)))
    edits = max(abs(a_length - b_length), math.ceil(differing / 4))
    return max(0.0, 1.0 - edits / max(a_length, b_length, 1))


def _part_similarity(a: _Part, b: _Part) -> float:
    if a.spelling == b.spelling:
        return 1.0
    near = closeness(a.pairs, b.pairs, a.length, b.length)
    same_consonants = bool(a.consonants & b.consonants)
    if a.written_arabic != b.written_arabic:  # the filters hold letters of two scripts
        if a.given_name and b.given_name:
            may_write = a.spelling in b.others or b.spelling in a.others
            return names.ACROSS_SCRIPTS if may_write else names.DISTINCT_NAMES * 0.5
        return names.ACROSS_SCRIPTS if same_consonants else 0.0
    if a.arabic and b.arabic and not a.written_arabic:
        if a.given_name and b.given_name:
            if a.spelling in b.others or b.spelling in a.others:
                return names.LATIN_SPELLINGS  # Hamit and Hamed: each may write حامد
        else:
            same = bool(a.spelt & b.spelt)
            return max(near, names.LATIN_SPELLINGS if same else 0.0)
    return names.judge(
        same=False,
        feminine=a.spelling in b.stems or b.spelling in a.stems,
        closeness=near,
        given_names=a.given_name and b.given_name,
        same_key=a.key == b.key,
    )


def _dob_evidence(
    a: tuple[bytes, ...],
    b: tuple[bytes, ...],
    a_years: tuple[bytes, ...],
    b_years: tuple[bytes, ...],
) -> float:
    if not a or not b:
        return 0.0
    shared = min(len(a), len(b), 3)
    if a[shared - 1] == b[shared - 1]:
        return names.DOB_AGREES[shared]
    if len(a) == len(b) == 4 and a[3] == b[3]:
        return 0.0  # the day and the month swapped
    if a_years and b_years and a_years[0] in b_years:
        return names.DOB_NEAR  # years of birth of an Arabic name's records near each other
    return names.DOB_CONFLICT


def _place_evidence(a: tuple[bytes, ...], b: tuple[bytes, ...]) -> float:
    if not a or not b:
        return 0.0
    return names.PLACE_AGREES if set(a) & set(b) else names.PLACE_DIFFERS


def similarity(a: str, b: str) -> float:
    """How likely two encodings (made with one secret) stand for the same person, in [0, 1]."""
    first, second = _decode(a), _decode(b)
    if (len(first[0]), [p.spelling for p in first[0]]) > (
        len(second[0]),
        [p.spelling for p in second[0]],
    ):  # one order of work for (a, b) and (b, a): the similarity is symmetric
        first, second = second, first
    (a_parts, a_dob, a_place, a_years), (b_parts, b_dob, b_place, b_years) = first, second
    a_patronymic, b_patronymic = (
        any(p.patronymic for p in a_parts),
        any(p.patronymic for p in b_parts),
    )
    longer = len(b_parts) > len(a_parts)
    ordered = all(p.arabic for p in a_parts + b_parts)
    if ordered:  # the parts of two Arabic names pair in the names' order
        a_parts, b_parts = _in_order(a_parts), _in_order(b_parts)
    total = pairing.combine(
        [[_part_similarity(x, y) for y in b_parts] for x in a_parts],
        [names.unpaired_cost(x.patronymic, b_patronymic) for x in a_parts],
        [
            names.unpaired_cost(
                y.patronymic,
                a_patronymic,
                optional=y.optional and longer,
                arabic=y.arabic and longer and y.position > 0,  # not the given name
            )
            for y in b_parts
        ],
        ([not p.optional for p in a_parts], [not p.optional for p in b_parts]) if ordered else None,
    )
    total += _dob_evidence(a_dob, b_dob, a_years, b_years) + _place_evidence(a_place, b_place)
    return min(1.0, max(0.0, total))


def _in_order(parts: tuple[_Part, ...]) -> tuple[_Part, ...]:
    return tuple(sorted(parts, key=lambda p: p.position))


def is_encoded_match(a: str, b: str) -> bool:
    """Whether two encodings probably stand for the same person (:data:`ENCODING_THRESHOLD`)."""
    return similarity(a, b) >= ENCODING_THRESHOLD
