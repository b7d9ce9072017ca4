"""The admin covers every model of the project, labelled in Chinese, with search and filters, and the
committee's staff can open every list in it while farm operators cannot."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import checks
from django.db.models import Model
from django.urls import reverse
from django.utils import translation
from simple_history.models import HistoricalChanges

from farmadvice.accounts.services import token_issue
from farmadvice.practices.models import Visit
from farmadvice.registry.models import Village
from farmadvice.runoff.models import RunoffFitJob, RunoffModelVersion
from reports.models import AdvisoryReport, ReportBatch
from tests.factories import indicators as records
from tests.factories.registry import IrrigationDistrictFactory
from tests.factories.runoff import load_runoff_reference, observation

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

#: Besides those under farmadvice/, the project's top-level apps (STYLE.md, "In this project", 1).
TOP_LEVEL_APPS = {"api", "reports"}

#: Project models deliberately left out of the admin, each with its reason.
NOT_IN_ADMIN = {
    "core.DataVersion": "an internal counter raised after every committed change to key cached figures; "
    "staff have nothing to read in it, and a change by hand would only make the caches stale or cold",
    "accounts.Profile": "edited inline on its user (accounts.admin.ProfileInline)",
    "reports.ReportBatchItem": "shown read-only inline on its batch (reports.admin.ReportBatchItemInline)",
}

#: Registered project admins allowed without `search_fields`, each with its reason.
NO_SEARCH_FIELDS: dict[str, str] = {}

#: Registered project admins allowed without `list_filter`, each with its reason.
NO_LIST_FILTER: dict[str, str] = {}

#: Admins only administrators may open (accounts.admin.AdminOnly): the committee is refused them.
ADMIN_ONLY = {"accounts.ApiToken": "API keys are managed by administrators only"}


def project_models() -> list[type[Model]]:
    """The concrete models of the project's own apps, without simple_history's Historical* models and the
    automatically created many-to-many through models."""
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("farmadvice.") or config.name in TOP_LEVEL_APPS
        for model in config.get_models(include_auto_created=False)
        if not issubclass(model, HistoricalChanges)
    ]


def registered_project_models() -> list[type[Model]]:
    return [model for model in project_models() if admin.site.is_registered(model)]


def changelist_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


REGISTERED = {model._meta.label: model for model in registered_project_models()}


def test_the_project_has_models_and_finds_them():
    """Guards the tests below against passing on an empty list."""
    labels = {model._meta.label for model in project_models()}
    assert {"registry.Farm", "practices.WaterSample", "runoff.RunoffFitJob", "reports.ReportBatch"} <= labels
    assert not any(label.split(".")[1].startswith("Historical") for label in labels)


def test_every_project_model_is_in_the_admin_or_left_out_on_purpose():
    missing = {model._meta.label for model in project_models() if not admin.site.is_registered(model)}
    assert missing == set(NOT_IN_ADMIN)


def test_every_project_admin_can_be_searched():
    unsearchable = {
        label for label, model in REGISTERED.items() if not admin.site.get_model_admin(model).search_fields
    }
    assert unsearchable - set(NO_SEARCH_FIELDS) == set()


def test_every_project_admin_can_be_filtered():
    unfiltered = {
        label for label, model in REGISTERED.items() if not admin.site.get_model_admin(model).list_filter
    }
    assert unfiltered - set(NO_LIST_FILTER) == set()


def test_every_project_model_and_app_is_labelled_in_chinese():
    with translation.override("zh-hans"):
        unlabelled = {
            model._meta.label
            for model in project_models()
            if not CJK.search(str(model._meta.verbose_name))
            or not CJK.search(str(model._meta.verbose_name_plural))
        }
        unlabelled |= {
            model._meta.app_config.name
            for model in project_models()
            if not CJK.search(str(model._meta.app_config.verbose_name))
        }
    assert unlabelled == set()


def test_the_admin_configuration_passes_djangos_checks():
    """list_filter, list_display, search and autocomplete settings that name no field are caught here."""
    assert checks.run_checks(tags=[checks.Tags.admin]) == []


@pytest.fixture
def rows(world):
    """A row or more in every admin list, so the lists render their columns and not only an empty table."""
    load_runoff_reference()
    farm, committee = world["farm_a"], world["committee"]
    district = IrrigationDistrictFactory()
    Village.objects.create(town=world["chengqiao"], name="测试村")
    Visit.objects.create(farm=farm, agent=world["agent_cq"], date=dt.date(2025, 7, 1))
    season = records.season(farm)
    records.fertiliser(season, kg="40", n="18", p="15", k="12")
    records.pesticide(season, amount="2", ai_pct="1.8", unit="L", density="0.95")
    records.straw(season, "field_return", "3000")
    records.film(season, used="10", thickness="0.01")
    records.herd(farm, stock=100, output=200)
    records.facility(farm, liquid="50", solid="20", land="30")
    records.tailwater(farm, dt.date(2025, 7, 1), tn_mg_per_l="2.1")
    records.water(district, dt.date(2025, 7, 1), "outlet", volume="5000", tn_mg_per_l="1.8")
    observation(farm, tn_load_kg_per_ha="12")
    version = RunoffModelVersion.objects.create(
        target="tn",
        method="log_ols",
        formula="log(tn_load_kg_per_ha) ~ log(n_rate_kg_per_ha)",
        coefficients={},
        n_obs=10,
        diagnostics={},
        model={},
        training_fingerprint="0" * 64,
        library_versions={},
        created_by=committee,
    )
    RunoffFitJob.objects.create(targets="tn", requested_by=committee).versions.add(version)
    AdvisoryReport.objects.create(
        farm=farm,
        year=2025,
        language="zh-hans",
        version=1,
        file="reports/CQ-A/2025/CQ-A-2025-zh-hans-v1.pdf",
        sha256="0" * 64,
        size_bytes=1,
        page_count=1,
        verification_code="ABCDEFGHJK23",
        issued_by=committee,
    )
    ReportBatch.objects.create(
        scope="town", town=world["chengqiao"], year=2025, language="zh-hans", requested_by=committee, total=1
    )
    token_issue(user=world["agent_cq"], name="外业平板")
    return world


def test_the_committee_opens_and_searches_every_list(rows, client):
    """Every list shows its rows, and its search answers (administrators open the admin-only lists)."""
    failures = {}
    for label, model in REGISTERED.items():
        client.force_login(rows["admin" if label in ADMIN_ONLY else "committee"])
        listing = client.get(changelist_url(model))
        searched = client.get(changelist_url(model), {"q": "CQ-A"})
        shown = listing.context["cl"].result_count if listing.status_code == 200 else None
        if (listing.status_code, searched.status_code) != (200, 200) or not shown:
            failures[label] = (listing.status_code, searched.status_code, shown)
    assert failures == {}


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(ADMIN_ONLY))
def test_the_committee_is_refused_the_admin_only_lists(world, client, label):
    client.force_login(world["committee"])
    assert client.get(changelist_url(REGISTERED[label])).status_code == 403


def test_an_operator_opens_no_list(world, client):
    """An operator is sent to the admin login (not staff) or refused, never shown a list."""
    client.force_login(world["operator_a"])
    login = reverse("admin:login")
    shown = {}
    for label, model in REGISTERED.items():
        response = client.get(changelist_url(model))
        refused = response.status_code == 403 or (
            response.status_code == 302 and response["Location"].startswith(login)
        )
        if not refused:
            shown[label] = response.status_code
    assert shown == {}
