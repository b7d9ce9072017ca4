"""Charts as SVG strings, drawn by matplotlib, shared by the printed reports and the web pages.

Text stays text (`svg.fonttype = "none"`), so the renderer (weasyprint or a browser) sets it in the CJK
font named here and it remains searchable and selectable. The functions take plain, already translated
values and know nothing of Django. Output is deterministic for the same input (fixed hash salt, no date
metadata), which keeps issued PDFs reproducible.

`rc_context` changes matplotlib's process-wide settings while a chart is drawn, so charts are drawn one
at a time per process (`_drawing`): the web workers run several threads (gunicorn gthread).
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

#: The font families the SVG asks for: a Simplified Chinese face first, then a Latin fallback.
FONT_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]

COLOUR_MET = "#2e7d32"
COLOUR_NOT_MET = "#c62828"
COLOUR_NO_TARGET = "#546e7a"
COLOUR_MEDIAN = "#b0bec5"
COLOUR_TARGET = "#212121"
COLOUR_NOW = "#c62828"
COLOUR_ADVISED = "#2e7d32"

_RC = {
    "svg.fonttype": "none",
    "font.family": FONT_FAMILIES,
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 8,
}

#: Held while a chart is drawn: matplotlib's rc settings are process-wide, and threads must not mix them.
_LOCK = threading.RLock()


@contextmanager
def _drawing() -> Iterator[None]:
    """The chart style, for one chart at a time in this process."""
    with _LOCK, matplotlib.rc_context(_RC):
        yield


@dataclass(frozen=True, slots=True)
class IndicatorBar:
    """One indicator: the farm's value, its target and the town median, all in `unit`.

    `direction` is "at_least" or "at_most" (which side of the target is good), None without a target.
    """

    label: str
    unit: str
    value: float | None
    target: float | None = None
    town_median: float | None = None
    direction: Literal["at_least", "at_most"] | None = None

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target is None or self.direction is None:
            return None
        return self.value >= self.target if self.direction == "at_least" else self.value <= self.target


@dataclass(frozen=True, slots=True)
class IndicatorChartText:
    """The chart's words in the caller's language."""

    farm: str = "本场"
    town_median: str = "镇中位数"
    target: str = "目标"
    no_data: str = "无数据"


@dataclass(frozen=True, slots=True)
class IntervalPoint:
    """A point estimate and its interval (e.g. 95 %), in the unit of its group."""

    label: str
    estimate: float
    low: float
    high: float
    kind: Literal["now", "advised"] = "now"


@dataclass(frozen=True, slots=True)
class IntervalGroup:
    """Points sharing one axis, e.g. "TN (kg)": the load now and under the advice."""

    title: str
    points: Sequence[IntervalPoint]


def _svg(figure: Figure, salt: str) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    # Inline SVG: drop the XML declaration and DOCTYPE, keep the <svg> element.
    return text[text.index("<svg") :]


def _number(value: float) -> str:
    """A figure as a chart label: at most one decimal, none for large numbers."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}".removesuffix(".0")


def _units_in_order(bars: Sequence[IndicatorBar]) -> list[str]:
    units: list[str] = []
    for bar in bars:
        if bar.unit not in units:
            units.append(bar.unit)
    return units


def _draw_indicator_axes(
    axes: Axes, bars: Sequence[IndicatorBar], unit: str, text: IndicatorChartText
) -> None:
    positions = list(range(len(bars)))[::-1]
    top = max([0.0] + [v for bar in bars for v in (bar.value, bar.target, bar.town_median) if v is not None])
    span = top * 1.18 if top > 0 else 1.0
    for y, bar in zip(positions, bars, strict=True):
        colour = {True: COLOUR_MET, False: COLOUR_NOT_MET, None: COLOUR_NO_TARGET}[bar.met]
        if bar.town_median is not None:
            axes.barh(y - 0.2, bar.town_median, height=0.3, color=COLOUR_MEDIAN)
        if bar.value is not None:
            axes.barh(y + 0.12, bar.value, height=0.42, color=colour)
            axes.text(bar.value + span * 0.01, y + 0.12, _number(bar.value), va="center", fontsize=7)
        else:
            axes.text(span * 0.01, y + 0.12, text.no_data, va="center", fontsize=7, color=COLOUR_NO_TARGET)
        if bar.target is not None:
            axes.plot([bar.target, bar.target], [y - 0.42, y + 0.42], color=COLOUR_TARGET, linewidth=1.6)
    axes.set_yticks(positions, [bar.label for bar in bars])
    axes.set_xlim(0, span)
    axes.set_ylim(-0.6, len(bars) - 0.4)
    axes.set_xlabel(unit)
    axes.tick_params(axis="y", length=0)
    axes.grid(axis="x", color="#eceff1", linewidth=0.6)
    axes.set_axisbelow(True)


