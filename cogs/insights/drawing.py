"""Drawing one chart as PNG bytes with matplotlib (Agg); imported by the chart workers on the first render only.

One style for every chart: an opaque light-grey card with near-black text and the Okabe-Ito colours (told apart
with colour blindness), which reads the same on Discord's dark and light themes, where a transparent chart would
lose either its text or its lines. 800 x 450 pixels (16:9) fits Discord's inline preview without a crop.
Text is drawn in matplotlib's bundled DejaVu Sans; Chinese characters, which it lacks, come from a CJK font of the
machine found by path (Debian's fonts-wqy-microhei or fonts-noto-cjk, installed by .ci/run), used glyph by glyph
after DejaVu Sans. Nothing is downloaded; without such a font a chart still draws (a warning, once, says why its
Chinese is missing).
Runs on the renderer's worker threads, where the current language of the request is not set: `spec.language`
names it, and dates and numbers on the axes are written out in it (Babel) inside `i18n.using(spec.language)`.
"""

from __future__ import annotations

import io
import logging
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot; the bot never opens a window

import matplotlib.dates as mdates
from babel.dates import format_skeleton
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot import i18n
from cogs.insights.models import ChartKind, ChartSpec

log = logging.getLogger(__name__)

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100
LONG_SERIES = 92  # dated bars beyond this many (a quarter) are drawn as a filled step outline
BACKGROUND = "#F2F3F5"
TEXT = "#1E1F22"
GRID = "#C9CDD4"
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
# Fonts with Chinese glyphs, by path (the Debian packages' files); the first found is the fallback after DejaVu Sans.
CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # fonts-wqy-microhei
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),  # fonts-noto-cjk
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),  # fonts-wqy-zenhei
)


def _cjk_family(candidates: tuple[Path, ...] = CJK_FONTS) -> str | None:
    """Register the first CJK font found with matplotlib; its family name, or None when the machine has none."""
    for path in candidates:
        if path.is_file():
            try:
                font_manager.fontManager.addfont(str(path))
                return str(font_manager.FontProperties(fname=str(path)).get_name())
            except (OSError, RuntimeError, ValueError):
                log.warning("The CJK font %s could not be loaded", path, exc_info=True)
    return None


CJK_FAMILY = _cjk_family()  # once, when the first chart renders (this module is imported then)
_warned = threading.Event()


def _cjk_missing() -> None:
    if not _warned.is_set():
        _warned.set()
        log.warning("No CJK font found (looked for %s): Chinese text in insights charts is drawn as empty boxes; "
                    "install fonts-wqy-microhei", ", ".join(map(str, CJK_FONTS)))


STYLE: dict[str, Any] = {
    "font.family": ["DejaVu Sans", *([CJK_FAMILY] if CJK_FAMILY else [])],
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
    if spec.language.startswith("zh") and CJK_FAMILY is None:
        _cjk_missing()
    with i18n.using(spec.language), matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        return _draw(spec)


def _count(value: float) -> str:
    """A count on an axis or beside a bar: "12,000" ("12 000" in French); below the line (leaves) still counts."""
    return i18n.number(round(abs(value)))


def _draw(spec: ChartSpec) -> bytes:
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
    value_axis.set_major_formatter(FuncFormatter(lambda value, _pos: _count(value)))
    if len(spec.series) > 1:
        # above the plot, beside the title: never over the data
        axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=len(spec.series), fontsize=10)
    if spec.x and isinstance(spec.x[0], date):
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        if i18n.current() == i18n.DEFAULT:
            axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        else:  # matplotlib writes month names in English only: Babel writes them in the chart's language
            axes.xaxis.set_major_formatter(_date_formatter(spec.x[0], spec.x[-1]))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _date_formatter(first: date, last: date) -> FuncFormatter:
    """Dates on the axis in the current language: "26 oct." / "10月26日", or months ("oct. 2026") over long spans."""
    skeleton = "yMMM" if (last - first).days > 120 else "MMMd"
    language = i18n.current()
    locale = i18n.BABEL_LOCALE.get(language, language)

    def label(value: float, _pos: int | None = None) -> str:
        day = mdates.num2date(value).date()  # type: ignore[no-untyped-call]
        return str(format_skeleton(skeleton, day, locale=locale))

    return FuncFormatter(label)


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
    axes.bar_label(bars, padding=3, fontsize=10, color=TEXT, fmt=_count)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
