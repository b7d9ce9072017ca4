"""Farms: the list with search and "data missing" flags, and a farm's page (agents and the committee
see its records and indicators; operators see their advice and reports)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from farmadvice.accounts import access
from farmadvice.accounts.models import Role
from farmadvice.registry.models import Farm, Town
from farmadvice.registry.selectors import farm_get
from farmadvice.web import selectors
from farmadvice.web.formatting import clauses, name_of
from farmadvice.web.forms import RECORD_FORMS, FarmSearchForm, ReportIssueForm
from farmadvice.web.summaries import farm_advice, farm_indicator_lines, indicator_chart_svg
from farmadvice.web.tables import Cell, Table, text
from farmadvice.web.views.base import page, render_partial, year_param
from reports import selectors as report_selectors
from reports.models import AdvisoryReport, Language
from reports.services import can_issue_report

FARMS_PER_PAGE = 50


def search_params(request: HttpRequest) -> dict:
    """The farm list's filters from the query string; an agent starts on their own towns."""
    agent = access.role_of(request.user) == Role.AGENT
    years = selectors.data_years()
    form = FarmSearchForm(request.GET or None, towns=Town.objects.order_by("code"), years=years, agent=agent)
    params = {
        "q": "",
        "town": "",
        "farm_type": "",
        "year": selectors.current_year(),
        "mine": agent,
        "missing": False,
    }
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        params.update(
            q=data["q"].strip(),
            town=data["town"],
            farm_type=data["farm_type"],
            year=data["year"] or params["year"],
            mine=agent and data.get("scope", "mine") != "all",
            missing=data["missing"],
        )
    if not form.is_bound:
        form = FarmSearchForm(
            initial={"year": params["year"], "scope": "mine"},
            towns=Town.objects.order_by("code"),
            years=years,
            agent=agent,
        )
    params["form"] = form
    return params


def farms_table(farms, *, year: int) -> Table:
    """The farm list as a table (for the workbook export)."""
    return Table(
        name="farms",
        title=_("农场及 %(year)s 年缺少的记录") % {"year": year},
        columns=[_("编号"), _("名称"), _("乡镇"), _("类型"), _("面积（亩）"), _("缺少的记录"), _("最近走访")],
        rows=[
            [
                Cell(value=farm.code, text=farm.code, href=reverse("web:farm", args=[farm.code])),
                text(farm.name),
                text(name_of(farm.town)),
                text(str(farm.get_farm_type_display())),
                Cell(value=float(farm.area_mu)),
                text(clauses(flag.label for flag in selectors.flags_of(farm)) or "—"),
                text(farm.last_visit.isoformat() if farm.last_visit else "—"),
            ]
            for farm in farms
        ],
    )


@page
def farm_list(request: HttpRequest) -> HttpResponse:
    """The farms the user may see (an agent: their towns first), searchable, each with what is missing
    for the year; htmx swaps only the results while typing."""
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
    paginator = Paginator(farms, FARMS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    for farm in page_obj:
        farm.flags = selectors.flags_of(farm)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": params["form"],
        "year": params["year"],
        "page_obj": page_obj,
        "count": paginator.count,
        "query": query.urlencode(),
        "own": access.role_of(request.user) in (Role.AGENT, Role.OPERATOR),
    }
    return render_partial(
        request, "web/farm_list.html", context, partials={"farm-results": "web/partials/farm_results.html"}
    )


def _reports_by_language(reports: list[AdvisoryReport]) -> list[tuple[str, AdvisoryReport | None]]:
    """The newest report in each language (latest year, then latest version)."""
    latest: dict[str, AdvisoryReport] = {}
    for report in sorted(reports, key=lambda r: (r.year, r.version), reverse=True):
        latest.setdefault(report.language, report)
    return [(label, latest.get(code)) for code, label in Language.choices]


@page
def farm_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A farm's page: 404 for a farm the user may not see (an operator's neighbour)."""
    farm = farm_get(user=request.user, code=code)
    if access.role_of(request.user) == Role.OPERATOR:
        return _operator_page(request, farm)
    return _advisor_page(request, farm)


def _advisor_page(request: HttpRequest, farm: Farm) -> HttpResponse:
    user = request.user
    years = selectors.farm_record_years(farm=farm)
    year = year_param(request, default=selectors.latest_data_year(farm=farm))
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    this_year = selectors.current_year()
    flagged = selectors.with_flags(Farm.objects.filter(pk=farm.pk), year=this_year).get()
    indicators = farm_indicator_lines(user=user, farm=farm, year=year)
    reports = list(report_selectors.report_list(user=user, farm_code=farm.code))
    can_write = access.can_write_farm(user, farm)
    context = {
        "farm": farm,
        "year": year,
        "years": years,
        "this_year": this_year,
        "flags": selectors.flags_of(flagged),
        "last_visit": flagged.last_visit,
        "records": selectors.farm_year(user=user, farm=farm, year=year),
        "indicators": indicators,
        "chart": indicator_chart_svg(indicators),
        "reports": reports,
        "can_write": can_write,
        "can_issue": can_issue_report(user, farm),
        "issue_form": ReportIssueForm(initial={"year": year}, years=[y for y in years if y <= this_year]),
        "record_forms": [spec for spec in RECORD_FORMS.values() if spec.offered_for(farm)],
    }
    return render_partial(
        request, "web/farm_detail.html", context, partials={"farm-year": "web/partials/farm_year.html"}
    )


def _operator_page(request: HttpRequest, farm: Farm) -> HttpResponse:
    user = request.user
    reports = list(report_selectors.report_list(user=user, farm_code=farm.code))
    # The year of the latest report, so that the page explains what the operator holds in hand.
    default_year = max((r.year for r in reports), default=None) or selectors.latest_data_year(farm=farm)
    year = year_param(request, default=default_year)
    indicators = farm_indicator_lines(user=user, farm=farm, year=year)
    advice = farm_advice(user=user, farm=farm, year=year, indicators=indicators)
    context = {
        "farm": farm,
        "year": year,
        "years": selectors.farm_record_years(farm=farm),
        "indicators": indicators,
        "advice": advice,
        "reports": reports,
        "latest_reports": _reports_by_language(reports),
        "other_farms": access.farms_visible_to(user).exclude(pk=farm.pk).order_by("code"),
    }
    return render_partial(
        request, "web/farm_operator.html", context, partials={"farm-year": "web/partials/operator_year.html"}
    )
