"""Formatting for the report templates: numbers, intervals, statuses. No decisions are made here."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from farmadvice.core.models import Status
from reports.sections import Interval

register = template.Library()

DASH = "—"


@register.filter
def num(value: float | None, decimals: int = 1) -> str:
    """A figure with `decimals` decimals and thousands separators; a dash when missing."""
    if value is None:
        return DASH
    places = int(decimals)
    return f"{round(value, places) + 0.0:,.{places}f}"  # + 0.0 turns -0.0 into 0.0


@register.filter
def signed(value: float | None, decimals: int = 1) -> str:
    """A difference with its sign (+1.5, −0.3); a dash when missing."""
    if value is None:
        return DASH
    text = f"{abs(value):,.{int(decimals)}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return f"+{text}" if value > 0 else f"−{text}"


@register.filter
def interval(value: Interval | None, decimals: int = 1) -> str:
    """ "12.3 (9.8–15.1)"; a dash when missing."""
    if value is None:
        return DASH
    d = int(decimals)
    if value.low is None or value.high is None:
        return f"{value.estimate:,.{d}f}"
    return f"{value.estimate:,.{d}f} ({value.low:,.{d}f}–{value.high:,.{d}f})"


@register.filter
def status_label(status: str) -> str:
    """official / published / provisional in the active language; a dash for anything else."""
    return str(Status(status).label) if status in Status.values else DASH


@register.filter
def verdict(met: bool | None) -> str:
    """达标 / 未达标 / 无法判断 for a target check or a compliance result."""
    if met is None:
        return _("无法判断")
    return _("达标") if met else _("未达标")


@register.filter
def verdict_class(met: bool | None) -> str:
    return {True: "ok", False: "bad", None: "unknown"}[met]


@register.filter
def grouped_code(code: str) -> str:
    """ABCDEFGHJKLM → ABCD-EFGH-JKLM, easier to read out and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
