"""Web capture: one URL to one WACZ, with the artefacts and metadata the Berkeley Protocol asks for.

:func:`capture` checks the URL (:mod:`.guard`), starts the capture's own guarding relay (:mod:`.proxy`)
and its own Chromium (:mod:`.browser`), records every exchange into a WARC as it finishes, keeps a
full-page screenshot and the DOM after load, downloads the page's media (:mod:`.media`), and packages
it all as a WACZ (:mod:`.archive`). It touches no database and no vault: the caller stores the WACZ as
evidence. Everything is written under the caller's work directory, so captures running at once, in
threads or processes, share nothing.

Outcomes:

- the URL may not be captured (not http or https, no host, a host that does not resolve, a private or
  loopback address): :class:`CaptureRefused`, before anything is fetched;
- the capture could not run (Chromium missing or crashed, its files could not be written, packaging
  failed): :class:`CaptureFailed`;
- otherwise a :class:`CaptureResult`. It is *complete* when the page loaded within the bound and the URL,
  the HTML as served and a screenshot were all obtained (BP-05). An HTTP error (a 404) is a complete,
  faithful capture of that answer; its ``status`` says so. A page that does not load within
  ``timeout_s``, a page whose scripts never yield, a redirect loop (``more than 20 redirects``), a redirect
  to a refused address, or the byte bound reached give an *incomplete* result with its reason and
  whatever was obtained.

Both exceptions are :class:`testament.errors.TestamentError`: a refusal is ``InvalidInput`` (final, exit 2),
a failure ``BackendUnavailable`` (worth another attempt, exit 8); ``str(error)`` and ``error.reason`` are
the message.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import json
import shutil
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Error as PlaywrightError

from testament.errors import BackendUnavailable
from testament.pipeline.capture import archive, browser, media, wire
from testament.pipeline.capture.guard import CaptureRefused, parse_url, refusal, resolve
from testament.pipeline.capture.proxy import GuardingProxy, Policy
from testament.pipeline.extractors.base import ExtractionFailed

__all__ = ["CaptureFailed", "CaptureOptions", "CaptureRefused", "CaptureResult", "capture"]

TOOL = "Testament capture"
T = TypeVar("T")


class CaptureFailed(BackendUnavailable):
    """The capture could not run (Chromium missing or crashed, its files could not be written, packaging
    failed); ``reason`` says why. Another attempt may succeed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CaptureOptions:
    """How to capture.

    ``timeout_s`` bounds the page's load: past it the capture stops and is incomplete. ``max_redirects``
    bounds the main page's redirects; Chromium follows no more than 20 whatever it says. ``max_bytes``
    bounds the bytes received, media downloads included. ``allow_private`` lets every address through;
    ``allowed_networks`` lets some private networks through (``10.1.2.0/24``) while the rest stay refused."""

    timeout_s: float = 60.0
    allow_private: bool = False
    max_redirects: int = 20
    max_bytes: int = 2 * 1024**3
    user_agent: str | None = None
    download_media: bool = True
    chromium: str = "/usr/bin/chromium"
    allowed_networks: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaptureResult:
    """What a capture made and how it went; the same facts are in the WACZ's metadata record.

    A SHA-256 is ``None`` when its artefact could not be obtained (an incomplete capture)."""

    wacz: Path
    requested_url: str
    final_url: str | None
    redirects: list[str]
    started_at: str
    finished_at: str
    complete: bool
    incomplete_reason: str | None
    status: int | None
    tool: str
    tool_version: str
    user_agent: str
    screenshot_sha256: str | None
    html_sha256: str | None
    dom_sha256: str | None
    warc_sha256: str
    wacz_sha256: str
    resources: int
    media: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


def capture(url: str, work: Path, options: CaptureOptions) -> CaptureResult:
    """Capture ``url`` into a WACZ under ``work`` (created if absent; the caller removes it).

    Raises :class:`CaptureRefused` for a URL that may not be captured, :class:`CaptureFailed` when the
    capture cannot run. Safe to call from a thread, a process, or code running an asyncio loop."""
    policy = Policy(options.allow_private, options.allowed_networks)
    target = parse_url(url)
    for address in resolve(target.host, target.port, allow_private=True):
        if not policy.permits(address):
            raise refusal(address)
    if not Path(options.chromium).exists():
        raise CaptureFailed(f"Chromium is not installed at {options.chromium} (run 'make deps')")
    try:
        work.mkdir(parents=True, exist_ok=True)
        return _off_the_loop(lambda: _capture(target.url, work, options, policy))
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise CaptureFailed(f"the capture's files could not be written ({reason})") from None


