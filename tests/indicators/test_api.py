"""Indicators through /api/v1/: compliance, one indicator at a scope, a farm's indicators; who may see what."""

from __future__ import annotations

import pytest

from farmadvice.registry.models import FarmType
from tests.factories.indicators import facility, fertiliser, herd, load_reference, season
from tests.factories.registry import FarmFactory

pytestmark = pytest.mark.django_db

CHENGQIAO, XINHE, DISTRICT = "310151100", "310151102", "310151"


@pytest.fixture
def data(world):
    load_reference()
    fertiliser(season(world["farm_a"], area="50"), kg="1000", n="18", p="15", k="12")  # 450 / 50 = 9 kg/mu
    fertiliser(season(world["farm_b"], area="10"), kg="100", n="46")  # 46 / 10 = 4.6 kg/mu
    pig = FarmFactory(code="PIG-1", farm_type=FarmType.LIVESTOCK, town=world["chengqiao"])
    herd(pig, stock=600, output=1200)
    facility(pig, liquid="852", solid="108", land="500")  # liquid short by 120 m3 (needs 972)
    return world


def by_code(rows):
    return {row["scope_code"]: row for row in rows}


class TestCompliance:
    def test_committee_sees_the_district_and_the_towns(self, data, api_client):
        response = api_client(data["committee"]).get("/indicators/compliance?year=2025")
        assert response.status_code == 200
        body = response.json()
        assert body["reference_date"] == "2025-12-31"
        manure = next(
            r
            for r in body["rows"]
            if r["indicator"] == "manure_facility_matching_pct" and r["scope"] == "district"
        )
        assert manure["value"] == 0.0
        assert manure["status"] == "working_toward"
        assert manure["target"] == {
            "value": 100.0,
            "year": 2027,
            "direction": "at_least",
            "scope": "district",
            "town_code": None,
            "source": manure["target"]["source"],
            "status": "official",
            "valid_from": manure["target"]["valid_from"],
            "due": False,
        }
        assert manure["items"][0]["reasons"] == ["液体贮存容积缺 120 m3（需 972，现有 852）"]
        assert {use["name"] for use in body["provisional"]} >= {"manure_storage_days"}

    def test_agents_may_narrow_to_one_town(self, data, api_client):
        response = api_client(data["agent_xh"]).get("/indicators/compliance?year=2025&town=310151100")
        assert response.status_code == 200
        assert {r["scope_code"] for r in response.json()["rows"]} == {CHENGQIAO}

    def test_operators_are_refused(self, data, api_client):
        response = api_client(data["operator_a"]).get("/indicators/compliance?year=2025")
        assert response.status_code == 403
        assert response.json() == {"detail": "农场经营者只能查看本农场的指标。"}

    def test_anonymous_is_refused(self, data, api_client):
        assert api_client(None).get("/indicators/compliance?year=2025").status_code == 401

    def test_an_unknown_town_is_404(self, data, api_client):
        response = api_client(data["committee"]).get("/indicators/compliance?year=2025&town=Atlantis")
        assert response.status_code == 404
        assert response.json() == {"detail": "乡镇不存在：Atlantis"}

    def test_the_year_is_required_and_checked(self, data, api_client):
        client = api_client(data["committee"])
        assert client.get("/indicators/compliance").status_code == 422
        assert client.get("/indicators/compliance?year=1999").status_code == 422


class TestIndicator:
    def test_town_scope(self, data, api_client):
        response = api_client(data["agent_cq"]).get(
            "/indicators/fertiliser_intensity_kg_per_mu?year=2025&scope=town"
        )
        assert response.status_code == 200
        body = response.json()
        assert (
            body["label"] == "化肥施用强度（kg/亩）" and body["section"] == "§1" and body["unit"] == "kg/亩"
        )
        towns = by_code(body["rows"])
        assert towns[CHENGQIAO]["value"] == pytest.approx(9.0)
        assert towns[CHENGQIAO]["figures"]["sown_area_mu"] == pytest.approx(50.0)
        assert towns[XINHE]["value"] == pytest.approx(4.6)
        assert towns["310151101"]["value"] is None  # Baozhen: no data, missing

    def test_district_scope(self, data, api_client):
        response = api_client(data["committee"]).get(
            "/indicators/fertiliser_intensity_kg_per_mu?year=2025&scope=district"
        )
        [district] = response.json()["rows"]
        assert district["scope_code"] == DISTRICT
        assert district["value"] == pytest.approx(496 / 60)  # (450 + 46) / (50 + 10)

    def test_operator_at_farm_scope_sees_only_their_farm(self, data, api_client):
        response = api_client(data["operator_a"]).get(
            "/indicators/fertiliser_intensity_kg_per_mu?year=2025&scope=farm"
        )
        assert response.status_code == 200
        assert [row["scope_code"] for row in response.json()["rows"]] == ["CQ-A"]

    def test_operator_at_town_scope_is_refused(self, data, api_client):
        response = api_client(data["operator_a"]).get(
            "/indicators/fertiliser_intensity_kg_per_mu?year=2025&scope=town"
        )
        assert response.status_code == 403

    def test_unknown_indicator_is_404(self, data, api_client):
        response = api_client(data["committee"]).get("/indicators/happiness_pct?year=2025")
        assert response.status_code == 404
        assert response.json()["detail"].startswith("未知指标：happiness_pct")

    def test_a_scope_the_indicator_does_not_have_is_400(self, data, api_client):
        response = api_client(data["committee"]).get("/indicators/district_outlet_class?year=2025&scope=town")
        assert response.status_code == 400
        assert "irrigation_district" in response.json()["detail"]

    def test_an_unknown_scope_is_422(self, data, api_client):
        response = api_client(data["committee"]).get(
            "/indicators/fertiliser_intensity_kg_per_mu?year=2025&scope=galaxy"
        )
        assert response.status_code == 422


class TestFarmIndicators:
    def test_operator_reads_own_farm(self, data, api_client):
        response = api_client(data["operator_a"]).get("/farms/CQ-A/indicators?year=2025")
        assert response.status_code == 200
        body = response.json()
        assert body["farm_code"] == "CQ-A"
        indicators = {i["indicator"]: i for i in body["indicators"]}
        assert indicators["fertiliser_intensity_kg_per_mu"]["value"] == pytest.approx(9.0)
        assert indicators["straw_utilisation_pct"]["value"] is None  # no straw records: missing
        assert "district_monitoring_pct" not in indicators

    def test_operator_gets_404_for_another_farm(self, data, api_client):
        response = api_client(data["operator_a"]).get("/farms/XH-B/indicators?year=2025")
        assert response.status_code == 404
        assert response.json() == {"detail": "农场不存在：XH-B"}

    @pytest.mark.parametrize("user", ["agent_xh", "committee", "admin"])
    def test_agents_and_committee_read_any_farm(self, data, api_client, user):
        response = api_client(data[user]).get("/farms/PIG-1/indicators?year=2025")
        assert response.status_code == 200
        livestock = response.json()["livestock"]
        assert livestock["large_scale"] is True and livestock["matched"] is False
        assert livestock["reasons"] == ["液体贮存容积缺 120 m3（需 972，现有 852）"]

    def test_anonymous_is_refused(self, data, api_client):
        assert api_client(None).get("/farms/CQ-A/indicators?year=2025").status_code == 401
