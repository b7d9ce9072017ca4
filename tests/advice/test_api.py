"""GET /api/v1/farms/{code}/advice: whoever may see the farm; texts in the language asked for."""

from __future__ import annotations

import pytest

from tests.factories.indicators import fertiliser, season


@pytest.fixture
def farm_a(reference):
    """Rice 45 mu with 900 kg N: 20 kg N/mu against 17 (see test_rules for the arithmetic)."""
    fertiliser(season(reference["farm_a"], "rice", area="45"), kg="3000", n="30")
    return reference["farm_a"]


def test_an_operator_reads_the_ranked_advice_of_their_farm(farm_a, world, api_client):
    response = api_client(world["operator_a"]).get("/farms/CQ-A/advice?year=2025")
    assert response.status_code == 200
    body = response.json()
    assert (body["farm_code"], body["year"], body["reference_date"]) == ("CQ-A", 2025, "2025-12-31")
    assert body["fallback"] is True and body["model_versions"] == []
    first = body["recommendations"][0]
    assert (first["rank"], first["code"], first["severity"]) == (1, "n_above_recommended", "practice")
    assert first["title"] == "夏季水稻施氮量从每亩 20.0 kg 降到 17.0 kg"
    assert (first["current"], first["target"], first["unit"]) == (pytest.approx(20.0), 17.0, "kg N/亩")
    # 5 % × (300 − 255 kg N/ha) × 3 ha = 6.75 kg TN, without an interval in the fallback
    assert first["tn"]["kg"] == {"value": pytest.approx(6.75), "low": None, "high": None}
    assert first["tp"] is None
    assert first["method"]["name"] == "export_coefficient" and first["method"]["fallback"] is True
    assert first["status"] == "provisional"
    assert {basis["status"] for basis in first["basis"]} == {"provisional", "published"}


def test_english_on_request(farm_a, world, api_client):
    body = api_client(world["agent_xh"]).get("/farms/CQ-A/advice?year=2025&lang=en").json()
    first = body["recommendations"][0]
    assert first["title"] == "Cut N on Rice (summer) from 20.0 to 17.0 kg N/mu"
    assert first["unit"] == "kg N/mu"
    assert first["method"]["note"].startswith("Export-coefficient estimate")


def test_another_farm_is_404_for_an_operator_and_anonymous_is_refused(farm_a, world, api_client):
    response = api_client(world["operator_b"]).get("/farms/CQ-A/advice?year=2025")
    assert response.status_code == 404
    assert response.json() == {"detail": "农场不存在：CQ-A"}
    assert api_client(None).get("/farms/CQ-A/advice?year=2025").status_code == 401


def test_year_is_required_and_languages_are_checked(farm_a, world, api_client):
    client = api_client(world["committee"])
    assert client.get("/farms/CQ-A/advice").status_code == 422
    assert client.get("/farms/CQ-A/advice?year=2025&lang=fr").status_code == 422
