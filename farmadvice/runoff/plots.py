"""The diagnostics plot of a runoff model version, as an SVG string (matplotlib).

Two panels from the version's `fit_points` (a seeded sample of its training rows): observed against
predicted (expected) load on log-log axes with the line of equality, and the log residual
ln(observed / expected) against the prediction. Text stays text (`svg.fonttype = "none"`) in the CJK fonts
of `farmadvice.charts.svg`, and the output is deterministic (fixed hash salt, no date), like the report
charts. Takes plain values and knows nothing of Django.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from farmadvice.charts.svg import FONT_FAMILIES

COLOURS = {"observation": "#1565c0", "district": "#ef6c00"}
SOURCE_LABELS = {"observation": "田块观测", "district": "灌区季"}

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "runoff-diagnostics",
    "font.family": FONT_FAMILIES,
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
}


def diagnostics_svg(points: Mapping[str, Any], *, title: str, subtitle: str = "") -> str:
    """Observed vs predicted and residuals of a fit; `points` as `RunoffModelVersion.fit_points`
    (observed, expected, source: lists of equal length). Returns an `<svg>` element."""
    observed = np.asarray(points.get("observed", ()), dtype="float64")
    expected = np.asarray(points.get("expected", ()), dtype="float64")
    sources: Sequence[str] = points.get("source", ()) or ()
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(7.2, 3.4))
        figure.suptitle(title, x=0.02, ha="left", fontsize=10, fontweight="bold")
        if subtitle:
            figure.text(0.02, 0.895, subtitle, fontsize=7.5, color="#455a64")
        left = figure.add_axes((0.08, 0.14, 0.38, 0.66))
        right = figure.add_axes((0.58, 0.14, 0.38, 0.66))
        if len(observed) == 0:
            for axes in (left, right):
                axes.text(0.5, 0.5, "无数据", ha="center", va="center", transform=axes.transAxes)
            return _svg(figure)
        residual = np.log(observed / expected)
        kinds = np.asarray(sources if len(sources) == len(observed) else ["observation"] * len(observed))
        for kind in sorted(set(kinds)):
            rows = kinds == kind
            style = {"s": 7, "alpha": 0.6, "color": COLOURS.get(kind, "#546e7a"), "linewidths": 0}
            label = f"{SOURCE_LABELS.get(kind, kind)}（{int(rows.sum())}）"
            left.scatter(expected[rows], observed[rows], label=label, **style)
            right.scatter(expected[rows], residual[rows], **style)
        low = float(min(observed.min(), expected.min())) * 0.8
        high = float(max(observed.max(), expected.max())) * 1.25
        left.plot([low, high], [low, high], color="#212121", linewidth=0.9)
        left.set_xscale("log")
        left.set_yscale("log")
        left.set_xlim(low, high)
        left.set_ylim(low, high)
        left.set_xlabel("预测负荷（期望值）kg/公顷")
        left.set_ylabel("实测负荷 kg/公顷")
        left.set_title("实测与预测", loc="left")
        left.legend(loc="upper left")
        right.axhline(0.0, color="#212121", linewidth=0.9)
        right.set_xscale("log")
        right.set_xlabel("预测负荷（期望值）kg/公顷")
        right.set_ylabel("ln(实测 / 预测)")
        right.set_title("对数残差", loc="left")
        for axes in (left, right):
            axes.grid(color="#eceff1", linewidth=0.6)
            axes.set_axisbelow(True)
        return _svg(figure)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]
