"""Uploaded files: the request body, streamed chunk by chunk to a temporary file a service reads.

A service reads files by path (imports and the gazetteer stream them from disk), so an upload is never
held in memory. The file lives in its own temporary directory under the name the client gives (made
safe), since defaults such as an import's namespace derive from the file name; diagnoses that name the
temporary path name the upload instead, and the directory goes when the request ends.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path, PurePath

import anyio.from_thread
from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from testament.errors import InvalidInput, TestamentError

MAX_NAME = 100
WRITE_BLOCK = 8 * 1024 * 1024
# Letters and digits of any script stay (Ukrainian names are common); separators and controls go.
_UNSAFE = re.compile(r"[^\w.-]+")


def safe_name(given: str | None, default: str) -> str:
    """A file name without directories or unusual characters; ``default`` when nothing is left."""
    name = _UNSAFE.sub("-", PurePath((given or "").replace("\\", "/")).name).strip(".-")
    return name[:MAX_NAME] or default


def original_name(given: str | None, default: str) -> str:
    """The file's name as the client gave it, only without directories: an evidence file's name is
    kept byte for byte (and shown through ``domain.display.shown``, never as is). NUL is refused."""
    if given and "\x00" in given:
        raise InvalidInput(
            "the file name contains a NUL character",
            where="filename",
            hint="send the file's name as it is, without NUL",
        )
    return PurePath((given or "").replace("\\", "/")).name or default


def _unname(exc: TestamentError, folder: str) -> None:
    prefix = folder.rstrip("/") + "/"
    exc.what = exc.what.replace(prefix, "")
    exc.where = exc.where.replace(prefix, "") if exc.where else exc.where
    exc.hint = exc.hint.replace(prefix, "") if exc.hint else exc.hint
    exc.errors = {k.replace(prefix, ""): v.replace(prefix, "") for k, v in exc.errors.items()}
    exc.args = (exc.what,)


class BodyReader:
    """The request body as a blocking stream, for a service that reads on a worker thread.

    Each refill hops to the event loop once and brings back at least :data:`WRITE_BLOCK` bytes (or the
    rest of the body), so a gigabyte costs a few hundred hops rather than one per network chunk. Past
    ``limit`` bytes it raises 413, and the service reading it keeps nothing.
    """

    def __init__(self, request: Request, limit: int | None) -> None:
        refuse_declared(request, limit)
        self._chunks = request.stream().__aiter__()
        self._limit = limit
        self._buffer = memoryview(b"")
        self._done = False
        self.received = 0
        self.name = "request body"

    async def _next_block(self) -> bytes:
        parts: list[bytes] = []
        gathered = 0
        while gathered < WRITE_BLOCK:
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self._done = True
                break
            parts.append(chunk)
            gathered += len(chunk)
        return b"".join(parts)

    def readinto(self, view: memoryview) -> int:
        while not self._buffer and not self._done:
            block = anyio.from_thread.run(self._next_block)
            self.received += len(block)
            if self._limit is not None and self.received > self._limit:
                raise too_large(self._limit)
            self._buffer = memoryview(block)
        count = min(len(view), len(self._buffer))
        view[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count


def refuse_declared(request: Request, limit: int | None) -> None:
    """413 at once when the request says (Content-Length) that its body is over ``limit``."""
    declared = request.headers.get("content-length", "")
    if limit is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)


def too_large(limit: int) -> HTTPException:
    return HTTPException(
        413,
        f"the upload is larger than this server accepts ({limit:,} bytes); nothing was kept",
    )


@contextlib.asynccontextmanager
async def received(request: Request, name: str, *, limit: int) -> AsyncIterator[Path]:
    """The request body as the file ``name`` in a temporary directory, removed afterwards.

    Over ``limit`` bytes (by its Content-Length, or as it arrives) it is refused with 413 and the
    partial file goes with the directory.
    """
    refuse_declared(request, limit)
    with tempfile.TemporaryDirectory(prefix="testament-upload-") as folder:
        path = Path(folder) / name
        size = 0
        pending = bytearray()  # the server hands over small chunks; write them in large blocks
        with path.open("wb") as handle:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                pending += chunk
                if len(pending) >= WRITE_BLOCK:
                    await run_in_threadpool(handle.write, bytes(pending))
                    pending.clear()
            if pending:
                await run_in_threadpool(handle.write, bytes(pending))
        if size == 0:
            raise InvalidInput(
                "the request body is empty",
                where="body",
                hint="send the file as the request body",
                errors={"body": "empty"},
            )
        try:
            yield path
        except TestamentError as exc:
            _unname(exc, folder)
            raise
