"""The committee's dashboard: compliance by indicator and town, the farms behind each rate, trends across
years, and the irrigation districts. Agents may read it too; operators are refused (403)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.indicators.models import Indicator
from farmadvice.indicators.queries import DISTRICT_CODE
from farmadvice.registry.models import Town
from farmadvice.web import dashboard, selectors
from farmadvice.web.formatting import indicator_label, name_of
from farmadvice.web.views.base import page, render_partial, require, year_param

MSG_DASHBOARD_ONLY = gettext_noop("达标情况汇总只对农委、农技人员和管理员开放。")
#: The indicator a trend opens on: the first with a target.
DEFAULT_TREND = Indicator.STRAW_UTILISATION


def require_reader(user: Any) -> None:
    require(access.reads_all(user), _(MSG_DASHBOARD_ONLY))


def _town_param(request: HttpRequest) -> str:
    code = request.GET.get("town", "")
    return code if code and Town.objects.filter(code=code).exists() else ""


def _common(request: HttpRequest) -> dict[str, Any]:
    years = selectors.data_years()
    year = year_param(request, default=selectors.latest_data_year())
    return {
        "years": years,
        "year": year,
        "town": _town_param(request),
        "towns": [(t.code, name_of(t)) for t in Town.objects.order_by("code")],
        "indicators": [(key, indicator_label(key)) for key in Indicator.values],
    }


@page
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The compliance table of a year (optionally one town beside the district), with the trend of one
    indicator (loaded after the table) and room for a drill-down."""
    require_reader(request.user)
    context = _common(request)
    view = dashboard.compliance_table(user=request.user, year=context["year"], town=context["town"] or None)
    context.update(view=view, table=view.table, trend_indicator=request.GET.get("indicator") or DEFAULT_TREND)
    return render_partial(
        request, "web/dashboard.html", context, partials={"compliance": "web/partials/compliance.html"}
    )


@page
def cell_page(request: HttpRequest, indicator: str, scope_code: str) -> HttpResponse:
    """The farms behind one cell: counted, passing, failing and why. A panel under the table with htmx,
    a page of its own without."""
    require_reader(request.user)
    context = _common(request)
    detail = dashboard.cell_detail(
        user=request.user, indicator=indicator, scope_code=scope_code, year=context["year"]
    )
    context.update(detail=detail, table=detail.table, district_code=DISTRICT_CODE)
    return render_partial(
        request, "web/cell.html", context, partials={"drill-down": "web/partials/cell.html"}
    )


@page
def trend_page(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    context = _common(request)
    indicator = request.GET.get("indicator") or DEFAULT_TREND
    years = [y for y in context["years"] if y <= context["year"]]
    view = dashboard.trend(user=request.user, indicator=indicator, years=years, town=context["town"] or None)
    context.update(trend=view, table=view.table, trend_indicator=indicator)
    return render_partial(request, "web/trend.html", context, partials={"trend": "web/partials/trend.html"})


@page
def districts_page(request: HttpRequest) -> HttpResponse:
    """Irrigation districts: monitoring coverage of those of 1000 mu and more, and net loads."""
    require_reader(request.user)
    context = _common(request)
    view = dashboard.districts_table(user=request.user, year=context["year"], town=context["town"] or None)
    context.update(view=view, table=view.table)
    return render_partial(
        request, "web/districts.html", context, partials={"districts": "web/partials/districts.html"}
    )
