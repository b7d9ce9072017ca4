"""How figures and statuses read on the pages and in the exported workbooks (one place, so both agree)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from farmadvice.indicators import formulas
from farmadvice.indicators.models import Indicator
from farmadvice.indicators.queries import districts as district_queries

MISSING = "—"

#: Labels of the two §8 figures that are not `Indicator` values.
EXTRA_LABELS = {
    district_queries.NET_LOAD: gettext_lazy("灌区净输出负荷（kg TN/亩）"),
    district_queries.OUTLET_CLASS: gettext_lazy("灌区出水水质类别（GB 3838-2002）"),
}


def number(value: Any, *, places: int | None = None) -> str:
    """A figure for reading: thousands grouped, one decimal (none from 100 up), two significant digits
    below 1 so that 0.042 kg/mu does not read as 0.0; missing (None, NaN) as a dash."""
    if value is None or isinstance(value, str):
        return MISSING if value is None else value
    value = float(value)
    if math.isnan(value):
        return MISSING
    if places is not None:
        return f"{value:,.{places}f}"
    if value == 0:
        return "0"
    if abs(value) < 1:
        value = float(f"{value:.2g}")  # two significant digits; 0.996 becomes 1.0, read as below
        if abs(value) < 1:
            digits = 1 - math.floor(math.log10(abs(value)))
            return f"{value:.{digits}f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}".removesuffix(".0")


def unit_label(unit: str) -> str:
    """The indicator units of the queries ("kg/亩", "%") in the active language."""
    return _("kg/亩") if unit == "kg/亩" else unit


def with_unit(value: Any, unit: str) -> str:
    text = number(value)
    if text == MISSING or not unit:
        return text
    unit = unit_label(unit)
    return f"{text} %" if unit == "%" else f"{text} {unit}"


def indicator_label(key: str) -> str:
    """An indicator's name in the active language (the query specs hold the Chinese one)."""
    if key in Indicator.values:
        return str(Indicator(key).label)
    return str(EXTRA_LABELS.get(key, key))


def clauses(items: Iterable[Any]) -> str:
    """Parts of one sentence, e.g. a farm's reasons: "a；b" in Chinese, "a; b" in English."""
    # Translators: the separator of the clauses of a sentence ("a；b"; in English "a; b").
    return _("；").join(str(item) for item in items)


def enumeration(items: Iterable[Any]) -> str:
    """The items of a list: "a、b" in Chinese, "a, b" in English."""
    # Translators: the separator of the items of a list in a message ("a、b"; in English "a, b").
    return _("、").join(str(item) for item in items)


def water_class(value: str | None) -> str:
    """A GB 3838-2002 water class as the pages show it: "III" as it is, worse than class V
    (`formulas.WORSE_THAN_ALL`) in the active language, missing as a dash."""
    if value == formulas.WORSE_THAN_ALL:
        return _("劣V")
    return value or MISSING


def indicator_note(note: Any) -> str:
    """A note the indicator selectors attach to a figure, in the active language: they translate their
    constants (`queries.fertiliser.COVERAGE_NOTE`, ...) when they compute, and a figure computed in
    another language (a cached one, say) is translated here from its Chinese text."""
    return _(str(note))


def name_of(obj: Any) -> str:
    """A town's or crop's name in the active language (they carry name_zh and name_en)."""
    if translation.get_language() == "en" and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name_zh


@dataclass(frozen=True, slots=True)
class StatusView:
    """A judgement as the pages show it: never colour alone, always a symbol and words too.

    `key` picks the colour class (met, fail, toward, missing, none); `symbol` is decorative
    (aria-hidden); `text` is what a screen reader and the workbook say.
    """

    key: str
    symbol: str
    text: str


def status_view(
    status: str, *, met: bool | None = None, target_year: int | None = None, gap: Any = None, unit: str = ""
) -> StatusView:
    """The words for a compliance status (`farmadvice.indicators.compliance.ComplianceStatus`) or a
    plain pass/fail ("met" / "not_met" / "missing" / "no_target")."""
    if status == "met":
        return StatusView("met", "✓", _("达标"))
    if status == "not_met":
        if gap is not None:
            return StatusView("fail", "✗", _("未达标，差 %(gap)s") % {"gap": with_unit(gap, unit)})
        return StatusView("fail", "✗", _("未达标"))
    if status == "working_toward":
        if met:
            return StatusView("met", "✓", _("已达到 %(year)s 年目标") % {"year": target_year})
        return StatusView(
            "toward",
            "◐",
            _("距 %(year)s 年目标差 %(gap)s") % {"year": target_year, "gap": with_unit(gap, unit)},
        )
    if status == "missing":
        return StatusView("missing", "", _("无数据"))
    return StatusView("none", "", _("无目标"))


