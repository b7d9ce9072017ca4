"""Any table of the site as an .xlsx workbook: /export/<table>.xlsx with the page's own query string.

Each entry builds the same `Table` its page shows, under the same access rule, so a download is the
table as seen (the drill-down complete, not cut at the page's row limit).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from farmadvice.web import dashboard, selectors
from farmadvice.web.tables import Table, workbook_bytes
from farmadvice.web.views.base import page, year_param
from farmadvice.web.views.dashboard import DEFAULT_TREND, _town_param, require_reader
from farmadvice.web.views.farms import farms_table, search_params

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest) -> int:
    return year_param(request, default=selectors.latest_data_year())


def _compliance(request: HttpRequest) -> Table:
    require_reader(request.user)
    return dashboard.compliance_table(
        user=request.user, year=_year(request), town=_town_param(request) or None
    ).table


def _cell(request: HttpRequest) -> Table:
    require_reader(request.user)
    return dashboard.cell_detail(
        user=request.user,
        indicator=request.GET.get("indicator", ""),
        scope_code=request.GET.get("scope", ""),
        year=_year(request),
        limit=None,
    ).table


def _districts(request: HttpRequest) -> Table:
    require_reader(request.user)
    return dashboard.districts_table(
        user=request.user, year=_year(request), town=_town_param(request) or None
    ).table


def _district_seasons(request: HttpRequest) -> Table:
    require_reader(request.user)
    return dashboard.districts_table(
        user=request.user, year=_year(request), town=_town_param(request) or None
    ).seasons


def _trend(request: HttpRequest) -> Table:
    require_reader(request.user)
    year = _year(request)
    years = [y for y in selectors.data_years() if y <= year]
    return dashboard.trend(
        user=request.user,
        indicator=request.GET.get("indicator") or DEFAULT_TREND,
        years=years,
        town=_town_param(request) or None,
    ).table


def _farms(request: HttpRequest) -> Table:
    params = search_params(request)
    farms = selectors.farm_search(
        user=request.user,
        year=params["year"],
        q=params["q"],
        town=params["town"],
        mine=params["mine"],
        farm_type=params["farm_type"],
        missing_only=params["missing"],
    )
    return farms_table(farms, year=params["year"])


EXPORTS: dict[str, Callable[[HttpRequest], Table]] = {
    "compliance": _compliance,
    "cell": _cell,
    "districts": _districts,
    "district-seasons": _district_seasons,
    "trend": _trend,
    "farms": _farms,
}


@page
def export(request: HttpRequest, name: str) -> HttpResponse:
    builder = EXPORTS.get(name)
    if builder is None:
        raise Http404(name)
    table = builder(request)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    response = HttpResponse(workbook_bytes(table, subtitle=f"farmadvice · {stamp}"), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="farmadvice-{name}-{_year(request)}.xlsx"'
    return response
