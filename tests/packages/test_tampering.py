"""An evidence package altered after it left the sender is caught offline, by the step that proves it.

Each attacker here is realistic: where a change would show in the BagIt manifests, they recompute the
manifests, Payload-Oxum and the tag manifest too (:func:`_rebag`, written here with ``hashlib`` alone,
independent of the code under test), so only the deeper steps (the custody proofs, the signature, the
consistency with an earlier checkpoint, the withheld list) can catch it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import bagit  # type: ignore[import-untyped]
import pytest

from testament.custody import custody_log
from testament.ledger import checkpoint as notes
from testament.ledger.keys import create_signing_key, load_signing_key
from testament.packages import verifier
from tests.conftest import Cli
from tests.packages.conftest import make_package

ENTRIES = "data/custody/entries.jsonl"
CHECKPOINT = "data/custody/checkpoint"
CONSISTENCY = "data/custody/consistency.txt"
WITHHELD = "data/withheld.jsonl"
OTHER_HASH = base64.b64encode(b"\x42" * 32).decode()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rebag(root: Path) -> None:
    """What an attacker does after editing payload files: every BagIt digest and count made to agree."""
    payload = sorted(p for p in (root / "data").rglob("*") if p.is_file())
    manifest = "".join(f"{_sha256(p)}  {p.relative_to(root).as_posix()}\n" for p in payload)
    (root / "manifest-sha256.txt").write_text(manifest, encoding="utf-8")
    info = root / "bag-info.txt"
    kept = [
        line
        for line in info.read_text(encoding="utf-8").splitlines()
        if not line.startswith("Payload-Oxum:")
    ]
    oxum = f"Payload-Oxum: {sum(p.stat().st_size for p in payload)}.{len(payload)}"
    info.write_text("\n".join([*kept, oxum]) + "\n", encoding="utf-8")
    tagmanifest = root / "tagmanifest-sha256.txt"
    names = [line.split("  ", 1)[1] for line in tagmanifest.read_text("utf-8").splitlines()]
    tagmanifest.write_text("".join(f"{_sha256(root / n)}  {n}\n" for n in names), "utf-8")


def _failed(report: verifier.Report, number: int, name: str) -> verifier.Step:
    """Assert the package is invalid, step ``number`` failed, and it names ``name``."""
    assert report.verdict == "invalid", verifier.render(report)
    assert report.exit_code == 1
    step = report.steps[number - 1]
    assert step.number == number
    assert step.status == "failed", verifier.render(report)
    assert name == step.file or any(name in finding for finding in step.findings), step
    return step


def _originals(root: Path) -> list[Path]:
    return sorted(p for p in (root / "data/originals").rglob("*") if p.is_file())


def _proofs(root: Path) -> list[str]:
    """The proof files' package paths, in log-index order (line k of entries.jsonl is the k-th)."""
    found = (root / "data/custody/proofs").glob("*.tlog-proof")
    return [f"data/custody/proofs/{p.name}" for p in sorted(found, key=lambda p: int(p.stem))]


def _resigned(note: str, tmp_path: Path) -> str:
    """The same checkpoint body, signed by another Ed25519 key under the same origin."""
    body, _ = notes.split_note(note)
    key_file = tmp_path / "attacker" / "signing.key"
    create_signing_key(key_file)
    signer = load_signing_key(key_file, note.split("\n", 1)[0])
    return notes.sign(notes.parse_body(body), signer)


def test_the_untouched_package_is_valid_and_a_bagit_bag(packaged: dict[str, Any]) -> None:
    report = verifier.verify(packaged["path"], packaged["key"])
    assert (report.verdict, report.exit_code) == ("valid", 0), verifier.render(report)
    assert [step.status for step in report.steps] == ["passed"] * 8
    bagit.Bag(str(packaged["path"])).validate()


