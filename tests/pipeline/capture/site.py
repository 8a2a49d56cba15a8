"""A small web site on 127.0.0.1 for capture tests: redirects, lazy images, a video, a 404, pages that hang.

Every path it serves, and every request it answered, is listed here so a test can check what a capture
asked for. A page that hangs holds its connection open until the site stops.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Site:
    """The site's files (path -> (content type, body)) and the paths it was asked for."""

    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    base: str = ""


def page(title: str, body: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        del format, args

    def _send(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(302, "text/plain", b"moved", Location=location)

    def _hang(self, content_type: str, start: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(start) + 1_000_000))
        self.end_headers()
        self.wfile.write(start)
        self.wfile.flush()
        self.site.stop.wait()
        self.close_connection = True

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.site.requested.append(path)
        if path.startswith("/redirect/"):
            hops = int(path.rsplit("/", 1)[1])
            self._redirect(f"/redirect/{hops - 1}" if hops > 1 else "/page")
        elif path.startswith("/loop/"):
            self._redirect(f"/loop/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/to-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif path == "/hang-image":
            self._hang("image/png", b"\x89PNG")
        elif path == "/hang-document":
            self._hang(
                "text/html", b"<!doctype html><html><head><title>Never</title></head><body><p>start"
            )
        elif path == "/gzipped":
            body = gzip.compress(page("Gzipped", "<p>Compressed on the wire.</p>"))
            self._send(200, "text/html; charset=utf-8", body, Content_Encoding="gzip")
        elif path in self.site.files:
            content_type, body = self.site.files[path]
            self._send(200, content_type, body)
        else:
            self._send(404, "text/html", page("Not found", "<p>There is nothing here.</p>"))


@contextlib.contextmanager
def served(site: Site) -> Iterator[Site]:
    """Serve ``site`` on a free loopback port; ``site.base`` is its URL while it runs."""
    handler = type("Handler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield site
    finally:
        site.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
