"""A SOCKS5 relay on loopback that every connection of a capture's browser goes through.

Chromium sends every connection, loopback included (Playwright adds ``<-loopback>`` to the bypass list), to
this relay as a host name and port. The relay resolves the name itself, checks every address
(:func:`.guard.resolve`) and connects to an address it checked, so neither a redirect, nor a subresource,
nor a page whose name resolves differently the second time (DNS rebinding) reaches an address the
capture may not reach. Playwright's request routing cannot do this: it is not called for redirects.

The relay also bounds the bytes a capture receives: past ``max_bytes`` it cuts every connection, so a
5 GB video never fills the browser's memory. And it keeps the HTML responses of plain-HTTP connections
as they go by (:mod:`.wire`), so a document the browser could not hand over is still recorded.
"""

from __future__ import annotations

import contextlib
import ipaddress
import selectors
import socket
import threading
from dataclasses import dataclass, field
from typing import cast

from testament.pipeline.capture.guard import CaptureRefused, IPAddress, is_refused, resolve
from testament.pipeline.capture.wire import Tap, WireExchange

CONNECT_TIMEOUT_S = 10.0
CHUNK = 64 * 1024
# The largest HTML response the relay keeps whole from a plain-HTTP connection.
DOCUMENT_LIMIT = 32 * 1024**2
# SOCKS5 replies (RFC 1928, section 6).
SUCCEEDED, NOT_ALLOWED, HOST_UNREACHABLE, REFUSED, NOT_SUPPORTED = 0, 2, 4, 5, 7


@dataclass(frozen=True)
class Policy:
    """Which addresses the relay may connect to: public ones always; private ones when ``allow_private``,
    or when they are in ``allowed`` (networks such as ``10.1.2.0/24``)."""

    allow_private: bool = False
    allowed: tuple[str, ...] = ()

    def permits(self, address: IPAddress) -> bool:
        if self.allow_private or not is_refused(address):
            return True
        return any(address in ipaddress.ip_network(network) for network in self.allowed)


@dataclass
class Traffic:
    """What the relay saw: each host and the address it connected to, the refused connections, the
    bytes received, whether the byte bound was reached, and the HTML responses of plain-HTTP connections
    (read them with :meth:`GuardingProxy.documents`)."""

    addresses: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    received: int = 0
    over_limit: bool = False
    documents: list[WireExchange] = field(default_factory=list)


class _Declined(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the browser closed the connection")
        data += chunk
    return data


def _reply(sock: socket.socket, code: int) -> None:
    sock.sendall(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))


def _requested(sock: socket.socket) -> tuple[str, int]:
    """Read a SOCKS5 greeting and CONNECT request; return the host and port asked for."""
    version, count = _read(sock, 2)
    _read(sock, count)
    if version != 5:
        raise ConnectionError("not a SOCKS5 client")
    sock.sendall(b"\x05\x00")
    _, command, _, kind = _read(sock, 4)
    if kind == 1:
        host = socket.inet_ntop(socket.AF_INET, _read(sock, 4))
    elif kind == 4:
        host = socket.inet_ntop(socket.AF_INET6, _read(sock, 16))
    elif kind == 3:
        host = _read(sock, _read(sock, 1)[0]).decode("ascii", "replace")
    else:
        raise _Declined(NOT_SUPPORTED)
    port = int.from_bytes(_read(sock, 2), "big")
    if command != 1:
        raise _Declined(NOT_SUPPORTED)
    return host, port


class GuardingProxy:
    """The relay of one capture. ``start()`` it, point the browser at :attr:`server`, ``close()`` it."""

    def __init__(self, policy: Policy, max_bytes: int) -> None:
        self.policy = policy
        self.max_bytes = max_bytes
        self.traffic = Traffic()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._closed = False

    @property
    def server(self) -> str:
        if self._listener is None:
            raise RuntimeError("the relay is not started")
        host, port = self._listener.getsockname()[:2]
        return f"socks5://{host}:{port}"

    def start(self) -> GuardingProxy:
        self._listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._serve, args=(self._listener,), daemon=True).start()
        return self

    def close(self) -> None:
        with self._lock:
            self._closed = True
            sockets = list(self._open)
        if self._listener is not None:
            self._listener.close()
        for sock in sockets:
            _shut(sock)

    def documents(self) -> list[WireExchange]:
        """The HTML responses relayed whole over plain HTTP so far, each kept before the browser got
        its last byte."""
        with self._lock:
            return list(self.traffic.documents)

    def _keep(self, exchange: WireExchange) -> None:
        with self._lock:
            self.traffic.documents.append(exchange)

    def _serve(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _track(self, sock: socket.socket) -> bool:
        with self._lock:
            if self._closed or self.traffic.over_limit:
                return False
            self._open.add(sock)
            return True

    def _handle(self, client: socket.socket) -> None:
        upstream = None
        try:
            if not self._track(client):
                return
            client.settimeout(CONNECT_TIMEOUT_S)
            host, port = _requested(client)
            upstream = self._connect(host, port)
            if not self._track(upstream):
                return
            _reply(client, SUCCEEDED)
            client.settimeout(None)
            self._relay(client, upstream)
        except _Declined as declined:
            _quietly_reply(client, declined.code)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with self._lock:
                        self._open.discard(sock)
                    sock.close()

    def _connect(self, host: str, port: int) -> socket.socket:
        try:
            addresses = resolve(host, port, allow_private=True)
        except CaptureRefused:
            raise _Declined(HOST_UNREACHABLE) from None
        for address in addresses:
            if not self.policy.permits(address):
                with self._lock:
                    self.traffic.refused.append(str(address))
                raise _Declined(NOT_ALLOWED)
        for address in addresses:
            try:
                upstream = socket.create_connection((str(address), port), CONNECT_TIMEOUT_S)
            except OSError:
                continue
            upstream.settimeout(None)
            with self._lock:
                self.traffic.addresses[host] = str(address)
            return upstream
        raise _Declined(REFUSED)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        """Relay both ways until both sides are done; the tap reads each chunk before it is passed on."""
        peers = {client: upstream, upstream: client}
        tap = Tap(self._keep, DOCUMENT_LIMIT)
        with selectors.DefaultSelector() as selector:
            for sock in peers:
                selector.register(sock, selectors.EVENT_READ)
            while len(selector.get_map()) > 0:
                for key, _ in selector.select():
                    source = cast("socket.socket", key.fileobj)
                    data = source.recv(CHUNK)
                    if not data:
                        if source is upstream:
                            tap.closed()
                        selector.unregister(source)
                        _half_close(peers[source])
                        continue
                    if source is upstream and not self._count(len(data)):
                        return
                    (tap.client if source is client else tap.server)(data)
                    peers[source].sendall(data)

    def _count(self, size: int) -> bool:
        with self._lock:
            self.traffic.received += size
            if self.traffic.received > self.max_bytes:
                self.traffic.over_limit = True
                sockets = list(self._open)
            else:
                return True
        for sock in sockets:
            _shut(sock)
        return False


def _quietly_reply(sock: socket.socket, code: int) -> None:
    with contextlib.suppress(OSError):
        _reply(sock, code)


def _half_close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
