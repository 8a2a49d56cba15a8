"""The site: HTML pages at ``/``, the JSON API at ``/api``, vendored assets at ``/static``.

The API is handed in, built by ``testament.server`` (the web edge never imports the API edge). Pages
read through the same services and the same policy door (``http.guard.allow``) as the API, and sign in
with the same session cookie. A page that changes anything posts with the session's CSRF token, which
``base.html`` hands to htmx as a header on every request.

The first start of an instance with no administrator prints a one-time link to ``/setup``; the token in
it lives only in this process's memory, so a restart prints a new one and nothing on disk can be stolen.

This module assembles the site and its error pages; each family of pages registers its own routes:
``routes_auth`` (sign-in and setup), ``routes_cases`` (the dashboard, a case's pages, search),
``routes_views`` (an incident's or an item's page), ``routes_account`` (settings and administration),
``records`` (the forms that write the documentation), ``support``, ``intake``, ``registry_requests``,
``sharing``, ``package_import``, ``processing`` (the gallery, text, captures and jobs), ``replay``
(a web capture replayed), ``reports`` (a dossier, a proof chart or a pattern report as PDF or
HTML), ``patterns`` (a case's or a situation's patterns and analyses) and ``units`` (the
units, and where each was).
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from testament import __version__
from testament.custody.instance import Instance
from testament.errors import NotFound, PermissionDenied, TestamentError
from testament.http import auth
from testament.http import errors as http_errors
from testament.http.limits import MAX_JSON_BODY_BYTES, BoundedBodies
from testament.web import (
    bulk,
    csv_update,
    i18n,
    intake,
    legal,
    package_import,
    patterns,
    people,
    processing,
    records,
    registry_requests,
    replay,
    reports,
    review,
    routes_account,
    routes_auth,
    routes_cases,
    routes_views,
    sharing,
    sources,
    support,
    units,
)
from testament.web.pages import HERE, SignInNeeded, render, templates_for

STATIC = HERE / "static"
TILE_URL_SETTING = "TESTAMENT_TILE_URL"


def create_site(
    instance: Instance,
    *,
    api: FastAPI,
    api_token: str,
    setup_token: str | None = None,
    tile_url: str = "",
) -> FastAPI:
    """The pages for ``instance``, with ``api`` (the JSON API for the same instance) mounted at ``/api``
    and sharing its sign-in limit. ``setup_token`` opens ``/setup`` until an admin exists."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield

    site = FastAPI(title="Testament", version=__version__, lifespan=lifespan, docs_url=None,
                   redoc_url=None, openapi_url=None)  # fmt: skip
    site.state.instance = instance
    site.state.api_token = api_token
    site.state.setup_hash = (
        hashlib.sha256(setup_token.encode()).hexdigest() if setup_token else None
    )
    site.state.tile_url = tile_url
    site.state.login_limit = api.state.login_limit
    site.add_middleware(auth.ActingScope)
    site.add_middleware(BoundedBodies)  # the pages' forms, as the API's bodies
    site.mount("/api", api)
    site.mount("/static", StaticFiles(directory=STATIC), name="static")
    for code in i18n.LANGUAGES:
        templates_for(code)  # built at start-up: a broken template fails here, not at a request
    routes_auth.routes(site)
    routes_cases.routes(site)
    routes_views.routes(site)
    routes_account.routes(site)
    records.routes(site)
    support.routes(site)
    intake.routes(site)
    registry_requests.routes(site)
    sharing.routes(site)
    package_import.routes(site)
    processing.routes(site)
    replay.routes(site)
    reports.routes(site)
    patterns.routes(site)
    units.routes(site)
    bulk.routes(site)
    csv_update.routes(site)
    people.routes(site)
    sources.routes(site)
    legal.routes(site)
    review.routes(site)
    _errors(site)
    return site


def _errors(site: FastAPI) -> None:
    @site.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, _exc: SignInNeeded) -> Response:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @site.exception_handler(TestamentError)
    async def _known(request: Request, exc: TestamentError) -> Response:
        status = (
            404 if isinstance(exc, NotFound) else 403 if isinstance(exc, PermissionDenied) else 422
        )
        return render(request, "error.html", status, status=status, message=exc.what,
                       fields=exc.errors, invalid=[])  # fmt: skip

    @site.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        message = f"internal error ({type(exc).__name__}); nothing half-written is kept"
        if _is_api(request):
            return http_errors.envelope(500, message)
        return _error_page(request, 500, message)

    @site.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # In the reader's language: each field with what was wrong (its limit, if it was too long).
        invalid = [
            (".".join(str(part) for part in error["loc"][1:]) or "request", error["type"],
             (error.get("ctx") or {}).get("max_length"))
            for error in exc.errors()
        ]  # fmt: skip
        return render(request, "error.html", 422, status=422, message="", fields={},
                      invalid=invalid)  # fmt: skip

    @site.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return http_errors.envelope(exc.status_code, str(exc.detail))
        # The router's own refusals (no such page, a method the page does not take) say so in the
        # reader's language; a page's refusals carry their reason.
        routed = exc.status_code in (404, 405) and not isinstance(exc, HTTPException)
        general = routed or exc.status_code == 413  # the body limit, said by the page
        return _error_page(request, exc.status_code, "" if general else str(exc.detail))


def _is_api(request: Request) -> bool:
    """Whether the request was for the JSON API (an error raised inside the mounted API can reach the
    site's handlers too), which answers in its error envelope, never with a page."""
    path: str = request.scope.get("root_path", "") + request.scope.get("path", "")
    return path == "/api" or path.startswith("/api/") or request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, message: str) -> Response:
    """The error page; if even that cannot be drawn, a plain one. An error handler never fails."""
    try:
        return render(request, "error.html", status, status=status, message=message, fields={},
                      invalid=[], body_limit=MAX_JSON_BODY_BYTES)  # fmt: skip
    except Exception:
        return HTMLResponse(
            f"<!doctype html><title>{status}</title><h1>{status}</h1>", status_code=status
        )
