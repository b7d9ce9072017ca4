"""The runoff API: who may read, fit and activate, and what the answers hold."""

from __future__ import annotations

import pytest

from farmadvice.runoff import services
from farmadvice.runoff.models import RunoffFitJob, RunoffModelVersion
from tests.factories.indicators import fertiliser, season
from tests.factories.runoff import demo_versions, districts_with_farms, load_runoff_reference

YEAR = 2025


@pytest.fixture
def fitted(world):
    """Reference data, CQ-A's rice season, and an active TN and TP version (log_ols, demo data)."""
    load_runoff_reference()
    fertiliser(season(world["farm_a"], "rice", area="45"), kg="3000", n="30", p="10")
    districts_with_farms(12)
    return demo_versions()


def test_anonymous_is_asked_to_log_in(api_client, world):
    assert api_client(None).get("/runoff/models").status_code == 401
    assert api_client(None).get(f"/farms/CQ-A/loads?year={YEAR}").status_code == 401


def test_versions_are_listed_with_their_fit_and_detailed_with_coefficients(api_client, fitted, world):
    listed = api_client(world["operator_a"]).get("/runoff/models")
    assert listed.status_code == 200
    assert sorted((v["target"], v["is_active"], v["synthetic"]) for v in listed.json()) == [
        ("tn", True, True),
        ("tp", True, True),
    ]
    detail = api_client(world["agent_cq"]).get(f"/runoff/models/{fitted['tn'].pk}").json()
    rate = next(c for c in detail["coefficients"] if c["name"] == "rate_kg_per_ha")
    assert rate["ci_low"] < rate["estimate"] < rate["ci_high"]
    assert detail["cv"]["method"] == "log_ols"
    assert detail["training_fingerprint"] == fitted["tn"].training_fingerprint
    assert "cv_table" in detail["diagnostics"] and "r_squared" in detail["diagnostics"]
    assert api_client(world["agent_cq"]).get("/runoff/models/999999").status_code == 404


def test_diagnostics_plot_is_an_svg_for_committee_agents_and_admins(api_client, fitted, world):
    response = api_client(world["agent_cq"]).get(f"/runoff/models/{fitted['tn'].pk}/diagnostics.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert body.startswith("<svg") and "实测与预测" in body  # text stays text
    refused = api_client(world["operator_a"]).get(f"/runoff/models/{fitted['tn'].pk}/diagnostics.svg")
    assert refused.status_code == 403


def test_only_committee_and_admins_start_a_fit(api_client, world, django_capture_on_commit_callbacks):
    refused = api_client(world["operator_a"]).post("/runoff/models/fit", json={"target": "tn"})
    assert (refused.status_code, refused.json()) == (403, {"detail": services.MSG_MODEL_ROLE})
    assert api_client(world["agent_cq"]).post("/runoff/models/fit", json={}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = api_client(world["committee"]).post("/runoff/models/fit", json={"target": "both"})
    assert queued.status_code == 202
    assert (queued.json()["status"], queued.json()["versions"]) == ("queued", [])
    assert len(callbacks) == 1  # the task is enqueued once the request has committed
    job = RunoffFitJob.objects.get()
    assert api_client(world["committee"]).get(f"/runoff/fits/{job.pk}").json()["id"] == job.pk
    assert api_client(world["agent_cq"]).get(f"/runoff/fits/{job.pk}").status_code == 403
    bad = api_client(world["admin"]).post("/runoff/models/fit", json={"target": "tn", "k_folds": 1})
    assert bad.status_code == 422


def test_activation_through_the_api(api_client, fitted, world):
    newer = services.runoff_model_fit(user=None, target="tn", method="log_ols")
    assert api_client(world["agent_cq"]).post(f"/runoff/models/{newer.pk}/activate").status_code == 403
    answer = api_client(world["committee"]).post(f"/runoff/models/{newer.pk}/activate")
    assert (answer.status_code, answer.json()["is_active"], answer.json()["activated_by"]) == (
        200,
        True,
        "committee",
    )
    assert RunoffModelVersion.objects.get(pk=fitted["tn"].pk).is_active is False
    off = api_client(world["admin"]).post(f"/runoff/models/{newer.pk}/deactivate")
    assert off.json()["is_active"] is False


def test_farm_loads_for_the_operator_and_404_for_another(api_client, fitted, world):
    mine = api_client(world["operator_a"]).get(f"/farms/CQ-A/loads?year={YEAR}")
    assert mine.status_code == 200
    body = mine.json()
    [rice] = body["seasons"]
    assert rice["tn"]["method"] == "log_ols" and rice["tn"]["fallback"] is False
    assert rice["tn"]["kg"]["value"] == pytest.approx(rice["tn"]["kg_per_ha"]["value"] * 45 / 15)
    assert rice["tn"]["kg"]["low"] < rice["tn"]["kg"]["value"] < rice["tn"]["kg"]["high"]
    assert body["tn_total"]["complete"] is True
    assert api_client(world["operator_b"]).get(f"/farms/CQ-A/loads?year={YEAR}").status_code == 404
    assert api_client(world["operator_b"]).get(f"/farms/CQ-A/scenarios?year={YEAR}").status_code == 404
    assert api_client(world["operator_a"]).get("/farms/CQ-A/loads").status_code == 422  # year is required


def test_farm_scenarios_table(api_client, fitted, world):
    body = api_client(world["operator_a"]).get(f"/farms/CQ-A/scenarios?year={YEAR}").json()
    cut = next(o for o in body["outcomes"] if o["scenario"] == "rate_recommended" and o["target"] == "tn")
    assert cut["applies"] and cut["reduction_kg"]["low"] > 0
    assert {o["scenario"] for o in body["outcomes"]} == set(services.SCENARIOS)


def test_town_totals_for_committee_and_agents_only(api_client, fitted, world):
    assert api_client(world["operator_a"]).get(f"/runoff/loads?year={YEAR}").status_code == 403
    body = api_client(world["agent_xh"]).get(f"/runoff/loads?year={YEAR}&town=城桥镇").json()
    [town] = body["rows"]
    assert (town["scope"], town["seasons"], town["tn_fallback_seasons"]) == ("town", 1, 0)
    assert api_client(world["agent_xh"]).get(f"/runoff/loads?year={YEAR}&town=nowhere").status_code == 404
