"""Charts and maps of analyses, drawn offline with matplotlib as SVG (and PNG).

SVG text is kept as text (``svg.fonttype='none'``), so a PDF made from it carries Cyrillic area names
as real, searchable text; the drawing is deterministic (a fixed hash salt, no date), so the same
analysis gives the same bytes. Figures are made with matplotlib's object API (no ``pyplot`` state),
so concurrent requests never share a figure.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

STYLE: dict[Any, Any] = {  # matplotlib types its keys as a Literal of every rc name
    "svg.fonttype": "none",
    "svg.hashsalt": "testament",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip
OTHER = "other"
MOST_SERIES = 8  # more series than this and the smallest are shown together as OTHER


def _save(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    with mpl.rc_context(STYLE):
        figure.savefig(buffer, format=fmt, bbox_inches="tight", metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict[str, Any]:
    return {"Date": None} if fmt == "svg" else {}


def inline_svg(svg: bytes) -> str:
    """An SVG document as an element to place inside HTML (no XML declaration or DOCTYPE)."""
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=(width, height))
        return figure, figure.subplots()


def stacked_bars(
    periods: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    title: str,
    fmt: str = "svg",
) -> bytes:
    """A bar per period, stacked by series (types, say), the largest series at the bottom."""
    with mpl.rc_context(STYLE):
        figure, axes = _figure(7.0, 3.0)
        bottom = [0] * len(periods)
        for number, (name, values) in enumerate(_fewer(series).items()):
            colour = PALETTE[number % len(PALETTE)]
            axes.bar(range(len(periods)), values, bottom=bottom, label=name, color=colour)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_xticks(range(len(periods)), periods, rotation=90 if len(periods) > 12 else 0)
        axes.set_ylabel("incidents")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title, loc="left")
        if series:
            axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _save(figure, fmt)


def _fewer(series: Mapping[str, Sequence[int]]) -> dict[str, list[int]]:
    """The series largest first; past :data:`MOST_SERIES`, the rest summed as :data:`OTHER`."""
    ranked = sorted(series.items(), key=lambda item: (-sum(item[1]), item[0]))
    kept = {name: list(values) for name, values in ranked[:MOST_SERIES]}
    rest = ranked[MOST_SERIES:]
    if rest:
        kept[OTHER] = [sum(column) for column in zip(*(v for _, v in rest), strict=True)]
    return kept


def bars(labels: Sequence[str], values: Sequence[int], *, title: str, fmt: str = "svg") -> bytes:
    """Horizontal bars, first label at the top (a count per type or per area)."""
    with mpl.rc_context(STYLE):
        figure, axes = _figure(7.0, max(1.2, 0.22 * len(labels) + 0.6))
        axes.barh(range(len(labels)), values, color=PALETTE[0])
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.set_xlabel("incidents")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title, loc="left")
        return _save(figure, fmt)


def _rings(geometry: Mapping[str, Any]) -> Iterable[Sequence[Sequence[float]]]:
    """The outer and inner rings of a GeoJSON Polygon or MultiPolygon."""
    if geometry.get("type") == "Polygon":
        yield from geometry["coordinates"]
    elif geometry.get("type") == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon


def area_map(
    outlines: Sequence[Mapping[str, Any]],
    points: Sequence[tuple[float, float]],
    *,
    highlight: str | None = None,
    title: str,
    fmt: str = "svg",
) -> bytes:
    """Area outlines (GeoJSON features, ``highlight`` by code shaded) and incident points
    (longitude, latitude), framed on the highlighted area or else on the points."""
    with mpl.rc_context(STYLE):
        figure, axes = _figure(7.0, 5.0)
        framed: list[tuple[float, float]] = list(points)
        for feature in outlines:
            chosen = feature.get("id") == highlight
            for ring in _rings(feature.get("geometry") or {}):
                xs, ys = [p[0] for p in ring], [p[1] for p in ring]
                if chosen:
                    axes.fill(xs, ys, color="#dde6f0", zorder=0)
                    framed += list(zip(xs, ys, strict=True))
                axes.plot(xs, ys, color="#888", linewidth=0.5, zorder=1)
        if points:
            axes.scatter([p[0] for p in points], [p[1] for p in points], s=6, color="#c0392b",
                         zorder=2, linewidths=0)  # fmt: skip
        _frame(axes, framed)
        axes.set_title(title, loc="left")
        axes.set_xlabel("longitude")
        axes.set_ylabel("latitude")
        return _save(figure, fmt)


def _frame(axes: Axes, framed: Sequence[tuple[float, float]]) -> None:
    """Frame the view on ``framed`` with a margin, at the aspect of the middle latitude."""
    if not framed:
        return
    west, east = min(p[0] for p in framed), max(p[0] for p in framed)
    south, north = min(p[1] for p in framed), max(p[1] for p in framed)
    margin = max(east - west, north - south, 0.1) * 0.08
    axes.set_xlim(west - margin, east + margin)
    axes.set_ylim(south - margin, north + margin)
    middle = min(max((south + north) / 2, -80.0), 80.0)
    axes.set_aspect(1 / math.cos(math.radians(middle)))
