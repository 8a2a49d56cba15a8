"""Any documentation record's history (every version, with its custody log entry), and what the routes
of each record kind share: request bodies made from the kind's declaration
(:mod:`testament.documentation.kinds`) and the answers of a write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, create_model

from testament.api.bodies import Body, Line, Name, Text, VersionField
from testament.api.deps import instance
from testament.api.fields import as_fields
from testament.custody.instance import Instance
from testament.documentation import kinds, records

router = APIRouter(tags=["history"])
Inst = Annotated[Instance, Depends(instance)]
CaseName = Annotated[str, Field(min_length=1, description="Case name or ID.")]
TEXT: Mapping[str | None, Any] = {"name": Name, "line": Line, "long": Text, None: str}


class AliasIn(Body):
    name: Name
    script: Annotated[
        str, Field(pattern=kinds.SCRIPT.pattern, description="ISO 15924 script: Cyrl, Latn …")
    ]
    lang: Annotated[
        str | None,
        Field(pattern=kinds.LANGUAGE.pattern, description="BCP 47 tag: uk, ru, en-GB …"),
    ] = None


class PatchBody(Body):
    """A body that changes a record: the fields to change, and the version the change was made to."""

    expected_version: VersionField = None


class Version(BaseModel):
    """The answer of an edit or a deletion: the record's version now."""

    model_config = ConfigDict(from_attributes=True)

    ok: bool = True
    version: int


class Created(BaseModel):
    """The answer of a write that made a link: its ID."""

    ok: bool = True
    id: str


class VersionsAnswer(BaseModel):
    ok: bool = True
    items: list[dict[str, Any]]


def _type(field: kinds.Field) -> Any:
    if field.shape == "texts":
        return list[str]
    if field.shape == "coordinate":
        return float | str
    if field.shape == "aliases":
        return list[AliasIn]
    return TEXT[field.length]


def _new(field: kinds.Field, *, absent_as_null: bool) -> tuple[Any, Any]:
    """A field of the body that makes a record."""
    kind = _type(field)
    if field.required:
        return kind, Field(description=field.describe, min_length=1 if field.nonempty else None)
    if absent_as_null or field.default is None:
        return kind | None, Field(None, description=field.describe)
    if isinstance(field.default, tuple):
        return kind, Field(default_factory=list, description=field.describe)
    return kind, Field(field.default, description=field.describe)


def bodies(
    kind: kinds.RecordKind[Any, Any],
    *,
    base: type[BaseModel] = Body,
    patch_base: type[BaseModel] = PatchBody,
    case: Any = CaseName,
    absent_as_null: bool = False,
) -> tuple[type[BaseModel], type[BaseModel]]:
    """The bodies that make a record of ``kind`` (``…In``, with its case for a kind of a case) and
    change one (``…Patch``: every field optional, and ``expected_version``), from its declaration.
    A route module names them for the type checker as ``base`` and ``patch_base``.
    ``absent_as_null``: a field a new record may lack may also be null (then it is left out)."""
    fields = {f.name: f for f in kind.fields}
    new: dict[str, Any] = {"case": (case, ...)} if kind.in_case else {}
    new |= {name: _new(f, absent_as_null=absent_as_null) for name, f in fields.items()}
    patch: dict[str, Any] = {
        name: (_type(f) | None, Field(None, description=f.describe)) for name, f in fields.items()
    }
    title = kind.title
    made = create_model(f"{title}In", __base__=base, **new)
    changed = create_model(f"{title}Patch", __base__=patch_base, **patch)
    return made, changed


@contextmanager
def named_as_fields(kind: kinds.RecordKind[Any, Any], **more: str) -> Iterator[None]:
    """Diagnoses that name a field's option name the request's field instead."""
    names = {f.flag: f.name for f in kind.fields} | more
    with as_fields(names):
        yield


@router.get("/records/{kind}/{record_id}/versions", response_model=VersionsAnswer)
def versions(kind: str, record_id: str, inst: Inst) -> dict[str, Any]:
    """Every version of a record (the path's record is checked before, as for every path)."""
    found = records.versions_of_any(inst, kind, record_id)
    return {"ok": True, "items": [v.as_json() for v in found]}
