"""The relay keeps the HTML documents of plain-HTTP connections whole, as the server sent them."""

from __future__ import annotations

import gzip
import socket

from testament.pipeline.capture.proxy import GuardingProxy, Policy
from testament.pipeline.capture.wire import Tap, WireExchange, as_served
from tests.pipeline.capture.site import Site


def _through(relay: GuardingProxy, port: int, requests: bytes) -> bytes:
    """Send ``requests`` through the relay to 127.0.0.1:``port``; everything the server answered."""
    host, relay_port = relay.server.removeprefix("socks5://").rsplit(":", 1)
    with socket.create_connection((host, int(relay_port)), timeout=10) as client:
        client.sendall(b"\x05\x01\x00")
        assert client.recv(2) == b"\x05\x00"
        client.sendall(
            b"\x05\x01\x00\x01" + socket.inet_aton("127.0.0.1") + port.to_bytes(2, "big")
        )
        assert client.recv(10)[:2] == b"\x05\x00"
        client.sendall(requests)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    return answer


def _get(authority: str, path: str, last: bool = False) -> bytes:
    close = "Connection: close\r\n" if last else ""
    return f"GET {path} HTTP/1.1\r\nHost: {authority}\r\n{close}\r\n".encode()


def test_the_relay_keeps_each_html_document_of_a_connection_and_nothing_else(site: Site) -> None:
    authority = site.base.removeprefix("http://")
    port = int(authority.rsplit(":", 1)[1])
    relay = GuardingProxy(Policy(allow_private=True), max_bytes=10 * 1024**2).start()
    try:
        requests = _get(authority, "/logo.png") + _get(authority, "/page")
        answer = _through(relay, port, requests + _get(authority, "/gzipped", last=True))
        documents = relay.documents()
    finally:
        relay.close()

    assert answer.count(b"HTTP/1.0 200") + answer.count(b"HTTP/1.1 200") == 3
    assert [d.url for d in documents] == [f"{site.base}/page", f"{site.base}/gzipped"]
    page, zipped = documents
    assert page.body == site.files["/page"][1] and page.status == 200
    assert ("Host", authority) in page.request_headers
    body, headers, changed = as_served(zipped)
    assert gzip.decompress(zipped.body) == body and b"Compressed on the wire." in body
    assert ("X-Testament-Orig-Content-Encoding", "gzip") in headers
    assert ("Content-Length", str(len(body))) in headers
    assert sorted(changed) == ["Content-Encoding: gzip", f"Content-Length: {len(zipped.body)}"]


def _tapped(requests: bytes, responses: bytes, *, closed: bool = False) -> list[WireExchange]:
    """Feed a tap one byte at a time, as the smallest reads would; what it kept."""
    kept: list[WireExchange] = []
    tap = Tap(kept.append, max_body=1024)
    for index in range(len(requests)):
        tap.client(requests[index : index + 1])
    for index in range(len(responses)):
        tap.server(responses[index : index + 1])
    if closed:
        tap.closed()
    return kept


def test_a_tap_follows_chunks_an_interim_answer_and_bodies_without_content() -> None:
    requests = (
        b"HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n"
        b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
        b"POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nx=1"
        b"GET /d HTTP/1.1\r\nHost: h\r\n\r\n"
    )
    responses = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 99\r\n\r\n"
        b"HTTP/1.1 304 Not Modified\r\nContent-Type: text/html\r\n\r\n"
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;note=1\r\n<p>hi\r\n4\r\n</p>\r\n0\r\nX-Trailer: t\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 4\r\n\r\n\x89PNG"
    )
    kept = _tapped(requests, responses)

    assert [(k.method, k.url, k.status, k.body) for k in kept] == [
        ("HEAD", "http://h/a", 200, b""),
        ("GET", "http://h/b", 304, b""),
        ("POST", "http://h/c", 200, b"<p>hi</p>"),
    ]
    assert kept[2].request_body == b"x=1"
    body, headers, changed = as_served(kept[2])
    assert body == b"<p>hi</p>" and ("Content-Length", "9") in headers
    assert changed == ["Transfer-Encoding: chunked"]


def test_a_tap_ends_a_body_at_the_close_and_drops_what_is_too_large() -> None:
    requests = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"
    large = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2000\r\n\r\n" + b"x" * 2000
    )
    until_close = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>to the end</p>"

    assert _tapped(requests, large + until_close) == []
    kept = _tapped(requests, large + until_close, closed=True)
    assert [(k.url, k.body) for k in kept] == [("http://h/b", b"<p>to the end</p>")]


def test_a_tap_keeps_nothing_of_what_it_cannot_follow() -> None:
    assert _tapped(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"\x16\x03\x03\x00\x5a") == []
    garbled = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: nine\r\n\r\n<p>"
    assert _tapped(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", garbled) == []
