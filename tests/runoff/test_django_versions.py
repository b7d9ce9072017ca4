"""Fitting, storing and activating runoff model versions (services, commands, the background task)."""

from __future__ import annotations

from io import StringIO

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from farmadvice.core.errors import ApplicationError, NotFound, PermissionDenied
from farmadvice.registry.models import Farm
from farmadvice.runoff import selectors, services
from farmadvice.runoff.demo import demo_path, load_demo_training
from farmadvice.runoff.models import JobStatus, RunoffFitJob, RunoffModelVersion
from farmadvice.runoff.stats import MIN_OBSERVATIONS, FittedModel, training_fingerprint
from tests.factories.registry import IrrigationDistrictFactory
from tests.factories.runoff import districts_with_farms, load_runoff_reference, observation


@pytest.fixture
def demo(world):
    """The demo training set (360 SYNTHETIC plot seasons) on twelve farms in twelve irrigation districts,
    one per simulated district, as on the demo population."""
    load_runoff_reference()
    districts_with_farms(12)
    load_demo_training()
    return world


def test_fit_on_the_demo_training_set_stores_a_version(demo):
    """A fit stores the method, formula, coefficients with 95 % CIs, diagnostics, the fingerprint of the
    training set, library versions and the FittedModel dict that predicts; it is not active."""
    version = services.runoff_model_fit(user=demo["committee"], target="tn")
    version.refresh_from_db()
    assert (version.target, version.n_obs, version.n_synthetic) == ("tn", 360, 360)
    assert version.diagnostics["n_districts"] == 12
    assert version.method in ("gamma_glm", "log_ols", "mixedlm")
    assert version.formula.startswith(("np.log(load_kg_per_ha) ~", "load_kg_per_ha ~"))
    rate = next(c for c in version.coefficients if c["name"] == "rate_kg_per_ha")
    assert rate["ci_low"] < rate["estimate"] < rate["ci_high"]
    # The generating rate effect, 0.004 per kg N/ha (stats/simulate.py), lies in the 95 % CI.
    assert rate["ci_low"] < 0.004 < rate["ci_high"]
    frame = selectors.training_data(target="tn").frame
    assert version.training_fingerprint == training_fingerprint(frame)
    assert {row["method"] for row in version.diagnostics["cv_table"]} >= {"gamma_glm", "log_ols"}
    assert version.diagnostics["selection"].startswith("auto:")
    assert set(version.library_versions) == {"statsmodels", "numpy", "pandas", "scipy"}
    assert FittedModel.from_dict(version.model).training_fingerprint == version.training_fingerprint
    assert version.fit_points["sampled"] == 360
    assert version.training["rows_by_source"] == {"observation": 360, "district": 0}
    assert version.created_by == demo["committee"]
    assert not version.is_active


def test_the_stored_rows_are_the_csv(demo):
    """Read back from the database, the training rows are those of data/runoff_training_demo.csv."""
    csv = pd.read_csv(demo_path())
    frame = selectors.training_data(target="tn").frame
    assert sorted(frame["load_kg_per_ha"].round(4)) == sorted(csv["tn_load_kg_per_ha"])
    assert sorted(frame["rate_kg_per_ha"].round(2)) == sorted(csv["n_rate_kg_per_ha"])
    assert set(frame["data_source"]) == {"synthetic"}


