"""Which part of one name goes with which part of the other: the pairing both matchers score.

Pure functions over similarity matrices (docs/name-matching.md, "Pairing the parts"). :func:`combine`
finds the pairing with the largest product of pair similarities and of the costs of the parts left
unpaired, by dynamic programming over the parts of the second name already paired.

The parts of an Ukrainian name pair in any order: a patronymic says which part it is. Those of an
Arabic name do not, and a grandson is often named after his grandfather, so that a father, Georges
Elias Khoury, and his son, Elias Georges Khoury, bear the same three names. For Arabic names
``order`` keeps the pairing in the names' order: two parts that both take part in the order (not a
kunya or a nisba, which may stand anywhere) pair only in the same order on both sides, the family name
alone allowed to come first on one side (KHOURY Georges Elias).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

ONE_PART_ONLY = 0.6
SURE_MISS = 0.6  # below the threshold less the most that dates and places add (0.82 - 0.12)
_NONE = -2  # no part in the order paired yet

Order = tuple[
    Sequence[bool], Sequence[bool]
]  # for each part of each name: does it take part in the order


def combine(
    similarity: list[list[float]],
    unpaired_a: list[float],
    unpaired_b: list[float],
    order: Order | None = None,
) -> float:
    """The best pairing of parts: the largest product of pair similarities and unpaired-part costs.

    ``similarity[i][j]`` compares part i of one name with part j of the other; ``unpaired_*`` are the
    costs of leaving each part unpaired. Exact over every partial pairing (names have at most ten
    parts). Callers fix the order of the two names, so the products are the same whichever name comes
    first. With ``order``, rows and columns are in the names' order and the pairing keeps it (module
    docstring).

    Most pairs of a registry are different people: when even the best part for every part cannot
    reach :data:`SURE_MISS` (no date or place evidence lifts a score from there to the threshold),
    that bound is returned instead of the exact product.
    """
    bound = min(
        _product(
            max(max(row, default=0.0), cost)
            for row, cost in zip(similarity, unpaired_a, strict=True)
        ),
        _product(
            max(max((row[j] for row in similarity), default=0.0), cost)
            for j, cost in enumerate(unpaired_b)
        ),
    )
    if bound < SURE_MISS:
        return bound
    if order is None:
        return _best(similarity, unpaired_a, unpaired_b, None)
    rows, columns = len(unpaired_a), len(unpaired_b)
    return max(
        _best(
            similarity, unpaired_a, unpaired_b, (order, _ranks(rows, False), _ranks(columns, False))
        ),
        _best(
            similarity, unpaired_a, unpaired_b, (order, _ranks(rows, True), _ranks(columns, False))
        ),
        _best(
            similarity, unpaired_a, unpaired_b, (order, _ranks(rows, False), _ranks(columns, True))
        ),
    )


def _ranks(count: int, family_first: bool) -> list[int]:
    """Each part's place in the order: as written, or with the last (the family name) first."""
    return [-1 if family_first and i == count - 1 else i for i in range(count)]


_Ordered = tuple[Order, list[int], list[int]]


def _best(
    similarity: list[list[float]],
    unpaired_a: list[float],
    unpaired_b: list[float],
    ordered: _Ordered | None,
) -> float:
    rows = (
        sorted(range(len(similarity)), key=ordered[1].__getitem__)
        if ordered
        else range(len(similarity))
    )
    states = {(0, _NONE): 1.0}  # (parts of b paired, rank in b of the last part paired in order)
    for i in rows:
        following: dict[tuple[int, int], float] = {}
        for (used, last), product in states.items():
            _keep(following, (used, last), product * unpaired_a[i])
            for j, value in enumerate(similarity[i]):
                if used >> j & 1:
                    continue
                step = _step(ordered, i, j, last)
                if step is not None:
                    _keep(following, (used | 1 << j, step), product * max(value, 1e-9))
        states = following
    widest = max(len(similarity), len(unpaired_b))
    best = 0.0
    for (used, _), paired in states.items():
        total = paired
        for j, cost in enumerate(unpaired_b):
            if not used >> j & 1:
                total *= cost
        best = max(best, total * ONE_PART_ONLY if used.bit_count() < 2 <= widest else total)
    return best


def _step(ordered: _Ordered | None, i: int, j: int, last: int) -> int | None:
    """The last rank after pairing row i with column j, or None where that breaks the order."""
    if ordered is None:
        return last
    (in_a, in_b), _, column_ranks = ordered
    if not (in_a[i] and in_b[j]):
        return last  # a kunya or a nisba stands anywhere
    rank = column_ranks[j]
    return rank if rank > last else None


def _keep(states: dict[tuple[int, int], float], state: tuple[int, int], value: float) -> None:
    if value > states.get(state, -1.0):
        states[state] = value


def _product(values: Iterable[float]) -> float:
    total = 1.0
    for value in values:
        total *= value
    return total
