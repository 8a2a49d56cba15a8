"""The stand-alone package verifier: checks an evidence package with the package and a trusted key only.

No database, no Testament home, no network. This module, and what it imports, uses only the standard
library, ``cryptography`` (through :mod:`testament.ledger`, for Ed25519) and, for a package with a
trusted timestamp, ``rfc3161-client``; ``tests/packages/test_minimal_install.py`` runs it in a fresh
virtual environment that holds nothing else. Run it as ``testament package verify`` or, from such an
environment, as ``python -m testament.packages.verifier PACKAGE --trust-key FILE``.

Each step of :data:`STEPS` (``docs/packages.md`` says what each proves) answers passed, failed or
undecided, naming the file and the reason. The verdict is ``valid`` (exit 0) when none failed or was
undecided, ``invalid`` (exit 1) when one failed, and ``undecided`` (exit 3) when the verifier could not
tell, for example without a trusted key, or for a package it cannot read.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from testament.errors import TestamentError
from testament.ledger.keys import VerifierKey
from testament.packages import bag, custody_checks
from testament.packages.reader import Reader, Unreadable, Unsafe, open_package

PASSED, FAILED, UNDECIDED = "passed", "failed", "undecided"
MAX_FINDINGS = 50  # a step lists at most this many, however many a hostile package causes
VALID, INVALID = "valid", "invalid"
EXIT = {VALID: 0, INVALID: 1, UNDECIDED: 3}

STEPS = (
    "The bag is complete and valid",
    "Every payload file matches its recorded digest",
    "Every custody entry is in the log under the package's checkpoint",
    "The checkpoint is signed by the trusted key",
    "The checkpoint is consistent with the one you hold",
    "The trusted timestamp matches the checkpoint",
    "Every original was recorded as ingested, and the disclosure names them and the metadata",
    "The withheld list agrees with the package",
)


@dataclass
class Step:
    number: int
    title: str
    status: str = PASSED
    findings: list[str] = field(default_factory=list)
    file: str | None = None

    def fail(self, message: str, file: str | None = None, *, status: str = FAILED) -> None:
        if self.status != FAILED:
            self.status = status
        self.note(message)
        self.file = self.file or file

    def note(self, message: str) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(message)
        elif len(self.findings) == MAX_FINDINGS:
            self.findings.append("… and more of the same kind (the first are listed above)")


@dataclass
class Report:
    package: str
    verdict: str
    steps: list[Step]
    package_id: str | None = None
    checkpoint_size: int | None = None
    trusted_timestamp: bool = False

    @property
    def exit_code(self) -> int:
        return EXIT[self.verdict]

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def verify(path: Path, trusted_key: str | None, *, since_checkpoint: str | None = None) -> Report:
    """Run every step on the package at ``path`` (a directory or a zip)."""
    steps = [Step(number, title) for number, title in enumerate(STEPS, start=1)]
    report = Report(str(path), UNDECIDED, steps)
    try:
        reader = open_package(path)
    except Unreadable as exc:
        steps[0].fail(str(exc), status=UNDECIDED)
        return _verdict(report)
    except Unsafe as exc:
        steps[0].fail(f"{exc.name}: {exc.what}", exc.name)
        return _verdict(report)
    try:
        _run(reader, steps, report, trusted_key, since_checkpoint)
    except Unsafe as exc:
        steps[0].fail(f"{exc.name}: {exc.what}", exc.name)
    except Unreadable as exc:
        steps[0].fail(str(exc), status=UNDECIDED)
    except Exception as exc:
        steps[0].fail(f"the package is damaged or malformed ({type(exc).__name__}: {exc})"[:500])
    finally:
        reader.close()
    return _verdict(report)


def _run(
    reader: Reader, steps: list[Step], report: Report, key_text: str | None, since: str | None
) -> None:
    contents = bag.check_bag(reader, steps[0])
    if contents is None:
        return
    report.package_id = contents.info.get("External-Identifier")
    bag.check_payload(reader, contents, steps[1])
    head = custody_checks.check_entries(reader, contents, steps[2])
    key = _trusted_key(key_text, steps[3])
    if head is not None:
        report.checkpoint_size = head.checkpoint.size
    if key is not None and head is not None:
        custody_checks.check_signature(reader, head, key, steps[3])
        custody_checks.check_consistency(reader, contents, head, key, since=since, step=steps[4])
    elif since is not None:
        steps[4].fail("needs the trusted key and a readable checkpoint", status=UNDECIDED)
    else:
        steps[4].note("no earlier checkpoint was given: nothing to compare")
    if head is not None:
        report.trusted_timestamp = custody_checks.check_timestamp(reader, contents, head, steps[5])
        custody_checks.check_originals(reader, contents, head, steps[6])
    else:
        for step in (steps[5], steps[6]):
            step.fail("needs a readable checkpoint and custody entries (step 3)", status=UNDECIDED)
    custody_checks.check_withheld(reader, contents, steps[7])


def _trusted_key(text: str | None, step: Step) -> VerifierKey | None:
    if text is None:
        step.fail(
            "no trusted key was given: pass --trust-key with the key obtained from the sender out of "
            "band (`testament log key`); the package's own log.vkey is informative only",
            status=UNDECIDED,
        )
        return None
    try:
        return VerifierKey.parse(text)
    except TestamentError as exc:
        step.fail(f"the trusted key cannot be used: {exc.what}", status=UNDECIDED)
        return None


def _verdict(report: Report) -> Report:
    statuses = {step.status for step in report.steps}
    report.verdict = (
        INVALID if FAILED in statuses else UNDECIDED if UNDECIDED in statuses else VALID
    )
    return report


def render(report: Report) -> str:
    """The report in words a lawyer can follow: one numbered line a step, then what was found."""
    lines = [f"Package: {report.package}"]
    if report.package_id:
        lines.append(f"Package ID: {report.package_id}")
    for step in report.steps:
        lines.append(f"{step.number}. {step.title}: {step.status}.")
        lines.extend(f"   - {finding}" for finding in step.findings)
    if not report.trusted_timestamp and report.verdict != UNDECIDED:
        lines.append("No trusted timestamp: the package's time rests on the sender's checkpoint.")
    verdict = {
        VALID: "VALID: every step passed.",
        INVALID: "INVALID: the package was altered or is incomplete (see the failed steps).",
        UNDECIDED: "UNDECIDED: the verifier could not tell (see the undecided steps).",
    }[report.verdict]
    lines.append(verdict)
    return "\n".join(lines) + "\n"


def read_key_file(path: Path) -> str:
    """The verifier key held in ``path`` (as `testament log key` prints it)."""
    return path.read_text(encoding="utf-8").strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m testament.packages.verifier",
        description="Verify a Testament evidence package offline (docs/packages.md).",
    )
    parser.add_argument("package", type=Path, help="the package: a directory or a .zip")
    parser.add_argument("--trust-key", type=Path, help="a file holding the sender's verifier key")
    parser.add_argument("--since-checkpoint", type=Path, help="a checkpoint you already hold")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        key = None if args.trust_key is None else read_key_file(args.trust_key)
        since = None if args.since_checkpoint is None else args.since_checkpoint.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read a file given: {exc}", file=sys.stderr)
        return EXIT[UNDECIDED]
    report = verify(args.package, key, since_checkpoint=since)
    if isinstance(
        sys.stdout, io.TextIOWrapper
    ):  # a package's names may not encode on this terminal
        sys.stdout.reconfigure(errors="backslashreplace")
    sys.stdout.write(report.as_json() + "\n" if args.json else render(report))
    return report.exit_code


__all__ = ["STEPS", "Report", "Step", "main", "render", "verify"]

if __name__ == "__main__":
    raise SystemExit(main())
