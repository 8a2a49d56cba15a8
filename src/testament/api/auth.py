"""Who is asking: an API token, a browser session, or the home's operator token (docs/accounts.md).

- ``Authorization: Bearer tst_…``: an API token of an account, with its scope (``read`` or ``write``).
- The ``testament_session`` cookie: a browser session. Requests that change anything must also send the
  session's CSRF token in ``X-CSRF-Token`` (the synchronizer-token pattern); the cookie is HttpOnly and
  SameSite=Strict, and Secure except on plain HTTP to a loopback address.
- ``Authorization: Bearer <home token>`` (``<home>/keys/api-token``, 0600): the operator, acting as the
  operating-system user exactly as the CLI does. Whoever can read that file can already run the CLI.

Anything else gets 401. Every write made during the request is attributed to the account's own agent in
the custody log (``instance.acting_as``).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from testament.domain.access import Actor
from testament.secretfiles import read_secret
from testament.services import accounts, credentials
from testament.services.instance import Instance, set_acting_user
from testament.storage.engine import read_transaction

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


@dataclass(frozen=True)
class Principal:
    """The caller of one request. ``actor`` is None for the operator, who may do what the CLI may."""

    user_id: int | None
    actor: Actor | None
    scope: str
    via: str
    session_id: int | None = None
    csrf_token: str | None = None


def _unauthenticated(what: str) -> HTTPException:
    return HTTPException(401, what)


def identify(request: Request) -> Principal:
    inst: Instance = request.app.state.instance
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, given = header.partition(" ")
        given = given.strip()
        if scheme.lower() != "bearer" or not given:
            raise _unauthenticated("the Authorization header must be `Bearer <token>`")
        if secrets.compare_digest(given, request.app.state.api_token):
            return Principal(None, None, "write", "operator")
        holder = credentials.resolve_token(inst, given)
        if holder is None:
            raise _unauthenticated("this API token is unknown, expired or revoked")
        return Principal(holder.user_id, _actor(inst, holder.user_id), holder.scope, "token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        session = credentials.resolve_session(inst, cookie)
        if session is None:
            raise _unauthenticated("the session has ended; sign in again")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not sent or not secrets.compare_digest(sent, session.csrf_token):
                raise HTTPException(403, "the CSRF token is missing or wrong; reload the page")
        return Principal(
            session.user_id,
            _actor(inst, session.user_id),
            "write",
            "session",
            session.session_id,
            session.csrf_token,
        )
    raise _unauthenticated(
        "sign in first, or send Authorization: Bearer <token> "
        "(`testament user token create` makes one; `testament api token` prints the operator's)"
    )


def _actor(inst: Instance, user_id: int) -> Actor:
    with read_transaction(inst.engine) as conn:
        found = accounts.actor(conn, user_id)
    if found is None or found.disabled:
        raise _unauthenticated("this account no longer exists or is disabled")
    return found


async def principal(request: Request) -> AsyncIterator[Principal]:
    """FastAPI dependency: identify the caller and attribute the request's writes to them."""
    found = await run_in_threadpool(identify, request)
    request.state.principal = found
    # Set in the request's own context (see ``ActingScope``), so the endpoint's thread inherits it.
    set_acting_user(found.user_id)
    yield found


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
