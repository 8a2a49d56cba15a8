"""Driving Debian's Chromium through one capture, and recording what it exchanged.

Each capture starts its own Playwright driver, its own Chromium and its own browser context: nothing is
shared between two captures, so captures running at once cannot mix their records (auto-archiver #213).
Chromium reaches the network only through the capture's guarding relay (:mod:`.proxy`).

How bodies are obtained: every request that finishes (``requestfinished``) is recorded with the headers
Chromium sent and received (``headers_array``, as on the wire) and its body (``Response.body()``).
Chromium hands over a body already decoded (no ``Content-Encoding``, no chunking), so a record that holds
a decoded body drops those headers, sets ``Content-Length`` to the length recorded, and keeps the
originals as ``X-Testament-Orig-*`` headers: the change is written in the record itself (BP-08).
Chromium keeps no body for a redirect, so a redirect is recorded with its headers and an empty body; a
record whose body is shorter than its ``Content-Length`` says (a redirect's, or one Chromium could not
hand over) carries ``WARC-Truncated: unspecified``. Chromium does not report the HTTP version here, so
status and request lines say HTTP/1.1, which replay tools expect.
Chromium hands a body over from the page's renderer, so while the page's scripts keep the renderer
busy it hands nothing over; for plain HTTP the capture then records the relay's copy of an HTML document
(:mod:`.wire`), and through HTTPS such a document is missing and the capture says so.
Routing each request through ``route.fetch()`` was tried and rejected: Playwright does not route the
requests that follow a redirect, so the chain would be lost.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Request, Response, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

# Chromium on a capture host: no background connections, no first-run work, no UDP around the relay.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
]
VIEWPORT = {"width": 1280, "height": 900}
# A bound on scrolling a page that grows for ever, in screen heights.
SCROLL_STEPS = 60
# Chromium refuses to follow a redirect past this many, whatever the capture's own bound.
CHROMIUM_REDIRECTS = 20
DECODED = ("content-encoding", "transfer-encoding", "content-length")
SCROLL = """async (steps) => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  for (let step = 0; step < steps; step++) {
    const bottom = document.documentElement.scrollHeight - window.innerHeight;
    if (window.scrollY >= bottom) break;
    window.scrollBy(0, window.innerHeight);
    await frame();
  }
  window.scrollTo(0, 0);
  await frame();
}"""


@dataclass
class Exchange:
    """One HTTP request and its response, as Chromium sent and received them."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    at: datetime
    transformed: list[str] = field(default_factory=list)
    truncated: bool = False


@dataclass
class Visit:
    """What a visit obtained: the navigation's outcome, the screenshot and the DOM, when there are some,
    and the URLs the page requested (``requested``), recorded or not."""

    user_agent: str
    browser_version: str
    playwright_version: str
    status: int | None = None
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    incomplete_reason: str | None = None
    network_idle: bool = False
    screenshot: bytes | None = None
    screenshot_at: datetime | None = None
    dom: str | None = None
    media_urls: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Browsing:
    """How to visit: the load bound, the redirect bound, the relay to go through and who to be.

    After the load bound, the screenshot may take ``grace_s``, and past ``timeout_s + 2 * grace_s``
    the browser is stopped whatever it is doing."""

    timeout_s: float
    max_redirects: int
    proxy: str
    chromium: str
    user_agent: str | None

    @property
    def grace_s(self) -> float:
        return min(max(self.timeout_s, 5.0), 30.0)


def now() -> datetime:
    return datetime.now(UTC)


def _pairs(headers: Iterable[Mapping[str, object]]) -> list[tuple[str, str]]:
    """Headers as (name, value) pairs in the order seen, without HTTP/2's pseudo-headers."""
    pairs = [(str(header["name"]), str(header["value"])) for header in headers]
    return [(name, value) for name, value in pairs if not name.startswith(":")]


def _as_recorded(
    headers: list[tuple[str, str]], body_length: int
) -> tuple[list[tuple[str, str]], list[str]]:
    """Headers that describe the decoded body Chromium gives; the originals kept, the changes listed."""
    names = {name.lower() for name, _ in headers}
    if not names & {"content-encoding", "transfer-encoding"}:
        return headers, []
    kept: list[tuple[str, str]] = []
    changed: list[str] = []
    for name, value in headers:
        if name.lower() in DECODED:
            kept.append((f"X-Testament-Orig-{name}", value))
            changed.append(f"{name}: {value}")
        else:
            kept.append((name, value))
    kept.append(("Content-Length", str(body_length)))
    return kept, changed


