"""Name matching for the re-interview registry (docs/name-matching.md): quality and speed.

- quality: precision and recall of the local matcher (``names.is_match``) and of the keyed Bloom
  encodings (``linkage.is_encoded_match``) on the labelled pairs in tests/vectors/name_pairs.csv, at the
  thresholds fixed in the modules;
- quality again on the Syrian-style pairs in tests/vectors/arabic_name_pairs_third.csv, the set no rule
  was tuned on;
- registry speed: one query against 100,000 records (recombined from the labelled names), Arabic names
  against Ukrainian ones in the same run (comparisons per second, and their ratio; target 0.5x);
- speed: comparisons per second of ``names.score`` on every pair of a sample of the records in that file,
  against plain ``rapidfuzz.fuzz.ratio`` on the raw name strings over the same pairs in the same run.
  Each record's name parts are prepared once, as the registry prepares a stored record once; encodings
  are made once and then compared.

Run it alone with ``python benchmarks/name_matching.py [--quick]``; ``make bench`` runs it too.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz

from benchmarks.common import ROOT, median, report
from testament.search import linkage, names
from testament.search.names import NameRecord

PAIRS = ROOT / "tests" / "vectors" / "name_pairs.csv"
ARABIC_PAIRS = ROOT / "tests" / "vectors" / "arabic_name_pairs.csv"
# The labelled Arabic set no rule was tuned on (docs/name-matching.md, "Arabic names, measured").
ACCEPTANCE = ROOT / "tests" / "vectors" / "arabic_name_pairs_third.csv"


def _pairs(path: Path = PAIRS) -> list[tuple[NameRecord, NameRecord, bool]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (
                NameRecord(row["a"], row["dob_a"] or None, row["place_a"] or None),
                NameRecord(row["b"], row["dob_b"] or None, row["place_b"] or None),
                row["same"] == "1",
            )
            for row in csv.DictReader(handle)
        ]


def _figures(decisions: Sequence[tuple[bool, bool]]) -> str:
    true_pos = sum(1 for predicted, actual in decisions if predicted and actual)
    false_pos = sum(1 for predicted, actual in decisions if predicted and not actual)
    false_neg = sum(1 for predicted, actual in decisions if actual and not predicted)
    precision = true_pos / max(true_pos + false_pos, 1)
    recall = true_pos / max(true_pos + false_neg, 1)
    return f"precision {precision:.3f}, recall {recall:.3f} ({false_pos} false, {false_neg} missed)"


def quality(path: Path = PAIRS, label: str = "Ukrainian") -> None:
    pairs = _pairs(path)
    secret = os.urandom(32)
    local = [(names.is_match(a, b), same) for a, b, same in pairs]
    encoded = [
        (linkage.is_encoded_match(linkage.encode(a, secret), linkage.encode(b, secret)), same)
        for a, b, same in pairs
    ]
    same = sum(1 for *_, label in pairs if label)
    report(
        f"name matching quality, {label}: {len(pairs)} labelled pairs ({same} same person, "
        f"{len(pairs) - same} not)",
        [
            (f"local matcher (threshold {names.MATCH_THRESHOLD})", _figures(local)),
            (f"Bloom encodings (threshold {linkage.ENCODING_THRESHOLD})", _figures(encoded)),
        ],
    )


def _rate(compare: Callable[[], int], count: int, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        compare()
        times.append(time.perf_counter() - start)
    return count / median(times)


def speed(records: int, reps: int) -> None:
    sample = [record for a, b, _ in _pairs() for record in (a, b)][:records]
    raw = [record.name for record in sample]
    secret = os.urandom(32)
    start = time.perf_counter()
    encodings = [linkage.encode(record, secret) for record in sample]
    encode_rate = len(sample) / (time.perf_counter() - start)
    for record in sample:
        names.parts(record.name)  # prepared once per record, as the registry stores them
    count = len(sample) ** 2

    def baseline() -> int:
        return sum(1 for a in raw for b in raw if fuzz.ratio(a, b) >= 82)

    def local() -> int:
        return sum(1 for a in sample for b in sample if names.is_match(a, b))

    def encoded() -> int:
        return sum(1 for a in encodings for b in encodings if linkage.is_encoded_match(a, b))

    base = _rate(baseline, count, reps)
    mine = _rate(local, count, reps)
    bloom = _rate(encoded, count, 1)
    report(
        f"name matching speed: {len(sample)} records, all {count:,} ordered pairs (median of {reps})",
        [
            ("rapidfuzz fuzz.ratio on raw strings", f"{base:,.0f} comparisons/s"),
            ("names.is_match", f"{mine:,.0f} comparisons/s ({mine / base:.3f}x the baseline)"),
            ("linkage.is_encoded_match", f"{bloom:,.0f} comparisons/s ({bloom / base:.3f}x)"),
            ("linkage.encode", f"{encode_rate:,.0f} records/s"),
        ],
    )


def _registry(path: Path, size: int) -> list[NameRecord]:
    """``size`` records recombined from the labelled names' parts, as a registry of that size holds."""
    rng = random.Random(19)
    records = [record for a, b, _ in _pairs(path) for record in (a, b)]
    words = [record.name.split() for record in records]
    built = []
    for _ in range(size):
        first, second = rng.choice(words), rng.choice(words)
        name = " ".join(first[: max(1, len(first) - 1)] + second[-1:])
        built.append(NameRecord(name, rng.choice(records).dob, None))
    return built


def registry_speed(size: int, queries: int, reps: int) -> None:
    """One query against every record of a registry, as ``registry.match`` does: Arabic against
    Ukrainian names, each registry's parts prepared once, the two timed in turn ``reps`` times in the
    same run (the median of each)."""
    prepared = {}
    for label, path in (("Ukrainian", PAIRS), ("Arabic", ARABIC_PAIRS)):
        registry = _registry(path, size)
        for record in registry:
            names.parts(record.name)
        prepared[label] = (registry, [a for a, _, _ in _pairs(path)][:queries])
    times: dict[str, list[float]] = {label: [] for label in prepared}
    for _ in range(reps):
        for label, (registry, asked) in prepared.items():
            start = time.perf_counter()
            for query in asked:
                for record in registry:
                    names.score(query, record)
            times[label].append(time.perf_counter() - start)
    rates = {label: queries * size / median(found) for label, found in times.items()}
    report(
        f"registry matching: {queries} queries against {size:,} records (median of {reps})",
        [
            ("Ukrainian names", f"{rates['Ukrainian']:,.0f} comparisons/s"),
            (
                "Arabic names",
                f"{rates['Arabic']:,.0f} comparisons/s "
                f"({rates['Arabic'] / rates['Ukrainian']:.2f}x the Ukrainian path; target 0.5x)",
            ),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller sample, for a smoke run")
    args = parser.parse_args()
    quality()
    quality(ACCEPTANCE, "Arabic (the third set, untouched by tuning)")
    speed(records=100 if args.quick else 400, reps=3)
    registry_speed(size=5_000 if args.quick else 100_000, queries=2 if args.quick else 3, reps=3)


if __name__ == "__main__":
    main()
