"""The HTML documents of plain-HTTP connections, as the guarding relay sees them go by.

Chromium hands a body over (``Network.getResponseBody``) from the page's renderer, so while a page's
scripts keep the renderer busy it hands nothing over, and a browser stopped by the watchdog takes the
HTML as served with it. For plain HTTP the relay sees every byte the server sent, so it keeps each HTML
response it relays, whole, in the order of the connection's requests: the capture records from here a
document the browser could not hand over. Through HTTPS the relay sees only TLS and keeps nothing.

A :class:`Tap` follows one connection's HTTP/1.x requests and responses (``Content-Length``, chunked, or
until the connection closes). It only reads what goes by: anything it cannot follow (an upgrade, a
malformed message, a body past ``max_body``) ends the tapping of that connection and nothing else.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

# The bytes a connection's first request starts with when it is plain HTTP (TLS starts with 0x16).
PLAIN_HTTP = re.compile(rb"^[A-Z]{1,10}( |$)")
HEAD_LIMIT = 256 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
DECODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda data: zlib.decompress(data, 16 + zlib.MAX_WBITS),
    "x-gzip": lambda data: zlib.decompress(data, 16 + zlib.MAX_WBITS),
    "deflate": zlib.decompress,
}


@dataclass
class WireExchange:
    """One plain-HTTP request and its HTML response, as they went through the relay; ``body`` is what
    followed the response's headers, chunked framing removed, and ``at`` when its last byte was read."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes = b""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class _Message:
    """A message's head, parsed: its first line's parts and its headers."""

    parts: list[str]
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name]
        return values[-1].strip() if values else None


