"""What every page shares: the templates, rendering with the page's security headers, and who is asking.

Split from ``site.py`` so that groups of pages (``records.py``) can live in their own modules.
"""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import jinja2
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from testament import __version__
from testament.accounts import accounts
from testament.custody.instance import Instance
from testament.domain.access import NOBODY
from testament.http import auth
from testament.http.auth import Principal
from testament.web import display, i18n, labels

HERE = Path(__file__).parent


class SignInNeeded(Exception):
    """Raised by :func:`viewer` when a page is asked for without a live session."""


@cache
def templates_for(lang: str) -> Jinja2Templates:
    """One environment per language (built once), so concurrent requests in different languages never
    mix. Kept here rather than on the app's state: an error raised inside the mounted API reaches the
    site's handlers with the API as ``request.app``, and rendering must still work there."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    env.policies["ext.i18n.trimmed"] = True
    messages = i18n.catalogue(lang)
    env.install_gettext_translations(messages, newstyle=True)  # type: ignore[attr-defined]
    env.globals["label"] = partial(labels.label, language=lang, messages=messages)
    env.globals["direction"] = i18n.direction(lang)  # <html dir>: rtl for Arabic
    display.install(env, lang)
    return Jinja2Templates(env=env)


def render(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
    lang = i18n.language(request)
    templates = templates_for(lang)
    who: Principal | None = getattr(request.state, "principal", None)
    user = None
    if who is not None and who.user_id is not None:
        user = accounts.describe(request.app.state.instance.acting_for(who), who.user_id)
    context |= {
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "who": who,
        "user": user,
        "csrf_token": who.csrf_token if who else None,
        "path": request.url.path,
        "version": __version__,
    }
    response = templates.TemplateResponse(request, name, context, status_code=code)
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data: " + tile_origin(request) + "; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def tile_origin(request: Request) -> str:
    url: str = getattr(request.app.state, "tile_url", "")
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}".replace("//a.", "//*.")


async def viewer(request: Request) -> Principal:
    """Page dependency: the API's own :func:`auth.principal` for a browser session, with a redirect to
    the sign-in page where the API would answer 401."""
    if not request.cookies.get(auth.SESSION_COOKIE):
        raise SignInNeeded
    try:
        return await auth.principal(request, await auth.maybe_principal(request))
    except HTTPException as exc:
        if exc.status_code == 401:
            raise SignInNeeded from None
        raise


Viewer = Annotated[Principal, Depends(viewer)]


def instance_of(request: Request) -> Instance:
    """The home as the page's signed-in user acts on it (nobody, before sign-in)."""
    base: Instance = request.app.state.instance
    return base.acting_for(getattr(request.state, "principal", None) or NOBODY)
