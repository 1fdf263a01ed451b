"""Figures for the notebooks: small multiples laid out once, and showing a figure in the
formats the book needs (PNG for HTML, vector PDF for LaTeX) with the synthetic-data mark,
drawn once for all the books a kernel builds when its data are the same."""
import base64
import io
import os

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython.display import display
from matplotlib.ticker import FuncFormatter, ScalarFormatter
from matplotlib.transforms import Bbox

from .fingerprint import fingerprint
from .rounding import danish
from .synth import SYNTHETIC_MARK

PAD_INCHES = 0.1  # white margin around a shown figure (matplotlib's savefig.pad_inches)
FORMATS = {"image/png": "png", "application/pdf": "pdf"}
YEARS = (1900, 2100)  # ticks that are all whole numbers in this range are calendar years
NO_NUMBERS = "Figuren viser ingen tal: de bygger på for få personer og er diskretioneret."
ALT_TEXT_KEY = "Description"  # the PNG text field that carries a figure's numbers (book_style reads it)
SHOWN_KEPT = 32  # figures remembered by show(): a book has 13, about half of them national
_shown: dict[tuple[bool, str], dict[str, str]] = {}  # (synthetic, fingerprint) -> data, oldest use first


def setup() -> None:
    """Figure style. The PDF figures' timestamp is pinned so executed notebooks are byte-stable
    (nbval, verify)."""
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")
    plt.rcParams.update({"figure.figsize": (8, 4.5), "figure.dpi": 110})


def bars(data: pd.DataFrame, y: str, x: str, hue: str, xlabel: str, height: float = 3.8, labels: int | None = None,
         **kws) -> plt.Figure:
    """Horizontal bars of `x` for each `y`, side by side for each `hue`, with an untitled legend;
    with `labels` (decimals), each bar's value written beside it, so that short bars can be read too."""
    figure, axis = plt.subplots(figsize=(8, height))
    sns.barplot(data=data, y=y, x=x, hue=hue, ax=axis, **kws)
    axis.set(xlabel=xlabel, ylabel="")
    axis.legend(title="")
    if labels is not None:
        for drawn in axis.containers:
            texts = [danish(bar.get_width(), labels) if bar.get_width() == bar.get_width() else "" for bar in drawn]
            axis.bar_label(drawn, labels=texts, padding=2, fontsize=8)
        axis.set_xlim(right=axis.get_xlim()[1] * 1.08)  # room for the longest bar's label
    return figure


