"""The demo training set, the rainfall reference data, observations as records, admin and plot."""

from __future__ import annotations

import importlib.util
import uuid
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from farmadvice.core.errors import ApplicationError, PermissionDenied
from farmadvice.practices import services as record_services
from farmadvice.registry.models import Farm
from farmadvice.runoff import selectors, services
from farmadvice.runoff.demo import MSG_NO_FARMS, demo_path, demo_training_delete, load_demo_training
from farmadvice.runoff.models import RunoffModelVersion, RunoffObservation, SeasonRainfall
from farmadvice.runoff.plots import diagnostics_svg
from tests.factories.runoff import districts_with_farms, load_runoff_reference

DATA = Path(settings.REFERENCE_DATA_DIR)


def generator():
    spec = importlib.util.spec_from_file_location("generate_demo", DATA / "generate_runoff_training_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_csv_is_what_the_seeded_generator_writes():
    """data/runoff_training_demo.csv is reproducible from its documented generator, byte for byte."""
    module = generator()
    assert demo_path().read_text(encoding="utf-8") == module.csv_text(module.demo_training_frame())


def test_every_demo_row_is_labelled_synthetic_and_the_readme_says_so():
    frame = pd.read_csv(demo_path())
    assert len(frame) == 360 and set(frame["data_source"]) == {"synthetic"}
    assert set(frame["crop"]) <= set(pd.read_csv(DATA / "crops.csv")["code"])
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "runoff_training_demo.csv" in readme and "SYNTHETIC" in readme


def test_loading_the_demo_set_maps_plots_onto_districts_and_is_idempotent(world):
    """Simulated districts D01-D12 become the twelve districts with crop farms; loading twice adds nothing;
    the delete removes exactly the demo rows."""
    load_runoff_reference()
    districts_with_farms(12)
    report = load_demo_training(user=world["admin"])
    assert (report.rows, report.created, report.existing, report.districts) == (360, 360, 0, 12)
    frame = pd.read_csv(demo_path())
    districts = selectors.training_data(target="tn").frame["district"]
    assert districts.nunique() == 12
    # The rows of one simulated district all land in one real district.
    by_plot = RunoffObservation.objects.values_list("plot_code", "farm__irrigation_district__code").distinct()
    assert len({plot.split("-")[1]: code for plot, code in by_plot}) == frame["district"].nunique()
    assert RunoffObservation.objects.filter(data_source="synthetic", created_by=world["admin"]).count() == 360
    assert load_demo_training().created == 0
    assert demo_training_delete() == 360
    assert not RunoffObservation.objects.exists()


def test_the_demo_set_needs_farms(db):
    load_runoff_reference()
    Farm.objects.all().delete()
    with pytest.raises(ApplicationError, match=MSG_NO_FARMS):
        load_demo_training()


def test_rainfall_csv_loads_once_and_refuses_a_changed_figure(db, tmp_path):
    """Like load_reference: all or nothing, a stored figure is never overwritten."""
    call_command("load_rainfall", verbosity=0)
    assert SeasonRainfall.objects.count() == 4
    assert services.season_rainfall_load().created == 0
    summer = SeasonRainfall.objects.get(season="summer")
    assert (summer.year, summer.rainfall_mm, summer.status) == (None, Decimal("700.0"), "provisional")
    changed = (DATA / "rainfall.csv").read_text(encoding="utf-8").replace(",6-10,700,", ",6-10,710,")
    (tmp_path / "rainfall.csv").write_text(changed, encoding="utf-8")
    with pytest.raises(CommandError, match="differs from the stored 700"):
        call_command("load_rainfall", "--data-dir", str(tmp_path), verbosity=0)
    (tmp_path / "rainfall.csv").write_text(
        "year,season,months,rainfall_mm,source,status,valid_from\n2025,monsoon,6-10,-5,,guess,2025-13-01\n",
        encoding="utf-8",
    )
    with pytest.raises(ApplicationError, match="5 处错误") as refused:
        services.season_rainfall_load(data_dir=tmp_path)
    assert "season: must be one of" in refused.value.message
    assert SeasonRainfall.objects.count() == 4


def test_a_years_own_rainfall_takes_precedence_over_the_normal(db):
    call_command("load_rainfall", verbosity=0)
    SeasonRainfall.objects.create(
        year=2024, season="summer", months="6-10", rainfall_mm=Decimal("910"), source="station", status="official",
        valid_from="2024-01-01",
    )  # fmt: skip
    figures = selectors.season_rainfall([(2024, "summer"), (2025, "summer")])
    assert (figures[(2024, "summer")].mm, figures[(2025, "summer")].mm) == (910.0, 700.0)
    assert figures[(2024, "summer")].use.status == "official"


def test_observations_are_records_the_generic_record_services_write(world, db):
    """RUNOFF_OBSERVATIONS works with the records services: access by town, idempotent client ids."""
    load_runoff_reference()
    data = {
        "id": uuid.UUID("0b7f3c1e-3a56-4a55-8d8c-0d9b0b2f7a01"),
        "plot_code": "P1",
        "year": 2025,
        "season": "summer",
        "crop": "水稻",
        "rainfall_mm": Decimal("700"),
        "n_rate_kg_per_ha": Decimal("220"),
        "tn_load_kg_per_ha": Decimal("11.5"),
    }
    kind = selectors.RUNOFF_OBSERVATIONS
    record, created = record_services.record_create(
        user=world["agent_cq"], kind=kind, parent=world["farm_a"], data=data
    )
    assert created and record.crop.code == "rice" and record.history.count() == 1
    again, created = record_services.record_create(
        user=world["agent_cq"], kind=kind, parent=world["farm_a"], data=data
    )
    assert (again.pk, created) == (record.pk, False)
    with pytest.raises(PermissionDenied):
        record_services.record_create(
            user=world["agent_xh"], kind=kind, parent=world["farm_a"], data={**data, "id": None}
        )


def test_committee_activates_a_version_in_the_admin_and_an_agent_cannot(world):
    load_runoff_reference()
    districts_with_farms(12)
    load_demo_training()
    version = services.runoff_model_fit(user=None, target="tn", method="log_ols")
    url = "/admin/runoff/runoffmodelversion/"
    payload = {"action": "activate_version", "_selected_action": [version.pk]}
    agent = Client()
    agent.force_login(world["agent_cq"])
    assert agent.get(url).status_code == 200  # agents read versions
    agent.post(url, payload)
    version.refresh_from_db()
    assert not version.is_active
    committee = Client()
    committee.force_login(world["committee"])
    assert committee.post(url, payload).status_code == 302
    version.refresh_from_db()
    assert version.is_active and version.activated_by == world["committee"]


def test_the_diagnostics_plot_is_deterministic_text_svg():
    points = {"observed": [1.0, 2.0, 4.0], "expected": [1.2, 1.8, 4.4], "source": ["observation"] * 3}
    first = diagnostics_svg(points, title="径流模型 TN#1 诊断")
    assert first == diagnostics_svg(points, title="径流模型 TN#1 诊断")
    assert "<text" in first and "径流模型 TN#1 诊断" in first
    assert "无数据" in diagnostics_svg({}, title="空")


def test_versions_are_not_changed_by_a_refit_of_the_same_data(world):
    """A version is a record of a fit: refitting stores another version with the same fingerprint."""
    load_runoff_reference()
    districts_with_farms(12)
    load_demo_training()
    first = services.runoff_model_fit(user=None, target="tp", method="log_ols")
    second = services.runoff_model_fit(user=None, target="tp", method="log_ols")
    assert first.pk != second.pk and first.training_fingerprint == second.training_fingerprint
    assert RunoffModelVersion.objects.count() == 2


def test_the_runoff_admin_pages_open(world):
    """Observations, rainfall, versions (read-only, with their diagnostics) and fit jobs in the admin."""
    load_runoff_reference()
    districts_with_farms(12)
    load_demo_training()
    version = services.runoff_model_fit(user=None, target="tn", method="log_ols")
    client = Client()
    client.force_login(world["admin"])
    for model in ("runoffobservation", "seasonrainfall", "runoffmodelversion", "runofffitjob"):
        assert client.get(f"/admin/runoff/{model}/").status_code == 200, model
    page = client.get(f"/admin/runoff/runoffmodelversion/{version.pk}/change/")
    assert page.status_code == 200 and "rate_kg_per_ha" in page.content.decode()
    observation = RunoffObservation.objects.first()
    assert client.get(f"/admin/runoff/runoffobservation/{observation.pk}/change/").status_code == 200
