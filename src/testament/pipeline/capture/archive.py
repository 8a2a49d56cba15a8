"""A capture's WARC (warcio, WARC/1.1) and its WACZ (the ``wacz`` package).

The WARC holds, in order:

- a ``warcinfo`` record: the software and its version, the browser's user agent, the capture's start and
  finish (WARC-03);
- a ``request`` and a ``response`` record for every HTTP exchange, tied by ``WARC-Concurrent-To``, each with
  ``WARC-Target-URI``, ``WARC-Date`` (shared by both), ``WARC-IP-Address`` where known, and SHA-256 block
  and payload digests (``sha256:`` in base 32) (WARC-01, WARC-02); the HTML as served is the page's response;
- ``resource`` records for the full-page screenshot (``urn:testament:screenshot:<url>``, PNG, dated when it
  was taken), the DOM after load (``urn:testament:dom:<url>``), each media file downloaded
  (``urn:testament:media:<url>``) and the capture metadata (``urn:testament:metadata:<url>``, JSON) (BP-05,
  BP-06).

Exchanges are written as they finish, so memory stays bounded; the warcinfo record, which needs the finish
time, is written last into its own gzip member and put first when the parts are joined (a ``.warc.gz`` is a
series of gzip members). The WARC is hashed as soon as it is complete (BP-07).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import threading
import urllib.parse
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from testament.pipeline.capture.browser import Exchange
from testament.pipeline.extractors.base import Limits, run_tool

WARC_NAME = "capture.warc.gz"
WACZ_NAME = "capture.wacz"
PARTS = ("warcinfo", "exchanges", "resources")
WACZ_TIMEOUT_S = 600.0


class _Sha256Writer(WARCWriter):  # type: ignore[misc]
    """warcio's writer with SHA-256 block and payload digests instead of SHA-1."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def warc_date(moment: datetime) -> str:
    """A WARC-Date: UTC to the microsecond, with ``Z`` (``moment`` is in UTC)."""
    return str(datetime_to_iso_date(moment.replace(tzinfo=None), use_micros=True))


