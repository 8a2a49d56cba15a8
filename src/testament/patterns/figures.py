"""The patterns page's figures, drawn on the server with matplotlib as SVG and PNG: a stacked timeline,
small multiples by area, bars of counts and a network of units and places.

Pure: rows in, bytes out, so the page, its downloads and the pattern report draw the same figure.
Every bar, segment and node of an SVG is a link (``set_url``) to the filter it stands for, made by the
caller's ``link``; the page shows the SVG in a frame, so a click (or Enter on a focused bar) narrows
the incident list under it with no script at all. Text stays text (``svg.fonttype='none'``), in DejaVu
Sans, which has Cyrillic; the drawing is deterministic (a fixed hash salt, no date), so the same rows
give the same bytes. Figures use matplotlib's object API (no ``pyplot`` state), so concurrent
requests never share one.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure

Link = Callable[
    [Mapping[str, str]], str
]  # a filter ({"month": "2022-03", "type": …}) -> its address
Name = Callable[[str, Any], str]  # (key, value) -> the value as the reader reads it

STYLE: dict[Any, Any] = {  # matplotlib types its keys as literals
    "svg.fonttype": "none",
    "svg.hashsalt": "testament",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip
MOST_SERIES = 8  # more and the smallest are drawn together as "other"
MOST_AREAS = 24  # small multiples for at most this many areas, the busiest
MOST_NODES = 150  # the network's nodes, units first
FORMATS = ("svg", "png")
SEED = 7  # the network layout's seed: the same graph is always laid out the same way
OTHER = "\x00other"  # the key of the summed smallest series (never a vocabulary code)


TIMELINE = (8.0, 3.2)  # inches: a figure is drawn at exactly its size, so a page can frame it
NETWORK = (7.0, 5.0)
MOST_BARS = 40


def multiples_size(areas: int) -> tuple[float, float]:
    """The size of small multiples of ``areas`` areas (at most :data:`MOST_AREAS`), in inches."""
    shown = min(max(areas, 1), MOST_AREAS)
    columns = min(4, shown)
    return 2.2 * columns, 1.5 * math.ceil(shown / columns) + 0.5


def bars_size(bars: int) -> tuple[float, float]:
    """The size of ``bars`` bars (at most :data:`MOST_BARS`), in inches."""
    return 7.0, max(1.4, 0.24 * min(bars, MOST_BARS) + 0.8)


def plain(_key: str, value: Any) -> str:
    """Values as they are (the default :data:`Name`)."""
    return "—" if value is None else str(value)


def _save(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    with mpl.rc_context(STYLE):
        if fmt == "svg":
            figure.savefig(buffer, format="svg", metadata={"Date": None})
            return _top_links(buffer.getvalue())
        figure.savefig(buffer, format="png", dpi=144, metadata={"Software": None})
    return buffer.getvalue()


def _top_links(svg: bytes) -> bytes:
    """Links open in the page around the figure's frame, not inside the frame."""
    return re.sub(rb'(<a xlink:href="[^"]*") target="_blank"', rb'\1 target="_top"', svg)


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"a figure is drawn as {' or '.join(FORMATS)}, not {fmt}")


def _url(link: Link | None, filters: Mapping[str, Any]) -> str | None:
    if link is None or any(value is None or value == OTHER for value in filters.values()):
        return None  # "none" and "other" are no filter the list can apply
    return link({key: str(value) for key, value in filters.items()})


def _series(
    rows: Sequence[Mapping[str, Any]], period: str, stack: str
) -> tuple[list[str], dict[Any, list[int]]]:
    """The periods in order, and per stacked value its count in each, the largest values first;
    past :data:`MOST_SERIES`, the rest summed under :data:`OTHER`."""
    periods = sorted({str(r[period]) for r in rows})
    at = {p: i for i, p in enumerate(periods)}
    series: dict[Any, list[int]] = {}
    for row in rows:
        series.setdefault(row[stack], [0] * len(periods))[at[str(row[period])]] += int(row["count"])
    ranked = sorted(series.items(), key=lambda item: (-sum(item[1]), item[0] is None, str(item[0])))
    kept = dict(ranked[:MOST_SERIES])
    rest = ranked[MOST_SERIES:]
    if rest:
        kept[OTHER] = [sum(column) for column in zip(*(v for _, v in rest), strict=True)]
    return periods, kept


