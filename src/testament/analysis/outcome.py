"""What a pattern analysis finds, before it is named for a reader.

Every analysis returns an :class:`Outcome`: its rows (JSON-ready mappings, incidents named by
:meth:`IncidentFrame.reference`), the positions of the incidents it could not use because they lie in
no area (``unplaced``) or have no date at the period asked (``undated``), never silently dropped, and
any analysis-specific keys (``extra``). The capability adds the scope, parameters and checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from testament.analysis.frame import IncidentFrame


@dataclass(frozen=True)
class Outcome:
    rows: list[dict[str, Any]]
    unplaced: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    undated: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    extra: dict[str, Any] = field(default_factory=dict)


def references(frame: IncidentFrame, indexes: Iterable[int]) -> list[dict[str, str]]:
    """How rows name incidents: ``{"id": …, "external_id": …}`` (the latter only where there is one)."""
    # One fancy index and one list each: indexing object arrays an element at a time costs more.
    at = indexes if isinstance(indexes, np.ndarray) else np.fromiter(indexes, np.int64)
    return [
        {"id": i} if e is None else {"id": i, "external_id": e}
        for i, e in zip(frame.ids[at].tolist(), frame.external[at].tolist(), strict=True)
    ]


def positions(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """The positions where ``mask`` holds, as ``unplaced``/``undated`` take them."""
    return np.flatnonzero(mask).astype(np.int64)
