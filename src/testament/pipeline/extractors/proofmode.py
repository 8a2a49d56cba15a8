"""ProofMode bundles: each media file's SHA-256 and OpenPGP signatures, checked with GnuPG.

ProofMode (Guardian Project) shares a zip that holds the media, a proof per media file
(``<key>.proof.json`` and/or ``<key>.proof.csv``, where ``<key>`` is the media's SHA-256 or, in older
bundles, its file name), the media's detached signature ``<key>.asc``, the proof's signature
``<key>.proof.json.asc`` (or ``.proof.csv.asc``) and the device's public key ``pubkey.asc``.

For each proof, three checks: (a) the media's SHA-256 equals the proof's ``File Hash SHA256``;
(b) the media's signature verifies with the bundled key; (c) the proof's signature does. All three
pass: ``valid``; anything else: ``invalid``, with the reasons in ``problems``. A bundled key proves
only that the bundle is self-consistent: who holds the key is for an analyst to establish from
``key_fingerprint``.

Members are read within :class:`Caps` (the media streamed, the proof, signatures and key whole)
and within the extraction's time limit, and nothing is extracted by its member name: GnuPG reads copies written under
``work`` with fixed names, in a keyring of their own per public key. The proof's device fields
(device ID, network, IP addresses, cell information, file path) are never recorded; only its
times and its location, which stays a suggestion.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import posixpath
import re
import time
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from testament.pipeline.extractors.base import ExtractionFailed, Limits, Observation, run_tool

KIND = "proofmode"
HASH_FIELD = "File Hash SHA256"
PUBKEY = "pubkey.asc"
PROOF_SUFFIXES = (".proof.json", ".proof.csv")
# Members that are never the media a proof covers.
_NOT_MEDIA = (".asc", ".proof.json", ".proof.csv", ".ots", ".gst")
_NOT_MEDIA_NAMES = frozenset({PUBKEY, "howtoverifyproofdata.txt"})
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Proof fields kept, under the names the observation gives them.
_TIMES = {"Proof Generated": "proof_generated", "File Modified": "file_modified"}
_LOCATION = {
    "Location.Latitude": "latitude",
    "Location.Longitude": "longitude",
    "Location.Altitude": "altitude",
    "Location.Accuracy": "accuracy",
    "Location.Time": "time",
    "Location.Provider": "provider",
}
_VALUE_CHARS = 200
_MAX_MEMBERS = 10_000
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Caps:
    """How much of a bundle is read: each media member (streamed) and each small file."""

    media_bytes: int = 1024**3
    text_bytes: int = 1024**2


class _Deadline:
    """The extraction's time limit, checked while members are streamed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise ExtractionFailed(f"ProofMode check did not finish within {self.seconds:g} s")
        return left


@dataclass
class _Check:
    """One proof's checks, as they are found."""

    proof: str
    media: str | None = None
    recorded_sha256: str | None = None
    sha256: str | None = None
    media_signature: str = "missing"
    proof_signature: str = "missing"
    key_fingerprint: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def observation(self) -> Observation:
        matches = self.sha256 is not None and self.sha256 == self.recorded_sha256
        good = matches and self.media_signature == self.proof_signature == "good"
        detail: dict[str, Any] = {
            "media": self.media,
            "proof": self.proof,
            "recorded_sha256": self.recorded_sha256,
            "sha256": self.sha256,
            "sha256_matches": matches,
            "media_signature": self.media_signature,
            "proof_signature": self.proof_signature,
            "key_fingerprint": self.key_fingerprint,
            **self.fields,
            "problems": self.problems,
        }
        return Observation(kind=KIND, status="valid" if good else "invalid", detail=detail)


def is_bundle(names: Sequence[str]) -> bool:
    """Whether a zip with these member names is a ProofMode bundle (it holds a proof file)."""
    return any(name.lower().endswith(PROOF_SUFFIXES) for name in names)


def check_bundle(source: Path, work: Path, limits: Limits, caps: Caps) -> list[Observation]:
    """One ``proofmode`` observation per proof in the zip ``source``; none when it is not a bundle.

    Raises :class:`ExtractionFailed` for a zip that cannot be read or a check past the time limit."""
    deadline = _Deadline(limits.timeout_s)
    try:
        with zipfile.ZipFile(source) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if len(members) > _MAX_MEMBERS:
                raise ExtractionFailed(f"zip holds more than {_MAX_MEMBERS} members")
            if not is_bundle([info.filename for info in members]):
                return []
            bundle = _Bundle(
                archive,
                members=members,
                work=work / "proofmode",
                limits=limits,
                caps=caps,
                deadline=deadline,
            )
            return [
                bundle.check(stem, proofs[0]).observation()
                for stem, proofs in bundle.proofs().items()
            ]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as error:
        raise ExtractionFailed(f"zip could not be read: {_why(error)}") from None


def _why(error: Exception) -> str:
    if isinstance(error, zlib.error):
        return "a member's compressed data is corrupt"
    if isinstance(error, zipfile.BadZipFile):
        return "not a valid zip, or a member fails its checksum"
    if isinstance(error, EOFError):
        return "it ends too soon"
    return type(error).__name__


