"""Signing in: the home page's redirect, the language switch, sign-in and sign-out, and ``/setup``.

``/setup`` makes the first administrator with the one-time token that the first start of an instance
prints; the token lives only in the process's memory (``site.state.setup_hash``) and is spent on use.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from testament.accounts import accounts, credentials
from testament.custody.instance import Instance
from testament.domain.access import OWNER, SESSION_LIFETIME
from testament.errors import InvalidInput, PermissionDenied
from testament.http import auth
from testament.web import i18n
from testament.web.pages import instance_of, render


def routes(site: FastAPI) -> None:
    _start_routes(site)
    _sign_in_routes(site)
    _setup_routes(site)


def _start_routes(site: FastAPI) -> None:
    @site.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        if request.app.state.setup_hash and not accounts.has_admin(instance_of(request)):
            return RedirectResponse("/setup", status_code=303)
        return RedirectResponse("/dashboard", status_code=303)

    @site.get("/lang/{code}", include_in_schema=False)
    def switch_language(
        code: str, next_page: Annotated[str, Query(alias="next")] = "/"
    ) -> Response:
        target = next_page if next_page.startswith("/") and not next_page.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        if code in i18n.LANGUAGES:
            response.set_cookie(
                i18n.COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True
            )
        return response


def _sign_in_routes(site: FastAPI) -> None:
    @site.get("/login", include_in_schema=False)
    def login_page(
        request: Request, next_page: Annotated[str, Query(alias="next")] = "/dashboard"
    ) -> Response:
        return render(request, "login.html", next_page=_local(next_page), error=None)

    @site.post("/login", include_in_schema=False)
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1000)],
        totp: Annotated[str, Form(max_length=32)] = "",
        next_page: Annotated[str, Form(alias="next")] = "/dashboard",
    ) -> Response:
        if not auth.same_origin(request):
            raise HTTPException(403, "this sign-in did not come from Testament's own page")
        client = request.client.host if request.client else "unknown"
        if request.app.state.login_limit.hit(client):
            return render(request, "login.html", 429, next_page=_local(next_page),
                           error="too-many")  # fmt: skip
        inst = instance_of(request)
        try:
            user_id = accounts.authenticate(inst, username, password, totp or None)
        except PermissionDenied as exc:
            needs_code = "totp" in exc.errors
            return render(request, "login.html", 403, next_page=_local(next_page),
                           error="totp" if needs_code else "wrong", username=username)  # fmt: skip
        return _signed_in(request, inst, user_id, _local(next_page))

    @site.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
        inst = instance_of(request)
        cookie = request.cookies.get(auth.SESSION_COOKIE)
        session = credentials.resolve_session(inst, cookie) if cookie else None
        if session is not None and cookie:
            sent = csrf_token or request.headers.get(auth.CSRF_HEADER, "")
            if not secrets.compare_digest(sent, session.csrf_token or ""):
                raise HTTPException(403, "the CSRF token is missing or wrong; reload the page")
            credentials.end_session(inst, cookie)
        response = RedirectResponse("/login", status_code=303)
        auth.clear_session_cookie(request, response)
        return response


def _setup_routes(site: FastAPI) -> None:
    @site.get("/setup", include_in_schema=False)
    def setup_page(request: Request, token: str = "") -> Response:
        if not _setup_open(request):
            return RedirectResponse("/login", status_code=303)
        return render(request, "setup.html", token=token, error=None)

    @site.post("/setup", include_in_schema=False)
    def setup(
        request: Request,
        token: Annotated[str, Form(max_length=200)],
        username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1000)],
    ) -> Response:
        if not _setup_open(request) or not auth.same_origin(request):
            return RedirectResponse("/login", status_code=303)
        expected: str = request.app.state.setup_hash
        given = hashlib.sha256(token.encode()).hexdigest()
        if not secrets.compare_digest(given, expected):
            return render(request, "setup.html", 403, token="", error="token")
        # The one-time token, printed by the owner's `testament serve`, stands for the owner here.
        inst = instance_of(request).acting_for(OWNER)
        try:
            user_id = accounts.create_user(inst, username, password, admin=True)
        except InvalidInput as exc:
            return render(request, "setup.html", 422, token=token, error="input",
                           problems=exc.errors or {"username": exc.what})  # fmt: skip
        request.app.state.setup_hash = None  # one use only
        return _signed_in(request, inst, user_id, "/dashboard")


def _setup_open(request: Request) -> bool:
    return bool(request.app.state.setup_hash) and not accounts.has_admin(instance_of(request))


def _local(target: str) -> str:
    """Only paths on this site; never an open redirect to another."""
    return target if target.startswith("/") and not target.startswith("//") else "/dashboard"


def _signed_in(request: Request, inst: Instance, user_id: int, target: str) -> Response:
    session = credentials.open_session(inst, user_id)
    response = RedirectResponse(target, status_code=303)
    auth.set_session_cookie(request, response, session.token,
                            int(SESSION_LIFETIME.total_seconds()))  # fmt: skip
    return response
