"""Verifier steps 3 to 8: the custody excerpt, its proofs and checkpoint, and what the package claims.

Standard library, :mod:`testament.ledger` and, for step 6, :mod:`testament.ledger.timestamps`
(``rfc3161-client``) only (see :mod:`testament.packages.verifier`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from testament.errors import TestamentError
from testament.ledger import checkpoint as notes
from testament.ledger import merkle, proofs, timestamps
from testament.ledger.keys import VerifierKey
from testament.packages import layout
from testament.packages.bag import Contents, Finding
from testament.packages.reader import Reader, read_small

_PROOF_NAME = re.compile(re.escape(layout.PROOFS) + r"/(0|[1-9][0-9]*)\.tlog-proof")
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass
class Head:
    """The package's checkpoint, as read (its signature is step 4's), and its parsed entries."""

    text: str
    checkpoint: notes.Checkpoint
    entries: list[dict[str, Any]] = field(default_factory=list)
    indexes: list[int] = field(default_factory=list)  # each entry's log index


def _checkpoint(reader: Reader, contents: Contents, step: Finding) -> Head | None:
    if layout.CHECKPOINT not in contents.sizes:
        step.fail("the package holds no checkpoint", layout.CHECKPOINT)
        return None
    try:
        text = read_small(reader, layout.CHECKPOINT).decode("utf-8")
        body, _ = notes.split_note(text)
        head = notes.parse_body(body)
    except (UnicodeDecodeError, TestamentError) as exc:
        what = exc.what if isinstance(exc, TestamentError) else "not UTF-8 text"
        step.fail(f"the checkpoint cannot be read: {what}", layout.CHECKPOINT)
        return None
    if head.origin != contents.info.get(layout.LOG_ORIGIN):
        step.fail(f"the checkpoint is of the log {head.origin!r}, not of the one bag-info.txt names",
                  layout.CHECKPOINT)  # fmt: skip
    if str(head.size) != contents.info.get(layout.CHECKPOINT_SIZE):
        step.fail(f"the checkpoint's size {head.size} is not the one bag-info.txt names",
                  layout.CHECKPOINT)  # fmt: skip
    return Head(text, head)


def _proof_files(contents: Contents, step: Finding) -> list[tuple[int, str]]:
    found = []
    for name in contents.sizes:
        if name.startswith(layout.PROOFS + "/"):
            match = _PROOF_NAME.fullmatch(name)
            if match is None:
                step.fail(f"{name} is not named <log index>.tlog-proof", name)
            else:
                found.append((int(match.group(1)), name))
    return sorted(found)


def check_entries(reader: Reader, contents: Contents, step: Finding) -> Head | None:
    """Step 3: each line of entries.jsonl, hashed as a log leaf, is proved included at the index its
    proof file names, under the package's checkpoint; every proof carries that same checkpoint."""
    head = _checkpoint(reader, contents, step)
    if head is None or layout.ENTRIES not in contents.sizes:
        return None
    data = read_small(reader, layout.ENTRIES)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    found = _proof_files(contents, step)
    if len(found) != len(lines):
        step.fail(f"entries.jsonl has {len(lines)} entries but the package holds {len(found)} proofs",
                  layout.ENTRIES)  # fmt: skip
    for number, ((index, name), line) in enumerate(zip(found, lines, strict=False), start=1):
        if _proved(reader, head, (index, name), line, step):
            head.entries.append(_parsed(line, number, step))
            head.indexes.append(index)
    step.note(
        f"{len(head.entries)} entries proved under the checkpoint of size {head.checkpoint.size}"
    )
    return head


def _proved(
    reader: Reader, head: Head, proof_file: tuple[int, str], line: bytes, step: Finding
) -> bool:
    index, name = proof_file
    try:
        proof = proofs.parse(read_small(reader, name).decode("utf-8"))
    except (UnicodeDecodeError, TestamentError):
        step.fail(f"{name} is not a c2sp.org/tlog-proof", name)
        return False
    if proof.index != index or proof.checkpoint_note != head.text:
        step.fail(f"{name} proves another index or carries another checkpoint", name)
        return False
    cp = head.checkpoint
    try:
        merkle.verify_inclusion(merkle.leaf_hash(line), index, cp.size, proof.path, cp.root_hash)
    except merkle.ProofError:
        step.fail(f"entry {index} (entries.jsonl) is not proved by {name}: the entry or its proof "
                  "was altered", name)  # fmt: skip
        return False
    return True


