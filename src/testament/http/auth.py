"""Who is asking, for the API and the pages alike: an API token, a browser session, or the home's
operator token (docs/accounts.md).

- ``Authorization: Bearer tst_…``: an API token of an account, with its scope (``read`` or ``write``).
- The ``testament_session`` cookie: a browser session. Requests that change anything must also send the
  session's CSRF token in ``X-CSRF-Token`` (the synchronizer-token pattern); the cookie is HttpOnly and
  SameSite=Strict, and Secure except on plain HTTP to a loopback address.
- ``Authorization: Bearer <home token>`` (``<home>/keys/api-token``, 0600): the operator, acting as the
  operating-system user exactly as the CLI does. Whoever can read that file can already run the CLI.

Anything else gets 401. Every write made during the request is attributed to the account's own agent in
the custody log (``instance.acting_as``).

A request that changes anything (signing in included) from a page of another site is refused with 403
(:func:`same_origin`, :class:`SameOriginWrites`); the sign-in and setup forms ask the same function.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from testament.accounts import credentials
from testament.custody.instance import Instance, set_acting_user
from testament.domain import access
from testament.http import errors
from testament.secretfiles import read_secret

SESSION_COOKIE = "testament_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_file(home: Path) -> Path:
    return home / "keys" / "api-token"


def ensure_token(home: Path) -> str:
    """The home's operator token, created (mode 0600) on first use."""
    path = token_file(home)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return read_secret(path, "API token", missing_hint="run `testament api token`").decode().strip()


# Who sent a request: the policy's principal (domain/access.py), made here from its credential.
Principal = access.Principal


def _unauthenticated(what: str) -> HTTPException:
    return HTTPException(401, what)


def identify(request: Request) -> Principal:
    """Who sent ``request``: one read of the database, plus a write at most once a minute per credential
    to record that it is still in use (for a caller on a thread; :func:`principal` splits the two)."""
    found, touch = lookup(request)
    if touch is not None:
        touch()
    return found


def lookup(request: Request) -> tuple[Principal, Callable[[], None] | None]:
    """Who sent ``request``, from one short read transaction, and the write (if one is due) that records
    the credential's use. Reads never wait on a lock (SQLite's WAL, PostgreSQL's MVCC), so this is
    cheap enough to run on the event loop; the write is not, and is left to the caller."""
    inst: Instance = request.app.state.instance
    header = request.headers.get("authorization", "")
    cookie = request.cookies.get(SESSION_COOKIE)
    now = datetime.now(UTC)
    if header:
        scheme, _, given = header.partition(" ")
        given = given.strip()
        if scheme.lower() != "bearer" or not given:
            raise _unauthenticated("the Authorization header must be `Bearer <token>`")
        if secrets.compare_digest(given, request.app.state.api_token):
            return Principal(None, None, "write", "operator"), None
        token = credentials.api_token_holder(inst, given, now)
        if token is None:
            raise _unauthenticated("this API token is unknown, expired or revoked")
        _enabled(token)
        found = Principal(token.user_id, token.actor, token.scope, "token", username=token.username)
        touch = partial(credentials.touch_token, inst, token.credential_id, now)
        return found, touch if token.touch_due else None
    if cookie:
        session = credentials.session_holder(inst, cookie, now)
        if session is None:
            raise _unauthenticated("the session has ended; sign in again")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not sent or not secrets.compare_digest(sent, session.csrf_token or ""):
                raise HTTPException(403, "the CSRF token is missing or wrong; reload the page")
        _enabled(session)
        signed_in = Principal(
            session.user_id,
            session.actor,
            "write",
            "session",
            session.credential_id,
            session.csrf_token,
            session.username,
        )
        touch = partial(credentials.touch_session, inst, session.credential_id, now)
        return signed_in, touch if session.touch_due else None
    raise _unauthenticated(
        "sign in first, or send Authorization: Bearer <token> "
        "(`testament user token create` makes one; `testament api token` prints the operator's)"
    )


def _enabled(caller: credentials.Caller) -> None:
    if caller.actor.disabled:
        raise _unauthenticated("this account no longer exists or is disabled")


async def maybe_principal(request: Request) -> Principal | None:
    """FastAPI dependency: the caller, if the request carries a good credential (None otherwise, the
    refusal kept for :func:`principal`); their writes are attributed to them."""
    try:
        found, touch = lookup(request)
    except HTTPException as refused:
        request.state.refused = refused
        return None
    if touch is not None:
        await run_in_threadpool(touch)
    request.state.principal = found
    # Set in the request's own context (see ``ActingScope``), so the endpoint's thread inherits it.
    set_acting_user(found.user_id)
    return found


async def principal(
    request: Request, found: Annotated[Principal | None, Depends(maybe_principal)]
) -> Principal:
    """FastAPI dependency: the caller; a request without a good credential is refused (401, or 403
    for a missing CSRF token)."""
    if found is None:
        raise request.state.refused
    return found


Who = Annotated[Principal, Depends(principal)]


class ActingScope:
    """ASGI middleware: each request starts with no acting account and leaves none behind."""

    def __init__(self, app: object) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, object], receive: object, send: object) -> None:
        token = set_acting_user(None)
        try:
            await self.app(scope, receive, send)  # type: ignore[operator]
        finally:
            token.var.reset(token)


# What a browser says in Sec-Fetch-Site about a request from Testament's own pages (``none``: the user
# typed the address or used a bookmark).
OWN_FETCH_SITES = frozenset({"same-origin", "none"})
CROSS_SITE = "this request came from another site's page, so it was refused"
CROSS_SITE_HINT = (
    "use Testament's own pages, or a client that sends no Origin header with an API token"
)


def same_origin(request: Request) -> bool:
    """Whether a request was not sent by another site's page (cross-site request forgery).

    Browsers name the page a request comes from in ``Origin`` (``null`` for a sandboxed or opaque one)
    and say how it relates to the target in ``Sec-Fetch-Site``. Either one pointing elsewhere refuses
    it; a client that sends neither (curl, a script with an API token) is not a browser on another site.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in OWN_FETCH_SITES:
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin != "null" and urlsplit(origin).netloc == request.url.netloc


class SameOriginWrites:
    """ASGI middleware: every request that may change something (not GET, HEAD or OPTIONS) must pass
    :func:`same_origin`, or gets 403 in the error envelope before anything reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        writes = scope["type"] == "http" and scope["method"] not in SAFE_METHODS
        if writes and not same_origin(Request(scope)):
            refused = errors.envelope(403, CROSS_SITE, hint=CROSS_SITE_HINT)
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=_needs_secure(request),
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="strict", secure=_needs_secure(request), path="/"
    )


def _needs_secure(request: Request) -> bool:
    """Secure, except over plain HTTP to a loopback address (a laptop), where browsers drop Secure
    cookies that arrive without TLS."""
    if request.url.scheme == "https":
        return True
    host = request.url.hostname or ""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True
