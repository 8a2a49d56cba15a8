"""Exporting a case as a download, and importing an uploaded TimeMap or JSON Lines file into one.

An export is written to a temporary file first and then streamed: a failure (a missing case) is an
error envelope, never a download cut short, and neither side holds the whole export in memory.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import IO, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from testament.api import uploads
from testament.api.deps import instance
from testament.api.fields import as_fields
from testament.custody.instance import Instance
from testament.domain.access import Action
from testament.http.auth import Who
from testament.http.guard import allow, allow_or_create, creates_case
from testament.transfer import exports, import_jsonl, imports

router = APIRouter(tags=["import and export"])
Inst = Annotated[Instance, Depends(instance)]
CHUNK = 1 << 16
ExportFormat = Literal["jsonl", "csv", "geojson", "timemap", "testimonies"]
MEDIA: dict[str, tuple[str, str]] = {
    "jsonl": ("application/x-ndjson", "jsonl"),
    "testimonies": ("application/x-ndjson", "testimonies.jsonl"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "geojson": ("application/geo+json", "geojson"),
    "timemap": ("application/json", "json"),
}


class ImportIn(BaseModel):
    """The CLI's import options that make sense over HTTP (no rejects file on the server)."""

    namespace: str | None = Field(
        None, min_length=1, max_length=200, description="External-ID namespace (TimeMap only)."
    )
    suffix_duplicates: bool = Field(
        False, description="TimeMap: import a repeated event ID as ID#2, ID#3 …"
    )
    filename: str | None = Field(
        None, max_length=200, description="The uploaded file's name (the default namespace)."
    )


def _spooled(
    inst: Instance,
    fmt: str,
    case_name: str,
    audience: exports.Audience | None,
    approval: str | None,
) -> tuple[IO[bytes], exports.ExportReport]:
    """The export written to an anonymous temporary file, rewound."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    try:
        report = exports.export(inst, fmt, case_name, text, audience=audience, approval=approval)
        text.flush()
    except BaseException:
        text.close()
        raise
    text.detach()
    spool.seek(0)
    return spool, report


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


@router.get("/cases/{case_name}/export", response_class=StreamingResponse)
def export(  # noqa: PLR0917 - FastAPI passes what the route declares
    case_name: str,
    inst: Inst,
    who: Who,
    fmt: Annotated[
        ExportFormat,
        Query(
            alias="format",
            description="jsonl (lossless), csv, geojson, timemap, or testimonies (JSON Lines).",
        ),
    ],
    recipient_class: Annotated[
        str | None,
        Query(
            alias="for",
            max_length=48,
            description="Who receives it (recipient-classes); needed when the case holds people "
            "whose consent governs its use.",
        ),
    ] = None,
    purpose: Annotated[
        str | None, Query(max_length=48, description="What it is for (consent-purposes).")
    ] = None,
    recipient: Annotated[
        str | None,
        Query(max_length=200, description="The receiving organisation, to tell on withdrawal."),
    ] = None,
    approval: Annotated[
        str | None,
        Query(max_length=36, description="A named-export approval given by a second person."),
    ] = None,
) -> StreamingResponse:
    # Asked here: the export checks the audience's codes before the policy, and a refusal comes first.
    allow(inst, who, Action.ANALYSE, case=case_name)
    audience = None
    if recipient_class or purpose or recipient:
        audience = exports.Audience(recipient_class or "", purpose or "", recipient or "")
    if approval is not None:
        allow(inst, who, Action.REVEAL_IDENTITY, case=case_name)
    handle, report = _spooled(inst, fmt, case_name, audience, approval)
    media_type, extension = MEDIA[fmt]
    headers = {
        "Content-Disposition": f'attachment; filename="testament-export.{extension}"',
        "X-Testament-Incidents": str(report.incidents),
    }
    # Closing twice is harmless; the task also closes a file whose body was never read.
    return StreamingResponse(
        _chunks(handle),
        media_type=media_type,
        headers=headers,
        background=BackgroundTask(handle.close),
    )


@router.post("/cases/{case_name}/import/{fmt}", status_code=201)
@creates_case
async def import_file(  # noqa: PLR0917 - FastAPI passes what the route declares
    case_name: str,
    fmt: Literal["timemap", "jsonl"],
    request: Request,
    params: Annotated[ImportIn, Query()],
    inst: Inst,
    who: Who,
) -> dict[str, Any]:
    """Import the file sent as the request body into the case (created if absent), in one transaction."""
    await run_in_threadpool(allow_or_create, inst, who, Action.DOCUMENT, case_name)
    name = uploads.safe_name(params.filename, f"upload.{'json' if fmt == 'timemap' else 'jsonl'}")
    async with uploads.received(request, name, limit=inst.settings.max_upload_bytes) as path:
        options = imports.ImportOptions(
            namespace=params.namespace,
            suffix_duplicates=params.suffix_duplicates,
            rejects=path.with_name("rejects"),
        )
        with as_fields({"--case": "case"}):
            if fmt == "timemap":
                report = await run_in_threadpool(
                    imports.import_timemap, inst, path, case_name, options
                )
            else:
                report = await run_in_threadpool(
                    import_jsonl.import_jsonl, inst, path, case_name, options
                )
    return {"ok": True, "report": report.as_json() | {"path": name, "rejects_path": None}}