def _parsed(line: bytes, number: int, step: Finding) -> dict[str, Any]:
    try:
        entry = json.loads(line)
    except ValueError:
        entry = None
    if not isinstance(entry, dict):
        step.fail(f"line {number} of entries.jsonl is not a JSON object", layout.ENTRIES)
        return {}
    return entry


def check_signature(reader: Reader, head: Head, key: VerifierKey, step: Finding) -> None:
    """Step 4: the checkpoint carries a valid Ed25519 signature by the key the recipient trusts."""
    try:
        notes.verify(head.text, key)
    except TestamentError as exc:
        step.fail(f"{exc.what} (trusted key {key.name}+{key.key_id.hex()})", layout.CHECKPOINT)
        return
    step.note(f"signed by {key.name}+{key.key_id.hex()}")
    try:
        packaged = read_small(reader, layout.VERIFIER_KEY).decode("utf-8").strip()
    except (KeyError, OSError, UnicodeDecodeError):
        packaged = ""
    if packaged != key.encode():
        step.note("the package's own log.vkey is not the trusted key; the trusted key decides")


def check_consistency(
    reader: Reader,
    contents: Contents,
    head: Head,
    key: VerifierKey,
    *,
    since: str | None,
    step: Finding,
) -> None:
    """Step 5: with a checkpoint the recipient already holds, the package's log extends that log."""
    if since is None:
        step.note("no earlier checkpoint was given: nothing to compare")
        return
    try:
        old = notes.verify(since, key)
    except TestamentError as exc:
        step.fail(f"the checkpoint you hold cannot be used: {exc.what}", status="undecided")
        return
    new = head.checkpoint
    if old.size == new.size:
        if old.root_hash != new.root_hash:
            step.fail("the package's checkpoint has the size of yours but another root: the log "
                      "was rewritten", layout.CHECKPOINT)  # fmt: skip
        return
    if old.size > new.size:
        step.fail(f"the package's checkpoint (size {new.size}) is older than yours (size "
                  f"{old.size}); ask for a package built from the current log", status="undecided")  # fmt: skip
        return
    path = _consistency_path(reader, contents, old.size, new.size, step)
    if path is None:
        return
    try:
        merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, path)
    except merkle.ProofError:
        step.fail(f"the log of size {new.size} is not an extension of yours (size {old.size}): "
                  "entries you were shown were changed or removed", layout.CONSISTENCY)  # fmt: skip
        return
    step.note(f"the log grew from {old.size} to {new.size} entries without changing any")


def _consistency_path(
    reader: Reader, contents: Contents, old: int, new: int, step: Finding
) -> list[bytes] | None:
    if layout.CONSISTENCY not in contents.sizes:
        step.fail(f"the package has no consistency proof from size {old}; ask the sender to build "
                  "it with --since-checkpoint", status="undecided")  # fmt: skip
        return None
    lines = read_small(reader, layout.CONSISTENCY).decode("utf-8", "replace").splitlines()
    if lines[:3] != [layout.CONSISTENCY_HEADER, f"old {old}", f"new {new}"]:
        step.fail(f"consistency.txt is not a proof from size {old} to {new}", layout.CONSISTENCY)
        return None
    try:
        return [base64.b64decode(line, validate=True) for line in lines[3:]]
    except binascii.Error:
        step.fail("consistency.txt holds a line that is not a base64 hash", layout.CONSISTENCY)
        return None