def iso_z(moment: datetime) -> str:
    """UTC ISO 8601 with ``Z``, to the millisecond."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _request_line(exchange: Exchange) -> str:
    parts = urllib.parse.urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"{exchange.method} {target} HTTP/1.1"


def _with_host(exchange: Exchange) -> list[tuple[str, str]]:
    headers = list(exchange.request_headers)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", urllib.parse.urlsplit(exchange.url).netloc))
    return headers


class WarcRecorder:
    """Writes one capture's WARC under ``work``; safe to call from the browser's event handlers."""

    def __init__(self, work: Path, address_of: Callable[[str], str | None]) -> None:
        self.work = work
        self.address_of = address_of
        self.warcinfo_id = f"<urn:uuid:{uuid.uuid4()}>"
        self.exchanges = 0
        self.body_sha256: dict[str, str] = {}
        self._response_ids: dict[str, str] = {}
        self._cut_short: set[str] = set()
        self.transformations: list[str] = []
        self._lock = threading.Lock()
        self._streams: dict[str, BinaryIO] = {}
        self._writers: dict[str, WARCWriter] = {}

    def _writer(self, part: str) -> WARCWriter:
        if part not in self._writers:
            self._streams[part] = (self.work / f"{part}.part").open("wb")
            self._writers[part] = _Sha256Writer(self._streams[part], gzip=True, warc_version="1.1")
        return self._writers[part]

    def exchange(self, exchange: Exchange) -> None:
        """Write a response and a request record for ``exchange``, tied by ``WARC-Concurrent-To``."""
        with self._lock:
            writer = self._writer("exchanges")
            common = {"WARC-Date": warc_date(exchange.at), "WARC-Warcinfo-ID": self.warcinfo_id}
            address = self.address_of(urllib.parse.urlsplit(exchange.url).hostname or "")
            if address is not None:
                common["WARC-IP-Address"] = address
            response = writer.create_warc_record(
                exchange.url,
                "response",
                payload=io.BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=StatusAndHeaders(
                    f"{exchange.status} {exchange.reason}".strip(),
                    exchange.response_headers,
                    protocol="HTTP/1.1",
                ),
                warc_headers_dict={**common, **self._changes(exchange)},
            )
            response_id = response.rec_headers.get_header("WARC-Record-ID")
            body = exchange.request_body or b""
            request = writer.create_warc_record(
                exchange.url,
                "request",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders(
                    _request_line(exchange), _with_host(exchange), is_http_request=True
                ),
                warc_headers_dict={**common, "WARC-Concurrent-To": response_id},
            )
            writer.write_record(response)
            writer.write_record(request)
            self.exchanges += 1
            self.body_sha256[exchange.url] = hashlib.sha256(exchange.body).hexdigest()
            self._response_ids[exchange.url] = response_id
            if exchange.truncated:
                self._cut_short.add(exchange.url)
            else:
                self._cut_short.discard(exchange.url)

    def _changes(self, exchange: Exchange) -> dict[str, str]:
        """The response record's notes on a body shorter than declared, or decoded by the browser."""
        notes = {}
        if exchange.truncated:
            notes["WARC-Truncated"] = "unspecified"
        if exchange.transformed:
            notes["WARC-Testament-Transformation"] = (
                "body decoded by the browser; original headers kept as X-Testament-Orig-*"
            )
            self.transformations.append(exchange.url)
        return notes

    def response_id(self, url: str | None) -> str | None:
        return self._response_ids.get(url) if url is not None else None

    def whole(self, url: str) -> bool:
        """Whether ``url``'s latest response record holds the whole body (and there is one)."""
        with self._lock:
            return url in self._response_ids and url not in self._cut_short

    def resource(
        self, uri: str, data: bytes, content_type: str, at: datetime, refers: str | None
    ) -> None:
        """Write a ``resource`` record (a screenshot, the DOM, a media file, the metadata)."""
        with self._lock:
            headers = {"WARC-Date": warc_date(at), "WARC-Warcinfo-ID": self.warcinfo_id}
            if refers is not None:
                headers["WARC-Concurrent-To"] = refers
            writer = self._writer("resources")
            writer.write_record(
                writer.create_warc_record(
                    uri,
                    "resource",
                    payload=io.BytesIO(data),
                    length=len(data),
                    warc_content_type=content_type,
                    warc_headers_dict=headers,
                )
            )

    def resource_file(self, uri: str, path: Path, content_type: str, at: datetime) -> None:
        """Write a ``resource`` record streamed from ``path`` (a media file of any size)."""
        with self._lock, path.open("rb") as stream:
            writer = self._writer("resources")
            headers = {"WARC-Date": warc_date(at), "WARC-Warcinfo-ID": self.warcinfo_id}
            writer.write_record(
                writer.create_warc_record(
                    uri,
                    "resource",
                    payload=stream,
                    length=path.stat().st_size,
                    warc_content_type=content_type,
                    warc_headers_dict=headers,
                )
            )

    def finish(self, info: dict[str, Any], at: datetime) -> Path:
        """Write the warcinfo record, join the parts into one WARC and return its path."""
        with self._lock:
            writer = self._writer("warcinfo")
            record = writer.create_warcinfo_record(WARC_NAME, info)
            record.rec_headers.replace_header("WARC-Record-ID", self.warcinfo_id)
            record.rec_headers.replace_header("WARC-Date", warc_date(at))
            writer.write_record(record)
            for stream in self._streams.values():
                stream.close()
            warc = self.work / WARC_NAME
            with warc.open("wb") as joined:
                for part in PARTS:
                    path = self.work / f"{part}.part"
                    if path.exists():
                        with path.open("rb") as source:
                            while block := source.read(1024 * 1024):
                                joined.write(block)
                        path.unlink()
            return warc

    def close(self) -> None:
        """Close any part still open (a capture that stopped on an error)."""
        with self._lock:
            for stream in self._streams.values():
                stream.close()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_wacz(
    work: Path, warc: Path, *, page_url: str, ts: str, title: str, description: str
) -> Path:
    """Package ``warc`` as a WACZ with one page, ``page_url`` at ``ts`` (WACZ-01 to WACZ-03)."""
    pages = work / "pages.jsonl"
    header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    page = {"id": uuid.uuid4().hex, "url": page_url, "ts": ts, "title": title}
    pages.write_text(json.dumps(header) + "\n" + json.dumps(page) + "\n", encoding="utf-8")
    output = work / WACZ_NAME
    run_tool(
        [
            sys.executable, "-m", "wacz", "create",
            "-o", str(output), "-p", str(pages), "-c",
            "--title", title, "--desc", description,
            str(warc),
        ],
        Limits(timeout_s=WACZ_TIMEOUT_S, output_bytes=64 * 1024**2),
        name="wacz",
        cwd=work,
    )  # fmt: skip
    pages.unlink()
    return output