def _head(buffer: bytearray) -> _Message | None:
    """Take a complete head off ``buffer``; ``None`` while it is not all there."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > HEAD_LIMIT:
            raise ValueError("a message head past the limit")
        return None
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    del buffer[: end + 4]
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError("a header line without a colon")
        headers.append((name.strip(), value.strip()))
    return _Message(lines[0].split(" ", 2), headers)


@dataclass
class _Body:
    """Reads one body off a buffer: ``length`` bytes, chunks, or everything until the connection closes.
    It keeps at most ``limit`` bytes of it (``data`` is ``None`` past that, or when told to keep none)."""

    length: int | None
    chunked: bool
    limit: int = 0
    data: bytearray | None = field(default_factory=bytearray)
    seen: int = 0
    chunk_left: int = 0
    trailer: bool = False

    def _take(self, buffer: bytearray, size: int) -> None:
        if self.data is not None:
            self.data += buffer[:size]
            if len(self.data) > self.limit:
                self.data = None
        self.seen += size
        del buffer[:size]

    def read(self, buffer: bytearray) -> bool:
        """Move what belongs to the body from ``buffer``; whether the body is complete."""
        if self.chunked:
            return self._chunks(buffer)
        if self.length is None:
            self._take(buffer, len(buffer))
            return False
        self._take(buffer, min(self.length - self.seen, len(buffer)))
        return self.seen == self.length

    def _chunks(self, buffer: bytearray) -> bool:
        while True:
            if self.chunk_left > 0:
                take = min(self.chunk_left, len(buffer))
                self._take(buffer, take)
                self.chunk_left -= take
                if self.chunk_left > 0:
                    return False
            end = buffer.find(b"\r\n")
            if end < 0:
                return False
            line = bytes(buffer[:end])
            del buffer[: end + 2]
            if self.trailer:
                if not line:
                    return True
            elif line:
                size = int(line.split(b";", 1)[0].strip(), 16)
                self.trailer = size == 0
                self.chunk_left = size


class Tap:
    """Follows one plain-HTTP connection and hands ``keep`` each complete HTML response of at most
    ``max_body`` bytes, with its request, as soon as its last byte is read (before the browser gets it)."""

    def __init__(self, keep: Callable[[WireExchange], None], max_body: int) -> None:
        self.keep = keep
        self.max_body = max_body
        self.on = True
        self._started = False
        self._sent = bytearray()
        self._received = bytearray()
        self._requests: list[WireExchange] = []
        self._request: tuple[WireExchange, _Body] | None = None
        self._response: tuple[WireExchange, _Body] | None = None

    def client(self, data: bytes) -> None:
        """Bytes the browser sent; the first ones tell whether the connection is plain HTTP."""
        if not self._started:
            self._started = True
            self.on = PLAIN_HTTP.match(data) is not None
        if self.on:
            self._sent += data
            self._follow(self._requests_in)

    def server(self, data: bytes) -> None:
        """Bytes the server sent (a server that speaks first is not plain HTTP)."""
        self._started = True
        if self.on:
            self._received += data
            self._follow(self._responses_in)

    def closed(self) -> None:
        """The server closed the connection: a body read until the close is complete."""
        if self.on and self._response is not None:
            exchange, body = self._response
            if body.length is None and not body.chunked:
                self._finish(exchange, body)

    def _follow(self, step: Callable[[], bool]) -> None:
        try:
            while step():
                pass
        except (ValueError, IndexError, zlib.error):
            self._stop()

    def _stop(self) -> None:
        self.on = False
        self._sent.clear()
        self._received.clear()
        self._requests.clear()

    def _requests_in(self) -> bool:
        """Read one request, or the rest of one; whether there may be more to read."""
        if self._request is None:
            head = _head(self._sent)
            if head is None:
                return False
            method, target = head.parts[0], head.parts[1]
            host = head.header("host") or ""
            exchange = WireExchange(f"http://{host}{target}", method, head.headers, b"", 0, "", [])
            length = int(head.header("content-length") or 0)
            chunked = head.header("transfer-encoding") is not None
            self._request = (exchange, _Body(length, chunked, self.max_body))
        exchange, body = self._request
        if not body.read(self._sent):
            return False
        exchange.request_body = bytes(body.data or b"")
        self._requests.append(exchange)
        self._request = None
        return bool(self._sent)

    def _responses_in(self) -> bool:
        """Read one response, or the rest of one; whether there may be more to read."""
        if self._response is None:
            head = _head(self._received)
            if head is None:
                return False
            status = int(head.parts[1])
            if 100 <= status < 200:
                if status == 101:
                    self._stop()
                    return False
                return bool(self._received)
            exchange = self._requests.pop(0)
            exchange.status, exchange.response_headers = status, head.headers
            exchange.reason = head.parts[2] if len(head.parts) > 2 else ""
            body = _response_body(exchange, head)
            body.limit = self.max_body
            if not _is_html(head):
                body.data = None
            self._response = (exchange, body)
        exchange, body = self._response
        if not body.read(self._received):
            return False
        self._finish(exchange, body)
        return bool(self._received)

    def _finish(self, exchange: WireExchange, body: _Body) -> None:
        self._response = None
        if body.data is not None:
            exchange.body = bytes(body.data)
            exchange.at = datetime.now(UTC)
            self.keep(exchange)


def _is_html(head: _Message) -> bool:
    content_type = (head.header("content-type") or "").split(";", 1)[0].strip().lower()
    return content_type in HTML_TYPES


def _response_body(exchange: WireExchange, head: _Message) -> _Body:
    status = int(head.parts[1])
    if exchange.method == "HEAD" or status in (204, 304):
        return _Body(0, False)
    if "chunked" in (head.header("transfer-encoding") or "").lower():
        return _Body(None, True)
    length = head.header("content-length")
    return _Body(int(length) if length is not None else None, False)


def as_served(exchange: WireExchange) -> tuple[bytes, list[tuple[str, str]], list[str]]:
    """The body with its content coding removed where it can be, the headers that describe it (the
    originals kept as ``X-Testament-Orig-*``) and the changes made, as the browser's records have them."""
    headers = exchange.response_headers
    names = {name.lower(): value for name, value in headers}
    coding = names.get("content-encoding", "identity").strip().lower()
    body = exchange.body
    decoded = {"transfer-encoding"} if "transfer-encoding" in names else set()
    if coding in DECODERS:
        try:
            body = DECODERS[coding](body)
            decoded |= {"content-encoding"}
        except zlib.error:
            body = exchange.body
    if not decoded:
        return body, headers, []
    decoded.add("content-length")
    kept: list[tuple[str, str]] = []
    changed: list[str] = []
    for name, value in headers:
        if name.lower() in decoded:
            kept.append((f"X-Testament-Orig-{name}", value))
            changed.append(f"{name}: {value}")
        else:
            kept.append((name, value))
    kept.append(("Content-Length", str(len(body))))
    return body, kept, changed