class Recorder:
    """Turns the page's finished requests into :class:`Exchange` objects handed to ``sink``."""

    def __init__(self, sink: Callable[[Exchange], None]) -> None:
        self.sink = sink
        self.pending: dict[int, str] = {}
        self.failed: list[str] = []
        self.requested: set[str] = set()

    def started(self, request: Request) -> None:
        self.pending[id(request)] = request.url
        self.requested.add(request.url)

    def failed_request(self, request: Request) -> None:
        self.pending.pop(id(request), None)
        self.failed.append(f"{request.url} ({request.failure or 'failed'})")

    def finished(self, request: Request) -> None:
        self.pending.pop(id(request), None)
        with contextlib.suppress(PlaywrightError):
            exchange = self._exchange(request)
            if exchange is not None:
                self.sink(exchange)

    def _exchange(self, request: Request) -> Exchange | None:
        response = request.response()
        if response is None:
            return None
        at = now()
        if 300 <= response.status < 400:
            body = b""
        else:
            try:
                body = response.body()
            except PlaywrightError:
                body = b""
        headers, changed = _as_recorded(_pairs(response.headers_array()), len(body))
        declared = [value for name, value in headers if name.lower() == "content-length"]
        return Exchange(
            url=request.url,
            method=request.method,
            request_headers=_pairs(request.headers_array()),
            request_body=request.post_data_buffer,
            status=response.status,
            reason=response.status_text,
            response_headers=headers,
            body=body,
            at=at,
            transformed=changed,
            truncated=bool(declared) and declared[-1].strip() != str(len(body)),
        )


class _Navigation:
    """Follows the main frame's navigation requests, to give the redirect chain and stop a redirect loop."""

    def __init__(self, page: Page, max_redirects: int) -> None:
        self.page = page
        self.max_redirects = max_redirects
        self.chain: list[str] = []
        self.too_many = False

    def _main(self, request: Request) -> bool:
        try:
            return request.is_navigation_request() and request.frame == self.page.main_frame
        except PlaywrightError:
            return False

    def request(self, request: Request) -> None:
        """A new navigation starts a new chain; one redirect too many closes the page. The close takes
        effect a little later, so a fast server may see a few more requests (at most Chromium's 20)."""
        if not self._main(request):
            return
        hops = 0
        previous = request.redirected_from
        while previous is not None:
            hops += 1
            previous = previous.redirected_from
        if hops == 0:
            self.chain = []
        if hops > self.max_redirects and not self.too_many:
            self.too_many = True
            with contextlib.suppress(PlaywrightError):
                self.page.close()

    def response(self, response: Response) -> None:
        """A redirect answering the main frame's navigation joins the chain."""
        if 300 <= response.status < 400 and self._main(response.request):
            self.chain.append(response.url)

    def failed(self, request: Request) -> None:
        """The redirect Chromium refused to follow (its own bound) joins the chain too."""
        if "ERR_TOO_MANY_REDIRECTS" in (request.failure or "") and self._main(request):
            self.chain.append(request.url)


def _navigate(
    page: Page, url: str, browsing: Browsing, visit: Visit, navigation: _Navigation
) -> bool:
    """Load ``url`` within the bound; record the outcome in ``visit``. Whether the page loaded."""
    try:
        response = page.goto(url, timeout=browsing.timeout_s * 1000, wait_until="load")
    except PlaywrightTimeout:
        visit.incomplete_reason = f"the page did not finish loading within {browsing.timeout_s:g} s"
        return False
    except PlaywrightError as error:
        message = str(error).splitlines()[0] if str(error) else "failed"
        if navigation.too_many or "ERR_TOO_MANY_REDIRECTS" in message:
            bound = min(browsing.max_redirects, CHROMIUM_REDIRECTS)
            visit.incomplete_reason = f"more than {bound} redirects"
        else:
            visit.incomplete_reason = f"the page could not be loaded ({message})"
        return False
    visit.status = response.status if response is not None else None
    return True


