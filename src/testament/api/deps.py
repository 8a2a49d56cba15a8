"""What routes share: the instance and the page parameters of list endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from testament.api.bodies import MAX_OFFSET
from testament.custody.instance import Instance
from testament.domain.access import NOBODY, Principal
from testament.http.auth import maybe_principal


def instance(
    request: Request, who: Annotated[Principal | None, Depends(maybe_principal)]
) -> Instance:
    """The home as the request's caller acts on it (nobody, for a request without a credential)."""
    base: Instance = request.app.state.instance
    return base.acting_for(who or NOBODY)


PURPOSE_HEADER = "x-testament-purpose"
OPERATOR_PURPOSE = "operator access, no purpose stated"


def purpose(
    request: Request,
    purpose: Annotated[
        str | None,
        Query(
            max_length=1000,
            description="Why you are opening this (or send the X-Testament-Purpose header). "
            "Recorded in the custody log; do not name anyone.",
        ),
    ] = None,
) -> str | None:
    return purpose or request.headers.get(PURPOSE_HEADER)


Purpose = Annotated[str | None, Depends(purpose)]

Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]


def page(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    """A page of a list endpoint; ``next_offset`` is null on the last page."""
    more = len(items) > limit
    return {
        "ok": True,
        "items": items[:limit],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }
