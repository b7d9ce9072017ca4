"""Recording a visit and its records, through the same services as the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.accounts.models import Role
from farmadvice.core.errors import Conflict, ValidationFailed
from farmadvice.practices import plausibility, services
from farmadvice.practices import selectors as practice_selectors
from farmadvice.practices.models import CropSeason
from farmadvice.registry.models import Farm
from farmadvice.registry.selectors import farm_get
from farmadvice.registry.services import MSG_TOWN_NOT_ASSIGNED
from farmadvice.web import selectors
from farmadvice.web.forms import RECORD_FORMS, RecordForm, RecordFormSpec
from farmadvice.web.views.base import page, require

MSG_MAY_NOT_RECORD = gettext_noop("只有负责该乡镇的农技人员可以录入或修改本农场的记录。")
MSG_ALREADY_SAVED = gettext_noop("这张表单已经保存过一次，内容又有改动：已换成新表单，请核对后再保存。")


def _spec(slug: str) -> RecordFormSpec:
    spec = RECORD_FORMS.get(slug)
    if spec is None:
        raise Http404(slug)
    return spec


def require_write(user: Any, farm: Farm) -> None:
    """403 for a user who may see the farm but not record on it: an agent outside their towns is told
    which town, others that only the town's agents record."""
    if access.role_of(user) == Role.AGENT:
        require(access.can_write_farm(user, farm), _(MSG_TOWN_NOT_ASSIGNED).format(town=farm.town.name_zh))
    require(access.can_write_farm(user, farm), _(MSG_MAY_NOT_RECORD))


def _record_year(record: Model) -> int | None:
    season = getattr(record, "season", None)
    if isinstance(season, CropSeason):
        return season.year
    if getattr(record, "year", None):
        return record.year
    date = getattr(record, "date", None)
    return date.year if date else None


def farm_url(farm: Farm, *, year: int | None = None, anchor: str = "records") -> str:
    url = reverse("web:farm", args=[farm.code])
    if year:
        url += f"?year={year}"
    return f"{url}#{anchor}"


def _saved(
    request: HttpRequest, farm: Farm, spec: RecordFormSpec, record: Model, *, created: bool
) -> HttpResponse:
    """Say what was stored and what looks implausible, then go where the agent continues."""
    if created:
        messages.success(request, _("已保存：%(kind)s。") % {"kind": spec.title})
    else:
        messages.info(request, _("这条记录之前已保存，没有重复保存。"))
    for warning in plausibility.record_warnings(record):
        messages.warning(request, warning.message)
    if spec.kind is practice_selectors.VISITS:
        return HttpResponseRedirect(reverse("web:visit", args=[farm.code, record.pk]))
    visit_id = getattr(record, "visit_id", None)
    if request.POST.get("then") == "another":
        query = {
            key: value
            for key, value in (("season", getattr(record, "season_id", None)), ("visit", visit_id))
            if value
        }
        url = reverse("web:record-new", args=[farm.code, spec.slug])
        return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)
    if visit_id:
        return HttpResponseRedirect(reverse("web:visit", args=[farm.code, visit_id]))
    return HttpResponseRedirect(farm_url(farm, year=_record_year(record)))


def _form_page(
    request: HttpRequest, farm: Farm, spec: RecordFormSpec, form: RecordForm, **extra: Any
) -> HttpResponse:
    context = {
        "farm": farm,
        "spec": spec,
        "form": form,
        "needs_season": "crop_season" in spec.fields and not form.fields["crop_season"].queryset.exists(),
        "cancel_url": farm_url(farm),
        **extra,
    }
    return render(request, "web/record_form.html", context)


@page
def record_new(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    """A new record of one type on a farm; ?season= and ?visit= preselect its crop season and visit."""
    farm = farm_get(user=request.user, code=code)
    spec = _spec(slug)
    require_write(request.user, farm)
    initial = {
        field: request.GET[key]
        for key, field in (("season", "crop_season"), ("visit", "visit"))
        if request.GET.get(key)
    }
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        spec=spec,
        farm=farm,
        user=request.user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        parent, data = form.parent_and_data()
        try:
            record, created = services.record_create(
                user=request.user, kind=spec.kind, parent=parent, data=data
            )
        except ValidationFailed as exc:
            form.apply_errors(exc)
        except Conflict:
            form.add_error(None, _(MSG_ALREADY_SAVED))
            form.renew_client_id()
        else:
            return _saved(request, farm, spec, record, created=created)
    return _form_page(request, farm, spec, form)


@page
def record_edit(request: HttpRequest, code: str, slug: str, record_id: str) -> HttpResponse:
    """Change a record of the farm (404 for a record of another farm)."""
    farm = farm_get(user=request.user, code=code)
    spec = _spec(slug)
    record = practice_selectors.record_get(user=request.user, kind=spec.kind, record_id=record_id)
    if spec.kind.farm_of(record) != farm:
        raise Http404(record_id)
    require_write(request.user, farm)
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        spec=spec,
        farm=farm,
        user=request.user,
        instance=record,
    )
    if request.method == "POST" and form.is_valid():
        _parent, data = form.parent_and_data()
        try:
            record = services.record_update(user=request.user, kind=spec.kind, record=record, data=data)
        except ValidationFailed as exc:
            form.apply_errors(exc)
        else:
            return _saved(request, farm, spec, record, created=True)
    return _form_page(request, farm, spec, form, record=record)


@page
def visit_detail(request: HttpRequest, code: str, visit_id: str) -> HttpResponse:
    """A visit and the records entered during it, with a button per record type to add another."""
    farm = farm_get(user=request.user, code=code)
    visit = selectors.visit_get(user=request.user, farm=farm, visit_id=visit_id)
    context = {
        "farm": farm,
        "visit": visit,
        "groups": selectors.visit_records(user=request.user, visit=visit),
        "can_write": access.can_write_farm(request.user, farm),
        "record_forms": [
            spec
            for spec in RECORD_FORMS.values()
            if spec.offered_for(farm) and spec.kind is not practice_selectors.VISITS
        ],
    }
    return render(request, "web/visit_detail.html", context)
