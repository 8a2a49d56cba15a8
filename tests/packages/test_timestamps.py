"""RFC 3161 trusted timestamps on evidence packages (TSP-01 to TSP-05), against a real local TSA made
with OpenSSL (:mod:`tests.packages.tsa`): a stamped package verifies, and `openssl ts -verify` agrees;
a token for other bytes fails step 6; an unreachable TSA leaves the package made, without a timestamp,
and says why."""

from __future__ import annotations

import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from testament.config import load_settings
from testament.custody import custody_log
from testament.custody.instance import Instance
from testament.packages import verifier
from testament.packages.create import PackageRequest, create
from testament.packages.results import PackageReport
from tests.packages.conftest import AUDIENCE, CASE
from tests.packages.test_tampering import _rebag
from tests.packages.tsa import Tsa, served

TIMESTAMP = "data/timestamps/checkpoint.tsr"
CHAIN = "data/timestamps/tsa-chain.pem"
CHECKPOINT = "data/custody/checkpoint"


@pytest.fixture
def tsa(tmp_path: Path) -> Iterator[Tsa]:
    directory = tmp_path / "tsa"
    directory.mkdir()
    with served(directory) as authority:
        yield authority


def _package(
    instance: Instance, out: Path, *, chain: Path, url: str = "", tsa_url: str | None = None
) -> PackageReport:
    stamped = replace(instance, settings=replace(instance.settings, tsa_url=url, tsa_chain=chain))
    return create(stamped, PackageRequest(CASE, *AUDIENCE, out, tsa_url=tsa_url))


def _verify(instance: Instance, path: Path) -> verifier.Report:
    return verifier.verify(path, custody_log.verifier_key(instance))


def _token_for(tsa: Tsa, data: bytes, work: Path) -> bytes:
    """A token from the same TSA over ``data``, asked for with `openssl ts -query`."""
    (work / "other.bin").write_bytes(data)
    query = subprocess.run(
        ["openssl", "ts", "-query", "-data", str(work / "other.bin"), "-sha256", "-cert"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    request = urllib.request.Request(  # noqa: S310 - the local TSA's http:// URL
        tsa.url, data=query, headers={"Content-Type": "application/timestamp-query"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - as above
        body: bytes = answer.read()
    return body


def test_stamped_package_verifies_and_openssl_agrees(
    documented: dict[str, Any], tsa: Tsa, tmp_path: Path
) -> None:
    instance: Instance = documented["instance"]
    out = tmp_path / "package"
    report = _package(instance, out, chain=tsa.chain, url=tsa.url)
    assert report.trusted_timestamp is True
    assert report.timestamp_note is None
    assert "Testament-Trusted-Timestamp: rfc3161\n" in (out / "bag-info.txt").read_text("utf-8")
    checked = _verify(instance, out)
    assert checked.verdict == "valid", verifier.render(checked)
    assert checked.trusted_timestamp is True
    step = checked.steps[5]
    assert step.status == "passed"
    assert any("stamped at" in f and "CN=Test Time-Stamp Authority" in f for f in step.findings), (
        step.findings
    )
    assert any("CN=Test Root CA" in f for f in step.findings), step.findings
    openssl = subprocess.run(
        ["openssl", "ts", "-verify", "-data", str(out / CHECKPOINT), "-in", str(out / TIMESTAMP),
         "-CAfile", str(out / CHAIN)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert openssl.returncode == 0, openssl.stderr
    assert "Verification: OK" in openssl.stdout


def test_token_for_other_bytes_fails_step_6(
    documented: dict[str, Any], tsa: Tsa, tmp_path: Path
) -> None:
    instance: Instance = documented["instance"]
    out = tmp_path / "package"
    # --tsa given on the request: it overrides the (empty) setting.
    report = _package(instance, out, chain=tsa.chain, tsa_url=tsa.url)
    assert report.trusted_timestamp is True
    (out / TIMESTAMP).write_bytes(_token_for(tsa, b"another checkpoint\n", tmp_path))
    _rebag(out)
    checked = _verify(instance, out)
    assert checked.verdict == "invalid", verifier.render(checked)
    step = checked.steps[5]
    assert step.status == "failed"
    assert step.file == TIMESTAMP
    assert any(TIMESTAMP in f and "other bytes" in f for f in step.findings), step.findings
    assert [s.number for s in checked.steps if s.status != "passed"] == [6]


def test_unreachable_tsa_still_makes_the_package(
    documented: dict[str, Any], tsa: Tsa, tmp_path: Path
) -> None:
    instance: Instance = documented["instance"]
    with socket.socket() as probe:  # a port that was free and is closed again: nothing listens
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    out = tmp_path / "package"
    report = _package(instance, out, chain=tsa.chain, url=closed)
    assert report.trusted_timestamp is False
    assert report.timestamp_note is not None
    assert "could not be reached" in report.timestamp_note
    assert "Testament-Trusted-Timestamp: none\n" in (out / "bag-info.txt").read_text("utf-8")
    assert not (out / "data" / "timestamps").exists()
    checked = _verify(instance, out)
    assert checked.verdict == "valid", verifier.render(checked)
    assert any("no trusted timestamp" in f for f in checked.steps[5].findings)


def test_tsa_settings_are_read(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "TESTAMENT_HOME": str(tmp_path),
            "TESTAMENT_TSA_URL": " https://tsa.example.org/ ",
            "TESTAMENT_TSA_CHAIN": str(tmp_path / "chain.pem"),
        }
    )
    assert settings.tsa_url == "https://tsa.example.org/"
    assert settings.tsa_chain == tmp_path / "chain.pem"
    plain = load_settings({"TESTAMENT_HOME": str(tmp_path)})
    assert (plain.tsa_url, plain.tsa_chain) == ("", None)
