"""Drawing one chart as PNG bytes with matplotlib (Agg); imported by the chart workers on the first render only.

One style for every chart: an opaque light-grey card with near-black text and the Okabe-Ito colours (told apart
with colour blindness), which reads the same on Discord's dark and light themes, where a transparent chart would
lose either its text or its lines. 800 x 450 pixels (16:9) fits Discord's inline preview without a crop.
Only matplotlib's bundled DejaVu Sans is used, so nothing is downloaded or looked up on the machine.
"""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot; the bot never opens a window

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from cogs.insights.models import ChartKind, ChartSpec

log = logging.getLogger(__name__)

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100
LONG_SERIES = 92  # dated bars beyond this many (a quarter) are drawn as a filled step outline
BACKGROUND = "#F2F3F5"
TEXT = "#1E1F22"
GRID = "#C9CDD4"
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 14,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.edgecolor": GRID,
    "axes.labelcolor": TEXT,
    "axes.facecolor": BACKGROUND,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.color": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "figure.facecolor": BACKGROUND,
    "savefig.facecolor": BACKGROUND,
    "legend.frameon": False,
}


def render_png(spec: ChartSpec) -> bytes:
    """One chart as PNG bytes; pure and thread-safe (a Figure of its own, no pyplot state)."""
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.set_title(spec.title, loc="left")
        axes.set_xlabel(spec.x_label)
        axes.set_ylabel(spec.y_label)
        axes.grid(axis="x" if spec.kind is ChartKind.HBARS else "y", color=GRID, linewidth=0.8)
        axes.set_axisbelow(True)
        if spec.kind is ChartKind.HBARS:
            _hbars(axes, spec)
        elif spec.kind is ChartKind.LINES:
            _lines(axes, spec)
        else:
            _bars(axes, spec)
        # counts: "12,000", and below the line (leaves) still counts, "4" not "-4"
        value_axis = axes.xaxis if spec.kind is ChartKind.HBARS else axes.yaxis
        value_axis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):,.0f}"))
        if len(spec.series) > 1:
            # above the plot, beside the title: never over the data
            axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=len(spec.series), fontsize=10)
        if spec.x and isinstance(spec.x[0], date):
            locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
            axes.xaxis.set_major_locator(locator)
            axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI)
        return out.getvalue()


def _bars(axes: Any, spec: ChartSpec) -> None:
    dated = bool(spec.x) and isinstance(spec.x[0], date)
    positions: list[Any] = list(spec.x) if dated else list(range(len(spec.x)))
    count = len(spec.series)
    full = spec.bar_days if dated else 0.8
    side_by_side = count > 1 and not spec.stacked and not spec.negative_second
    width = full / count if side_by_side else full
    bottom = [0.0] * len(spec.x)
    for i, series in enumerate(spec.series):
        values = list(series.values)
        if spec.negative_second and i == 1:
            values = [-v for v in values]
        colour = COLOURS[i % len(COLOURS)]
        if dated and len(positions) > LONG_SERIES:
            # hundreds of bars are slow to draw and too thin to see: one filled step outline per series instead
            axes.fill_between(positions, values, step="mid", label=series.name, color=colour, linewidth=0)
        elif spec.stacked:
            axes.bar(positions, values, width=width, bottom=bottom, label=series.name, color=colour)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        elif side_by_side:
            shift = (i - (count - 1) / 2) * width
            shifted = [p + timedelta(days=shift) for p in positions] if dated else [p + shift for p in positions]
            axes.bar(shifted, values, width=width, label=series.name, color=colour)
        else:
            axes.bar(positions, values, width=width, label=series.name, color=colour)
    if spec.negative_second:
        axes.axhline(0, color=TEXT, linewidth=0.8)
    if not dated:
        axes.set_xticks(range(len(spec.x)), [str(x) for x in spec.x], rotation=30 if len(spec.x) > 6 else 0,
                        ha="right" if len(spec.x) > 6 else "center", fontsize=9)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _lines(axes: Any, spec: ChartSpec) -> None:
    for i, series in enumerate(spec.series):
        axes.plot(list(spec.x), list(series.values), label=series.name, color=COLOURS[i % 6], linewidth=2,
                  marker="o" if len(spec.x) <= 31 else None, markersize=4)
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _hbars(axes: Any, spec: ChartSpec) -> None:
    labels = [str(x) for x in spec.x][::-1]  # the largest on top
    values = list(spec.series[0].values)[::-1]
    bars = axes.barh(labels, values, color=COLOURS[0])
    axes.bar_label(bars, padding=3, fontsize=10, color=TEXT, fmt="{:,.0f}")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