def check_timestamp(reader: Reader, contents: Contents, head: Head, step: Finding) -> bool:
    """Step 6: an RFC 3161 token over the checkpoint's bytes, if the package carries one: its message
    imprint is SHA-256 of the checkpoint file, and it verifies under ``tsa-chain.pem`` (root last)."""
    declared = contents.info.get(layout.TRUSTED_TIMESTAMP)
    present = layout.TIMESTAMP in contents.sizes
    if not present:
        if declared != "none":
            step.fail("bag-info.txt says the package has a trusted timestamp, but it has none",
                      layout.TIMESTAMP)  # fmt: skip
        step.note("no trusted timestamp: the package is still valid, and its time rests on the "
                  "sender's signed checkpoint")  # fmt: skip
        return False
    if declared != "rfc3161":
        step.fail("the package holds an RFC 3161 token, but bag-info.txt says it has none",
                  layout.TIMESTAMP)  # fmt: skip
    if layout.TSA_CHAIN not in contents.sizes:
        step.fail("the package holds an RFC 3161 token but not the TSA's certificate chain",
                  layout.TSA_CHAIN)  # fmt: skip
        return False
    try:
        checked = timestamps.check(
            read_small(reader, layout.TIMESTAMP),
            read_small(reader, layout.CHECKPOINT),
            read_small(reader, layout.TSA_CHAIN),
        )
    except timestamps.TimestampError as exc:
        step.fail(f"{layout.TIMESTAMP}: {exc}", layout.TIMESTAMP)
        return False
    step.note(f"the checkpoint was stamped at {checked.gen_time.isoformat()} by {checked.tsa}")
    step.note(f"the TSA's root is {checked.root} (SHA-256 fingerprint {checked.root_sha256}): "
              "compare it with that of the TSA you trust")  # fmt: skip
    return True


def _originals(contents: Contents, step: Finding) -> dict[str, str]:
    """Each original's digest, from its path ``data/originals/<sha256>/<name>``, and its path."""
    found: dict[str, str] = {}
    for name, digest in contents.manifest.items():
        if not name.startswith(layout.ORIGINALS + "/"):
            continue
        parts = name.split("/")
        if len(parts) != 4 or not _DIGEST.fullmatch(parts[2]):
            step.fail(f"{name} is not at originals/<sha256>/<name>", name)
        elif parts[2] != digest:
            step.fail(f"{name} is filed under another digest than its own", name)
        elif digest in found:
            step.fail(f"{name}: the package holds this original twice", name)
        else:
            found[digest] = name
    return found


# The entries that bring content into the vault (docs/processing.md, "Custody").
ARRIVALS = frozenset({"ingestion", "capture", "unpacking"})


def _brought_in(entry: dict[str, Any]) -> bool:
    if entry.get("type") in ARRIVALS:
        return True
    detail = entry.get("detail")
    return (
        entry.get("type") == "creation"
        and isinstance(detail, dict)
        and detail.get("object") == "derivative"
    )


def check_originals(reader: Reader, contents: Contents, head: Head, step: Finding) -> None:
    """Step 7: every original's digest is that of a proved entry that brought it into the vault (its
    ingestion; or the capture of a web page, the unpacking of an archive's member, the creation of a
    derivative by processing), and the package's own disclosure entry names exactly the originals it
    holds, the digest of every metadata and testimony file, the other entries of the excerpt, and the
    recipient and purpose bag-info.txt states."""
    originals = _originals(contents, step)
    ingested = {e.get("sha256") for e in head.entries if _brought_in(e)}
    for digest, name in sorted(originals.items()):
        if digest not in ingested:
            step.fail(f"{name} has no proved ingestion entry", name)
    package_id = contents.info.get("External-Identifier")
    found = [
        (index, e["detail"]) for index, e in zip(head.indexes, head.entries, strict=True)
        if e.get("type") == "disclosure" and isinstance(e.get("detail"), dict)
        and e["detail"].get("package") == package_id
    ]  # fmt: skip
    if len(found) != 1:
        step.fail(f"the custody entries hold {len(found)} disclosures of package "
                  f"{package_id}, not one", layout.ENTRIES)  # fmt: skip
        return
    index, detail = found[0]
    named = detail.get("items")
    if not isinstance(named, list) or sorted(named) != sorted(originals):
        step.fail("the disclosure entry does not name exactly the originals in the package",
                  layout.ENTRIES)  # fmt: skip
        return
    _check_described(contents, detail, step)
    others = [i for i in head.indexes if i != index]
    if detail.get("entries") != layout.entries_commitment(others):
        step.fail("the custody entries are not those the disclosure entry names (one was left out "
                  "or added)", layout.ENTRIES)  # fmt: skip
    _check_stated(reader, contents, detail, step)
    if step.status == "passed":
        step.note(f"{len(originals)} originals, each ingested and named in the disclosure, with "
                  "every metadata file and custody entry it names")  # fmt: skip