def test_a_changed_byte_in_an_original_fails_step_2(packaged: dict[str, Any]) -> None:
    root: Path = packaged["path"]
    original = _originals(root)[0]
    data = bytearray(original.read_bytes())
    data[0] ^= 0x01
    original.write_bytes(bytes(data))
    step = _failed(verifier.verify(root, packaged["key"]), 2, original.relative_to(root).as_posix())
    assert step.file == original.relative_to(root).as_posix()


def test_a_removed_payload_file_fails_step_1(packaged: dict[str, Any]) -> None:
    root: Path = packaged["path"]
    original = _originals(root)[-1]
    original.unlink()
    _failed(verifier.verify(root, packaged["key"]), 1, original.relative_to(root).as_posix())


def test_an_added_payload_file_fails_step_1(packaged: dict[str, Any]) -> None:
    root: Path = packaged["path"]
    (root / "data/metadata/planted.txt").write_text("a later addition\n", encoding="utf-8")
    _failed(verifier.verify(root, packaged["key"]), 1, "data/metadata/planted.txt")


def test_an_edited_custody_entry_fails_step_3_though_the_bag_is_rebuilt(
    packaged: dict[str, Any],
) -> None:
    root: Path = packaged["path"]
    lines = (root / ENTRIES).read_bytes().split(b"\n")
    entry = json.loads(lines[0])
    assert "time" in entry
    entry["time"] = "2020-01-01T00:00:00.000000Z"
    lines[0] = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
    (root / ENTRIES).write_bytes(b"\n".join(lines))
    _rebag(root)
    bagit.Bag(str(root)).validate()  # the attacker's bag passes BagIt's own checks
    _failed(verifier.verify(root, packaged["key"]), 3, _proofs(root)[0])


def test_an_altered_inclusion_proof_fails_step_3(packaged: dict[str, Any]) -> None:
    root: Path = packaged["path"]
    name = _proofs(root)[-1]
    head, _, note = (root / name).read_text(encoding="utf-8").partition("\n\n")
    lines = head.split("\n")
    assert len(lines) > 2, "the proof holds at least one hash"
    lines[2] = OTHER_HASH
    (root / name).write_text("\n".join(lines) + "\n\n" + note, encoding="utf-8")
    _rebag(root)
    _failed(verifier.verify(root, packaged["key"]), 3, name)


def test_a_checkpoint_re_signed_with_another_key_fails_step_4(
    packaged: dict[str, Any], tmp_path: Path
) -> None:
    root: Path = packaged["path"]
    forged = _resigned((root / CHECKPOINT).read_text(encoding="utf-8"), tmp_path)
    (root / CHECKPOINT).write_text(forged, encoding="utf-8")
    for name in _proofs(root):
        head, _, _ = (root / name).read_text(encoding="utf-8").partition("\n\n")
        (root / name).write_text(head + "\n\n" + forged, encoding="utf-8")
    _rebag(root)
    report = verifier.verify(root, packaged["key"])
    assert report.steps[2].status == "passed", verifier.render(report)
    _failed(report, 4, CHECKPOINT)


def test_a_package_consistent_with_an_earlier_checkpoint_and_one_altered(
    packaged: dict[str, Any], tmp_path: Path
) -> None:
    instance, key = packaged["instance"], packaged["key"]
    earlier = custody_log.latest_checkpoint(instance)
    root = make_package(instance, tmp_path / "later", since_checkpoint=earlier)
    report = verifier.verify(root, key, since_checkpoint=earlier)
    assert report.verdict == "valid", verifier.render(report)
    assert any("grew from" in finding for finding in report.steps[4].findings)
    lines = (root / CONSISTENCY).read_text(encoding="utf-8").splitlines()
    assert len(lines) > 3, "the consistency proof holds at least one hash"
    lines[3] = OTHER_HASH
    (root / CONSISTENCY).write_text("\n".join(lines) + "\n", encoding="utf-8")
    _rebag(root)
    _failed(verifier.verify(root, key, since_checkpoint=earlier), 5, CONSISTENCY)


