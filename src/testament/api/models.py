"""Response models, derived from the use cases' result types (``testament.domain.results``).

A route declares ``response_model=`` with one of these, so its OpenAPI schema and its answer come from
the same dataclass the use case returns and the CLI prints:

- ``answer("source", SourceView)``: ``{"ok": true, "source": {...}}``;
- ``Page[SourceRow]``: a page of a list endpoint (``items``, ``limit``, ``offset``, ``next_offset``).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, create_model

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list endpoint; ``next_offset`` is null on the last page."""

    model_config = ConfigDict(from_attributes=True)

    ok: bool = True
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


@cache
def answer(key: str, result: type[Any], **more: type[Any]) -> type[BaseModel]:
    """``{"ok": true, key: result, **more}``: the model of an answer that carries one result."""
    fields: dict[str, Any] = {"ok": (bool, True), key: (result, ...)}
    fields |= {name: (kind, ...) for name, kind in more.items()}
    name = "".join(part.title() for part in key.replace("-", "_").split("_"))
    return create_model(f"{name}Answer", __config__=ConfigDict(from_attributes=True), **fields)