class _Bundle:
    """The members of one ProofMode zip, read within caps."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        *,
        members: list[zipfile.ZipInfo],
        work: Path,
        limits: Limits,
        caps: Caps,
        deadline: _Deadline,
    ) -> None:
        self.archive = archive
        self.by_name = {info.filename: info for info in members}
        self.work = work
        self.limits = limits
        self.caps = caps
        self.deadline = deadline
        self.keyrings: dict[str, Path | None] = {}
        self.hashes: dict[str, str | None] = {}
        work.mkdir(mode=0o700, exist_ok=True)

    def proofs(self) -> dict[str, list[str]]:
        """Each proof's key path (its member name less ``.proof.json`` or ``.proof.csv``) and
        its proof members, JSON first."""
        found: dict[str, list[str]] = {}
        for suffix in PROOF_SUFFIXES:
            for name in sorted(self.by_name):
                if name.lower().endswith(suffix):
                    found.setdefault(name[: -len(suffix)], []).append(name)
        return dict(sorted(found.items()))

    def check(self, stem: str, proof_name: str) -> _Check:
        """Run the three checks for the proof ``proof_name`` of the media at ``stem``."""
        proof = self._read(proof_name)
        check = _Check(proof=proof_name)
        if proof is None:
            check.problems.append("the proof file is over the size limit or unreadable")
            return check
        fields = _proof_fields(proof, proof_name)
        check.recorded_sha256 = _recorded_hash(fields, check.problems)
        check.fields = _kept_fields(fields)
        keyring = self._keyring(posixpath.dirname(stem), check.problems)
        check.proof_signature, _ = self._verify(proof, f"{proof_name}.asc", keyring)
        media = self._media(stem, fields, check.recorded_sha256)
        if media is None:
            check.problems.append("the bundle holds no media file for this proof")
            return check
        check.media = media
        check.sha256 = self._copy(media, self.work / "media")
        if check.sha256 is None:
            check.problems.append("the media file is over the size limit and was not hashed")
        elif check.sha256 != check.recorded_sha256:
            check.problems.append("the media's SHA-256 differs from the proof's")
        check.media_signature, check.key_fingerprint = self._verify_file(
            self.work / "media", f"{stem}.asc", keyring
        )
        (self.work / "media").unlink(missing_ok=True)
        return check

    def _media(self, stem: str, fields: dict[str, str], recorded: str | None) -> str | None:
        """The media member a proof covers: named by the stem, by the proof's file name, or by hash."""
        if stem in self.by_name and _is_media(stem):
            return stem
        folder = posixpath.dirname(stem)
        candidates = [
            name for name in self.by_name if posixpath.dirname(name) == folder and _is_media(name)
        ]
        recorded_name = posixpath.basename(fields.get("File Path", "").replace("\\", "/"))
        for name in candidates:
            if recorded_name and posixpath.basename(name) == recorded_name:
                return name
        for name in candidates:
            if recorded is not None and self._hash(name) == recorded:
                return name
        return None

    def _hash(self, name: str) -> str | None:
        if name not in self.hashes:
            self.hashes[name] = self._copy(name, None)
        return self.hashes[name]

    def _keyring(self, folder: str, problems: list[str]) -> Path | None:
        """A GnuPG home holding the public key beside the proof (or at the zip's root)."""
        for name in (posixpath.join(folder, PUBKEY), PUBKEY):
            if name in self.by_name:
                break
        else:
            problems.append("the bundle holds no pubkey.asc")
            return None
        if name not in self.keyrings:
            self.keyrings[name] = self._import(name, len(self.keyrings))
        if self.keyrings[name] is None:
            problems.append("pubkey.asc is over the size limit or holds no key GnuPG can import")
        return self.keyrings[name]

    def _import(self, name: str, index: int) -> Path | None:
        key = self._read(name)
        if key is None:
            return None
        home = self.work / f"gnupg-{index}"
        home.mkdir(mode=0o700)
        (self.work / "key.asc").write_bytes(key)
        status = _gpg(["--import", str(self.work / "key.asc")], home, self.limits, self.deadline)
        return home if "[GNUPG:] IMPORT_OK " in status else None

    def _verify(self, data: bytes, signature: str, home: Path | None) -> tuple[str, str | None]:
        (self.work / "data").write_bytes(data)
        return self._verify_file(self.work / "data", signature, home)

    def _verify_file(self, data: Path, signature: str, home: Path | None) -> tuple[str, str | None]:
        """GnuPG's verdict on the detached ``signature`` member over ``data``, and the key's
        fingerprint when it is good."""
        if signature not in self.by_name:
            return "missing", None
        armored = self._read(signature)
        if armored is None:
            return "unreadable", None
        if home is None:
            return "unknown key", None
        (self.work / "signature.asc").write_bytes(armored)
        args = ["--verify", str(self.work / "signature.asc"), str(data)]
        return verdict(_gpg(args, home, self.limits, self.deadline))

    def _read(self, name: str) -> bytes | None:
        """A small member's bytes, or None when it is over ``caps.text_bytes``."""
        info = self.by_name[name]
        if info.file_size > self.caps.text_bytes:
            return None
        with self._open(info) as member:
            data = member.read(self.caps.text_bytes + 1)
        return None if len(data) > self.caps.text_bytes else data

    def _copy(self, name: str, dest: Path | None) -> str | None:
        """Stream a member (to ``dest`` when given) and return its SHA-256, or None when it is
        over ``caps.media_bytes``."""
        info = self.by_name[name]
        if info.file_size > self.caps.media_bytes:
            return None
        digest, total = hashlib.sha256(), 0
        with self._open(info) as member, _sink(dest) as out:
            while chunk := member.read(_CHUNK):
                total += len(chunk)
                if total > self.caps.media_bytes:
                    return None
                self.deadline.left()
                digest.update(chunk)
                out.write(chunk)
        return digest.hexdigest()

    def _open(self, info: zipfile.ZipInfo) -> IO[bytes]:
        try:
            return self.archive.open(info)
        except (NotImplementedError, RuntimeError) as error:
            raise ExtractionFailed(f"zip member could not be opened: {error}") from None


