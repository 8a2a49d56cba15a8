"""The extractor protocol, and running an external tool within a timeout and resource limits.

An extractor reads one file (a decrypted working copy of an item, never the vault's object) and
returns an :class:`Extraction`: what it found (metadata, text with where it is, a suggested location,
perceptual hashes, verification observations) and the files it derived, written under its work
directory. It never writes to the database or the vault: :mod:`testament.pipeline.processing` records
the result and stores each derived file as a new item linked to its parent.

A file the tool cannot read (truncated, corrupt, hostile) raises :class:`ExtractionFailed` with a
reason a documenter can read; a tool that runs past its limits is killed and raises it too.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

# How much of a tool's standard error an error message quotes.
STDERR_QUOTE = 300


class ExtractionFailed(Exception):
    """The extractor could not process this file; ``reason`` says why, without personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Tool:
    """The tool that made a result, as recorded with it (BP-08)."""

    name: str
    version: str


@dataclass(frozen=True)
class Limits:
    """What one extraction may use. ``memory_bytes`` caps a tool's address space (RLIMIT_AS);
    ``output_bytes`` caps each derived file and the text kept."""

    timeout_s: float = 120.0
    memory_bytes: int = 2 * 1024**3
    output_bytes: int = 64 * 1024**2


@dataclass(frozen=True)
class TextSpan:
    """Text found in an item and where: ``where`` is ``page N``, ``image`` or ``member PATH``."""

    text: str
    where: str
    page: int | None = None


@dataclass(frozen=True)
class DerivedFile:
    """A file an extractor wrote under its work directory, to become a new item.

    ``role`` is ``thumbnail``, ``keyframe``, ``preview``, ``text`` or ``member`` (an archive's member);
    ``name`` is the new item's name (a member's path inside its archive)."""

    path: Path
    role: str
    media_type: str
    name: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SuggestedLocation:
    """A place read from the file: a suggestion for an analyst, never an asserted location."""

    latitude: float
    longitude: float
    source: str
    altitude: float | None = None


@dataclass(frozen=True)
class PerceptualHash:
    """A perceptual hash: an analysis aid for near-duplicates, never an integrity proof.

    ``value`` is 32 bytes for PDQ; ``position`` is the second of a video frame (0 for an image)."""

    algorithm: str
    value: bytes
    quality: int
    position: float = 0.0


@dataclass(frozen=True)
class Observation:
    """A verification observation (a content credential's state); a missing credential is
    ``absent``, which is not negative evidence."""

    kind: str
    status: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Extraction:
    """What one extractor found in one file."""

    kind: str
    tool: Tool
    parameters: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    text: list[TextSpan] = field(default_factory=list)
    derived: list[DerivedFile] = field(default_factory=list)
    location: SuggestedLocation | None = None
    hashes: list[PerceptualHash] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


class Extractor(Protocol):
    """One kind of processing. ``kind`` names it in jobs, the CLI (``--kind``) and the UI."""

    kind: str

    def applies(self, media_type: str, name: str) -> bool:
        """Whether this extractor has anything to do for a file of this type and name."""
        ...

    def tool(self) -> Tool:
        """The tool and its version, as installed here."""
        ...

    def extract(self, source: Path, work: Path, limits: Limits) -> Extraction:
        """Process ``source``; write derived files under ``work`` (an empty directory)."""
        ...


# Tools run below the priority of the ingest and the web application: processing is background work.
NICENESS = 10


def _limit(memory_bytes: int, cpu_s: float) -> None:  # pragma: no cover - runs in the child
    os.nice(NICENESS)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    seconds = int(cpu_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_tool(
    args: Sequence[str],
    limits: Limits,
    *,
    name: str,
    cwd: Path | None = None,
    input_bytes: bytes | None = None,
    memory_bytes: int | None = None,
    ok_exits: Collection[int] = (0,),
) -> bytes:
    """Run ``args`` in a new session under ``limits``; return its standard output.

    On a timeout the whole process group is killed. An exit status not in ``ok_exits`` (a tool that
    answers through its status, as GnuPG does, lists more than 0), a timeout or output over
    ``limits.output_bytes`` raises :class:`ExtractionFailed` naming the tool (``name``)."""
    cap = memory_bytes if memory_bytes is not None else limits.memory_bytes
    try:
        process = subprocess.Popen(
            list(args),
            stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=lambda: _limit(cap, limits.timeout_s),  # noqa: PLW1509
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
    except FileNotFoundError:
        raise ExtractionFailed(f"{name} is not installed (run 'make deps')") from None
    try:
        out, err = process.communicate(input_bytes, timeout=limits.timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ExtractionFailed(f"{name} did not finish within {limits.timeout_s:g} s") from None
    if process.returncode not in ok_exits:
        quoted = err.decode("utf-8", "replace").strip()[:STDERR_QUOTE]
        raise ExtractionFailed(f"{name} failed (exit {process.returncode}): {quoted}")
    if len(out) > limits.output_bytes:
        raise ExtractionFailed(f"{name} wrote more than {limits.output_bytes} bytes")
    return out
