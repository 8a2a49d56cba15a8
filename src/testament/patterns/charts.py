"""The pattern report's map, drawn offline with matplotlib as SVG (or PNG): area outlines from the
gazetteer and incident points, with no tiles. The report's other figures are the patterns page's own
(:mod:`testament.patterns.figures`).

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

from testament.patterns.figures import STYLE


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