def _settle(page: Page, deadline: float, visit: Visit) -> None:
    """Scroll to the bottom in steps (lazy images load), then wait for the network to go quiet."""
    with contextlib.suppress(PlaywrightError):
        page.evaluate(SCROLL, SCROLL_STEPS)
    remaining_ms = max(0.0, deadline - time.monotonic()) * 1000
    try:
        page.wait_for_load_state("networkidle", timeout=max(remaining_ms, 1.0))
        visit.network_idle = True
    except PlaywrightError:
        visit.network_idle = False


MEDIA_SOURCES = """() => Array.from(document.querySelectorAll('video, audio, video source, audio source'))
  .map((element) => element.currentSrc || element.src).filter((src) => /^https?:/.test(src))"""


def _keep(page: Page, visit: Visit, grace_s: float) -> None:
    """Take the full-page screenshot, the DOM after load and the media elements' URLs, whatever the state."""
    if page.is_closed():
        return
    try:
        visit.screenshot = page.screenshot(full_page=True, timeout=grace_s * 1000)
        visit.screenshot_at = now()
    except PlaywrightError:
        visit.screenshot = None
    with contextlib.suppress(PlaywrightError):
        visit.dom = page.content()
    with contextlib.suppress(PlaywrightError):
        found: Any = page.evaluate(MEDIA_SOURCES)
        visit.media_urls = sorted({str(src) for src in found})
    with contextlib.suppress(PlaywrightError):
        visit.final_url = page.url if page.url.startswith(("http://", "https://")) else None


class _Watchdog:
    """Kills this capture's Chromium, and only it, once ``seconds`` have passed.

    A page whose scripts never yield keeps the renderer busy, and a call into the page (the DOM, the
    scroll) then waits for ever; Playwright's synchronous API cannot be interrupted from another thread.
    So Chromium is launched with a flag naming this capture, and past the bound every process that
    carries it is killed: the waiting call fails, and the capture goes on with what it has."""

    def __init__(self, seconds: float) -> None:
        self.flag = f"--testament-capture={uuid.uuid4().hex}"
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _fire(self) -> None:
        self.fired = True
        marker = self.flag.encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                if marker in (entry / "cmdline").read_bytes():
                    os.kill(int(entry.name), signal.SIGKILL)


def visit(url: str, browsing: Browsing, sink: Callable[[Exchange], None]) -> Visit:
    """Visit ``url`` in a fresh Chromium; hand each exchange to ``sink`` as it finishes."""
    watchdog = _Watchdog(browsing.timeout_s + 2 * browsing.grace_s)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=browsing.chromium,
            headless=True,
            args=[*FLAGS, watchdog.flag],
            proxy={"server": browsing.proxy},
        )
        try:
            with watchdog:
                context = browser.new_context(
                    user_agent=browsing.user_agent,
                    service_workers="block",
                    viewport=VIEWPORT,  # type: ignore[arg-type]
                    accept_downloads=False,
                )
                page = context.new_page()
                result = Visit(
                    user_agent=str(page.evaluate("navigator.userAgent")),
                    browser_version=browser.version,
                    playwright_version=version("playwright"),
                )
                _drive(page, url, browsing, result, sink)
                with contextlib.suppress(PlaywrightError):
                    context.close()
        finally:
            with contextlib.suppress(PlaywrightError):
                browser.close()
    if watchdog.fired and result.incomplete_reason is None:
        result.incomplete_reason = (
            "the page kept the browser busy past the bound, so the browser was stopped"
        )
    return result


def _drive(
    page: Page, url: str, browsing: Browsing, result: Visit, sink: Callable[[Exchange], None]
) -> None:
    recorder = Recorder(sink)
    navigation = _Navigation(page, browsing.max_redirects)
    page.on("request", recorder.started)
    page.on("request", navigation.request)
    page.on("response", navigation.response)
    page.on("requestfinished", recorder.finished)
    page.on("requestfailed", recorder.failed_request)
    page.on("requestfailed", navigation.failed)
    deadline = time.monotonic() + browsing.timeout_s
    if _navigate(page, url, browsing, result, navigation):
        _settle(page, deadline, result)
    _keep(page, result, browsing.grace_s)
    result.redirects = navigation.chain
    result.failed = list(recorder.failed)
    result.unfinished = sorted(set(recorder.pending.values()))
    result.requested = sorted(recorder.requested)
