"""The fixed layout of an evidence package, shared by the builder and the stand-alone verifier.

Standard library only: the verifier imports it in an environment that holds nothing of Testament's
own dependencies. ``docs/packages.md`` describes every path; the BagIt profile that names the required
fields is ``profile.json`` beside this module, and every bag carries a copy of it as a tag file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

BAGIT_VERSION = "1.0"
PROFILE_IDENTIFIER = "urn:testament:bagit-profile:evidence-package:v1"
PROFILE_TAG_FILE = "testament-profile.json"

ORIGINALS = "data/originals"
METADATA = "data/metadata"
PACKAGE_INFO = "data/metadata/package.json"
ITEMS = "data/metadata/items.jsonl"
INCIDENTS = "data/metadata/incidents.jsonl"
SOURCES = "data/metadata/sources.jsonl"
ECOURT_CSV = "data/metadata/ecourt.csv"
ECOURT_XLSX = "data/metadata/ecourt.xlsx"
CUSTODY = "data/custody"
ENTRIES = "data/custody/entries.jsonl"
PROOFS = "data/custody/proofs"
CHECKPOINT = "data/custody/checkpoint"
VERIFIER_KEY = "data/custody/log.vkey"
CONSISTENCY = "data/custody/consistency.txt"
PREMIS = "data/custody/premis.xml"

TIMESTAMP = "data/timestamps/checkpoint.tsr"
TSA_CHAIN = "data/timestamps/tsa-chain.pem"
WITHHELD = "data/withheld.jsonl"
TESTIMONIES = "data/testimonies"
# The files the disclosure entry names by digest, so that the signed log covers them as it covers the
# originals: an attacker who edits one and rebuilds the manifests fails verifier step 7.
DESCRIBED = (PACKAGE_INFO, ITEMS, ECOURT_CSV, ECOURT_XLSX, INCIDENTS, SOURCES, WITHHELD, PREMIS)
# What else a package may hold under data/ (besides originals and testimonies), and at its top.
CUSTODY_FILES = (ENTRIES, CHECKPOINT, VERIFIER_KEY, CONSISTENCY, TIMESTAMP, TSA_CHAIN)

# bag-info.txt: the profile requires these, beside BagIt's own Source-Organization, Bagging-Date,
# Payload-Oxum and External-Identifier (the package ID).
RECIPIENT = "Testament-Recipient"
RECIPIENT_CLASS = "Testament-Recipient-Class"
PURPOSE = "Testament-Purpose"
CASE = "Testament-Case"
LOG_ORIGIN = "Testament-Log-Origin"
CHECKPOINT_SIZE = "Testament-Checkpoint-Size"
TRUSTED_TIMESTAMP = "Testament-Trusted-Timestamp"  # "rfc3161" or "none"
INFO_FIELDS = (
    RECIPIENT,
    RECIPIENT_CLASS,
    PURPOSE,
    CASE,
    LOG_ORIGIN,
    CHECKPOINT_SIZE,
    TRUSTED_TIMESTAMP,
)

WITHHELD_REASONS = ("consent", "restriction", "redaction")

CONSISTENCY_HEADER = "testament-consistency-proof v1"

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_MAX_NAME_BYTES = 200


def safe_name(name: str) -> str:
    """A file name that is safe on any filesystem a recipient may unpack to.

    Separators, control and reserved characters become ``_``; leading dots and spaces go (no hidden
    file, no ``..``); the name is cut to 200 UTF-8 bytes, keeping its extension. The original name
    is kept, unchanged, in ``items.jsonl``.
    """
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).lstrip(". ").rstrip(" .")
    if not cleaned:
        return "original"
    if len(cleaned.encode("utf-8")) <= _MAX_NAME_BYTES:
        return cleaned
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or len(extension.encode("utf-8")) > 16:
        stem, extension = cleaned, ""
    room = _MAX_NAME_BYTES - len(extension.encode("utf-8")) - (1 if extension else 0)
    cut = stem.encode("utf-8")[:room].decode("utf-8", "ignore")
    return f"{cut}.{extension}" if extension else cut


def original_path(sha256: str, name: str) -> str:
    return f"{ORIGINALS}/{sha256}/{safe_name(name)}"


def proof_path(index: int) -> str:
    return f"{PROOFS}/{index}.tlog-proof"


def consistency_text(old_size: int, new_size: int, hashes: list[str]) -> str:
    """``consistency.txt``: the header, ``old N``, ``new M``, then one base64 hash a line."""
    return "\n".join([CONSISTENCY_HEADER, f"old {old_size}", f"new {new_size}", *hashes]) + "\n"


def entries_commitment(indexes: Sequence[int]) -> dict[str, object]:
    """What the disclosure entry says of the excerpt's other entries: how many, and the SHA-256 of
    their log indexes in order, one decimal a line. A verifier recomputes it from the proof files, so
    an entry left out (an access, a link) is noticed."""
    text = "".join(f"{index}\n" for index in sorted(indexes))
    return {"count": len(indexes), "sha256": hashlib.sha256(text.encode("ascii")).hexdigest()}
