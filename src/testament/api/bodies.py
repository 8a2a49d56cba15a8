"""What request bodies share: strict models and the common field types."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from testament.domain import text

# The lengths of domain/text.py's table, so the API refuses what the services would (422, per field).
Name = Annotated[str, Field(min_length=1, max_length=text.NAME_CHARS)]
Line = Annotated[str, Field(max_length=text.LINE_CHARS)]
Text = Annotated[str, Field(max_length=text.LONG_CHARS)]
# Integers a database column can hold on every backend (SQLite and PostgreSQL's bigint are 64-bit).
MAX_VERSION = 2**31 - 1
MAX_OFFSET = 10**9
MAX_COUNT = 10**8
ExpectedVersion = Annotated[
    int | None,
    Query(
        ge=1, le=MAX_VERSION, description="Refuse (409) if the record is no longer at this version."
    ),
]
VersionField = Annotated[int | None, Field(ge=1, le=MAX_VERSION)]


class Body(BaseModel):
    """A request body that refuses fields it does not know (a typo is a 422, not a silent no-op)."""

    model_config = ConfigDict(extra="forbid")

    def given(self) -> dict[str, Any]:
        """The fields the client sent, without ``expected_version``: the changes of an edit."""
        sent = self.model_dump(exclude_unset=True)
        sent.pop("expected_version", None)
        return sent
