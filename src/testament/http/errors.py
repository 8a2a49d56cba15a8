"""How a failure answers over HTTP: the status of each kind of :class:`TestamentError`, and the one JSON
error envelope ``{"ok": false, "status", "error", "errors", "where", "hint"}``.

The JSON API answers every failure in this envelope (``api/errors.install``); the pages answer with an
error page, and in the envelope for a request to the API mounted under them.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from testament import errors

STATUS: dict[type[errors.TestamentError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.PermissionDenied: 403,
    errors.ConsentRequired: 403,
    errors.Conflict: 409,
    errors.IntegrityError: 409,
    errors.BackendUnavailable: 503,
}


def envelope(status: int, error: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "status": status, "error": error, "errors": {}} | extra
    return JSONResponse(body, status_code=status)


def status_of(exc: errors.TestamentError) -> int:
    """The HTTP status that answers ``exc`` (400 for a kind not in :data:`STATUS`)."""
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400
