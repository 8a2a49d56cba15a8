"""Content credentials made offline at test time: C2PA-signed JPEGs and ProofMode bundles.

C2PA: a local ES256 CA and a leaf certificate (c2pa-rs refuses a self-signed leaf), then
``c2pa.Builder`` signs a JPEG whose manifest says it was created (``c2pa.created``).
ProofMode: a real GnuPG key, detached armored signatures and the zip layout ProofMode shares
(media, ``<key>.proof.json``/``.proof.csv``, ``<key>.asc``, ``<key>.proof.json.asc``, ``pubkey.asc``).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

CLAIM_GENERATOR = "testament-tests"
DIGITAL_CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
ORGANISATION = "Testament Tests"
SIGNER = "Test Signer"
# Fields a real proof carries about the device: the extractor must never record them.
DEVICE_FIELDS = {"DeviceID": "a1b2c3d4e5f6", "IPv4": "10.1.2.3", "CellInfo": "cell 7"}
LATITUDE, LONGITUDE = "50.4501", "30.5234"
PROOF_GENERATED = "2026-03-01T10:15:00Z"
_MIB = 1024 * 1024
_EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Chain:
    """A CA, and a leaf certificate it issued with the leaf's key, as PEM."""

    ca_pem: bytes
    chain_pem: bytes
    key_pem: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        ]
    )


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=sign,
        crl_sign=sign,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    signer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_EPOCH)
        .not_valid_after(_EPOCH + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_usage(sign=ca), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    else:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
            critical=False,
        )
    return builder.sign(signer_key, hashes.SHA256())


def make_chain(ca_name: str = "Test Root CA") -> Chain:
    """An ES256 CA (basicConstraints CA:true) and a leaf for signing (digitalSignature,
    emailProtection)."""
    ca_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca = _certificate(_name(ca_name), _name(ca_name), ca_key, ca_key, ca=True)
    leaf = _certificate(_name(SIGNER), _name(ca_name), leaf_key, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    key_pem = leaf_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    ca_pem = ca.public_bytes(pem)
    return Chain(ca_pem=ca_pem, chain_pem=leaf.public_bytes(pem) + ca_pem, key_pem=key_pem)


def plain_jpeg(path: Path, colour: tuple[int, int, int] = (200, 30, 30)) -> Path:
    """A small JPEG with no content credential."""
    Image.new("RGB", (64, 48), colour).save(path, "JPEG", quality=90)
    return path


def small_mp4(path: Path) -> Path:
    """A one-second 64x48 H.264 video with no content credential (ffmpeg's test pattern)."""
    pattern = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1", "-pix_fmt", "yuv420p"]
    command = ["ffmpeg", "-loglevel", "error", "-y", *pattern, str(path)]
    subprocess.run(command, check=True, timeout=60)
    return path


def sign(
    source: Path,
    dest: Path,
    chain: Chain,
    *,
    media_type: str = "image/jpeg",
    remote_url: str | None = None,
) -> Path:
    """Sign ``source`` into ``dest`` with a manifest that records its creation; with
    ``remote_url``, the manifest is left out of the file, which only names where it is."""
    manifest = {
        "claim_generator_info": [{"name": CLAIM_GENERATOR, "version": "1.0"}],
        "title": source.name,
        "format": media_type,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "softwareAgent": {"name": CLAIM_GENERATOR, "version": "1.0"},
                            "digitalSourceType": DIGITAL_CAPTURE,
                        }
                    ]
                },
            }
        ],
    }
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(b"es256", chain.chain_pem, chain.key_pem, None)
    )
    builder = c2pa.Builder(manifest)
    if remote_url is not None:
        builder.set_no_embed()
        builder.set_remote_url(remote_url)
    with source.open("rb") as src, dest.open("w+b") as out:
        builder.sign(signer, media_type, src, out)
    return dest


def flip_image_byte(signed: Path, dest: Path) -> Path:
    """A copy of a signed JPEG with one bit changed in its image data (the last scan)."""
    data = bytearray(signed.read_bytes())
    position = len(data) - 64
    while data[position] >= 0xFE:
        position -= 1
    data[position] ^= 0x01
    dest.write_bytes(bytes(data))
    return dest


def flip_video_byte(signed: Path, dest: Path) -> Path:
    """A copy of a signed MP4 with one bit changed in its media data (``mdat``)."""
    data = bytearray(signed.read_bytes())
    data[data.index(b"mdat") + 100] ^= 0x01
    dest.write_bytes(bytes(data))
    return dest