def passing_view(passing: bool | None) -> StatusView:
    """A farm or district behind a rate: passes, fails, or was not assessed."""
    if passing is True:
        return StatusView("met", "✓", _("合格"))
    if passing is False:
        return StatusView("fail", "✗", _("不合格"))
    return StatusView("missing", "", _("未评估"))


def target_text(value: float | None, direction: str | None, unit: str, year: int | None = None) -> str:
    if value is None:
        return MISSING
    sign = "≥" if direction == "at_least" else "≤"
    text = f"{sign} {with_unit(value, unit)}"
    return f"{text} ({year})" if year else text


def person(user: Any) -> str:
    """A user's name as people write it: family name first for Chinese names (黄国平), "first last"
    otherwise, the username when no name is set."""
    if user is None:
        return ""
    first, last = user.first_name.strip(), user.last_name.strip()
    if first and last and any(ord(char) >= 0x2E80 for char in first + last):
        return f"{last}{first}"
    return user.get_full_name() or user.get_username()


def _yes(flag: bool, label: Any) -> list[str]:
    return [str(label)] if flag else []


def record_line(record: Any) -> str:
    """One line that says what a record holds, for the lists of the farm and visit pages."""
    from farmadvice.practices import models as m

    parts: list[str] = []
    if isinstance(record, m.FertiliserApplication):
        npk = f"{number(record.n_pct)}-{number(record.p2o5_pct)}-{number(record.k2o_pct)}"
        parts = [
            record.product,
            npk,
            f"{number(record.product_kg)} kg",
            f"{number(record.area_mu)} {_('亩')}",
            str(record.get_method_display()),
            *_yes(record.slow_release, _("缓控释")),
            *_yes(record.soil_test_formula, _("测土配方")),
            *_yes(record.organic, _("有机肥")),
        ]
    elif isinstance(record, m.PesticideApplication):
        parts = [
            record.product,
            f"{record.active_ingredient} {number(record.ai_content_pct)}%",
            f"{number(record.amount)} {record.amount_unit}",
            f"{number(record.area_mu)} {_('亩')}",
            *_yes(record.green_control, _("绿色防控")),
        ]
    elif isinstance(record, m.StrawUse):
        parts = [
            str(record.get_use_display()),
            f"{number(record.straw_kg)} kg",
            *_yes(record.off_field, _("离田")),
        ]
        if record.destination:
            parts.append(record.destination)
    elif isinstance(record, m.MulchFilm):
        parts = [
            _("使用 %(kg)s kg") % {"kg": number(record.used_kg)},
            _("回收 %(kg)s kg") % {"kg": number(record.recovered_kg)},
            f"{number(record.thickness_mm, places=3)} mm"
            if record.thickness_mm is not None
            else _("厚度未填"),
            *_yes(record.biodegradable, _("全生物降解")),
        ]
    elif isinstance(record, m.LivestockHerd):
        parts = [
            str(record.get_species_display()),
            _("存栏 %(n)s") % {"n": number(record.stock_heads)},
            _("年出栏 %(n)s") % {"n": number(record.annual_output_heads)},
            str(record.get_collection_method_display()),
        ]
    elif isinstance(record, m.ManureFacility):
        proofs = [
            str(label)
            for flag, label in (
                (record.seepage_proof, _("防渗")),
                (record.rain_proof, _("防雨")),
                (record.overflow_proof, _("防溢流")),
            )
            if flag
        ]
        parts = [
            _("液体 %(m3)s m3") % {"m3": number(record.liquid_storage_m3)},
            _("固体 %(m3)s m3") % {"m3": number(record.solid_storage_m3)},
            enumeration(proofs) or _("无防护"),
            str(record.get_treatment_display()),
            _("消纳地 %(mu)s 亩") % {"mu": number(record.land_for_application_mu)},
        ]
    elif isinstance(record, m.TailwaterSample):
        measured = [
            f"{label} {number(getattr(record, name))}"
            for name, label in (
                ("ph", "pH"),
                ("ss_mg_per_l", "SS"),
                ("codmn_mg_per_l", "CODMn"),
                ("tn_mg_per_l", "TN"),
                ("tp_mg_per_l", "TP"),
                ("nh3n_mg_per_l", "NH3-N"),
            )
            if getattr(record, name) is not None
        ]
        parts = [f"{record.date:%Y-%m-%d}", *measured]
        if not record.is_discharge:
            parts.append(_("非排放口"))
    elif isinstance(record, m.Visit):
        parts = [f"{record.date:%Y-%m-%d}", record.notes[:80]]
    elif isinstance(record, m.CropSeason):
        parts = [
            f"{record.year} {record.get_season_display()} {name_of(record.crop)}",
            f"{number(record.area_mu)} {_('亩')}",
        ]
    date = getattr(record, "date", None)
    if date and not isinstance(record, (m.TailwaterSample, m.Visit)):
        parts.insert(0, f"{date:%m-%d}")
    return " · ".join(str(p) for p in parts if p)
