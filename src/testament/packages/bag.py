"""BagIt (RFC 8493) structure of a package: writing its tag files, and checking them (verifier steps 1, 2).

Standard library only. The builder already holds every payload file's SHA-256 (the originals' are
their vault addresses; the rest are hashed as they are written), so it writes the manifests itself:
``bagit.make_bag`` would read and hash every original again. The checks here read each payload file
once, in chunks, with :func:`hashlib.file_digest`-sized buffers; ``bagit.py --validate`` (the Library of
Congress tool) accepts the same bags, and the test suite runs it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol
from zipfile import BadZipFile

from testament.packages import layout
from testament.packages.reader import Reader, Unsafe, chunks, read_small

BAGIT_TXT = f"BagIt-Version: {layout.BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST = "manifest-sha256.txt"
TAG_MANIFEST = "tagmanifest-sha256.txt"
TAG_FILES = ("bagit.txt", "bag-info.txt", MANIFEST, layout.PROFILE_TAG_FILE)
BAGIT_FIELDS = (
    "Source-Organization",
    "Bagging-Date",
    "Payload-Oxum",
    "External-Identifier",
    "BagIt-Profile-Identifier",
)
_DIGEST = re.compile(r"[0-9a-f]{64}")


class Finding(Protocol):
    status: str

    def fail(self, message: str, file: str | None = None, *, status: str = ...) -> None: ...

    def note(self, message: str) -> None: ...


@dataclass
class Contents:
    """What the tag files say a package holds."""

    info: dict[str, str]
    manifest: dict[str, str]  # payload path -> SHA-256
    sizes: dict[str, int] = field(default_factory=dict)


def encode_path(path: str) -> str:
    """A manifest path: CR, LF and % percent-encoded (RFC 8493 §2.1.3)."""
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def decode_path(text: str) -> str:
    return (
        text.replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%25", "%")
    )


def manifest_text(digests: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{digest}  {encode_path(path)}\n" for path, digest in sorted(digests))


def bag_info_text(fields: Mapping[str, str]) -> str:
    return "".join(f"{label}: {value}\n" for label, value in fields.items())


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _parse_info(text: str) -> dict[str, str]:
    info: dict[str, str] = {}
    label = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and label is not None:
            info[label] += " " + line.strip()
            continue
        label, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"a line without a label: {line[:60]!r}")
        label = label.strip()
        info[label] = value.strip()
    return info


def _parse_manifest(text: str, name: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, _, path_text = line.partition(" ")
        path = decode_path(path_text.strip())
        if not _DIGEST.fullmatch(digest) or not path:
            raise ValueError(f"line {number} is not '<sha256> <path>'")
        parts = path.split("/")
        if path.startswith("/") or ".." in parts or "\\" in path:
            raise Unsafe("a manifest path that leaves the package", f"{name} line {number}")
        if path in entries:
            raise ValueError(f"line {number} lists {path} a second time")
        entries[path] = digest
    return entries


def _text(reader: Reader, name: str) -> str:
    return read_small(reader, name).decode("utf-8")


def check_bag(reader: Reader, step: Finding) -> Contents | None:
    """Step 1: the tag files are there and well formed, the manifest lists exactly the payload files,
    Payload-Oxum agrees, the profile is Testament's and the tag manifest matches the tag files."""
    names = set(reader.names())
    for required in (*TAG_FILES, TAG_MANIFEST):
        if required not in names:
            step.fail(f"{required} is missing", required)
    if "fetch.txt" in names:
        step.fail("fetch.txt is present: a package holds all its files", "fetch.txt")
    if not all(required in names for required in (*TAG_FILES, TAG_MANIFEST)):
        return None
    try:
        if _text(reader, "bagit.txt") != BAGIT_TXT:
            step.fail(
                f"bagit.txt does not declare BagIt {layout.BAGIT_VERSION} in UTF-8", "bagit.txt"
            )
        info = _parse_info(_text(reader, "bag-info.txt"))
        manifest = _parse_manifest(_text(reader, MANIFEST), MANIFEST)
        tags = _parse_manifest(_text(reader, TAG_MANIFEST), TAG_MANIFEST)
    except (ValueError, UnicodeDecodeError) as exc:
        step.fail(f"a tag file is malformed: {exc}")
        return None
    contents = Contents(info, manifest, {name: reader.size(name) for name in names})
    _check_info(info, step)
    _check_listing(names, contents, step)
    _check_tags(reader, tags, step)
    return contents


