"""Content credentials on real files: C2PA-signed JPEGs and ProofMode bundles made in the test."""

from __future__ import annotations

import hashlib
import http.server
import os
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from testament.pipeline.extractors.base import Extraction, ExtractionFailed, Limits
from testament.pipeline.extractors.credentials import CredentialsExtractor, summarise
from testament.pipeline.extractors.proofmode import Caps
from tests.pipeline import credential_fixtures as fx

LIMITS = Limits(timeout_s=60)


@pytest.fixture(scope="module")
def chain() -> fx.Chain:
    return fx.make_chain()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, chain: fx.Chain) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("c2pa")
    plain = fx.plain_jpeg(root / "plain.jpg")
    signed = fx.sign(plain, root / "signed.jpg", chain)
    return {
        "plain": plain,
        "signed": signed,
        "flipped": fx.flip_image_byte(signed, root / "flipped.jpg"),
        "truncated": fx.truncated(signed, root / "truncated.jpg"),
        "video": fx.sign(
            fx.small_mp4(root / "plain.mp4"), root / "signed.mp4", chain, media_type="video/mp4"
        ),
    }


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fx.GpgKey]:
    made = fx.make_gpg_key(tmp_path_factory.mktemp("device") / "gnupg")
    yield made
    fx.stop_agent(made)


@pytest.fixture(scope="module")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fx.GpgKey]:
    made = fx.make_gpg_key(tmp_path_factory.mktemp("other") / "gnupg", "Other <other@example.org>")
    yield made
    fx.stop_agent(made)


def extract(
    source: Path, tmp_path: Path, extractor: CredentialsExtractor | None = None
) -> Extraction:
    work = tmp_path / "work"
    work.mkdir(parents=True)
    return (extractor or CredentialsExtractor()).extract(source, work, LIMITS)


def test_applies_to_c2pa_media_and_zips() -> None:
    extractor = CredentialsExtractor()
    for media_type in ("image/jpeg", "image/png", "video/mp4", "audio/mpeg", "application/pdf"):
        assert extractor.applies(media_type, "x"), media_type
    assert extractor.applies("application/zip", "bundle.zip")
    assert not extractor.applies("text/plain", "notes.txt")


# C2PA


def test_a_signed_jpeg_is_valid_without_trust_anchors(
    files: dict[str, Path], tmp_path: Path
) -> None:
    extraction = extract(files["signed"], tmp_path)
    [observation] = extraction.observations
    detail = observation.detail
    assert (observation.kind, observation.status) == ("c2pa", "valid")
    assert extraction.metadata == {"c2pa": "valid"}
    assert extraction.tool.name == "c2pa-python"
    assert extraction.parameters == {
        "trust_anchors": 0,
        "remote_manifest_fetch": False,
        "ocsp_fetch": False,
    }
    assert detail["manifest"].startswith("urn:c2pa:")
    assert detail["manifest_count"] == 1
    assert detail["claim_generator"] == f"{fx.CLAIM_GENERATOR} 1.0"
    assert (detail["signer_common_name"], detail["signer_organisation"]) == (
        fx.SIGNER,
        fx.ORGANISATION,
    )
    assert detail["signing_time"] is None  # signed without a timestamp authority
    assert detail["actions"] == [
        {
            "action": "c2pa.created",
            "software_agent": f"{fx.CLAIM_GENERATOR} 1.0",
            "digital_source_type": fx.DIGITAL_CAPTURE,
            "when": None,
        }
    ]
    assert detail["ingredient_count"] == 0
    assert {"claimSignature.validated", "assertion.dataHash.match"} <= set(
        detail["validation_codes"]
    )
    assert detail["failure_codes"] == ["signingCredential.untrusted"]


def test_the_signers_ca_as_trust_anchor_makes_it_trusted(
    files: dict[str, Path], chain: fx.Chain, tmp_path: Path
) -> None:
    extractor = CredentialsExtractor([chain.ca_pem.decode()])
    extraction = extract(files["signed"], tmp_path, extractor)
    [observation] = extraction.observations
    assert observation.status == "trusted"
    assert observation.detail["failure_codes"] == []
    assert extraction.parameters["trust_anchors"] == 1
    assert [p.name for p in (tmp_path / "work").iterdir()] == ["c2pa-trust-anchors.pem"]


def test_an_anchor_of_another_ca_leaves_it_valid(files: dict[str, Path], tmp_path: Path) -> None:
    stranger = fx.make_chain("Another Root CA")
    extraction = extract(
        files["signed"], tmp_path, CredentialsExtractor([stranger.ca_pem.decode()])
    )
    assert extraction.observations[0].status == "valid"