def test_an_earlier_checkpoint_signed_by_another_key_leaves_step_5_undecided(
    packaged: dict[str, Any], tmp_path: Path
) -> None:
    forged = _resigned(custody_log.latest_checkpoint(packaged["instance"]), tmp_path)
    report = verifier.verify(packaged["path"], packaged["key"], since_checkpoint=forged)
    assert (report.verdict, report.exit_code) == ("undecided", 3), verifier.render(report)
    assert report.steps[4].status == "undecided"


def test_without_a_key_or_a_package_the_verdict_is_undecided(
    packaged: dict[str, Any], tmp_path: Path
) -> None:
    report = verifier.verify(packaged["path"], None)
    assert (report.verdict, report.exit_code) == ("undecided", 3), verifier.render(report)
    assert report.steps[3].status == "undecided"
    missing = verifier.verify(tmp_path / "no-such-package", packaged["key"])
    assert (missing.verdict, missing.exit_code) == ("undecided", 3)


def _zip_adding(good: Path, out: Path, name: str, data: bytes) -> Path:
    """A copy of the zip ``good`` with one more entry, named exactly ``name``."""
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(zipfile.ZipInfo(name), data)
    return out


def test_a_zipped_package_is_valid_and_hostile_zips_are_refused(
    documented: dict[str, Any], tmp_path: Path
) -> None:
    instance = documented["instance"]
    key = custody_log.verifier_key(instance)
    good = make_package(instance, tmp_path / "package.zip", zipped=True)
    report = verifier.verify(good, key)
    assert report.verdict == "valid", verifier.render(report)
    slip = _zip_adding(good, tmp_path / "slip.zip", "../evil.txt", b"escaped\n")
    step = _failed(verifier.verify(slip, key), 1, "../evil.txt")
    assert step.file == "../evil.txt"
    absolute = _zip_adding(good, tmp_path / "absolute.zip", "/etc/x", b"escaped\n")
    _failed(verifier.verify(absolute, key), 1, "/etc/x")


def test_a_zip_bomb_is_refused_without_inflating_it(
    packaged: dict[str, Any], tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("package/data/zeros.bin", "w", force_zip64=True) as entry,
    ):
        for _ in range(64):
            entry.write(bytes(1 << 20))
    assert bomb.stat().st_size < (64 << 20) // 200
    step = _failed(verifier.verify(bomb, packaged["key"]), 1, "package/data/zeros.bin")
    assert any("zip bomb" in finding for finding in step.findings)


def test_a_withheld_line_naming_an_included_item_fails_step_8(packaged: dict[str, Any]) -> None:
    root: Path = packaged["path"]
    items = [
        json.loads(line)
        for line in (root / "data/metadata/items.jsonl").read_text("utf-8").splitlines()
    ]
    line = {"kind": "item", "id": items[0]["id"], "sha256": items[0]["sha256"],
            "reason": "consent", "detail": "the person did not consent"}  # fmt: skip
    with (root / WITHHELD).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")
    _rebag(root)
    _failed(verifier.verify(root, packaged["key"]), 8, WITHHELD)


@pytest.mark.parametrize("name", ["data/metadata/items.jsonl", "data/metadata/incidents.jsonl"])
def test_edited_documentation_fails_step_7_though_the_bag_is_rebuilt(
    packaged: dict[str, Any], name: str
) -> None:
    root: Path = packaged["path"]
    text = (root / name).read_text("utf-8")
    edited = (
        text.replace("Strike", "Accident")
        if "Strike" in text
        else text.replace('"size"', '"bytes"')
    )
    assert edited != text
    (root / name).write_text(edited, encoding="utf-8")
    _rebag(root)
    _failed(verifier.verify(root, packaged["key"]), 7, name)


