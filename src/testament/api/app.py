"""The FastAPI application factory: one instance, the error envelope, who is asking, the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from testament import __version__
from testament.api import docs, errors
from testament.api.ratelimit import SlidingWindow
from testament.api.routes import (
    bulk,
    cases,
    custody,
    evidence,
    gazetteer,
    incidents,
    interviews,
    legal,
    packages,
    patterns,
    people,
    processing,
    records,
    reports,
    review,
    search,
    session,
    sources,
    support,
    survivors,
    transfer,
    units,
)
from testament.custody.instance import Instance
from testament.domain.access import NOBODY
from testament.http import auth, guard, limits

LOGIN_ATTEMPTS_PER_MINUTE = 10


def create_app(instance: Instance, *, api_token: str) -> FastAPI:
    """An app serving ``instance``; the caller owns the instance and closes it."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield

    app = FastAPI(
        title="Testament",
        version=__version__,
        description="Documenting atrocity crimes with a chain of custody anyone can verify.",
        lifespan=lifespan,
        docs_url=None,  # served from Testament itself by docs.install, never from a CDN
        redoc_url=None,
    )
    app.state.instance = instance.acting_for(NOBODY)  # each request binds its own caller
    app.state.api_token = api_token
    app.state.login_limit = SlidingWindow(LOGIN_ATTEMPTS_PER_MINUTE, 60.0)
    app.add_middleware(auth.ActingScope)
    app.add_middleware(auth.SameOriginWrites)  # no change, sign-in included, from another site
    app.add_middleware(limits.BoundedBodies)
    errors.install(app)
    docs.install(app)
    app.include_router(
        session.router
    )  # signing in needs no credentials; its other routes ask for them
    for module in (
        cases,
        custody,
        incidents,
        records,
        people,
        units,
        sources,
        evidence,
        legal,
        search,
        gazetteer,
        transfer,
        survivors,
        support,
        interviews,
        packages,
        processing,
        patterns,
        reports,
        bulk,
        review,
    ):
        # Who is asking, then whether they may see what the path names (before the body is read).
        app.include_router(
            module.router, dependencies=[Depends(auth.principal), Depends(guard.hide_unseen)]
        )
    return app
