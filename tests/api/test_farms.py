"""Farms and irrigation districts through /api/v1/: access rules, refusals, validation, pagination."""

from __future__ import annotations

from decimal import Decimal

import pytest

from farmadvice.registry.models import Farm, IrrigationDistrict

pytestmark = pytest.mark.django_db

NEW_FARM = {
    "code": "CQ-NEW",
    "name": "新建家庭农场",
    "farm_type": "crop",
    "town": "310151100",
    "village": "永南村",
    "area_mu": "120.5",
    "registered_on": "2024-03-01",
}


def detail_fields(response):
    return [tuple(err["loc"]) for err in response.json()["detail"]]


class TestAnonymous:
    @pytest.mark.parametrize("path", ["/farms", "/farms/CQ-A", "/districts", "/me", "/towns"])
    def test_reads_are_refused_with_401(self, world, api_client, path):
        response = api_client(None).get(path)
        assert response.status_code == 401
        assert response.json()["detail"]

    def test_write_is_refused_with_401_and_writes_nothing(self, world, api_client):
        response = api_client(None).post("/farms", json=NEW_FARM)
        assert response.status_code == 401
        assert not Farm.objects.filter(code="CQ-NEW").exists()

    def test_a_wrong_token_is_refused(self, world, api_client):
        client = api_client(None)
        response = client.get("/farms", headers={"Authorization": "Bearer not-a-real-token"})
        assert response.status_code == 401


class TestOperator:
    def test_lists_only_own_farms(self, world, api_client):
        response = api_client(world["operator_a"]).get("/farms")
        assert response.status_code == 200
        assert [f["code"] for f in response.json()["items"]] == ["CQ-A"]
        assert response.json()["count"] == 1

    def test_reads_own_farm(self, world, api_client):
        response = api_client(world["operator_a"]).get("/farms/CQ-A")
        assert response.status_code == 200
        assert response.json()["name"] == "甲农场"
        assert response.json()["town_name"] == "城桥镇"

    def test_another_operators_farm_is_404_as_if_it_did_not_exist(self, world, api_client):
        other = api_client(world["operator_a"]).get("/farms/XH-B")
        missing = api_client(world["operator_a"]).get("/farms/NO-SUCH-FARM")
        assert other.status_code == missing.status_code == 404
        assert other.json()["detail"].replace("XH-B", "X") == missing.json()["detail"].replace(
            "NO-SUCH-FARM", "X"
        )

    def test_filtering_by_the_other_town_does_not_leak(self, world, api_client):
        response = api_client(world["operator_a"]).get("/farms", query_params={"town": "310151102"})
        assert response.json()["items"] == []

    def test_cannot_create_or_edit(self, world, api_client):
        client = api_client(world["operator_a"])
        assert client.post("/farms", json=NEW_FARM).status_code == 403
        assert client.patch("/farms/CQ-A", json={"area_mu": "1"}).status_code == 403
        assert client.patch("/farms/XH-B", json={"area_mu": "1"}).status_code == 404
        assert Farm.objects.get(code="CQ-A").area_mu == Decimal("100")


class TestAgent:
    def test_creates_a_farm_in_an_assigned_town(self, world, api_client):
        response = api_client(world["agent_cq"]).post("/farms", json=NEW_FARM)
        assert response.status_code == 201, response.json()
        farm = Farm.objects.get(code="CQ-NEW")
        assert farm.area_mu == Decimal("120.5")
        assert farm.village.name == "永南村"
        assert farm.created_by == world["agent_cq"]
        assert farm.history.first().history_user == world["agent_cq"]

    def test_cannot_create_in_an_unassigned_town(self, world, api_client):
        response = api_client(world["agent_xh"]).post("/farms", json=NEW_FARM)
        assert response.status_code == 403
        assert "城桥镇" in response.json()["detail"]
        assert not Farm.objects.filter(code="CQ-NEW").exists()

    def test_cannot_edit_a_farm_in_an_unassigned_town(self, world, api_client):
        response = api_client(world["agent_xh"]).patch("/farms/CQ-A", json={"name": "改名"})
        assert response.status_code == 403
        assert Farm.objects.get(code="CQ-A").name == "甲农场"

    def test_cannot_move_a_farm_into_an_unassigned_town(self, world, api_client):
        response = api_client(world["agent_cq"]).patch("/farms/CQ-A", json={"town": "310151102"})
        assert response.status_code == 403
        assert Farm.objects.get(code="CQ-A").town == world["chengqiao"]

    def test_edits_a_farm_in_an_assigned_town_and_history_records_it(self, world, api_client):
        response = api_client(world["agent_cq"]).patch("/farms/CQ-A", json={"area_mu": "150"})
        assert response.status_code == 200
        assert Decimal(response.json()["area_mu"]) == Decimal("150")
        history = Farm.objects.get(code="CQ-A").history.order_by("history_date")
        assert [h.area_mu for h in history] == [Decimal("100"), Decimal("150")]
        assert history.last().history_user == world["agent_cq"]

    def test_reads_farms_in_other_towns(self, world, api_client):
        response = api_client(world["agent_cq"]).get("/farms/XH-B")
        assert response.status_code == 200

    def test_code_cannot_change(self, world, api_client):
        response = api_client(world["agent_cq"]).patch("/farms/CQ-A", json={"code": "CQ-Z"})
        # FarmPatch has no code field, so the value is ignored rather than applied.
        assert response.status_code == 200
        assert Farm.objects.filter(code="CQ-A").exists()