def test_the_cli_verifies_and_reports_tampering(
    packaged: dict[str, Any], cli: Cli, tmp_path: Path
) -> None:
    root: Path = packaged["path"]
    key_file = tmp_path / "sender.vkey"
    key_file.write_text(packaged["key"] + "\n", encoding="utf-8")
    args = ("package", "verify", str(root), "--trust-key", str(key_file))
    assert cli(*args).returncode == 0
    shown = cli(*args, "--json")
    assert (shown.returncode, json.loads(shown.stdout)["verdict"]) == (0, "valid")
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    original = _originals(copy)[0]
    original.write_bytes(original.read_bytes() + b"appended")
    altered = cli("package", "verify", str(copy), "--trust-key", str(key_file), "--json")
    assert (altered.returncode, json.loads(altered.stdout)["verdict"]) == (1, "invalid")


@pytest.mark.parametrize(
    "added", ["data/extra/confession.pdf", "data/metadata/notes.txt", "README-COURT.txt"]
)
def test_a_file_a_package_never_holds_fails_step_1_though_the_bag_is_rebuilt(
    packaged: dict[str, Any], added: str
) -> None:
    root: Path = packaged["path"]
    (root / added).parent.mkdir(parents=True, exist_ok=True)
    (root / added).write_text("planted", encoding="utf-8")
    _rebag(root)
    _failed(verifier.verify(root, packaged["key"]), 1, added)


def test_a_renamed_original_fails_step_8_though_the_bag_is_rebuilt(
    packaged: dict[str, Any],
) -> None:
    root: Path = packaged["path"]
    original = _originals(root)[0]
    renamed = original.with_name("confession_signed.exe")
    original.rename(renamed)
    _rebag(root)
    _failed(verifier.verify(root, packaged["key"]), 8, renamed.relative_to(root).as_posix())


@pytest.mark.parametrize(
    ("label", "value"),
    [("Testament-Recipient", "Someone else"), ("Testament-Purpose", "advocacy-publication"),
     ("Testament-Case", "Another case"), ("Source-Organization", "Another organisation")],
)  # fmt: skip
def test_what_bag_info_says_must_be_what_was_signed(
    packaged: dict[str, Any], label: str, value: str
) -> None:
    root: Path = packaged["path"]
    info = root / "bag-info.txt"
    lines = [
        f"{label}: {value}" if line.startswith(f"{label}:") else line
        for line in info.read_text(encoding="utf-8").splitlines()
    ]
    info.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _rebag(root)
    _failed(verifier.verify(root, packaged["key"]), 7, "bag-info.txt")


def test_an_edited_premis_file_or_a_left_out_entry_fails_step_7(packaged: dict[str, Any]) -> None:
    root: Path = packaged["path"]
    work = root.with_name("premis")
    shutil.copytree(root, work)
    premis = work / "data/custody/premis.xml"
    premis.write_text(premis.read_text("utf-8").replace("ingestion", "deletion"), "utf-8")
    _rebag(work)
    _failed(verifier.verify(work, packaged["key"]), 7, "data/custody/premis.xml")
    lines = (root / ENTRIES).read_text("utf-8").splitlines(keepends=True)
    proofs = _proofs(root)
    dropped = next(k for k, line in enumerate(lines) if '"type":"ingestion"' not in line
                   and '"type":"disclosure"' not in line)  # fmt: skip
    (root / ENTRIES).write_text("".join(lines[:dropped] + lines[dropped + 1 :]), "utf-8")
    (root / proofs[dropped]).unlink()
    _rebag(root)
    _failed(verifier.verify(root, packaged["key"]), 7, ENTRIES)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (WITHHELD, '{"kind": "item", "sha256": [1], "reason": "consent"}\n'),
        (WITHHELD, "[" * 100_000 + "]" * 100_000 + "\n"),
        (CHECKPOINT, "testament.invalid/x\n" + "9" * 5000 + "\nAAAA\n\n— x AAAA\n"),
    ],
)
def test_malformed_files_are_findings_never_a_traceback(
    packaged: dict[str, Any], name: str, text: str
) -> None:
    root: Path = packaged["path"]
    (root / name).write_text(text, encoding="utf-8")
    _rebag(root)
    report = verifier.verify(root, packaged["key"])
    assert report.verdict == "invalid", verifier.render(report)
    assert all(len(step.findings) <= verifier.MAX_FINDINGS + 1 for step in report.steps)