def truncated(path: Path, dest: Path) -> Path:
    """The first half of ``path``."""
    data = path.read_bytes()
    dest.write_bytes(data[: len(data) // 2])
    return dest


# ProofMode


@dataclass(frozen=True)
class GpgKey:
    """A GnuPG home holding one signing key, its fingerprint and its armored public key."""

    home: Path
    fingerprint: str
    public: bytes


def _gpg(home: Path, *args: str) -> bytes:
    command = ["gpg", "--batch", "--homedir", str(home), "--pinentry-mode", "loopback"]
    return subprocess.run(
        [*command, "--passphrase", "", *args], capture_output=True, check=True, timeout=60
    ).stdout


def make_gpg_key(home: Path, uid: str = "Test Device <device@example.org>") -> GpgKey:
    """An Ed25519 signing key with no passphrase, in a new GnuPG home."""
    home.mkdir(mode=0o700, parents=True)
    _gpg(home, "--quick-gen-key", uid, "ed25519", "sign", "never")
    listing = _gpg(home, "--with-colons", "--list-keys").decode()
    fingerprint = next(
        line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")
    )
    return GpgKey(home=home, fingerprint=fingerprint, public=_gpg(home, "--armor", "--export"))


def stop_agent(key: GpgKey) -> None:
    """Stop the gpg-agent that signing started in the key's home."""
    subprocess.run(
        ["gpgconf", "--homedir", str(key.home), "--kill", "gpg-agent"], check=False, timeout=30
    )


def detach_sign(key: GpgKey, data: bytes) -> bytes:
    """An armored detached signature of ``data``."""
    source = key.home / "to-sign"
    source.write_bytes(data)
    return _gpg(key.home, "--armor", "--detach-sign", "--output", "-", str(source))


def inline_sign(key: GpgKey, data: bytes) -> bytes:
    """An armored signed message holding ``data`` (not a detached signature)."""
    source = key.home / "to-sign"
    source.write_bytes(data)
    return _gpg(key.home, "--armor", "--sign", "--output", "-", str(source))


@dataclass(frozen=True)
class Media:
    """A media file in a bundle: ``signed`` is what the device proved, ``shipped`` what the zip
    holds (the same unless it was altered after signing)."""

    name: str
    signed: bytes
    shipped: bytes | None = None


def proof_fields(media: Media, *, location: bool = True) -> dict[str, str]:
    """The fields of a ProofMode proof for ``media``, device fields included."""
    fields = {
        "File Hash SHA256": hashlib.sha256(media.signed).hexdigest(),
        "File Path": f"/storage/emulated/0/DCIM/Camera/{media.name}",
        "File Modified": "2026-03-01T10:14:59Z",
        "Proof Generated": PROOF_GENERATED,
        **DEVICE_FIELDS,
    }
    if location:
        fields |= {"Location.Latitude": LATITUDE, "Location.Longitude": LONGITUDE}
    return fields


def _csv(fields: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    writer.writerow(fields.values())
    return out.getvalue().encode()


def proof_members(
    key: GpgKey,
    media: Media,
    *,
    by_hash: bool = False,
    formats: Sequence[str] = ("json",),
    media_key: GpgKey | None = None,
) -> dict[str, bytes]:
    """A media file's members in a bundle: named by its SHA-256 (``by_hash``, as ProofMode now
    does) or by its file name (older bundles); the media signed by ``media_key`` when given."""
    fields = proof_fields(media)
    stem = fields["File Hash SHA256"] if by_hash else media.name
    members = {
        media.name: media.signed if media.shipped is None else media.shipped,
        f"{stem}.asc": detach_sign(media_key or key, media.signed),
    }
    for kind in formats:
        proof = json.dumps(fields).encode() if kind == "json" else _csv(fields)
        members[f"{stem}.proof.{kind}"] = proof
        members[f"{stem}.proof.{kind}.asc"] = detach_sign(key, proof)
    return members


def write_zip(dest: Path, members: dict[str, bytes], *, append: bool = False) -> Path:
    with zipfile.ZipFile(dest, "a" if append else "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return dest


def bundle(dest: Path, key: GpgKey, media: Sequence[Media], **options: object) -> Path:
    """A ProofMode zip of ``media`` with the device's ``pubkey.asc`` (options: proof_members')."""
    members: dict[str, bytes] = {}
    for item in media:
        members |= proof_members(key, item, **options)  # type: ignore[arg-type]
    members["pubkey.asc"] = key.public
    members["HowToVerifyProofData.txt"] = b"Verify with gpg --verify.\n"
    return write_zip(dest, members)


def zero_member_zip(dest: Path, name: str, size: int) -> Path:
    """A zip whose only member ``name`` inflates to ``size`` zero bytes (a multiple of 1 MiB,
    under 4 GiB): 1 KiB of deflate per MiB, written without inflating anything."""
    zeros = bytes(_MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    count = size // _MIB
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    packed = len(block) * count + len(tail)
    encoded = name.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, packed, size, len(encoded), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        packed,
        size,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    with dest.open("wb") as out:
        out.write(local + encoded)
        for _ in range(count):
            out.write(block)
        out.write(tail)
        start = out.tell()
        out.write(central + encoded)
        out.write(
            struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(encoded), start, 0)
        )
    return dest
