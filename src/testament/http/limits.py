"""JSON request bodies (and the pages' forms) are bounded before anything decodes them.

A route whose parameters include a body model has its body decoded whole by FastAPI. This middleware
hands that body over only once it has checked the raw bytes (a form's too, multipart or not): more
than :data:`MAX_JSON_BODY_BYTES` is refused with 413 (at once when the Content-Length says so), and
arrays and objects nested deeper than :data:`~testament.domain.boundedjson.MAX_DEPTH` with 422, both
in the one error envelope. Routes without a body model (imports, evidence, areas, photos) stream their
body to a file under their own limit, and their readers apply the same JSON limits (docs/api.md,
"Limits").
"""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from testament.domain import boundedjson

# The longest JSON body a route decodes: room for every text field at its limit (domain/text.py),
# even with each character escaped as a six-character \u escape, and far below what would strain the server.
MAX_JSON_BODY_BYTES = 8 << 20
_CHECKED = "testament.body_checked"


def too_large(limit: int) -> HTTPException:
    return HTTPException(
        413,
        f"the request body is larger than this server accepts ({limit:,} bytes); nothing was kept",
    )


class BoundedBodies:
    """ASGI middleware: the JSON limits, for every route that decodes a body model."""

    def __init__(self, app: ASGIApp, limit: int = MAX_JSON_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, _Bounded(scope, receive, self.limit).receive, send)


class _Bounded:
    """The body, read whole and checked on the first ``receive`` once the route is known."""

    def __init__(self, scope: Scope, receive: Receive, limit: int) -> None:
        self.scope = scope
        self.upstream = receive
        self.limit = limit
        self.first = True

    def _decoded(self) -> bool:
        """Whether FastAPI is about to decode the body whole, as JSON or as a form.

        A form sent as multipart is bounded too: the parser would otherwise spool any size of file
        part to disk, and refuse a long text part with a bare 400. The one page that takes a file in a
        form (``/packages/import``) declares no form fields, so nothing here decodes its body: it
        reads the parts as they arrive and bounds them itself (``web/package_import.py``).
        The router has put the matched route in the scope before anything reads the body; the site
        and the API it mounts share the scope, so the body is checked once.
        """
        route = self.scope.get("route")
        if self.scope.get(_CHECKED) or not isinstance(route, APIRoute):
            return False
        return route.body_field is not None

    def _multipart(self) -> bool:
        content_type: bytes = dict(self.scope["headers"]).get(b"content-type", b"")
        return content_type.lower().startswith(b"multipart/")

    async def receive(self) -> Message:
        if not self.first or not self._decoded():
            return await self.upstream()
        self.first = False
        self.scope[_CHECKED] = True
        declared = dict(self.scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            raise too_large(self.limit)
        body = bytearray()
        while True:
            message = await self.upstream()
            if message["type"] != "http.request":  # the client went away
                return message
            body += message.get("body", b"")
            if len(body) > self.limit:
                raise too_large(self.limit)
            if not message.get("more_body", False):
                break
        if not self._multipart() and boundedjson.too_deep(body.decode("utf-8", "replace")):
            raise HTTPException(422, boundedjson.nested_too_deep("body", "the request body").what)
        return {"type": "http.request", "body": bytes(body), "more_body": False}
