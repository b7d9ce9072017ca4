"""SVG charts shared by the printed reports and the web pages (see `svg.py`)."""

from farmadvice.charts.svg import (
    IndicatorBar,
    IndicatorChartText,
    IntervalGroup,
    IntervalPoint,
    indicator_chart,
    interval_chart,
)

__all__ = [
    "IndicatorBar",
    "IndicatorChartText",
    "IntervalGroup",
    "IntervalPoint",
    "indicator_chart",
    "interval_chart",
]