def test_one_bit_changed_in_the_image_data_is_invalid(
    files: dict[str, Path], tmp_path: Path
) -> None:
    extraction = extract(files["flipped"], tmp_path, CredentialsExtractor())
    [observation] = extraction.observations
    assert observation.status == "invalid"
    assert extraction.metadata == {"c2pa": "invalid"}
    assert "assertion.dataHash.mismatch" in observation.detail["failure_codes"]


def test_a_tampered_file_stays_invalid_with_a_trust_anchor(
    files: dict[str, Path], chain: fx.Chain, tmp_path: Path
) -> None:
    extraction = extract(files["flipped"], tmp_path, CredentialsExtractor([chain.ca_pem.decode()]))
    assert extraction.observations[0].status == "invalid"


def test_a_signed_video_is_valid_and_one_bit_in_its_media_data_makes_it_invalid(
    files: dict[str, Path], tmp_path: Path
) -> None:
    assert extract(files["video"], tmp_path).observations[0].status == "valid"
    flipped = fx.flip_video_byte(files["video"], tmp_path / "flipped.mp4")
    [observation] = extract(flipped, tmp_path / "flipped").observations
    assert observation.status == "invalid"
    assert "assertion.bmffHash.mismatch" in observation.detail["failure_codes"]


def test_a_plain_jpeg_is_absent_which_is_not_negative_evidence(
    files: dict[str, Path], tmp_path: Path
) -> None:
    extraction = extract(files["plain"], tmp_path)
    [observation] = extraction.observations
    assert (observation.kind, observation.status) == ("c2pa", "absent")
    assert extraction.metadata == {"c2pa": "absent"}
    assert "not negative evidence" in observation.detail["note"]


class _Counting(http.server.BaseHTTPRequestHandler):
    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return None


