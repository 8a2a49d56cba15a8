"""Importing a partner's package on the pages (docs/packages.md, "Importing a partner's package").

``/packages/import`` takes the package (a zip), the case to import it into (created if new), the
partner's verifier key as ``testament log key`` prints it (or none, for the ``partner_keys`` setting)
and whether to quarantine a package that fails verification. The form is read as it arrives, not by
the form decoder (which bounds a body at the JSON limit and would spool a file outside the home): the
file part goes to a temporary file in the home, bounded by ``max_upload_bytes``, the use case
(:func:`testament.packages.importing.import_package`) imports it, and the file is removed whatever
happens. Every rule is the use case's.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, BinaryIO

from fastapi import FastAPI, Request
from fastapi.responses import Response
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from testament.errors import Conflict, IntegrityError, InvalidInput
from testament.packages import importing
from testament.web.pages import Viewer, instance_of, render

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

PAGE = "/packages/import"
FILE_FIELD = "package"
TEXT_FIELDS = ("case", "key", "quarantine")
MAX_TEXT = 16 * 1024  # a text field: a case name, a verifier key
WRITE_BLOCK = 8 * 1024 * 1024
DEFAULT_NAME = "package.zip"


class _Refused(Exception):
    """The form itself cannot be taken; ``need`` names why, said by the page in the reader's language."""

    def __init__(self, need: str, code: int = 422) -> None:
        super().__init__(need)
        self.need = need
        self.code = code


@dataclass
class _Parts:
    """python_multipart's callbacks: the text fields kept (each bounded), the file part's bytes held in
    ``pending`` until the request's loop writes them to the temporary file."""

    limit: int
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    size: int = 0
    pending: bytearray = field(default_factory=bytearray)
    ended: bool = False
    _header: bytearray = field(default_factory=bytearray)
    _value: bytearray = field(default_factory=bytearray)
    _disposition: bytes = b""
    _name: str = ""
    _is_file: bool = False
    _text: bytearray = field(default_factory=bytearray)

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self._header.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _begin(self) -> None:
        self._disposition, self._name, self._is_file = b"", "", False
        self._text.clear()

    def _header_end(self) -> None:
        if bytes(self._header).lower() == b"content-disposition":
            self._disposition = bytes(self._value)
        self._header.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        _kind, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        self._is_file = self._name == FILE_FIELD and b"filename" in options
        if self._is_file:
            if self.filename is not None:
                raise _Refused("one-file")
            self.filename = options[b"filename"].decode("utf-8", "replace")

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            self.size += end - start
            if self.size > self.limit:
                raise _Refused("too-large", 413)
            self.pending += data[start:end]
        elif self._name in TEXT_FIELDS:
            self._text += data[start:end]
            if len(self._text) > MAX_TEXT:
                raise _Refused("too-long")

    def _part_end(self) -> None:
        if not self._is_file and self._name in TEXT_FIELDS:
            self.fields[self._name] = self._text.decode("utf-8", "replace")

    def _end(self) -> None:
        self.ended = True


async def _receive(request: Request, target: BinaryIO, limit: int) -> _Parts:
    """The form, its file part written to ``target`` in large blocks as it arrives; refused past
    ``limit`` bytes of file (at once when the Content-Length says so) or when it is not a form."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or not options.get(b"boundary"):
        raise _Refused("form")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MAX_TEXT * len(TEXT_FIELDS) + 64 * 1024:
        raise _Refused("too-large", 413)
    parts = _Parts(limit)
    parser = MultipartParser(options[b"boundary"], parts.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if len(parts.pending) >= WRITE_BLOCK:
                await run_in_threadpool(target.write, bytes(parts.pending))
                parts.pending.clear()
        parser.finalize()
    except FormParserError:
        raise _Refused("form") from None
    if parts.pending:
        await run_in_threadpool(target.write, bytes(parts.pending))
        parts.pending.clear()
    if not parts.ended:
        raise _Refused("form")
    if parts.filename is None or parts.size == 0:
        raise _Refused("file")
    if not parts.fields.get("case", "").strip():
        raise _Refused("case")
    return parts


def _form_page(request: Request, code: int = 200, **context: object) -> Response:
    chosen = context.pop("chosen", None) or {}
    return render(
        request, "package_import.html", code, chosen=chosen, result=context.get("result"),
        problem=context.get("problem"), where=context.get("where"), need=context.get("need"),
        limit=instance_of(request).settings.max_upload_bytes,
    )  # fmt: skip


def _shown_name(given: str | None) -> str:
    return PurePath((given or "").replace("\\", "/")).name or DEFAULT_NAME


def routes(site: FastAPI) -> None:
    @site.get(PAGE, include_in_schema=False)
    def form(request: Request, who: Viewer) -> Response:
        del who  # signed in; the import asks the policy
        return _form_page(request)

    @site.post(PAGE, include_in_schema=False)
    async def upload(request: Request, who: Viewer) -> Response:
        del who
        inst = instance_of(request)
        handle, name = tempfile.mkstemp(prefix=".package-upload-", suffix=".zip",
                                        dir=inst.settings.home)  # fmt: skip
        path = Path(name)
        chosen: dict[str, str] = {}
        try:
            with os.fdopen(handle, "wb") as target:
                parts = await _receive(request, target, inst.settings.max_upload_bytes)
            chosen = parts.fields
            wanted = importing.ImportRequest(
                path, chosen["case"], chosen.get("key", "").strip() or None,
                quarantine=bool(chosen.get("quarantine")),
            )  # fmt: skip
            result = await run_in_threadpool(importing.import_package, inst, wanted)
        except _Refused as exc:
            return _form_page(request, exc.code, chosen=chosen, need=exc.need)
        except (InvalidInput, IntegrityError, Conflict) as exc:  # said beside the form
            shown = _shown_name(parts.filename)
            where = exc.where.replace(str(path), shown) if exc.where else None
            return _form_page(request, 422, chosen=chosen, problem=exc.what.replace(str(path), shown),
                              where=where)  # fmt: skip
        except ClientDisconnect:
            return Response(status_code=400)
        finally:
            path.unlink(missing_ok=True)
        return _form_page(request, chosen=chosen, result=result)
