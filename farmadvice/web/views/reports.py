"""Advisory reports on the pages: issue one, download one, issue a town's or the district's in a batch and
watch its progress (htmx polls the progress until the batch is finished)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from farmadvice.accounts import access
from farmadvice.accounts.models import Role
from farmadvice.core.errors import ValidationFailed
from farmadvice.registry.models import Town
from farmadvice.registry.selectors import farm_get
from farmadvice.web import selectors
from farmadvice.web.forms import BatchForm, ReportIssueForm, apply_errors
from farmadvice.web.views.base import page, require
from reports import selectors as report_selectors
from reports import services as report_services
from reports.services import MSG_MAY_NOT_ISSUE

MSG_MAY_NOT_BATCH = gettext_noop("只有农委、管理员和农技人员可以批量签发报告。")
#: How often the progress page asks for news, seconds.
POLL_SECONDS = 2


def _issue_years() -> list[int]:
    """Any year a report may cover; the service says which it refuses, and why."""
    return list(range(selectors.current_year(), 1999, -1))


@require_POST
@page
def report_issue(request: HttpRequest, code: str) -> HttpResponse:
    """Issue (render, archive) the farm's report for a year and language, then back to the farm page."""
    farm = farm_get(user=request.user, code=code)
    require(report_services.can_issue_report(request.user, farm), _(MSG_MAY_NOT_ISSUE))
    form = ReportIssueForm(request.POST, years=_issue_years())
    if form.is_valid():
        try:
            report = report_services.report_issue(
                user=request.user,
                farm=farm,
                year=form.cleaned_data["year"],
                language=form.cleaned_data["language"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc.errors)
        else:
            messages.success(
                request,
                _("已签发 %(year)s 年报告（%(language)s，第 %(version)s 版），可在下方下载。")
                % {"year": report.year, "language": report.get_language_display(), "version": report.version},
            )
            return HttpResponseRedirect(
                reverse("web:farm", args=[farm.code]) + f"?year={report.year}#reports"
            )
    for error in form.errors.values():
        for message in error:
            messages.error(request, message)
    return HttpResponseRedirect(reverse("web:farm", args=[farm.code]) + "#reports")


@page
def report_download(request: HttpRequest, code: str, report_id: int) -> FileResponse:
    """The archived PDF, for whoever may see the farm (an operator: only their own)."""
    farm = farm_get(user=request.user, code=code)
    report = report_selectors.report_get(user=request.user, report_id=report_id)
    if report.farm_id != farm.pk:
        raise Http404(str(report_id))
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.download_name,
        content_type="application/pdf",
    )


def _may_batch(user) -> bool:
    return access.role_of(user) in (Role.ADMIN, Role.COMMITTEE, Role.AGENT)


def _batch_towns(user):
    towns = Town.objects.order_by("code")
    if access.role_of(user) == Role.AGENT:
        towns = towns.filter(pk__in=access.assigned_town_ids(user))
    return towns


@page
def batch_new(request: HttpRequest) -> HttpResponse:
    """Issue the reports of a town (or, for the committee, the whole district) in the background."""
    require(_may_batch(request.user), _(MSG_MAY_NOT_BATCH))
    towns = _batch_towns(request.user)
    years = selectors.data_years()
    form = BatchForm(
        request.POST if request.method == "POST" else None,
        towns=towns,
        years=years,
        district=access.role_of(request.user) in (Role.ADMIN, Role.COMMITTEE),
        initial={"year": selectors.latest_data_year()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = report_services.report_batch_create(
                user=request.user,
                scope=data["scope"],
                town=data["town"] or None,
                year=data["year"],
                language=data["language"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc.errors)
        else:
            return HttpResponseRedirect(reverse("web:batch", args=[batch.pk]))
    recent = report_selectors.batches_visible_to(request.user).select_related("town", "requested_by")[:10]
    return render(
        request,
        "web/batch_new.html",
        {"form": form, "recent": [report_selectors.batch_progress(b) for b in recent]},
    )


@page
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """A batch's progress; the progress block asks again every POLL_SECONDS until the batch is done."""
    progress = report_selectors.batch_get(user=request.user, batch_id=batch_id)
    context = {"progress": progress, "poll_seconds": POLL_SECONDS}
    if getattr(request, "htmx", None):
        return render(request, "web/partials/batch_progress.html", context)
    return render(request, "web/batch_detail.html", context)