def _check_info(info: Mapping[str, str], step: Finding) -> None:
    for label in (*BAGIT_FIELDS, *layout.INFO_FIELDS):
        if not info.get(label):
            step.fail(f"bag-info.txt has no {label}", "bag-info.txt")
    profile = info.get("BagIt-Profile-Identifier")
    if profile and profile != layout.PROFILE_IDENTIFIER:
        step.fail(f"the bag follows another profile ({profile})", "bag-info.txt")


def _holds(name: str) -> bool:
    """Whether a Testament package holds a file at ``name`` (every other file is foreign to it)."""
    if name in (*TAG_FILES, TAG_MANIFEST, *layout.DESCRIBED, *layout.CUSTODY_FILES):
        return True
    parts = name.split("/")
    if name.startswith(layout.ORIGINALS + "/"):
        return len(parts) == 4 and bool(_DIGEST.fullmatch(parts[2])) and bool(parts[3])
    if name.startswith(layout.TESTIMONIES + "/"):
        return len(parts) == 4 and parts[3] == "testimony.json"
    return name.startswith(layout.PROOFS + "/") and len(parts) == 4


def _check_listing(names: set[str], contents: Contents, step: Finding) -> None:
    for foreign in sorted(name for name in names if not _holds(name)):
        step.fail(f"{foreign} is not a file a Testament package holds (added)", foreign)
    payload = {name for name in names if name.startswith("data/")}
    for missing in sorted(set(contents.manifest) - payload):
        step.fail(f"{missing} is listed in the manifest but missing from the package", missing)
    for extra in sorted(payload - set(contents.manifest)):
        step.fail(f"{extra} is in the package but not in the manifest (added)", extra)
    for required in (layout.PACKAGE_INFO, layout.ENTRIES, layout.CHECKPOINT, layout.WITHHELD):
        if required not in contents.manifest:
            step.fail(f"{required} is missing: every package holds it", required)
    oxum = contents.info.get("Payload-Oxum", "")
    octets, _, count = oxum.partition(".")
    present = [name for name in payload if name in contents.manifest]
    actual = (sum(contents.sizes[name] for name in present), len(present))
    if (octets, count) != (str(actual[0]), str(actual[1])):
        step.fail(
            f"Payload-Oxum says {oxum} but the payload holds {actual[0]}.{actual[1]} (bytes.files)",
            "bag-info.txt",
        )


def _check_tags(reader: Reader, tags: Mapping[str, str], step: Finding) -> None:
    for name in TAG_FILES:
        if name not in tags:
            step.fail(f"{TAG_MANIFEST} does not cover {name}", TAG_MANIFEST)
    names = set(reader.names())
    for name, digest in sorted(tags.items()):
        if name not in names:
            step.fail(f"{name} is listed in {TAG_MANIFEST} but missing", name)
        elif hashlib.sha256(read_small(reader, name)).hexdigest() != digest:
            step.fail(f"{name} does not match its digest in {TAG_MANIFEST} (altered)", name)


HASHERS = min(4, os.cpu_count() or 1)  # files hashed at once: hashlib lets go of the interpreter


def _digest(reader: Reader, name: str) -> str | Exception:
    hasher = hashlib.sha256()
    try:
        for block in chunks(reader, name):
            hasher.update(block)
    except (OSError, BadZipFile) as exc:
        return exc
    return hasher.hexdigest()


def check_payload(reader: Reader, contents: Contents, step: Finding) -> None:
    """Step 2: every payload file, read in full, has the SHA-256 its manifest line records.

    Files are hashed :data:`HASHERS` at a time, each in 1 MiB chunks, so memory stays bounded."""
    names = [
        name for name in sorted(contents.manifest) if name in contents.sizes
    ]  # missing: step 1
    with ThreadPoolExecutor(max_workers=HASHERS) as pool:
        for name, found in zip(names, pool.map(lambda n: _digest(reader, n), names), strict=True):
            if isinstance(found, Exception):
                step.fail(f"{name} cannot be read: {found}", name)
            elif found != contents.manifest[name]:
                step.fail(
                    f"{name} does not match its recorded SHA-256 (its bytes were changed)", name
                )
    step.note(f"{len(names)} files checked")
