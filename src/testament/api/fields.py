"""Service diagnoses name the CLI's arguments (``--element``, ``CRIME_CODE``); the API names its own.

A route wraps its service call in :func:`as_fields` with the CLI names it can meet, so the envelope's
``errors`` says which field of the request to correct.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from testament.errors import TestamentError


@contextlib.contextmanager
def as_fields(names: Mapping[str, str]) -> Iterator[None]:
    """Re-raise a diagnosis whose ``where`` is a key of ``names`` as one about that API field."""
    try:
        yield
    except TestamentError as exc:
        field = names.get(exc.where or "")
        if field is not None:
            exc.errors.setdefault(field, exc.what)
            exc.where = field
        raise