def _sink(dest: Path | None) -> io.BufferedWriter | _Discard:
    return dest.open("wb") if dest is not None else _Discard()


class _Discard:
    """A writer that keeps nothing, for hashing a member without a copy."""

    def __enter__(self) -> _Discard:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def write(self, data: bytes) -> int:
        return len(data)


def _is_media(name: str) -> bool:
    base = posixpath.basename(name).lower()
    return base not in _NOT_MEDIA_NAMES and not base.endswith(_NOT_MEDIA)


def _proof_fields(proof: bytes, name: str) -> dict[str, str]:
    """The proof's fields: a JSON object, or a CSV header row and its first row."""
    text = proof.decode("utf-8", "replace")
    if name.lower().endswith(".json"):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            return {}
        if not isinstance(parsed, dict):
            return {}
        return {str(k): str(v) for k, v in parsed.items() if isinstance(v, str | int | float)}
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        return {}
    return {key.strip(): value.strip() for key, value in zip(rows[0], rows[1], strict=False)}


def _recorded_hash(fields: dict[str, str], problems: list[str]) -> str | None:
    value = fields.get(HASH_FIELD, "").strip().lower()
    if _SHA256.fullmatch(value):
        return value
    problems.append(f"the proof has no valid '{HASH_FIELD}' field")
    return None


def _kept_fields(fields: dict[str, str]) -> dict[str, Any]:
    kept: dict[str, Any] = {
        ours: fields[theirs][:_VALUE_CHARS] for theirs, ours in _TIMES.items() if fields.get(theirs)
    }
    location = {
        ours: fields[theirs][:_VALUE_CHARS]
        for theirs, ours in _LOCATION.items()
        if fields.get(theirs)
    }
    if location.get("latitude") and location.get("longitude"):
        kept["location"] = location
    return kept


def verdict(status: str) -> tuple[str, str | None]:
    """Read GnuPG's ``--status-fd`` lines: ``good`` (with the primary key's fingerprint),
    ``bad``, ``unknown key``, ``expired key``, ``revoked key``, ``expired signature`` or
    ``unreadable``."""
    lines = [line.split()[1:] for line in status.splitlines() if line.startswith("[GNUPG:] ")]
    tags = {words[0]: words[1:] for words in lines if words}
    if "BADSIG" in tags:
        return "bad", None
    for tag, word in (("EXPKEYSIG", "expired key"), ("REVKEYSIG", "revoked key")):
        if tag in tags:
            return word, None
    if "EXPSIG" in tags:
        return "expired signature", None
    if "GOODSIG" in tags and "VALIDSIG" in tags:
        valid = tags["VALIDSIG"]
        return "good", valid[-1] if len(valid) >= 10 else valid[0]
    if "NO_PUBKEY" in tags:
        return "unknown key", None
    return "unreadable", None


@functools.cache
def gnupg_version(limits: Limits) -> str:
    """The installed GnuPG's version (``gpg --version``'s first line, less its name)."""
    first = run_tool(["gpg", "--version"], limits, name="GnuPG").decode("utf-8", "replace")
    return first.splitlines()[0].rsplit(" ", 1)[-1] if first.strip() else "unknown"


def _gpg(args: Sequence[str], home: Path, limits: Limits, deadline: _Deadline) -> str:
    """Run ``gpg`` in ``home`` under ``limits`` and return its status lines, whatever its exit
    status (1 is a bad signature, 2 a missing key): the status lines say which."""
    command = ["gpg", "--batch", "--no-autostart", "--no-tty", "--homedir", str(home)]
    command += ["--trust-model", "always", "--status-fd", "1", *args]
    bounded = replace(limits, timeout_s=min(limits.timeout_s, deadline.left()))
    out = run_tool(command, bounded, name="GnuPG", ok_exits=(0, 1, 2))
    return out.decode("utf-8", "replace")
