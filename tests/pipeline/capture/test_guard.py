"""Bad URLs and SSRF: refused before anything is fetched, with a message that names the switch."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from testament.errors import BackendUnavailable, InvalidInput
from testament.pipeline.capture import CaptureFailed, CaptureOptions, CaptureRefused, capture
from testament.pipeline.capture.guard import check_url, is_refused
from testament.pipeline.capture.proxy import GuardingProxy, Policy

SWITCH = "set TESTAMENT_CAPTURE_ALLOW_PRIVATE=1 or capture_allow_private = true in the configuration file"


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1/", "127.0.0.1"),
        ("http://[::1]:8080/admin", "::1"),
        ("https://10.1.2.3/", "10.1.2.3"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://localhost:9/", None),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1, which carries 127.0.0.1"),
        ("http://192.168.0.1/", "192.168.0.1"),
        ("http://0.0.0.0/", "0.0.0.0"),  # noqa: S104 - an address refused, never bound
        ("http://224.0.0.1/", "224.0.0.1"),
        ("http://[fe80::1]/", "fe80::1"),
    ],
)
def test_a_private_or_loopback_address_is_refused_by_default(
    url: str, address: str | None, tmp_path: Path
) -> None:
    with pytest.raises(CaptureRefused) as refused:
        capture(url, tmp_path / "work", CaptureOptions())
    reason = refused.value.reason
    assert reason.startswith("the URL points to a private or loopback address (")
    if address is not None:
        assert f"({address})" in reason
    assert SWITCH in reason
    assert not (tmp_path / "work").exists(), "nothing is written for a refused URL"


def test_the_exact_message_for_loopback() -> None:
    with pytest.raises(CaptureRefused) as refused:
        check_url("http://127.0.0.1:8000/page", allow_private=False)
    assert str(refused.value) == (
        "the URL points to a private or loopback address (127.0.0.1); set TESTAMENT_CAPTURE_ALLOW_PRIVATE=1 "
        "or capture_allow_private = true in the configuration file to allow it"
    )


def test_a_name_that_resolves_to_loopback_is_refused() -> None:
    assert socket.gethostbyname("localhost") == "127.0.0.1"
    with pytest.raises(CaptureRefused, match=r"private or loopback address \((127\.0\.0\.1|::1)\)"):
        check_url("http://localhost/", allow_private=False)


def test_allowing_private_addresses_lets_them_through() -> None:
    target = check_url("http://127.0.0.1:8000/page", allow_private=True)
    assert (target.host, target.port) == ("127.0.0.1", 8000)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "ftp://example.org/file",
            "only http and https URLs can be captured (the scheme is 'ftp:')",
        ),
        (
            "javascript:alert(1)",
            "only http and https URLs can be captured (the scheme is 'javascript:')",
        ),
        ("file:///etc/passwd", "only http and https URLs can be captured (the scheme is 'file:')"),
        ("example.org/page", "only http and https URLs can be captured (the scheme is none)"),
        ("http:///path", "the URL has no host"),
        ("https://", "the URL has no host"),
        ("http://example.org:99999/", "the URL is not valid (its host or port cannot be read)"),
        ("http://[::1/", "the URL is not valid (its host or port cannot be read)"),
        ("http://name.invalid/", "the URL's host name does not resolve"),
    ],
)
def test_a_bad_url_is_refused_with_its_reason(url: str, reason: str, tmp_path: Path) -> None:
    with pytest.raises(CaptureRefused) as refused:
        capture(url, tmp_path, CaptureOptions(allow_private=True))
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address refused, never bound
        "224.0.0.251", "239.255.255.250", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1",
        "ff02::1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "2001:db8::1",
    ],
)  # fmt: skip
def test_every_kind_of_non_public_address_is_refused(address: str) -> None:
    assert is_refused(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_refused(ipaddress.ip_address(address))


def test_a_policy_can_allow_one_private_network_and_no_other() -> None:
    policy = Policy(allowed=("127.0.0.1/32",))
    assert policy.permits(ipaddress.ip_address("127.0.0.1"))
    assert not policy.permits(ipaddress.ip_address("127.0.0.2"))
    assert not policy.permits(ipaddress.ip_address("169.254.169.254"))
    assert Policy(allow_private=True).permits(ipaddress.ip_address("169.254.169.254"))


def test_the_relay_refuses_a_connection_to_a_refused_address() -> None:
    relay = GuardingProxy(Policy(), max_bytes=1024).start()
    try:
        host, port = relay.server.removeprefix("socks5://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as client:
            client.sendall(b"\x05\x01\x00")
            assert client.recv(2) == b"\x05\x00"
            client.sendall(
                b"\x05\x01\x00\x01" + socket.inet_aton("169.254.169.254") + (80).to_bytes(2, "big")
            )
            reply = client.recv(10)
        assert reply[:2] == b"\x05\x02", "connection not allowed by ruleset"
        assert relay.traffic.refused == ["169.254.169.254"]
    finally:
        relay.close()


def test_a_refusal_is_final_and_a_failure_may_be_retried(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        capture("http://127.0.0.1/", tmp_path, CaptureOptions())
    assert refused.value.what == refused.value.args[0]
    with pytest.raises(BackendUnavailable) as failed:
        capture(
            "http://127.0.0.1/",
            tmp_path,
            CaptureOptions(allow_private=True, chromium="/nonexistent/chromium"),
        )
    assert isinstance(failed.value, CaptureFailed)
    assert (
        failed.value.reason
        == "Chromium is not installed at /nonexistent/chromium (run 'make deps')"
    )
