"""Response models, derived from the use cases' result types (``testament.domain.results``).

A route declares ``response_model=`` with one of these, so its OpenAPI schema and its answer come from
the same dataclass the use case returns and the CLI prints:

- ``answer("source", SourceView)``: ``{"ok": true, "source": {...}}``;
- ``Page[SourceRow]``: a page of a list endpoint (``items``, ``limit``, ``offset``, ``next_offset``);
- ``Items[GrantView]``: a whole list, unpaged (``{"ok": true, "items": [...]}``).
"""

from __future__ import annotations

from functools import cache
from types import UnionType
from typing import Any, Generic, TypeVar, Union, get_args, get_origin

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


class Items(BaseModel, Generic[T]):
    """A whole list, unpaged."""

    model_config = ConfigDict(from_attributes=True)

    ok: bool = True
    items: list[T]


def _name(kind: Any) -> str:
    """A readable schema name for a type: ``list[CrimeView]`` is ``CrimeViewList``."""
    args = get_args(kind)
    if not args:
        return str(getattr(kind, "__name__", kind))
    inner = "Or".join(_name(arg) for arg in args)
    origin = get_origin(kind)
    return inner + ("" if origin in (Union, UnionType) else origin.__name__.title())


@cache
def answer(key: str, result: type[Any], **more: type[Any]) -> type[BaseModel]:
    """``{"ok": true, key: result, **more}``: the model of an answer that carries one result."""
    fields: dict[str, Any] = {"ok": (bool, True), key: (result, ...)}
    fields |= {name: (kind, ...) for name, kind in more.items()}
    words = [*key.replace("-", "_").split("_"), *(_name(kind) for kind in (result, *more.values()))]
    name = "".join(word[:1].upper() + word[1:] for word in words) + "Answer"
    return create_model(name, __config__=ConfigDict(from_attributes=True), **fields)