def small_multiples(data: pd.DataFrame, panel: str, plot, columns: int, xlabel: str = "", ylabel: str = "",
                    height: float = 2.6, aspect: float = 1.0, sharex: bool = True, sharey: bool = False, **kws):
    """One axes per value of `panel` (in order of appearance), `columns` to a row, each drawn by
    the seaborn axes-level function `plot` (sns.barplot, sns.lineplot) with `kws` and titled
    with its value; `xlabel` under the bottom panels, `ylabel` beside the left ones.

    A `hue` gets the same colours in every panel and one legend, right of the panels; a text
    axis shared by the panels gets the same categories in every panel. Returns the figure; its
    `axes` are the panels, in order. The layout is worked out once, when the figure is shown (seaborn's
    catplot and relplot lay a figure out up to five times, most of its drawing time).
    """
    values = list(pd.unique(data[panel]))
    rows, width = -(-len(values) // columns), min(columns, len(values))
    figure, grid = plt.subplots(rows, width, figsize=(width * height * aspect, rows * height), sharex=sharex,
                                sharey=sharey, squeeze=False, layout="tight")
    hue = kws.get("hue")
    if hue is not None:
        kws.setdefault("hue_order", list(pd.unique(data[hue])))
        kws.setdefault("palette", sns.color_palette(n_colors=len(kws["hue_order"])))
    for axis, shared in (("x", sharex), ("y", sharey)):
        column = kws.get(axis)
        if shared and column is not None and not pd.api.types.is_numeric_dtype(data[column]):
            kws.setdefault("order", list(pd.unique(data[column])))
    axes = dict(zip(values, grid.flat))
    for number, (value, axis) in enumerate(axes.items()):
        shown = data[data[panel] == value]
        plot(data=shown, ax=axis, **kws)
        y = kws.get("y")
        if not sharey and y is not None and pd.api.types.is_numeric_dtype(shown[y]) and shown[y].nunique() == 1:
            axis.set_ylim(0, max(abs(shown[y].iloc[0]), 1) * 1.25)  # one value: an axis from zero, not 6,8 to 7,2
        bottom = number + width >= len(values)  # no panel below it
        axis.set(title=value, xlabel=xlabel if bottom else "", ylabel=ylabel if number % width == 0 else "")
        if bottom:
            axis.xaxis.set_tick_params(labelbottom=True)
    for unused in grid.flat[len(values):]:
        unused.remove()
    sns.despine(figure)
    if hue is not None:
        _shared_legend(figure, axes.values(), kws["hue_order"])
    return figure


def _shared_legend(figure: plt.Figure, axes, order: list) -> None:
    """One legend right of the figure, with every hue value any panel drew, in `order`."""
    handles = {}
    for axis in axes:
        for handle, label in zip(*axis.get_legend_handles_labels()):
            handles.setdefault(label, handle)
        if axis.get_legend() is not None:
            axis.get_legend().remove()
    shown = [str(value) for value in order if str(value) in handles]
    figure.legend([handles[label] for label in shown], shown, loc="center left", bbox_to_anchor=(1.0, 0.5),
                  frameon=False)


def danish_axes(figure: plt.Figure) -> None:
    """Every numeric axis of `figure` (colour bars included) with Danish numbers: decimal comma,
    thousands dot, as few decimals as write every tick exactly."""
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            if isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(FuncFormatter(
                    lambda value, _, axis=axis: tick_text(value, axis.get_majorticklocs())))


def tick_text(value: float, locations) -> str:
    """A tick the Danish way, with as few decimals (at most 4) as write every tick exactly;
    an axis of calendar years (whole numbers 1900-2100) without a thousands dot."""
    decimals = next((d for d in range(5) if all(abs(round(v, d) - v) < 1e-9 for v in locations)), 4)
    if decimals == 0 and all(YEARS[0] <= v <= YEARS[1] for v in locations):
        return str(int(round(value)))
    return danish(value, decimals)


def describe(figure: plt.Figure) -> str:
    """The numbers a figure shows, in Danish words, for its alt text: per panel, each series
    (named by its legend entry) with its categories' values; a line's points; a heatmap's cells."""
    legends = [legend for legend in [*figure.legends, *(a.get_legend() for a in figure.axes)] if legend is not None]
    names = {_colour(handle): text.get_text() for legend in legends
             for handle, text in zip(legend.legend_handles, legend.get_texts())}
    panels = (_describe_axes(axes, names) for axes in figure.axes if axes.get_label() != "<colorbar>")
    return " ".join(filter(None, panels)) or NO_NUMBERS


def _colour(artist) -> tuple:
    colour = artist.get_color() if hasattr(artist, "get_xdata") else artist.get_facecolor()
    return tuple(round(c, 3) for c in matplotlib.colors.to_rgb(colour))


def _number(value: float) -> str:
    return tick_text(value, [value])  # as an axis would write it (a calendar year without a thousands dot)


def _categories(axis) -> dict[float, str]:
    """A categorical axis's labels by position (hidden ones too: a shared axis hides them)."""
    locations = axis.get_majorticklocs()
    return dict(zip(locations, axis.get_major_formatter().format_ticks(locations)))


def _at(categories: dict[float, str], position: float) -> str:
    """The category drawn at `position` (its nearest tick)."""
    return categories[min(categories, key=lambda location: abs(location - position))] if categories else ""


def _describe_axes(axes, names: dict[tuple, str]) -> str:
    series = []
    for container in axes.containers:
        bars = [bar for bar in container if bar.get_width() == bar.get_width() and bar.get_height() == bar.get_height()]
        if not bars:
            continue
        horizontal = container.orientation == "horizontal"
        categories = _categories(axes.yaxis if horizontal else axes.xaxis)
        centre = (lambda bar: bar.get_y() + bar.get_height() / 2) if horizontal else (
            lambda bar: bar.get_x() + bar.get_width() / 2)
        values = [(_at(categories, centre(bar)), _number(bar.get_width() if horizontal else bar.get_height()))
                  for bar in bars]
        series.append((names.get(_colour(bars[0]), ""), values))
    for line in axes.get_lines():  # a series' line, not an error bar or a reference line
        points = [(x, y) for x, y in zip(line.get_xdata(), line.get_ydata()) if x == x and y == y]
        if len(points) > 1 and (_colour(line) in names or not line.get_label().startswith("_")):
            series.append((names.get(_colour(line), line.get_label()), [(_number(x), _number(y)) for x, y in points]))
    if axes.collections and axes.texts and not series:  # a heatmap with its values written in the cells
        rows, columns = _categories(axes.yaxis), _categories(axes.xaxis)
        series.append(("", [(f"{_at(rows, t.get_position()[1])} til {_at(columns, t.get_position()[0])}", t.get_text())
                            for t in axes.texts]))
    parts = [(f"{label}: " if label else "") + "; ".join(f"{name} {value}".strip() for name, value in values)
             for label, values in series]
    if not parts:
        return ""
    horizontal = any(c.orientation == "horizontal" for c in axes.containers)
    unit = axes.get_xlabel() if horizontal else axes.get_ylabel()
    heading = ", ".join(filter(None, [axes.get_title(), unit]))
    return (f"{heading}: " if heading else "") + ". ".join(parts) + "."


def _fix_layout(figure: plt.Figure) -> None:
    """Work the layout out once and keep the positions (a layout engine redoes it on every draw)."""
    engine = figure.get_layout_engine()
    if engine is not None:
        engine.execute(figure)
        figure.set_layout_engine("none")


def mark(figure: plt.Figure, synthetic: bool) -> Bbox:
    """Stamp the synthetic-data warning on a figure, below everything drawn on it (axis labels
    and legends included), flush with its right edge. Returns the bounding box (inches) of
    all that is drawn, the mark included."""
    renderer = figure.canvas.get_renderer()
    box = figure.get_tightbbox(renderer)
    if synthetic:
        text = figure.text(box.x1 / figure.get_figwidth(), box.y0 / figure.get_figheight() - 0.01, SYNTHETIC_MARK,
                           ha="right", va="top", fontsize=9, color="firebrick", alpha=0.85,
                           transform=figure.transFigure)
        inches = text.get_window_extent(renderer).transformed(figure.dpi_scale_trans.inverted())
        box = Bbox.union([box, inches])
    return box


def rendered(figure: plt.Figure, box: Bbox, description: str = "") -> dict[str, str]:
    """The figure cut to `box` (inches) as base64 PNG and PDF: one bounding box for both formats
    (savefig's bbox_inches="tight" would work it out again for each). The PNG carries
    `description` (its "Description" text), which the HTML uses for the image's alt text."""
    data = {}
    for mimetype, fmt in FORMATS.items():
        buffer = io.BytesIO()
        metadata = {ALT_TEXT_KEY: description} if fmt == "png" and description else None
        figure.savefig(buffer, format=fmt, dpi=figure.dpi, bbox_inches=box, facecolor=figure.get_facecolor(),
                       edgecolor=figure.get_edgecolor(), metadata=metadata)
        data[mimetype] = base64.b64encode(buffer.getvalue()).decode("ascii")
    return data


def show(draw, synthetic: bool, **inputs) -> None:
    """Display the figure `draw(**inputs)` returns, laid out and marked, as PNG and PDF. A figure
    shown before in this process from the same function, inputs and style is displayed again
    without drawing it: in build-all, a worker's kernel shows the national figures of every
    municipality's book."""
    key = (synthetic, fingerprint(draw, inputs))
    data = _shown.pop(key, None) or _displayable(draw(**inputs), synthetic)
    _shown[key] = data  # most recently used last
    if len(_shown) > SHOWN_KEPT:
        _shown.pop(next(iter(_shown)))
    display(data, raw=True)


def _displayable(figure: plt.Figure, synthetic: bool) -> dict[str, str]:
    """Write its axes the Danish way, lay it out, mark it, render it with a small margin, close it."""
    danish_axes(figure)
    _fix_layout(figure)
    box = mark(figure, synthetic).padded(PAD_INCHES)
    data = {**rendered(figure, box, describe(figure)), "text/plain": repr(figure)}
    plt.close(figure)
    return data