def test_a_remote_manifest_is_named_but_never_fetched(
    files: dict[str, Path], chain: fx.Chain, tmp_path: Path
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/manifest.c2pa"
        remote = fx.sign(files["plain"], tmp_path / "remote.jpg", chain, remote_url=url)
        extraction = extract(remote, tmp_path)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    [observation] = extraction.observations
    assert observation.status == "absent"
    assert observation.detail["remote_manifest"] == url
    assert _Counting.paths == []


def test_random_bytes_named_jpg_fail_cleanly(tmp_path: Path) -> None:
    source = tmp_path / "random.jpg"
    source.write_bytes(os.urandom(4096))
    with pytest.raises(ExtractionFailed, match="C2PA reader could not read this file"):
        extract(source, tmp_path)


def test_a_truncated_signed_jpeg_fails_cleanly(files: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ExtractionFailed, match="C2PA reader could not read this file"):
        extract(files["truncated"], tmp_path)


def test_odd_manifest_shapes_are_summarised_without_a_crash() -> None:
    store = {
        "active_manifest": "urn:c2pa:one",
        "manifests": {
            "urn:c2pa:one": {
                "claim_generator": "Old Camera/1.0",
                "assertions": [
                    {
                        "label": "c2pa.actions__1",
                        "data": {
                            "actions": [{"action": "c2pa.edited", "softwareAgent": "Editor 2"}]
                        },
                    },
                    {"label": "c2pa.actions", "data": {"actions": "not a list"}},
                    "not an assertion",
                ],
                "ingredients": [{}, {}],
                "signature_info": {"common_name": 7, "time": "2026-01-02T03:04:05+00:00"},
            }
        },
        "validation_status": [{"code": "assertion.dataHash.mismatch"}, {"code": None}, "junk"],
    }
    observation = summarise(store)
    assert observation.status == "invalid"  # no validation state: never better than invalid
    detail = observation.detail
    assert detail["claim_generator"] == "Old Camera/1.0"
    assert detail["actions"] == [
        {
            "action": "c2pa.edited",
            "software_agent": "Editor 2",
            "digital_source_type": None,
            "when": None,
        }
    ]
    assert (detail["ingredient_count"], detail["signer_common_name"]) == (2, None)
    assert detail["signing_time"] == "2026-01-02T03:04:05+00:00"
    assert detail["validation_codes"] == detail["failure_codes"] == ["assertion.dataHash.mismatch"]
    assert summarise({"manifests": "nothing", "validation_state": 3}).status == "invalid"


# ProofMode


MEDIA = fx.Media("IMG_20260301_101500.jpg", b"\xff\xd8 a photo \xff\xd9")
VIDEO = fx.Media("VID_20260301_101600.mp4", b"\x00\x00\x00\x18ftypmp42 a video")


def proofmode(extraction: Extraction) -> list[dict[str, Any]]:
    assert all(o.kind == "proofmode" for o in extraction.observations)
    return [{"status": o.status, **o.detail} for o in extraction.observations]


def test_a_valid_bundle(key: fx.GpgKey, tmp_path: Path) -> None:
    zipped = fx.bundle(tmp_path / "proofmode.zip", key, [MEDIA, VIDEO])
    extraction = extract(zipped, tmp_path)
    assert extraction.tool.name == "GnuPG"
    assert extraction.metadata == {"proofmode": "valid"}
    photo, video = sorted(proofmode(extraction), key=lambda d: d["media"])
    assert photo == {
        "status": "valid",
        "media": MEDIA.name,
        "proof": f"{MEDIA.name}.proof.json",
        "recorded_sha256": hashlib.sha256(MEDIA.signed).hexdigest(),
        "sha256": hashlib.sha256(MEDIA.signed).hexdigest(),
        "sha256_matches": True,
        "media_signature": "good",
        "proof_signature": "good",
        "key_fingerprint": key.fingerprint,
        "proof_generated": fx.PROOF_GENERATED,
        "file_modified": "2026-03-01T10:14:59Z",
        "location": {"latitude": fx.LATITUDE, "longitude": fx.LONGITUDE},
        "problems": [],
    }
    assert (video["status"], video["media"]) == ("valid", VIDEO.name)
    recorded = repr(extraction.observations)
    assert not any(value in recorded for value in fx.DEVICE_FIELDS.values())
    assert "storage/emulated" not in recorded


def test_a_bundle_named_by_hash_with_json_and_csv_proofs(key: fx.GpgKey, tmp_path: Path) -> None:
    zipped = fx.bundle(tmp_path / "b.zip", key, [MEDIA], by_hash=True, formats=("json", "csv"))
    [check] = proofmode(extract(zipped, tmp_path))
    digest = hashlib.sha256(MEDIA.signed).hexdigest()
    assert (check["status"], check["media"], check["proof"]) == (
        "valid",
        MEDIA.name,
        f"{digest}.proof.json",
    )


def test_a_csv_proof_alone(key: fx.GpgKey, tmp_path: Path) -> None:
    zipped = fx.bundle(tmp_path / "b.zip", key, [MEDIA], formats=("csv",))
    [check] = proofmode(extract(zipped, tmp_path))
    assert (check["status"], check["proof"], check["proof_generated"]) == (
        "valid",
        f"{MEDIA.name}.proof.csv",
        fx.PROOF_GENERATED,
    )


def test_media_altered_after_signing_is_invalid(key: fx.GpgKey, tmp_path: Path) -> None:
    altered = fx.Media(MEDIA.name, MEDIA.signed, shipped=MEDIA.signed + b"edited")
    for by_hash in (False, True):
        case = tmp_path / str(by_hash)
        case.mkdir()
        zipped = fx.bundle(case / "b.zip", key, [altered], by_hash=by_hash)
        [check] = proofmode(extract(zipped, case))
        assert check["status"] == "invalid"
        assert (check["media"], check["sha256_matches"]) == (MEDIA.name, False)
        assert (check["media_signature"], check["proof_signature"]) == ("bad", "good")
        assert "the media's SHA-256 differs from the proof's" in check["problems"]


def test_media_signed_by_another_key_is_invalid(
    key: fx.GpgKey, other_key: fx.GpgKey, tmp_path: Path
) -> None:
    zipped = fx.bundle(tmp_path / "b.zip", key, [MEDIA], media_key=other_key)
    [check] = proofmode(extract(zipped, tmp_path))
    assert check["status"] == "invalid"
    assert (check["sha256_matches"], check["media_signature"], check["proof_signature"]) == (
        True,
        "unknown key",
        "good",
    )


def test_a_swapped_media_with_its_hash_rewritten_in_the_proof_is_invalid(
    key: fx.GpgKey, tmp_path: Path
) -> None:
    members = fx.proof_members(key, MEDIA)
    forged = MEDIA.signed + b"swapped"
    proof = members[f"{MEDIA.name}.proof.json"].decode()
    members[MEDIA.name] = forged
    members[f"{MEDIA.name}.proof.json"] = proof.replace(
        hashlib.sha256(MEDIA.signed).hexdigest(), hashlib.sha256(forged).hexdigest()
    ).encode()
    zipped = fx.write_zip(tmp_path / "b.zip", {**members, "pubkey.asc": key.public})
    [check] = proofmode(extract(zipped, tmp_path))
    assert check["status"] == "invalid"
    assert (check["sha256_matches"], check["media_signature"], check["proof_signature"]) == (
        True,
        "bad",
        "bad",
    )


def test_a_signed_message_in_place_of_a_detached_signature_is_not_accepted(
    key: fx.GpgKey, tmp_path: Path
) -> None:
    members = fx.proof_members(key, MEDIA)
    members[f"{MEDIA.name}.asc"] = fx.inline_sign(key, b"something else the device signed")
    zipped = fx.write_zip(tmp_path / "b.zip", {**members, "pubkey.asc": key.public})
    [check] = proofmode(extract(zipped, tmp_path))
    assert (check["status"], check["media_signature"]) == ("invalid", "unreadable")


def test_a_bundle_without_its_key_or_media(key: fx.GpgKey, tmp_path: Path) -> None:
    members = fx.proof_members(key, MEDIA)
    del members[MEDIA.name]
    zipped = fx.write_zip(tmp_path / "b.zip", members)
    [check] = proofmode(extract(zipped, tmp_path))
    assert check["status"] == "invalid"
    assert (check["media"], check["media_signature"], check["proof_signature"]) == (
        None,
        "missing",
        "unknown key",
    )
    assert check["problems"] == [
        "the bundle holds no pubkey.asc",
        "the bundle holds no media file for this proof",
    ]


def test_a_zip_that_is_not_a_bundle_gives_no_observation(tmp_path: Path) -> None:
    zipped = fx.write_zip(tmp_path / "photos.zip", {"a.jpg": b"jpeg", "notes.txt": b"text"})
    extraction = extract(zipped, tmp_path)
    assert (extraction.observations, extraction.metadata) == ([], {})


def test_a_corrupt_zip_fails_cleanly(tmp_path: Path) -> None:
    source = tmp_path / "broken.zip"
    source.write_bytes(b"PK\x03\x04" + os.urandom(2048))
    with pytest.raises(ExtractionFailed, match="zip could not be read"):
        extract(source, tmp_path)


def test_a_2_gib_proof_is_never_read(key: fx.GpgKey, tmp_path: Path) -> None:
    zipped = fx.zero_member_zip(tmp_path / "bomb.zip", f"{MEDIA.name}.proof.json", 2 * 1024**3)
    members = fx.proof_members(key, MEDIA)
    del members[f"{MEDIA.name}.proof.json"]
    fx.write_zip(zipped, {**members, "pubkey.asc": key.public}, append=True)
    assert zipped.stat().st_size < 4 * 1024**2
    [check] = proofmode(extract(zipped, tmp_path))
    assert check["status"] == "invalid"
    assert check["problems"] == ["the proof file is over the size limit or unreadable"]


def test_a_media_member_over_the_cap_is_not_hashed(key: fx.GpgKey, tmp_path: Path) -> None:
    zipped = fx.bundle(tmp_path / "b.zip", key, [MEDIA])
    extractor = CredentialsExtractor(caps=Caps(media_bytes=8))
    [check] = proofmode(extract(zipped, tmp_path, extractor))
    assert (check["status"], check["sha256"], check["sha256_matches"]) == ("invalid", None, False)
    assert "the media file is over the size limit and was not hashed" in check["problems"]


def test_member_names_never_choose_where_files_are_written(key: fx.GpgKey, tmp_path: Path) -> None:
    hostile = fx.Media("../../escaped.jpg", MEDIA.signed)
    zipped = fx.bundle(tmp_path / "b.zip", key, [hostile])
    before = sorted(tmp_path.rglob("*"))
    [check] = proofmode(extract(zipped, tmp_path))
    assert (check["status"], check["media"]) == ("valid", "../../escaped.jpg")
    created = sorted(set(tmp_path.rglob("*")) - set(before))
    assert all(path.is_relative_to(tmp_path / "work") for path in created)
    assert not (tmp_path.parent / "escaped.jpg").exists()


def test_any_corrupted_byte_gives_observations_or_a_clean_failure(
    key: fx.GpgKey, tmp_path: Path
) -> None:
    original = fx.bundle(tmp_path / "b.zip", key, [MEDIA]).read_bytes()
    positions = random.Random(16).sample(range(len(original)), 40)
    for position in positions:
        case = tmp_path / str(position)
        case.mkdir()
        corrupted = bytearray(original)
        corrupted[position] ^= 0xA5
        (case / "b.zip").write_bytes(corrupted)
        try:
            extraction = extract(case / "b.zip", case)
        except ExtractionFailed:
            continue
        assert all(o.status in {"valid", "invalid"} for o in extraction.observations)


def test_a_trust_anchor_without_a_certificate_is_refused() -> None:
    with pytest.raises(ValueError, match="C2PA trust anchor 2 holds no PEM certificate"):
        CredentialsExtractor([fx.make_chain().ca_pem.decode(), "not a certificate"])


def test_a_pubkey_that_is_not_a_key(key: fx.GpgKey, tmp_path: Path) -> None:
    members = fx.proof_members(key, MEDIA)
    zipped = fx.write_zip(tmp_path / "b.zip", {**members, "pubkey.asc": b"not a key"})
    [check] = proofmode(extract(zipped, tmp_path))
    assert (check["status"], check["media_signature"], check["proof_signature"]) == (
        "invalid",
        "unknown key",
        "unknown key",
    )
    assert check["problems"] == [
        "pubkey.asc is over the size limit or holds no key GnuPG can import"
    ]
