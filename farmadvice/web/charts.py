"""The dashboard's trend chart: an indicator across years, as SVG, in the style of `farmadvice.charts`.

Pure (no Django): plain, already translated values in, an `<svg>` string out. It draws with
matplotlib in the shared charts' fonts and colours, so the page and the printed reports look alike.
It belongs beside `indicator_chart` in `farmadvice/charts/svg.py`, and can move there as it is.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure

from farmadvice.charts.svg import COLOUR_TARGET, FONT_FAMILIES

COLOUR_DISTRICT = "#1b5e20"
COLOUR_TOWN = "#0d47a1"
MARKERS = ("o", "s", "^", "D")

_RC = {
    "svg.fonttype": "none",
    "font.family": FONT_FAMILIES,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
}


@dataclass(frozen=True, slots=True)
class TrendSeries:
    """One line: a label (e.g. the whole district, or a town) and a value per year (None: missing)."""

    label: str
    values: Sequence[float | None]


@dataclass(frozen=True, slots=True)
class TargetLine:
    """A target drawn as a dashed line, e.g. "≥ 96 % (2020)"."""

    label: str
    value: float


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.1f}".removesuffix(".0")
    return f"{value:.2g}"


def trend_chart(
    years: Sequence[int],
    series: Sequence[TrendSeries],
    *,
    unit: str,
    targets: Sequence[TargetLine] = (),
    width_in: float = 6.4,
    height_in: float = 2.8,
) -> str:
    """Lines of an indicator across `years`, one per series, with each value written at its point and
    the targets as dashed lines (named in the legend). A missing year breaks the line (it is never drawn as 0).
    Returns an `<svg>` element."""
    if not years or not series:
        raise ValueError("trend_chart needs years and at least one series")
    for line in series:
        if len(line.values) != len(years):
            raise ValueError(f"trend_chart: {line.label!r} needs one value per year")
    known = [v for line in series for v in line.values if v is not None and math.isfinite(v)]
    known += [t.value for t in targets]
    top = max(known, default=1.0)
    bottom = min(known, default=0.0)
    # The axis spans the values and targets with some room, not from zero: a rate moving between 94 %
    # and 96 % against a 96 % target must be visible. The axis is labelled, so nothing is hidden.
    span = (top - bottom) or max(abs(top) * 0.1, 1.0)
    low, high = bottom - span * 0.35, top + span * 0.45
    if bottom >= 0 > low:
        low = 0.0
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(width_in, height_in))
        axes = figure.add_axes((0.09, 0.2, 0.88, 0.68))
        for index, line in enumerate(series):
            colour = COLOUR_DISTRICT if index == 0 else COLOUR_TOWN
            values = [math.nan if v is None else v for v in line.values]
            axes.plot(
                years,
                values,
                marker=MARKERS[index % len(MARKERS)],
                color=colour,
                linewidth=2,
                markersize=5,
                label=line.label,
            )
            for year, value in zip(years, line.values, strict=True):
                if value is not None:
                    axes.annotate(
                        _number(value),
                        (year, value),
                        xytext=(0, 7 if index == 0 else -13),
                        textcoords="offset points",
                        ha="center",
                        fontsize=8,
                        color=colour,
                    )
        for target in targets:
            axes.axhline(target.value, color=COLOUR_TARGET, linestyle="--", linewidth=1.2, label=target.label)
        axes.set_xticks(list(years), [str(y) for y in years])
        axes.set_xlim(years[0] - 0.4, years[-1] + 0.4)
        axes.set_ylim(low, high)
        axes.set_ylabel(unit)
        axes.grid(axis="y", color="#eceff1", linewidth=0.6)
        axes.set_axisbelow(True)
        figure.legend(
            loc="upper left", ncols=len(series) + len(targets), borderaxespad=0.3, bbox_to_anchor=(0.08, 1.0)
        )
        buffer = io.StringIO()
        with matplotlib.rc_context({"svg.hashsalt": "trend"}):
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]