def _off_the_loop(run: Callable[[], T]) -> T:
    """Run ``run`` here, or in a thread of its own when this thread runs an asyncio loop (Playwright's
    synchronous API refuses to run inside one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@dataclass
class _Run:
    """One capture under way: what it was asked, and what its browser, relay and downloads obtained."""

    url: str
    work: Path
    options: CaptureOptions
    started: datetime
    relay: GuardingProxy
    warc: archive.WarcRecorder
    visit: browser.Visit | None = None
    downloads: media.Downloads = field(default_factory=media.Downloads)


def _capture(url: str, work: Path, options: CaptureOptions, policy: Policy) -> CaptureResult:
    relay = GuardingProxy(policy, options.max_bytes).start()
    run = _Run(
        url,
        work,
        options,
        browser.now(),
        relay,
        archive.WarcRecorder(work, relay.traffic.addresses.get),
    )
    try:
        browsing = browser.Browsing(
            options.timeout_s,
            options.max_redirects,
            relay.server,
            options.chromium,
            options.user_agent,
        )
        try:
            run.visit = browser.visit(url, browsing, run.warc.exchange)
        except PlaywrightError as error:
            raise CaptureFailed(
                f"Chromium could not run the capture ({_first_line(error)})"
            ) from None
        _documents_from_the_relay(run, run.visit)
        run.downloads = _media(run, run.visit)
    except BaseException:
        run.warc.close()
        raise
    finally:
        relay.close()
    return _package(run, run.visit)


def _documents_from_the_relay(run: _Run, visit: browser.Visit) -> None:
    """Record the HTML responses to the page's requests that the relay kept over plain HTTP and the
    browser could not hand over whole. Chromium hands a body over from the page's renderer, so a page
    whose scripts keep it busy, and the browser then stopped, would take the HTML as served with it.
    A redirect's body is not kept by the browser either way, so the relay's copy of one is not added."""
    requested = set(visit.requested)
    for document in run.relay.documents():
        redirect = 300 <= document.status < 400
        if document.url not in requested or redirect or run.warc.whole(document.url):
            continue
        body, headers, changed = wire.as_served(document)
        run.warc.exchange(
            browser.Exchange(
                url=document.url,
                method=document.method,
                request_headers=document.request_headers,
                request_body=document.request_body or None,
                status=document.status,
                reason=document.reason,
                response_headers=headers,
                body=body,
                at=document.at,
                transformed=changed,
            )
        )


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _media(run: _Run, visit: browser.Visit) -> media.Downloads:
    if not run.options.download_media or run.relay.traffic.over_limit:
        return media.Downloads()
    urls = list(visit.media_urls)
    page = visit.final_url or run.url
    if page not in urls and media.platform_supported(page):
        urls.insert(0, page)
    budget = run.options.max_bytes - run.relay.traffic.received
    return media.download(urls, run.work, run.relay.server, budget)


def _reason(run: _Run, visit: browser.Visit, html: str | None) -> str | None:
    """Why the capture is incomplete, if it is: the first of a refused address the page led to, the
    byte bound, the navigation's failure, or a missing artefact (BP-05)."""
    refused = run.relay.traffic.refused
    if refused and visit.incomplete_reason and "could not be loaded" in visit.incomplete_reason:
        reason = refusal(ipaddress.ip_address(refused[0])).reason
        return reason.replace("the URL points to", "the page led to", 1)
    if run.relay.traffic.over_limit:
        return f"the capture reached its limit of {run.options.max_bytes} bytes"
    if visit.incomplete_reason:
        return visit.incomplete_reason
    if html is None:
        return "the HTML as served could not be recorded"
    if visit.screenshot is None:
        return "no screenshot could be taken"
    return None