class TestBadInput:
    """Bad input gets 422 naming the field and the reason, and nothing is written."""

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"area_mu": "-5"}, "area_mu"),
            ({"town": "火星镇"}, "town"),
            ({"registered_on": "2024-13-45"}, "registered_on"),
            ({"farm_type": "spaceship"}, "farm_type"),
            ({"latitude": "91"}, "latitude"),
            ({"irrigation_district": "NO-SUCH"}, "irrigation_district"),
        ],
    )
    def test_create_refused_with_field_path(self, world, api_client, change, field):
        before = Farm.objects.count()
        response = api_client(world["agent_cq"]).post("/farms", json={**NEW_FARM, **change})
        assert response.status_code == 422, response.json()
        assert ("body", "payload", field) in detail_fields(response)
        assert all(err["msg"] for err in response.json()["detail"])
        assert Farm.objects.count() == before

    def test_unknown_town_message_names_the_value(self, world, api_client):
        response = api_client(world["agent_cq"]).post("/farms", json={**NEW_FARM, "town": "火星镇"})
        assert response.json()["detail"][0]["msg"] == "未知乡镇：火星镇"

    def test_negative_area_on_update_is_refused(self, world, api_client):
        response = api_client(world["agent_cq"]).patch("/farms/CQ-A", json={"area_mu": "-1"})
        assert response.status_code == 422
        assert ("body", "payload", "area_mu") in detail_fields(response)
        assert Farm.objects.get(code="CQ-A").area_mu == Decimal("100")

    def test_duplicate_code_is_refused(self, world, api_client):
        response = api_client(world["agent_cq"]).post("/farms", json={**NEW_FARM, "code": "CQ-A"})
        assert response.status_code == 422
        assert ("body", "payload", "code") in detail_fields(response)


class TestListing:
    def test_filters_and_pagination(self, world, api_client):
        client = api_client(world["committee"])
        for n in range(7):
            client_agent = api_client(world["agent_cq"])
            client_agent.post("/farms", json={**NEW_FARM, "code": f"CQ-P{n}", "farm_type": "aquaculture"})
        all_farms = client.get("/farms", query_params={"page_size": 5}).json()
        assert all_farms["count"] == 9
        assert len(all_farms["items"]) == 5
        page2 = client.get("/farms", query_params={"page_size": 5, "page": 2}).json()
        assert len(page2["items"]) == 4
        aquaculture = client.get("/farms", query_params={"farm_type": "aquaculture"}).json()
        assert aquaculture["count"] == 7
        by_town = client.get("/farms", query_params={"town": "新河镇"}).json()
        assert [f["code"] for f in by_town["items"]] == ["XH-B"]
        search = client.get("/farms", query_params={"q": "乙"}).json()
        assert [f["code"] for f in search["items"]] == ["XH-B"]


class TestDistricts:
    def test_agent_creates_and_operator_sees_only_own(self, world, api_client):
        agent = api_client(world["agent_cq"])
        response = agent.post(
            "/districts",
            json={"code": "CQ-D1", "name": "城桥一号灌区", "town": "310151100", "area_mu": "1000"},
        )
        assert response.status_code == 201, response.json()
        agent.patch("/farms/CQ-A", json={"irrigation_district": "CQ-D1"})
        agent.post("/districts", json={"code": "CQ-D2", "name": "二号", "town": "310151100", "area_mu": "50"})
        operator_a = api_client(world["operator_a"])
        assert [d["code"] for d in operator_a.get("/districts").json()["items"]] == ["CQ-D1"]
        assert operator_a.get("/districts/CQ-D2").status_code == 404
        assert api_client(world["operator_b"]).get("/districts/CQ-D1").status_code == 404

    def test_zero_area_district_refused(self, world, api_client):
        response = api_client(world["agent_cq"]).post(
            "/districts", json={"code": "CQ-D0", "name": "零", "town": "310151100", "area_mu": "0"}
        )
        assert response.status_code == 422
        assert ("body", "payload", "area_mu") in detail_fields(response)
        assert not IrrigationDistrict.objects.exists()

    def test_agent_of_another_town_cannot_create(self, world, api_client):
        response = api_client(world["agent_xh"]).post(
            "/districts", json={"code": "CQ-D1", "name": "x", "town": "310151100", "area_mu": "10"}
        )
        assert response.status_code == 403
        assert not IrrigationDistrict.objects.exists()


class TestSchema:
    def test_openapi_and_docs_are_served(self, client):
        schema = client.get("/api/v1/openapi.json")
        assert schema.status_code == 200
        assert "/api/v1/farms" in schema.json()["paths"]
        assert client.get("/api/v1/docs").status_code == 200

    def test_session_auth_works_for_the_browser(self, world, client):
        client.force_login(world["operator_a"])
        response = client.get("/api/v1/farms")
        assert response.status_code == 200
        assert [f["code"] for f in response.json()["items"]] == ["CQ-A"]