def test_activation_is_explicit_and_a_second_fit_does_not_replace_it(demo):
    """Only activate makes a version active; a later fit leaves the active one in place."""
    first = services.runoff_model_fit(user=None, target="tn", method="log_ols")
    assert selectors.active_versions() == {}
    services.runoff_model_activate(user=demo["committee"], version_id=first.pk)
    second = services.runoff_model_fit(user=None, target="tn", method="gamma_glm")
    assert selectors.active_versions()["tn"] == first
    second.refresh_from_db()
    assert not second.is_active
    services.runoff_model_activate(user=demo["admin"], version_id=second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    assert second.activated_by == demo["admin"]
    assert second.history.filter(is_active=True).exists()  # the activation is in the audit trail


def test_the_database_refuses_two_active_versions_of_a_target(demo):
    """At most one active version per target is a database constraint, not only a service rule."""
    first = services.runoff_model_fit(user=None, target="tp", method="log_ols", activate=True)
    second = services.runoff_model_fit(user=None, target="tp", method="log_ols")
    with pytest.raises(IntegrityError), transaction.atomic():
        RunoffModelVersion.objects.filter(pk=second.pk).update(
            is_active=True, activated_at=first.activated_at
        )


def test_only_committee_and_admins_fit_and_activate(demo):
    """Agents and operators are refused (403); an unknown version is 404."""
    with pytest.raises(PermissionDenied, match=services.MSG_MODEL_ROLE):
        services.runoff_model_fit(user=demo["agent_cq"], target="tn")
    version = services.runoff_model_fit(user=None, target="tn", method="log_ols")
    with pytest.raises(PermissionDenied):
        services.runoff_model_activate(user=demo["operator_a"], version_id=version.pk)
    with pytest.raises(NotFound):
        services.runoff_model_activate(user=demo["committee"], version_id=version.pk + 1000)


def test_too_few_observations_store_nothing_and_say_how_many_are_needed(world):
    """Below the statistics package's minimum the fit is refused; no version, the fallback stays."""
    for number in range(5):
        observation(world["farm_a"], plot_code=f"P{number}", tn_load_kg_per_ha="10")
    with pytest.raises(services.InsufficientTrainingData) as refused:
        services.runoff_model_fit(user=None, target="tn")
    assert refused.value.n == 5
    assert refused.value.required >= MIN_OBSERVATIONS
    assert refused.value.message.startswith("TN 训练数据不足")
    assert not RunoffModelVersion.objects.exists()


def test_a_single_district_fits_without_the_random_intercept_and_says_so(demo):
    """With every observation in one district, mixedlm is no candidate and a note says why."""
    district = IrrigationDistrictFactory(code="ID-ONE")
    Farm.objects.update(irrigation_district=district)
    version = services.runoff_model_fit(user=None, target="tn")
    assert version.method != "mixedlm"
    assert any("only one district ('ID-ONE')" in note for note in version.diagnostics["notes"])
    assert version.diagnostics["n_districts"] == 1


def test_fit_command_stores_and_prints_and_activates_only_when_asked(demo):
    out = StringIO()
    call_command("fit_runoff_model", "--target", "tn", "--method", "log_ols", stdout=out)
    version = RunoffModelVersion.objects.get()
    assert (
        f"Stored, not active. Activate with: manage.py activate_runoff_model {version.pk}" in out.getvalue()
    )
    assert "rate_kg_per_ha" in out.getvalue()
    call_command("activate_runoff_model", str(version.pk), "--user", "committee", stdout=StringIO())
    version.refresh_from_db()
    assert version.is_active and version.activated_by == demo["committee"]
    call_command("fit_runoff_model", "--target", "tp", "--method", "log_ols", "--activate", stdout=StringIO())
    assert set(selectors.active_versions()) == {"tn", "tp"}


def test_fit_command_fails_clearly_with_too_little_data(world):
    with pytest.raises(CommandError, match="训练数据不足"):
        call_command("fit_runoff_model", "--target", "tn", stdout=StringIO())


def test_a_fit_job_runs_in_the_background_task_and_records_the_versions(
    demo, django_capture_on_commit_callbacks
):
    """The request queues the task on commit; the task fits both targets and records the versions."""
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        job = services.runoff_fit_request(user=demo["committee"], targets="both", method="log_ols")
    assert DBTaskResult.objects.filter(task_path="farmadvice.runoff.tasks.runoff_fit_run").count() == 1
    assert services.runoff_fit_job_run(job_id=job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert sorted(job.versions.values_list("target", flat=True)) == ["tn", "tp"]
    assert not RunoffModelVersion.objects.filter(is_active=True).exists()  # fitting never activates
    assert services.runoff_fit_job_run(job_id=job.pk) == JobStatus.DONE  # a retried task does not refit
    assert RunoffModelVersion.objects.count() == 2


def test_a_failed_fit_job_records_why(world):
    job = RunoffFitJob.objects.create(targets="tn", requested_by=world["admin"])
    assert services.runoff_fit_job_run(job_id=job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.error.startswith("TN: TN 训练数据不足")


def test_a_fit_the_statistics_package_cannot_finish_is_refused_not_a_crash(demo, monkeypatch):
    """A numerical failure inside the package (e.g. statsmodels refusing singular random effects) is a
    400 with the method to try instead, and nothing is stored."""

    def singular(*args, **kwargs):
        raise ValueError("Cannot predict random effects from singular covariance structure.")

    monkeypatch.setattr(services, "fit_runoff_model", singular)
    with pytest.raises(ApplicationError, match="统计拟合失败（方法 auto；ValueError: Cannot predict"):
        services.runoff_model_fit(user=None, target="tn")
    assert not RunoffModelVersion.objects.exists()