def _check_described(contents: Contents, detail: dict[str, Any], step: Finding) -> None:
    described = detail.get("metadata")
    described = described if isinstance(described, dict) else {}
    told = [name for name in contents.manifest if name.startswith(layout.TESTIMONIES + "/")]
    for path in (*layout.DESCRIBED, *told):
        if described.get(path) != contents.manifest.get(path):
            step.fail(f"{path} is not a file the disclosure entry names (it was altered or added)",
                      path)  # fmt: skip


def _check_stated(
    reader: Reader, contents: Contents, detail: dict[str, Any], step: Finding
) -> None:
    """bag-info.txt must say what the signed entry and the signed package.json say."""
    stated = {
        layout.RECIPIENT: detail.get("recipient"),
        layout.RECIPIENT_CLASS: detail.get("recipient_class"),
        layout.PURPOSE: detail.get("purpose"),
    }
    try:
        package = json.loads(read_small(reader, layout.PACKAGE_INFO))
    except (KeyError, ValueError):
        package = {}
    if isinstance(package, dict):
        stated |= {layout.CASE: package.get("case"),
                   "Source-Organization": package.get("source_organization")}  # fmt: skip
    for label, value in stated.items():
        if contents.info.get(label) != value:
            step.fail(f"bag-info.txt's {label} is not what the signed disclosure and package.json "
                      "say", "bag-info.txt")  # fmt: skip


def _jsonl(
    reader: Reader, contents: Contents, name: str, step: Finding
) -> Iterator[dict[str, Any]]:
    """The objects of a JSON Lines file, one at a time (a bad line is a finding, not a crash)."""
    if name not in contents.sizes:
        return
    for number, line in enumerate(read_small(reader, name).splitlines(), start=1):
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            value = None
        if not isinstance(value, dict):
            step.fail(f"line {number} of {name} is not a JSON object", name)
            continue
        yield value


def check_withheld(reader: Reader, contents: Contents, step: Finding) -> None:
    """Step 8: what the package says it left out is indeed absent, each with a known reason, and each
    item described in items.jsonl is in the package, at the path items.jsonl gives it."""
    originals = {name: name.split("/")[2] for name in contents.manifest
                 if name.startswith(layout.ORIGINALS + "/") and name.count("/") == 3}  # fmt: skip
    digests = set(originals.values())
    told = {
        name.split("/")[2]
        for name in contents.manifest
        if name.startswith(layout.TESTIMONIES + "/")
    }
    for number, line in enumerate(_jsonl(reader, contents, layout.WITHHELD, step), start=1):
        where = f"{layout.WITHHELD} line {number}"
        if line.get("reason") not in layout.WITHHELD_REASONS:
            step.fail(f"{where} gives no known reason ({', '.join(layout.WITHHELD_REASONS)})",
                      layout.WITHHELD)  # fmt: skip
        if line.get("kind") == "item" and str(line.get("sha256")) in digests:
            step.fail(f"{where} says an item was withheld, but its original is in the package",
                      layout.WITHHELD)  # fmt: skip
        if line.get("kind") == "testimony" and str(line.get("id")) in told:
            step.fail(f"{where} says a testimony was withheld, but it is in the package",
                      layout.WITHHELD)  # fmt: skip
    paths = {str(line.get("path")) for line in _jsonl(reader, contents, layout.ITEMS, step)}
    for path in sorted(paths - set(originals)):
        step.fail(f"items.jsonl places an original at {path}, which the package does not hold",
                  layout.ITEMS)  # fmt: skip
    for path in sorted(set(originals) - paths):
        step.fail(f"{path} is not where items.jsonl places any original (renamed or added)", path)