def _ticks(axes: Axes, labels: Sequence[str]) -> None:
    step = max(1, math.ceil(len(labels) / 24))
    shown = list(range(0, len(labels), step))
    axes.set_xticks(shown, [labels[i] for i in shown], rotation=90 if len(labels) > 8 else 0)


def timeline(
    rows: Sequence[Mapping[str, Any]],
    *,
    period: str,
    stack: str,
    title: str,
    axis: str = "incidents",
    link: Link | None = None,
    name: Name = plain,
    fmt: str = "svg",
) -> bytes:
    """Incidents per ``period``, stacked by ``stack`` (type or target): counts rows keyed by both.
    Each segment links to its period and value."""
    _check(fmt)
    periods, series = _series(rows, period, stack)
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=TIMELINE, layout="constrained")
        axes = figure.subplots()
        bottom = [0] * len(periods)
        for number, (value, counts) in enumerate(series.items()):
            shown = name("other", None) if value == OTHER else name(stack, value)
            bars = axes.bar(range(len(periods)), counts, bottom=bottom, label=shown,
                            color=PALETTE[number % len(PALETTE)])  # fmt: skip
            for patch, when, count in zip(bars.patches, periods, counts, strict=True):
                patch.set_url(_url(link, {period: when, stack: value}) if count else None)
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        _ticks(axes, periods)
        axes.set_ylabel(axis)
        axes.set_title(title, loc="left")
        if series:
            axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _save(figure, fmt)


def _by_area(
    rows: Sequence[Mapping[str, Any]], period: str
) -> tuple[list[str], list[tuple[str, str, list[int]]]]:
    """The periods in order, and the busiest areas (code, name, count per period), busiest first."""
    periods = sorted({str(r[period]) for r in rows})
    at = {p: i for i, p in enumerate(periods)}
    areas: dict[str, tuple[str, list[int]]] = {}
    for row in rows:
        _, counts = areas.setdefault(row["area_code"], (row["area"], [0] * len(periods)))
        counts[at[str(row[period])]] += int(row["count"])
    ranked = sorted(areas.items(), key=lambda item: (-sum(item[1][1]), item[1][0]))
    return periods, [(code, area, counts) for code, (area, counts) in ranked[:MOST_AREAS]]


def small_multiples(
    rows: Sequence[Mapping[str, Any]],
    *,
    period: str,
    title: str,
    link: Link | None = None,
    fmt: str = "svg",
) -> bytes:
    """One small bar chart per area (counts rows by area and ``period``), sharing both axes, so areas
    compare at a glance. Each bar links to its area and period."""
    _check(fmt)
    periods, areas = _by_area(rows, period)
    columns = min(4, max(1, len(areas)))
    lines = max(1, math.ceil(len(areas) / columns))
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=multiples_size(len(areas)), layout="constrained")
        grid = figure.subplots(lines, columns, sharex=True, sharey=True, squeeze=False)
        for number, axes in enumerate(grid.flat):
            if number >= len(areas):
                axes.set_visible(False)
                continue
            code, area, counts = areas[number]
            bars = axes.bar(range(len(periods)), counts, color=PALETTE[0])
            for patch, when, count in zip(bars.patches, periods, counts, strict=True):
                patch.set_url(_url(link, {"area": code, period: when}) if count else None)
            axes.set_title(area, fontsize=7, loc="left")
            axes.tick_params(labelsize=6)
        if periods:
            step = max(1, len(periods) - 1)
            for axes in grid[-1]:
                axes.set_xticks([0, step] if len(periods) > 1 else [0],
                                [periods[0], periods[-1]] if len(periods) > 1 else [periods[0]])  # fmt: skip
        figure.suptitle(title, x=0.01, ha="left", fontsize=9)
        return _save(figure, fmt)


