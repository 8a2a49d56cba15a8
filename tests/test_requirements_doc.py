"""Every requirement ID the project cites is explained in docs/requirements.md.

The IDs are those of the project's standards checklist: a family prefix and two digits (``CSO-01``,
``MC-04``, ``MTL-05``, ``PREM-04`` …), written singly or as a range (``CSO-05…08``, ``MTL-01..05``), and
the performance goals ``G1`` to ``G12``. Codes of the legal taxonomy (``CAH-MURDER``, ``CTX-CAH``) are
data, described in docs/taxonomy.md, and are not matched; nor are names such as UTF-16, SHA-256,
AES-256, RFC 9162 or weapon designations, whose prefixes are no requirement family.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "docs" / "requirements.md"
SCANNED = (
    "src",
    "tests",
    "docs",
    "benchmarks",
    "scripts",
    "README.md",
    "CHANGELOG.md",
    "pyproject.toml",
    "Makefile",
)
SKIPPED_DIRS = {"vendor", "scratch", "__pycache__", "node_modules"}
BINARY_SUFFIXES = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".ico",
    ".webp",
    ".woff",
    ".woff2",
    ".mo",
    ".gz",
    ".zip",
}

# The requirement families of the standards checklist, by source: ICC-OTP/Eurojust guidelines for civil
# society (CSO), Berkeley Protocol (BP), Murad Code (MC), OTPLink (OTP), ICC e-Court protocol (ECP),
# legal data model (LEG), HURIDOCS (HUR), BagIt (BAG), WARC, WACZ, hashing policy (HASH), RFC 3161 (TSP),
# RFC 9162 Merkle log (MTL), C2PA, PREMIS (PREM), Dublin Core (DC).
FAMILIES = (
    "CSO", "BP", "MC", "OTP", "ECP", "LEG", "HUR", "BAG", "WARC", "WACZ", "HASH", "TSP", "MTL", "C2PA",
    "PREM", "DC",
)  # fmt: skip
FAMILY_ID = re.compile(
    r"(?<![\w-])(" + "|".join(FAMILIES) + r")-(\d{2})(?:(?:\.\.|…|–)(\d{2}))?(?![\w-])"
)
GOAL_ID = re.compile(r"(?<![\w-])G(1[0-2]|[1-9])(?![\w-])")
# An entry of docs/requirements.md: a list item that opens with the ID in bold.
ENTRY = re.compile(r"^- \*\*([A-Z0-9]+-\d{2}|G\d{1,2})\*\*:", re.M)


def cited_ids(text: str) -> set[str]:
    """Every requirement ID in ``text``, ranges expanded (``CSO-05…08`` → CSO-05, 06, 07, 08)."""
    found: set[str] = set()
    for family, first, last in FAMILY_ID.findall(text):
        for number in range(int(first), int(last or first) + 1):
            found.add(f"{family}-{number:02d}")
    found.update(f"G{number}" for number in GOAL_ID.findall(text))
    return found


def _files() -> Iterator[Path]:
    for name in SCANNED:
        top = ROOT / name
        if top.is_file():
            yield top
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(
                d
                for d in dirs
                if d not in SKIPPED_DIRS and not d.startswith(".") and not d.endswith(".egg-info")
            )
            for file in sorted(files):
                path = Path(folder, file)
                if path.suffix.lower() not in BINARY_SUFFIXES:
                    yield path


def _citations() -> dict[str, set[str]]:
    """ID → the files (relative to the project) that cite it."""
    cited: dict[str, set[str]] = {}
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for requirement in cited_ids(text):
            cited.setdefault(requirement, set()).add(path.relative_to(ROOT).as_posix())
    return cited


def _entries() -> list[str]:
    return ENTRY.findall(REQUIREMENTS.read_text(encoding="utf-8"))


def test_every_cited_requirement_is_explained() -> None:
    explained = set(_entries())
    missing = {
        requirement: sorted(where)
        for requirement, where in sorted(_citations().items())
        if requirement not in explained
    }
    assert not missing, "cited but not explained in docs/requirements.md:\n" + "\n".join(
        f"  {requirement}: {', '.join(where)}" for requirement, where in missing.items()
    )


def test_each_entry_is_one_requirement_id_once() -> None:
    entries = _entries()
    assert entries, "docs/requirements.md has no entries"
    assert len(entries) == len(set(entries)), "an ID has two entries"
    for entry in entries:
        assert cited_ids(entry) == {entry}, f"{entry} is not a requirement ID"


def test_the_id_pattern_finds_ids_and_nothing_else() -> None:
    bogus = "CSO-" + "99"
    text = (
        f"see {bogus}, MTL-01..03 and MC-04…05 (G5, G12); not UTF-16, SHA-256, SHA-512, AES-256, "
        "RFC-9162, RFC 3161, KN-24, OTR-21, BM-30, B-16, W-17, G13, CAH-MURDER, CTX-WC-CA3, "
        "P-7KQ2MX or ERN ICC-OTP-0001-0001"
    )
    assert cited_ids(text) == {bogus, "MTL-01", "MTL-02", "MTL-03", "MC-04", "MC-05", "G5", "G12"}


def test_no_pointer_to_a_checklist_outside_the_project() -> None:
    """A fresh clone has only docs/requirements.md, so nothing sends readers to the standards file."""
    outside = re.compile(r"standards\.md|shared/reference|reference/(?:anchors|performance)\.md")
    me = Path(__file__).resolve()
    pointing = [
        path.relative_to(ROOT).as_posix()
        for path in _files()
        if path.resolve() != me
        and path.suffix.lower() not in BINARY_SUFFIXES
        and outside.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not pointing, pointing
