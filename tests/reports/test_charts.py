"""farmadvice.charts: SVG strings from matplotlib, text kept as text, quick enough to draw per report."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from farmadvice.charts import (
    IndicatorBar,
    IndicatorChartText,
    IntervalGroup,
    IntervalPoint,
    indicator_chart,
    interval_chart,
)

SVG = "{http://www.w3.org/2000/svg}"

BARS = [
    IndicatorBar("化肥施用强度", "kg/亩", 25.3, target=20, town_median=19.4, direction="at_most"),
    IndicatorBar("农药施用强度", "kg/亩", None, target=0.5, town_median=0.4, direction="at_most"),
    IndicatorBar("秸秆综合利用率", "%", 91, target=96, town_median=93, direction="at_least"),
    IndicatorBar("缓控释肥覆盖率", "%", 40),
]
LOADS = [
    IntervalGroup(
        "TN (kg)", [IntervalPoint("现状", 120, 90, 160), IntervalPoint("采纳建议后", 80, 55, 110, "advised")]
    ),
    IntervalGroup(
        "TP (kg)", [IntervalPoint("现状", 12, 9, 16), IntervalPoint("采纳建议后", 8, 5.5, 11, "advised")]
    ),
]


def texts(svg: str) -> list[str]:
    return ["".join(node.itertext()) for node in ET.fromstring(svg).iter(f"{SVG}text")]


def test_indicator_chart_is_an_svg_element_with_its_labels_as_text():
    """The chart parses as SVG and keeps every label as <text> (svg.fonttype none), in the CJK font."""
    svg = indicator_chart(BARS)
    assert svg.startswith("<svg")
    labels = texts(svg)
    for label in ("化肥施用强度", "秸秆综合利用率", "本场", "镇中位数", "目标", "无数据", "kg/亩", "%"):
        assert label in labels
    assert "Noto Sans CJK SC" in svg


def test_indicator_chart_words_follow_the_callers_language():
    """Legend words come from the caller, e.g. English."""
    english = IndicatorChartText(
        farm="This farm", town_median="Town median", target="Target", no_data="no data"
    )
    labels = texts(indicator_chart(BARS, text=english))
    assert {"This farm", "Town median", "Target", "no data"} <= set(labels)
    assert "本场" not in labels


def test_interval_chart_writes_each_estimate_with_its_interval():
    """Each point is labelled "estimate (low–high)"; both nutrients get a panel."""
    labels = texts(interval_chart(LOADS))
    assert {"TN (kg)", "TP (kg)", "现状", "采纳建议后"} <= set(labels)
    assert "120 (90–160)" in labels
    assert "8 (5.5–11)" in labels


def test_charts_are_deterministic():
    """The same input draws the same SVG (no dates or random ids), so issued PDFs are reproducible."""
    assert indicator_chart(BARS) == indicator_chart(BARS)
    assert interval_chart(LOADS) == interval_chart(LOADS)


def test_refuses_an_interval_that_does_not_contain_its_estimate():
    with pytest.raises(ValueError, match="low <= estimate <= high"):
        interval_chart([IntervalGroup("TN (kg)", [IntervalPoint("现状", 50, 60, 70)])])


def test_refuses_empty_input():
    with pytest.raises(ValueError):
        indicator_chart([])
    with pytest.raises(ValueError):
        interval_chart([])


def test_a_chart_is_quick_to_draw():
    """Median of 5 draws well under a third of a second each.

    About 55 ms on an idle 2-core machine (benchmarks/bench_reports.py measures it); the bound here is
    loose because test machines are shared and busy.
    """
    indicator_chart(BARS)  # the first draw loads fonts
    durations = []
    for _ in range(5):
        start = time.perf_counter()
        indicator_chart(BARS)
        interval_chart(LOADS)
        durations.append((time.perf_counter() - start) / 2)
    assert sorted(durations)[2] < 0.3
