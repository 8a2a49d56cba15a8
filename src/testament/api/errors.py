"""The one error envelope: ``{"ok": false, "error", "errors", "status", "where", "hint"}``.

Every failure a client can meet, from a service's :class:`TestamentError` to malformed JSON, leaves here in
this shape, and never with a traceback or a record's content (errors.py's privacy rule holds for the API).
The envelope and the status of each kind of failure are shared with the pages (``testament.http.errors``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from testament import errors
from testament.http.errors import envelope, status_of


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    """Route every kind of failure through :func:`envelope`."""

    @app.exception_handler(errors.TestamentError)
    async def _testament(_request: Request, exc: errors.TestamentError) -> JSONResponse:
        return envelope(status_of(exc), exc.what, errors=exc.errors, where=exc.where, hint=exc.hint)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = {
            _field(tuple(e.get("loc", ()))): str(e.get("msg", "invalid")) for e in exc.errors()
        }
        return envelope(422, "the request is not valid", errors=fields)

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        response = envelope(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(Exception)
    async def _internal(_request: Request, exc: Exception) -> JSONResponse:
        return envelope(500, f"internal error ({type(exc).__name__}); nothing half-written is kept")