def bars(
    rows: Sequence[Mapping[str, Any]],
    *,
    key: str,
    title: str,
    axis: str = "incidents",
    link: Link | None = None,
    name: Name = plain,
    fmt: str = "svg",
) -> bytes:
    """Horizontal bars of counts rows by one ``key`` (an area, a type, a target), largest at the top.
    Each bar links to its value (an area by its code)."""
    _check(fmt)
    ranked = sorted(rows, key=lambda r: (-int(r["count"]), str(r.get(key))))[:MOST_BARS]
    labels = [row["area"] if key == "area" else name(key, row[key]) for row in ranked]
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=bars_size(len(ranked)), layout="constrained")
        axes = figure.subplots()
        drawn = axes.barh(range(len(ranked)), [int(r["count"]) for r in ranked], color=PALETTE[0])
        for patch, row in zip(drawn.patches, ranked, strict=True):
            value = row["area_code"] if key == "area" else row[key]
            patch.set_url(_url(link, {key: value}))
        axes.set_yticks(range(len(ranked)), labels)
        axes.invert_yaxis()
        axes.set_xlabel(axis)
        axes.set_title(title, loc="left")
        return _save(figure, fmt)


def _layout(graph: Mapping[str, Any]) -> tuple[nx.Graph, dict[str, Any]]:
    """The graph (units first, at most :data:`MOST_NODES` nodes) and its positions, seeded."""
    kept = list(graph.get("nodes", []))[:MOST_NODES]
    drawn = nx.Graph()
    for node in kept:
        drawn.add_node(node["id"], **node)
    for edge in graph.get("edges", []):
        if edge["source"] in drawn and edge["target"] in drawn:
            drawn.add_edge(
                edge["source"], edge["target"], weight=max(1, int(edge.get("weight", 1)))
            )
    positions = nx.spring_layout(drawn, seed=SEED) if len(drawn) else {}
    return drawn, positions


def _node_filter(node: Mapping[str, Any]) -> dict[str, Any] | None:
    if node.get("kind") == "unit":
        return {"unit": str(node["id"]).removeprefix("unit:")}
    if node.get("kind") == "area":
        return {"area": node.get("area_code")}
    return None  # a point place: no filter of the list names it


def network(
    graph: Mapping[str, Any],
    *,
    title: str,
    link: Link | None = None,
    fmt: str = "svg",
) -> bytes:
    """Units (squares) and places (circles) joined where a unit was present, laid out with a fixed
    seed (the unit-linkage graph ``{"nodes", "edges"}``). Each node links to its unit or area."""
    _check(fmt)
    drawn, positions = _layout(graph)
    with mpl.rc_context(STYLE):
        figure = Figure(figsize=NETWORK, layout="constrained")
        axes = figure.subplots()
        axes.set_axis_off()
        for a, b, data in drawn.edges(data=True):
            (xa, ya), (xb, yb) = positions[a], positions[b]
            axes.plot([xa, xb], [ya, yb], color="#999", linewidth=0.5 + math.log2(data["weight"]),
                      zorder=1)  # fmt: skip
        for node_id, node in drawn.nodes(data=True):
            x, y = positions[node_id]
            unit = node.get("kind") == "unit"
            dot = axes.scatter([x], [y], s=90 if unit else 50, marker="s" if unit else "o",
                               color=PALETTE[2] if unit else PALETTE[0], zorder=2)  # fmt: skip
            wanted = _node_filter(node)
            dot.set_urls([_url(link, wanted) if wanted else None])
            axes.annotate(str(node.get("label", node_id)), (x, y), xytext=(5, 4),
                          textcoords="offset points", fontsize=7)  # fmt: skip
        axes.set_title(title, loc="left")
        axes.margins(0.15)
        return _save(figure, fmt)
