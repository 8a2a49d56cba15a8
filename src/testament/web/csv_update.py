"""Updating a case's incidents from a CSV on the pages: upload, see the diff, then confirm.

``/cases/{case}/update`` takes the file and shows what it would change, row by row (each field old →
new), and the rows in error with their row number, column and why; nothing is written. The page
carries the file back in the confirmation form with the preview's digest, so the apply recomputes the
same plan and refuses when the file or an incident changed since. Rows in error block the update
unless the user ticks "apply only the valid rows". Every rule is the use case's
(:mod:`testament.transfer.csv_update`, docs/bulk.md).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import Response

from testament.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from testament.transfer import csv_update
from testament.transfer.results import UpdatePlan
from testament.web.pages import Viewer, instance_of, render

MAX_CSV_BYTES = 4 * 1024 * 1024
CARRIED = MAX_CSV_BYTES * 4 // 3 + 8  # the file, base64 in the confirmation form


def _page(
    request: Request,
    case_name: str,
    code: int = 200,
    *,
    plan: UpdatePlan | None = None,
    content: bytes = b"",
    problem: str = "",
) -> Response:
    return render(request, "update_csv.html", code, case_name=case_name, plan=plan,
                  carried=base64.b64encode(content).decode(), problem=problem)  # fmt: skip


def _said(exc: InvalidInput | Conflict | NotFound | PermissionDenied) -> str:
    return exc.what + (f" ({exc.where})" if exc.where else "")


def routes(site: FastAPI) -> None:
    @site.get("/cases/{case_name}/update", include_in_schema=False)
    def form(request: Request, case_name: str, who: Viewer) -> Response:
        del who  # signed in; the preview asks the policy
        return _page(request, case_name)

    @site.post("/cases/{case_name}/update", include_in_schema=False)
    async def preview(
        request: Request, case_name: str, who: Viewer, file: Annotated[UploadFile, File()]
    ) -> Response:
        del who
        content = await file.read(MAX_CSV_BYTES + 1)
        name = (file.filename or "update.csv")[-200:]
        if len(content) > MAX_CSV_BYTES:
            return _page(
                request, case_name, 422, problem=f"the file is larger than {MAX_CSV_BYTES:,} bytes"
            )
        try:
            plan = csv_update.preview(instance_of(request), case_name, content, name)
        except InvalidInput as exc:
            return _page(request, case_name, 422, problem=_said(exc))
        return _page(request, case_name, plan=plan, content=content)

    @site.post("/cases/{case_name}/update/apply", include_in_schema=False)
    def apply(  # noqa: PLR0917 - the form's fields
        request: Request,
        case_name: str,
        who: Viewer,
        carried: Annotated[str, Form(max_length=CARRIED)] = "",
        name: Annotated[str, Form(max_length=200)] = "update.csv",
        digest: Annotated[str, Form(max_length=64)] = "",
        only_valid: Annotated[str, Form(max_length=8)] = "",
    ) -> Response:
        del who
        try:
            content = base64.b64decode(carried, validate=True)
        except binascii.Error:
            raise InvalidInput("the confirmation form was altered", where="carried") from None
        inst = instance_of(request)
        try:
            plan = csv_update.apply(inst, case_name, content, name, digest=digest,
                                    only_valid=bool(only_valid))  # fmt: skip
        except (InvalidInput, Conflict) as exc:
            return _page(request, case_name, 409 if isinstance(exc, Conflict) else 422,
                         plan=csv_update.preview(inst, case_name, content, name),
                         content=content, problem=_said(exc))  # fmt: skip
        return _page(request, case_name, plan=plan)