def _text_width_in(label: str, size_pt: float) -> float:
    """Rough width of a label in inches: a CJK character is one em, other characters about 0.6 em.

    Margins are laid out from this estimate rather than by measuring, which keeps a chart well under
    100 ms (matplotlib's constrained layout alone costs about as much as the drawing).
    """
    ems = sum(1.0 if ord(char) >= 0x2E80 else 0.6 for char in label)
    return ems * size_pt / 72


def indicator_chart(
    bars: Sequence[IndicatorBar], *, text: IndicatorChartText | None = None, width_in: float = 6.8
) -> str:
    """Horizontal bars of each indicator against its target (a black tick) and the town median (grey).

    Indicators are grouped by unit, one panel per unit, so kg/mu and % never share a scale. The farm's
    bar is green where the target is met, red where it is missed and slate where there is no target.
    Returns an `<svg>` element.
    """
    text = text or IndicatorChartText()
    if not bars:
        raise ValueError("indicator_chart needs at least one bar")
    units = _units_in_order(bars)
    groups = [[bar for bar in bars if bar.unit == unit] for unit in units]
    row_in, legend_in, axis_in = 0.34, 0.3, 0.42
    panel_heights = [len(group) * row_in + 0.1 for group in groups]
    height_in = legend_in + sum(h + axis_in for h in panel_heights)
    left_in = max(_text_width_in(bar.label, 8) for bar in bars) + 0.15
    with _drawing():
        figure = Figure(figsize=(width_in, height_in))
        top_in = legend_in
        for unit, group, panel_in in zip(units, groups, panel_heights, strict=True):
            bottom_in = height_in - top_in - panel_in
            axes = figure.add_axes(
                (
                    left_in / width_in,
                    bottom_in / height_in,
                    (width_in - left_in - 0.3) / width_in,
                    panel_in / height_in,
                )
            )
            _draw_indicator_axes(axes, group, unit, text)
            top_in += panel_in + axis_in
        handles = [
            Patch(color=COLOUR_MET, label=text.farm),
            Patch(color=COLOUR_MEDIAN, label=text.town_median),
            Line2D([], [], color=COLOUR_TARGET, linewidth=1.6, label=text.target),
        ]
        figure.legend(handles=handles, loc="upper right", ncols=3, borderaxespad=0.2)
        return _svg(figure, salt="indicators")


def interval_chart(groups: Sequence[IntervalGroup], *, width_in: float = 6.8) -> str:
    """Point estimates with their intervals, one panel per group (e.g. TN and TP), side by side.

    The load now is red and the load under the advice green, each a dot with its interval as a bar;
    the figures are written beside the dot. Returns an `<svg>` element.
    """
    if not groups or not all(group.points for group in groups):
        raise ValueError("interval_chart needs at least one group, each with at least one point")
    for group in groups:
        for point in group.points:
            if not all(math.isfinite(v) for v in (point.estimate, point.low, point.high)):
                raise ValueError(f"interval_chart: non-finite value in {group.title!r}")
            if not point.low <= point.estimate <= point.high:
                raise ValueError(f"interval_chart: {point.label!r} must satisfy low <= estimate <= high")
    rows = max(len(group.points) for group in groups)
    title_in, axis_in, gap_in = 0.3, 0.3, 0.25
    panel_in = rows * 0.4 + 0.1
    height_in = title_in + panel_in + axis_in
    left_in = max(_text_width_in(p.label, 8) for group in groups for p in group.points) + 0.15
    panel_width_in = (width_in - gap_in * (len(groups) - 1)) / len(groups)
    with _drawing():
        figure = Figure(figsize=(width_in, height_in))
        for index, group in enumerate(groups):
            x_in = index * (panel_width_in + gap_in) + left_in
            axes = figure.add_axes(
                (
                    x_in / width_in,
                    axis_in / height_in,
                    (panel_width_in - left_in - 0.1) / width_in,
                    panel_in / height_in,
                )
            )
            positions = list(range(len(group.points)))[::-1]
            high = max(point.high for point in group.points)
            low = min(0.0, *(point.low for point in group.points))
            span = (high - low) or 1.0
            for y, point in zip(positions, group.points, strict=True):
                colour = COLOUR_NOW if point.kind == "now" else COLOUR_ADVISED
                axes.errorbar(
                    point.estimate,
                    y,
                    xerr=[[point.estimate - point.low], [point.high - point.estimate]],
                    fmt="o",
                    color=colour,
                    capsize=3,
                    markersize=4,
                    linewidth=1.4,
                )
                axes.text(
                    point.high + span * 0.03,
                    y,
                    f"{_number(point.estimate)} ({_number(point.low)}–{_number(point.high)})",
                    va="center",
                    fontsize=7,
                )
            axes.set_yticks(positions, [point.label for point in group.points])
            axes.set_ylim(-0.6, len(group.points) - 0.4)
            axes.set_xlim(low, high + span * 0.75)
            axes.set_title(group.title, loc="left")
            axes.tick_params(axis="y", length=0)
            axes.grid(axis="x", color="#eceff1", linewidth=0.6)
            axes.set_axisbelow(True)
        return _svg(figure, salt="intervals")
