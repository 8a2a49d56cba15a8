"""Signing in and out, the caller's own account, and their API tokens and second factor."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from testament.accounts import accounts, credentials
from testament.accounts.results import TokenInfo
from testament.api.deps import instance
from testament.api.models import answer
from testament.custody.instance import Instance
from testament.domain.access import SESSION_LIFETIME
from testament.errors import PermissionDenied
from testament.http import auth
from testament.http.auth import Who

router = APIRouter(tags=["session"])
Inst = Annotated[Instance, Depends(instance)]


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    totp: str | None = Field(
        None,
        max_length=32,
        description="The six-digit code, if the account has one, or one of its recovery codes.",
    )


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="What the token is for.")
    scope: str = Field("read", description="read or write.")
    days: int = Field(90, ge=1, le=credentials.MAX_TOKEN_DAYS, description="Days until it expires.")


@router.post("/auth/login", response_model=answer("user_id", int, csrf_token=str, expires_at=str))
def login(body: LoginIn, request: Request, response: Response, inst: Inst) -> dict[str, Any]:
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.login_limit.hit(client)
    if wait:
        raise HTTPException(
            429,
            "too many sign-in attempts from this address; wait and try again",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    user_id = accounts.authenticate(inst, body.username, body.password, body.totp)
    session = credentials.open_session(inst, user_id)
    max_age = int(SESSION_LIFETIME.total_seconds())
    auth.set_session_cookie(request, response, session.token, max_age)
    return {
        "ok": True,
        "user_id": user_id,
        "csrf_token": session.csrf_token,
        "expires_at": session.expires_at,
    }


@router.post("/auth/logout")
def logout(request: Request, response: Response, who: Who, inst: Inst) -> dict[str, Any]:
    cookie = request.cookies.get(auth.SESSION_COOKIE)
    if who.via == "session" and cookie:
        credentials.end_session(inst, cookie)
    auth.clear_session_cookie(request, response)
    return {"ok": True}


@router.get("/auth/me", response_class=JSONResponse)
async def me(who: Who) -> JSONResponse:
    """Who you are signed in as, your roles by case ID, and (in a browser session) the CSRF token."""
    body: dict[str, Any] = {"ok": True, "via": who.via, "scope": who.scope, "user": None}
    if who.actor is not None:
        body["user"] = {
            "id": who.user_id,
            "username": who.username,
            "is_admin": who.actor.is_admin,
            "roles": {case: role.value for case, role in sorted(who.actor.roles.items())},
        }
    if who.csrf_token is not None:
        body["csrf_token"] = who.csrf_token
    return JSONResponse(body)  # plain JSON: nothing here needs FastAPI's encoder


def _own(who: auth.Principal, inst: Instance) -> str:
    if who.user_id is None:
        raise PermissionDenied(
            "the operator token belongs to no account", hint="use `testament user token` on the CLI"
        )
    return accounts.describe(inst, who.user_id).username


@router.get("/auth/tokens", response_model=answer("items", list[TokenInfo]))
def list_tokens(who: Who, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "items": credentials.list_tokens(inst, _own(who, inst))}


@router.post(
    "/auth/tokens", status_code=201, response_model=answer("id", int, token=str, shown=str)
)
def create_token(body: TokenIn, who: Who, inst: Inst) -> dict[str, Any]:
    if who.via == "token":
        raise PermissionDenied(
            "an API token cannot create tokens", hint="sign in to the web application"
        )
    token_id, secret = credentials.create_token(
        inst, _own(who, inst), body.name, scope=body.scope, days=body.days
    )
    return {"ok": True, "id": token_id, "token": secret, "shown": "once"}


@router.delete("/auth/tokens/{token_id}")
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**62)], who: Who, inst: Inst
) -> dict[str, Any]:
    _own(who, inst)
    credentials.revoke_token(inst, token_id, owner=who.user_id)
    return {"ok": True}