def _artefacts(run: _Run, visit: browser.Visit) -> tuple[dict[str, str | None], list[str]]:
    """Write the screenshot, DOM and media records; return their SHA-256 and the media records' names."""
    warc = run.warc
    page = visit.final_url or run.url
    served = urllib.parse.urldefrag(page).url
    main = warc.response_id(served)
    digests: dict[str, str | None] = {
        "html": warc.body_sha256.get(served),
        "screenshot": None,
        "dom": None,
    }
    if visit.screenshot is not None and visit.screenshot_at is not None:
        shot = f"urn:testament:screenshot:{page}"
        warc.resource(shot, visit.screenshot, "image/png", visit.screenshot_at, main)
        digests["screenshot"] = archive.sha256_bytes(visit.screenshot)
    if visit.dom is not None:
        dom = visit.dom.encode("utf-8")
        warc.resource(
            f"urn:testament:dom:{page}", dom, "text/html; charset=utf-8", browser.now(), main
        )
        digests["dom"] = archive.sha256_bytes(dom)
    names = []
    for source, path in run.downloads.files:
        name = f"urn:testament:media:{source}"
        warc.resource_file(name, path, media.media_type(path), browser.now())
        names.append(name)
    shutil.rmtree(run.work / "media", ignore_errors=True)
    return digests, names


def _metadata(run: _Run, visit: browser.Visit, finished: datetime) -> dict[str, Any]:
    """The capture metadata record (BP-06); the artefacts' digests and the outcome are added to it."""
    traffic = run.relay.traffic
    return {
        "requested_url": run.url,
        "final_url": visit.final_url,
        "redirects": visit.redirects,
        "capture_started_utc": archive.iso_z(run.started),
        "capture_finished_utc": archive.iso_z(finished),
        "screenshot_taken_utc": archive.iso_z(visit.screenshot_at) if visit.screenshot_at else None,
        "tool_name": TOOL,
        "tool_version": _version(visit),
        "browser_user_agent": visit.user_agent,
        "capture_method": "WARC crawl by a headless browser, full-page screenshot, media download",
        "http_status": visit.status,
        "network_idle": visit.network_idle,
        "media_errors": run.downloads.errors,
        "refused_addresses": traffic.refused,
        "failed_requests": visit.failed,
        "unfinished_requests": visit.unfinished,
        "decoded_bodies": run.warc.transformations,
        "bytes_received": traffic.received,
    }


def _package(run: _Run, visit: browser.Visit | None) -> CaptureResult:
    if visit is None:
        raise CaptureFailed("Chromium ended the capture without a result")
    digests, names = _artefacts(run, visit)
    reason = _reason(run, visit, digests["html"])
    metadata = _metadata(run, visit, browser.now())
    metadata.update(complete=reason is None, incomplete_reason=reason, sha256=digests, media=names)
    run.warc.resource(
        f"urn:testament:metadata:{run.url}",
        json.dumps(metadata, indent=2, sort_keys=True).encode("utf-8"),
        "application/json",
        browser.now(),
        None,
    )
    warc = run.warc.finish(_warcinfo(metadata), run.started)
    warc_sha256 = archive.sha256_file(warc)
    try:
        wacz = archive.write_wacz(
            run.work,
            warc,
            page_url=visit.final_url or run.url,
            ts=metadata["capture_started_utc"],
            title=f"Capture of {run.url}",
            description=f"Captured by {TOOL} ({metadata['tool_version']}); WARC SHA-256 {warc_sha256}",
        )
    except ExtractionFailed as error:
        raise CaptureFailed(f"the WACZ could not be written ({error.reason})") from None
    return CaptureResult(
        wacz=wacz,
        requested_url=run.url,
        final_url=visit.final_url,
        redirects=visit.redirects,
        started_at=metadata["capture_started_utc"],
        finished_at=metadata["capture_finished_utc"],
        complete=reason is None,
        incomplete_reason=reason,
        status=visit.status,
        tool=TOOL,
        tool_version=metadata["tool_version"],
        user_agent=visit.user_agent,
        screenshot_sha256=digests["screenshot"],
        html_sha256=digests["html"],
        dom_sha256=digests["dom"],
        warc_sha256=warc_sha256,
        wacz_sha256=archive.sha256_file(wacz),
        resources=run.warc.exchanges,
        media=names,
        metadata=metadata,
    )


def _warcinfo(metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "software": f"{TOOL} ({metadata['tool_version']})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "http-header-user-agent": metadata["browser_user_agent"],
        "capture-started": metadata["capture_started_utc"],
        "capture-finished": metadata["capture_finished_utc"],
        "description": f"Capture of {metadata['requested_url']}",
    }


def _version(visit: browser.Visit) -> str:
    return f"Playwright {visit.playwright_version}, Chromium {visit.browser_version}"
