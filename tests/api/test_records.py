"""The records through /api/v1/: every type created, read and listed; idempotent client-id writes;
field-level refusals; the cross-record rules; access by role; deletion with history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.schemas import records as schemas
from farmadvice.practices import selectors, services
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    LivestockHerd,
    ManureFacility,
    MulchFilm,
    PesticideApplication,
    StrawUse,
    TailwaterSample,
    Visit,
    WaterSample,
)
from farmadvice.registry.models import FarmType
from farmadvice.runoff.models import RunoffObservation
from tests.factories.practices import CropSeasonFactory, FertiliserApplicationFactory, VisitFactory, crop
from tests.factories.registry import FarmFactory, IrrigationDistrictFactory

pytestmark = pytest.mark.django_db


def fields_of(response) -> list[tuple]:
    return [tuple(err["loc"]) for err in response.json()["detail"]]


def messages_of(response) -> list[str]:
    return [err["msg"] for err in response.json()["detail"]]


def same(sent: Any, got: Any) -> bool:
    """Sent and returned values agree; numbers are compared as numbers ("18" and "18.000")."""
    try:
        return Decimal(str(sent)) == Decimal(str(got))
    except InvalidOperation:
        return sent == got


@pytest.fixture
def places(world):
    """Beside the world's crop farm CQ-A (100 mu): a season on it (10 mu), an aquaculture and a livestock
    farm in Chengqiao, an irrigation district that CQ-A lies in, and the crops rice and wheat."""
    crop("wheat")
    district = IrrigationDistrictFactory(code="CQ-D1", town=world["chengqiao"])
    world["farm_a"].irrigation_district = district
    world["farm_a"].save()
    return {
        "season": CropSeasonFactory(farm=world["farm_a"], area_mu=Decimal("10")),
        "fish": FarmFactory(code="CQ-FISH", farm_type=FarmType.AQUACULTURE, town=world["chengqiao"]),
        "pigs": FarmFactory(code="CQ-PIG", farm_type=FarmType.LIVESTOCK, town=world["chengqiao"]),
        "district": district,
    }


FARM_CODES = {"farm_a": "CQ-A", "fish": "CQ-FISH", "pigs": "CQ-PIG"}


@dataclass(frozen=True)
class Case:
    """One record type: where it is posted, a valid body, and a field to change for a conflicting replay."""

    slug: str
    model: type
    parent: str  # "farm_a", "season", "fish", "pigs" or "district"
    body: dict[str, Any]
    change: dict[str, Any]

    def collection(self, places) -> str:
        if self.parent == "season":
            return f"/seasons/{places['season'].pk}/{self.slug}"
        if self.parent == "district":
            return f"/districts/{places['district'].code}/{self.slug}"
        return f"/farms/{ {'farm_a': 'CQ-A', 'fish': 'CQ-FISH', 'pigs': 'CQ-PIG'}[self.parent] }/{self.slug}"


NOTE = {"note": "另一内容"}
CASES = [
    Case(
        "seasons",
        CropSeason,
        "farm_a",
        {"year": 2025, "season": "winter", "crop": "wheat", "area_mu": "30", "yield_kg": "12000"},
        NOTE,
    ),
    Case(
        "fertiliser-applications",
        FertiliserApplication,
        "season",
        {
            "date": "2025-06-20",
            "product": "复合肥 18-15-12",
            "n_pct": "18",
            "p2o5_pct": "15",
            "k2o_pct": "12",
            "product_kg": "350",
            "area_mu": "10",
            "method": "side_deep",
            "slow_release": True,
        },
        {"product_kg": "351"},
    ),
    Case(
        "pesticide-applications",
        PesticideApplication,
        "season",
        {
            "date": "2025-07-02",
            "product": "10% 吡虫啉可湿性粉剂",
            "active_ingredient": "吡虫啉",
            "ai_content_pct": "10",
            "amount": "0.5",
            "amount_unit": "L",
            "density_kg_per_l": "1.1",
            "area_mu": "8",
        },
        NOTE,
    ),
    Case("straw-uses", StrawUse, "season", {"use": "field_return", "straw_kg": "3000"}, NOTE),
    Case(
        "mulch-films",
        MulchFilm,
        "season",
        {"used_kg": "20", "thickness_mm": "0.012", "recovered_kg": "18"},
        NOTE,
    ),
    Case(
        "herds",
        LivestockHerd,
        "pigs",
        {"year": 2025, "species": "pig", "stock_heads": 600, "annual_output_heads": 1100},
        NOTE,
    ),
    Case(
        "manure-facilities",
        ManureFacility,
        "pigs",
        {"year": 2025, "liquid_storage_m3": "800", "seepage_proof": True, "treatment": "compost"},
        NOTE,
    ),
    Case(
        "tailwater-samples",
        TailwaterSample,
        "fish",
        {"date": "2025-08-01", "ph": "7.6", "tn_mg_per_l": "2.1", "nh3n_mg_per_l": "0.8"},
        NOTE,
    ),
    Case(
        "water-samples",
        WaterSample,
        "district",
        {"date": "2025-07-10", "point": "outlet", "tn_mg_per_l": "1.8", "volume_m3": "5000"},
        NOTE,
    ),
    Case(
        "visits", Visit, "farm_a", {"date": "2025-06-18", "notes": "查看秧苗，建议侧深施肥"}, {"notes": "改"}
    ),
    Case(
        "runoff-observations",
        RunoffObservation,
        "farm_a",
        {
            "plot_code": "P1",
            "year": 2025,
            "season": "summer",
            "crop": "rice",
            "rainfall_mm": "705.5",
            "n_rate_kg_per_ha": "240",
            "side_deep_share": "0.5",
            "tn_load_kg_per_ha": "12.5",
        },
        {"tn_load_kg_per_ha": "12.6"},
    ),
]
IDS = [case.slug for case in CASES]


class TestEveryRecordType:
    @pytest.mark.parametrize("case", CASES, ids=IDS)
    def test_agent_creates_reads_and_lists(self, world, places, api_client, case):
        """A record posted by the town's agent is stored with its author, and read back alone and listed."""
        agent = api_client(world["agent_cq"])
        record_id = str(uuid.uuid4())
        created = agent.post(case.collection(places), json={"id": record_id, **case.body})
        assert created.status_code == 201, created.json()
        assert created.json()["id"] == record_id
        assert created.json()["created_by"] == "agent_cq"
        assert created.json()["warnings"] == []
        stored = case.model.objects.get(pk=record_id)
        assert stored.created_by == world["agent_cq"]

        detail = agent.get(f"/{case.slug}/{record_id}")
        assert detail.status_code == 200
        assert detail.json() == created.json()
        assert all(same(value, detail.json()[name]) for name, value in case.body.items())

        listed = agent.get(case.collection(places))
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json()["items"]] == (
            [str(places["season"].pk), record_id] if case.slug == "seasons" else [record_id]
        )

    @pytest.mark.parametrize("case", CASES, ids=IDS)
    def test_the_server_makes_an_id_when_none_is_sent(self, world, places, api_client, case):
        response = api_client(world["agent_cq"]).post(case.collection(places), json=case.body)
        assert response.status_code == 201, response.json()
        assert case.model.objects.filter(pk=response.json()["id"]).exists()


class TestIdempotentWrites:
    @pytest.mark.parametrize("case", CASES, ids=IDS)
    def test_a_replay_returns_the_stored_record_and_writes_nothing(self, world, places, api_client, case):
        agent = api_client(world["agent_cq"])
        body = {"id": str(uuid.uuid4()), **case.body}
        first = agent.post(case.collection(places), json=body)
        replay = agent.post(case.collection(places), json=body)
        assert (first.status_code, replay.status_code) == (201, 200)
        assert replay.json() == first.json()
        assert case.model.objects.filter(pk=body["id"]).count() == 1
        assert case.model.history.filter(id=body["id"]).count() == 1

    @pytest.mark.parametrize("case", CASES, ids=IDS)
    def test_the_same_id_with_other_content_is_a_409_naming_the_id(self, world, places, api_client, case):
        agent = api_client(world["agent_cq"])
        body = {"id": str(uuid.uuid4()), **case.body}
        agent.post(case.collection(places), json=body)
        clash = agent.post(case.collection(places), json={**body, **case.change})
        assert clash.status_code == 409
        assert body["id"] in clash.json()["detail"]
        assert next(iter(case.change)) in clash.json()["detail"]
        assert case.model.history.filter(id=body["id"]).count() == 1

    def test_a_replay_under_another_parent_is_a_conflict(self, world, places, api_client):
        """The parent is part of the content: the same application posted to another season clashes."""
        agent = api_client(world["agent_cq"])
        other = CropSeasonFactory(farm=world["farm_a"], season="winter")
        body = {"id": str(uuid.uuid4()), "product": "尿素", "n_pct": "46", "product_kg": "10", "area_mu": "5"}
        agent.post(f"/seasons/{places['season'].pk}/fertiliser-applications", json=body)
        clash = agent.post(f"/seasons/{other.pk}/fertiliser-applications", json=body)
        assert clash.status_code == 409
        assert "season" in clash.json()["detail"]
        assert FertiliserApplication.objects.get(pk=body["id"]).season == places["season"]

    def test_a_replay_that_spells_out_the_defaults_is_the_same_content(self, world, places, api_client):
        """The first POST left the defaults out, the retry sends them (and 46 as 46.000): a replay, 200."""
        agent = api_client(world["agent_cq"])
        body = {"id": str(uuid.uuid4()), "product": "尿素", "n_pct": "46", "product_kg": "10", "area_mu": "5"}
        agent.post(f"/seasons/{places['season'].pk}/fertiliser-applications", json=body)
        replay = agent.post(
            f"/seasons/{places['season'].pk}/fertiliser-applications",
            json={**body, "n_pct": "46.000", "p2o5_pct": "0", "method": "broadcast", "note": ""},
        )
        assert replay.status_code == 200

    def test_a_concurrent_retry_caught_by_the_primary_key_is_still_a_replay(
        self, world, places, api_client, monkeypatch
    ):
        """If the first write commits between the retry's lookup and its insert, the primary key refuses
        the insert and the retry still gets the stored record (or 409 when the content differs)."""
        agent = api_client(world["agent_cq"])
        url = f"/seasons/{places['season'].pk}/straw-uses"
        body = {"id": str(uuid.uuid4()), "use": "feed", "straw_kg": "500"}
        agent.post(url, json=body)
        real_stored = services._stored
        lookups = []

        def stored_after_the_lookup(kind, record_id):
            lookups.append(record_id)
            return None if len(lookups) % 2 else real_stored(kind, record_id)

        monkeypatch.setattr(services, "_stored", stored_after_the_lookup)
        assert agent.post(url, json=body).status_code == 200
        assert agent.post(url, json={**body, "straw_kg": "501"}).status_code == 409
        assert StrawUse.objects.filter(pk=body["id"]).count() == 1
        assert len(lookups) == 4


class TestBadInput:
    """Refusals name the field (422) and write nothing."""

    def fertiliser(self, api_client, world, places, **change):
        body = {"product": "复合肥", "n_pct": "15", "p2o5_pct": "15", "k2o_pct": "15"}
        body |= {"product_kg": "40", "area_mu": "10", **change}
        return api_client(world["agent_cq"]).post(
            f"/seasons/{places['season'].pk}/fertiliser-applications", json=body
        )

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"product_kg": "-1"}, "product_kg"),
            ({"n_pct": "101", "p2o5_pct": "0", "k2o_pct": "0"}, "n_pct"),
            ({"date": "2025-13-45"}, "date"),
            ({"method": "airdrop"}, "method"),
            ({"area_mu": "0"}, "area_mu"),
        ],
    )
    def test_schema_refusals_name_the_field(self, world, places, api_client, change, field):
        response = self.fertiliser(api_client, world, places, **change)
        assert response.status_code == 422, response.json()
        assert ("body", "payload", field) in fields_of(response)
        assert not FertiliserApplication.objects.exists()

    def test_a_runoff_observation_needs_a_share_of_at_most_1_and_a_load(self, world, places, api_client):
        agent, url = api_client(world["agent_cq"]), "/farms/CQ-A/runoff-observations"
        response = agent.post(url, json={**CASES[-1].body, "side_deep_share": "1.5"})
        assert response.status_code == 422
        assert fields_of(response) == [("body", "payload", "side_deep_share")]
        response = agent.post(url, json={**CASES[-1].body, "tn_load_kg_per_ha": None})
        assert response.status_code == 422
        assert messages_of(response) == ["至少需要填写径流TN负荷或TP负荷（kg/公顷）。"]
        assert not RunoffObservation.objects.exists()

    def test_a_runoff_load_above_the_rate_applied_comes_back_with_a_warning(self, world, places, api_client):
        body = {**CASES[-1].body, "n_rate_kg_per_ha": "16", "tn_load_kg_per_ha": "30"}
        response = api_client(world["agent_cq"]).post("/farms/CQ-A/runoff-observations", json=body)
        assert response.status_code == 201
        assert [w["code"] for w in response.json()["warnings"]] == ["runoff_tn_above_n_rate"]

    def test_shares_adding_up_to_more_than_100_are_refused_on_n_pct(self, world, places, api_client):
        response = self.fertiliser(api_client, world, places, n_pct="46", p2o5_pct="46", k2o_pct="20")
        assert response.status_code == 422
        assert fields_of(response) == [("body", "payload", "n_pct")]
        # 46 + 46 + 20 = 112 %
        assert "112" in messages_of(response)[0]
        assert not FertiliserApplication.objects.exists()

    def test_an_application_larger_than_its_season_is_refused(self, world, places, api_client):
        response = self.fertiliser(api_client, world, places, area_mu="12")
        assert response.status_code == 422
        assert fields_of(response) == [("body", "payload", "area_mu")]
        assert messages_of(response) == [
            services.MSG_APPLICATION_AREA_ABOVE_SEASON.format(area="12", season_area="10")
        ]
        assert not FertiliserApplication.objects.exists()

    def test_a_pesticide_application_larger_than_its_season_is_refused(self, world, places, api_client):
        response = api_client(world["agent_cq"]).post(
            f"/seasons/{places['season'].pk}/pesticide-applications",
            json={
                "product": "p",
                "active_ingredient": "a",
                "ai_content_pct": "5",
                "amount": "1",
                "area_mu": "11",
            },
        )
        assert response.status_code == 422
        assert fields_of(response) == [("body", "payload", "area_mu")]

    def test_an_unknown_crop_is_refused_naming_it(self, world, places, api_client):
        response = api_client(world["agent_cq"]).post(
            "/farms/CQ-A/seasons", json={"year": 2025, "season": "winter", "crop": "durian", "area_mu": "5"}
        )
        assert response.status_code == 422
        assert fields_of(response) == [("body", "payload", "crop")]
        assert messages_of(response) == ["未知作物：durian"]
        assert CropSeason.objects.count() == 1

    def test_a_crop_may_be_named_in_chinese(self, world, places, api_client):
        response = api_client(world["agent_cq"]).post(
            "/farms/CQ-A/seasons", json={"year": 2025, "season": "winter", "crop": "小麦", "area_mu": "5"}
        )
        assert response.status_code == 201
        assert response.json()["crop"] == "wheat"

    def test_seasons_of_one_year_and_season_must_fit_in_the_farm(self, world, places, api_client):
        """CQ-A is 100 mu and already has a 10 mu summer 2025 season: 10 + 95 = 105 > 100."""
        agent = api_client(world["agent_cq"])
        season = {"year": 2025, "season": "summer", "crop": "rice"}
        too_big = agent.post("/farms/CQ-A/seasons", json={**season, "area_mu": "95"})
        assert too_big.status_code == 422
        assert fields_of(too_big) == [("body", "payload", "area_mu")]
        assert "105" in messages_of(too_big)[0]
        # 10 + 90 = 100: fits exactly; the same 95 mu in winter is another season.
        assert agent.post("/farms/CQ-A/seasons", json={**season, "area_mu": "90"}).status_code == 201
        assert (
            agent.post(
                "/farms/CQ-A/seasons", json={**season, "season": "winter", "area_mu": "95"}
            ).status_code
            == 201
        )

    def test_a_season_cannot_shrink_below_its_applications(self, world, places, api_client):
        FertiliserApplicationFactory(season=places["season"], area_mu=Decimal("8"))
        response = api_client(world["agent_cq"]).patch(
            f"/seasons/{places['season'].pk}", json={"area_mu": "6"}
        )
        assert response.status_code == 422
        assert messages_of(response) == [
            services.MSG_SEASON_AREA_BELOW_APPLICATION.format(area="6", largest="8")
        ]
        places["season"].refresh_from_db()
        assert places["season"].area_mu == Decimal("10")

    @pytest.mark.parametrize(
        ("farm", "slug", "body"),
        [
            ("CQ-A", "tailwater-samples", {"date": "2025-08-01", "ph": "7"}),
            ("CQ-PIG", "tailwater-samples", {"date": "2025-08-01", "ph": "7"}),
            ("CQ-A", "herds", {"year": 2025, "species": "pig", "stock_heads": 10}),
            ("CQ-FISH", "manure-facilities", {"year": 2025}),
        ],
    )
    def test_records_only_on_farms_of_the_right_type(self, world, places, api_client, farm, slug, body):
        response = api_client(world["agent_cq"]).post(f"/farms/{farm}/{slug}", json=body)
        assert response.status_code == 422
        assert fields_of(response) == [("body", "payload", "farm")]
        assert farm in messages_of(response)[0]

    def test_a_mixed_farm_takes_tailwater_samples_and_herds(self, world, places, api_client):
        FarmFactory(code="CQ-MIX", farm_type=FarmType.MIXED, town=world["chengqiao"])
        agent = api_client(world["agent_cq"])
        assert (
            agent.post("/farms/CQ-MIX/tailwater-samples", json={"date": "2025-08-01", "ph": "7"}).status_code
            == 201
        )
        assert (
            agent.post(
                "/farms/CQ-MIX/herds", json={"year": 2025, "species": "sheep_goat", "stock_heads": 40}
            ).status_code
            == 201
        )

    def test_a_ph_outside_0_to_14_is_refused(self, world, places, api_client):
        response = api_client(world["agent_cq"]).post(
            "/farms/CQ-FISH/tailwater-samples", json={"date": "2025-08-01", "ph": "15"}
        )
        assert response.status_code == 422
        assert fields_of(response) == [("body", "payload", "ph")]
        assert not TailwaterSample.objects.exists()

    def test_an_empty_sample_is_refused_by_the_model(self, world, places, api_client):
        response = api_client(world["agent_cq"]).post(
            "/farms/CQ-FISH/tailwater-samples", json={"date": "2025-08-01"}
        )
        assert response.status_code == 422
        assert fields_of(response) == [("body", "payload")]
        assert not TailwaterSample.objects.exists()

    def test_litres_without_a_density_are_refused_by_the_model(self, world, places, api_client):
        response = api_client(world["agent_cq"]).post(
            f"/seasons/{places['season'].pk}/pesticide-applications",
            json={
                "product": "p",
                "active_ingredient": "a",
                "ai_content_pct": "5",
                "amount": "1",
                "amount_unit": "L",
                "area_mu": "1",
            },
        )
        assert response.status_code == 422
        assert ("body", "payload", "density_kg_per_l") in fields_of(response)

    def test_a_visit_to_another_farm_cannot_be_referenced(self, world, places, api_client):
        elsewhere = VisitFactory(farm=places["fish"], agent=world["agent_cq"])
        response = api_client(world["agent_cq"]).post(
            f"/seasons/{places['season'].pk}/straw-uses",
            json={"use": "feed", "straw_kg": "1", "visit_id": str(elsewhere.pk)},
        )
        assert response.status_code == 422
        assert fields_of(response) == [("body", "payload", "visit_id")]

    def test_a_record_points_to_the_visit_it_was_entered_in(self, world, places, api_client):
        agent = api_client(world["agent_cq"])
        visit = agent.post("/farms/CQ-A/visits", json={"date": "2025-06-18"}).json()
        response = agent.post(
            f"/seasons/{places['season'].pk}/straw-uses",
            json={"use": "feed", "straw_kg": "1", "visit_id": visit["id"]},
        )
        assert response.status_code == 201
        assert response.json()["visit_id"] == visit["id"]
        assert visit["agent"] == "agent_cq"

    def test_a_malformed_id_is_refused(self, world, places, api_client):
        response = api_client(world["agent_cq"]).post(
            "/farms/CQ-A/visits", json={"id": "123", "date": "2025-06-18"}
        )
        assert response.status_code == 422
        assert ("body", "payload", "id") in fields_of(response)


class TestUpdate:
    def test_agent_changes_one_field_and_history_keeps_both(self, world, places, api_client):
        application = FertiliserApplicationFactory(season=places["season"])
        response = api_client(world["agent_cq"]).patch(
            f"/fertiliser-applications/{application.pk}", json={"product_kg": "45.5"}
        )
        assert response.status_code == 200, response.json()
        assert Decimal(response.json()["product_kg"]) == Decimal("45.5")
        assert response.json()["updated_by"] == "agent_cq"
        history = FertiliserApplication.history.filter(id=application.pk).order_by("history_date")
        assert [h.product_kg for h in history] == [Decimal("40"), Decimal("45.5")]

    def test_null_is_refused_where_a_value_is_required(self, world, places, api_client):
        application = FertiliserApplicationFactory(season=places["season"])
        response = api_client(world["agent_cq"]).patch(
            f"/fertiliser-applications/{application.pk}", json={"product_kg": None}
        )
        assert response.status_code == 422
        assert ("body", "payload", "product_kg") in fields_of(response)

    def test_shares_are_checked_against_the_stored_ones(self, world, places, api_client):
        """Stored 15-15-15; raising N to 75 makes 105 %."""
        application = FertiliserApplicationFactory(season=places["season"])
        response = api_client(world["agent_cq"]).patch(
            f"/fertiliser-applications/{application.pk}", json={"n_pct": "75"}
        )
        assert response.status_code == 422
        assert fields_of(response) == [("body", "payload", "n_pct")]
        application.refresh_from_db()
        assert application.n_pct == Decimal("15")

    def test_the_id_cannot_be_changed(self, world, places, api_client):
        application = FertiliserApplicationFactory(season=places["season"])
        other = str(uuid.uuid4())
        response = api_client(world["agent_cq"]).patch(
            f"/fertiliser-applications/{application.pk}", json={"id": other}
        )
        assert response.status_code == 200
        assert response.json()["id"] == str(application.pk)
        assert not FertiliserApplication.objects.filter(pk=other).exists()


class TestDelete:
    def test_agent_deletes_and_history_keeps_the_row(self, world, places, api_client):
        application = FertiliserApplicationFactory(season=places["season"])
        response = api_client(world["agent_cq"]).delete(f"/fertiliser-applications/{application.pk}")
        assert response.status_code == 204
        assert not FertiliserApplication.objects.filter(pk=application.pk).exists()
        deletion = FertiliserApplication.history.filter(id=application.pk).latest("history_date")
        assert deletion.history_type == "-"
        assert deletion.history_user == world["agent_cq"]
        assert deletion.product_kg == Decimal("40")

    def test_a_season_with_records_is_not_deleted(self, world, places, api_client):
        FertiliserApplicationFactory(season=places["season"])
        response = api_client(world["agent_cq"]).delete(f"/seasons/{places['season'].pk}")
        assert response.status_code == 409
        assert "施肥记录" in response.json()["detail"]
        assert CropSeason.objects.filter(pk=places["season"].pk).exists()

    def test_deleting_a_visit_keeps_the_records_entered_in_it(self, world, places, api_client):
        visit = VisitFactory(farm=world["farm_a"], agent=world["agent_cq"])
        application = FertiliserApplicationFactory(season=places["season"], visit=visit)
        assert api_client(world["agent_cq"]).delete(f"/visits/{visit.pk}").status_code == 204
        application.refresh_from_db()
        assert application.visit is None

    @pytest.mark.parametrize(
        ("who", "status"), [("agent_xh", 403), ("committee", 403), ("operator_a", 403), ("operator_b", 404)]
    )
    def test_others_cannot_delete(self, world, places, api_client, who, status):
        application = FertiliserApplicationFactory(season=places["season"])
        assert (
            api_client(world[who]).delete(f"/fertiliser-applications/{application.pk}").status_code == status
        )
        assert FertiliserApplication.objects.filter(pk=application.pk).exists()


class TestAccess:
    NEW_SEASON = {"year": 2025, "season": "winter", "crop": "wheat", "area_mu": "5"}

    def test_anonymous_requests_are_401(self, world, places, api_client):
        anonymous = api_client(None)
        assert anonymous.get("/farms/CQ-A/seasons").status_code == 401
        assert anonymous.get(f"/seasons/{places['season'].pk}").status_code == 401
        assert anonymous.post("/farms/CQ-A/seasons", json=self.NEW_SEASON).status_code == 401
        assert CropSeason.objects.count() == 1

    def test_operator_reads_own_farms_records(self, world, places, api_client):
        operator = api_client(world["operator_a"])
        assert operator.get("/farms/CQ-A/seasons").json()["count"] == 1
        assert operator.get(f"/seasons/{places['season'].pk}").status_code == 200
        assert operator.get(f"/seasons/{places['season'].pk}/fertiliser-applications").status_code == 200

    def test_operator_reads_the_water_samples_of_own_district_only(self, world, places, api_client):
        IrrigationDistrictFactory(code="XH-D1", town=world["xinhe"])
        operator = api_client(world["operator_a"])
        assert operator.get("/districts/CQ-D1/water-samples").status_code == 200
        assert operator.get("/districts/XH-D1/water-samples").status_code == 404
        assert api_client(world["operator_b"]).get("/districts/CQ-D1/water-samples").status_code == 404

    def test_another_operators_records_are_404_as_if_they_did_not_exist(self, world, places, api_client):
        operator = api_client(world["operator_b"])
        season = places["season"]
        application = FertiliserApplicationFactory(season=season)
        assert operator.get("/farms/CQ-A/seasons").status_code == 404
        assert operator.get(f"/seasons/{season.pk}").status_code == 404
        assert operator.get(f"/seasons/{season.pk}/fertiliser-applications").status_code == 404
        missing = operator.get(f"/fertiliser-applications/{uuid.uuid4()}")
        hidden = operator.get(f"/fertiliser-applications/{application.pk}")
        assert hidden.status_code == missing.status_code == 404

    def test_operator_writes_nothing(self, world, places, api_client):
        """403 on the own farm; 404 on another's, whose existence is not told."""
        operator = api_client(world["operator_a"])
        season = places["season"]
        assert operator.post("/farms/CQ-A/seasons", json=self.NEW_SEASON).status_code == 403
        assert operator.patch(f"/seasons/{season.pk}", json={"area_mu": "9"}).status_code == 403
        assert operator.post("/farms/XH-B/seasons", json=self.NEW_SEASON).status_code == 404
        assert operator.post("/farms/CQ-A/visits", json={"date": "2025-06-18"}).status_code == 403
        assert CropSeason.objects.count() == 1
        assert not Visit.objects.exists()

    def test_agent_reads_everywhere_but_writes_only_in_assigned_towns(self, world, places, api_client):
        agent_xh = api_client(world["agent_xh"])
        season = places["season"]
        assert agent_xh.get("/farms/CQ-A/seasons").json()["count"] == 1
        refused = agent_xh.post("/farms/CQ-A/seasons", json=self.NEW_SEASON)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "您未被分配到乡镇“城桥镇”，不能在此录入或修改。"
        assert agent_xh.patch(f"/seasons/{season.pk}", json={"area_mu": "9"}).status_code == 403
        assert (
            agent_xh.post(
                f"/seasons/{season.pk}/straw-uses", json={"use": "feed", "straw_kg": "1"}
            ).status_code
            == 403
        )
        assert (
            agent_xh.post(
                "/districts/CQ-D1/water-samples", json={"date": "2025-07-01", "point": "inlet", "ph": "7"}
            ).status_code
            == 403
        )
        assert agent_xh.post("/farms/XH-B/seasons", json=self.NEW_SEASON).status_code == 201
        assert CropSeason.objects.filter(farm=world["farm_a"]).count() == 1

    def test_a_replay_is_refused_to_whoever_may_not_write(self, world, places, api_client):
        body = {"id": str(uuid.uuid4()), **self.NEW_SEASON}
        api_client(world["agent_cq"]).post("/farms/CQ-A/seasons", json=body)
        assert api_client(world["agent_xh"]).post("/farms/CQ-A/seasons", json=body).status_code == 403

    def test_committee_reads_all_and_writes_nothing(self, world, places, api_client):
        committee = api_client(world["committee"])
        season = places["season"]
        assert committee.get("/farms/CQ-A/seasons").json()["count"] == 1
        assert committee.get(f"/seasons/{season.pk}").status_code == 200
        assert committee.post("/farms/CQ-A/seasons", json=self.NEW_SEASON).status_code == 403
        assert committee.patch(f"/seasons/{season.pk}", json={"area_mu": "9"}).status_code == 403
        assert CropSeason.objects.count() == 1


class TestListing:
    def test_filters_and_pagination(self, world, places, api_client):
        """CQ-A: the 10 mu rice summer 2025 season, plus wheat winter 2024 and 2025 and rice summer 2024."""
        CropSeasonFactory(farm=world["farm_a"], year=2024, season="winter", crop=crop("wheat"))
        CropSeasonFactory(farm=world["farm_a"], year=2025, season="winter", crop=crop("wheat"))
        CropSeasonFactory(farm=world["farm_a"], year=2024, season="summer")
        client = api_client(world["committee"])
        assert client.get("/farms/CQ-A/seasons").json()["count"] == 4
        assert client.get("/farms/CQ-A/seasons", query_params={"year": 2025}).json()["count"] == 2
        wheat = client.get("/farms/CQ-A/seasons", query_params={"crop": "wheat", "season": "winter"}).json()
        assert [(s["year"], s["crop"]) for s in wheat["items"]] == [(2025, "wheat"), (2024, "wheat")]
        page = client.get("/farms/CQ-A/seasons", query_params={"page_size": 3, "page": 2}).json()
        assert page["count"] == 4
        assert len(page["items"]) == 1

    def test_samples_filtered_by_year_and_dates(self, world, places, api_client):
        agent = api_client(world["agent_cq"])
        for date in ("2024-12-31", "2025-05-01", "2025-09-01"):
            agent.post("/farms/CQ-FISH/tailwater-samples", json={"date": date, "tn_mg_per_l": "2"})
        client = api_client(world["committee"])
        by_year = client.get("/farms/CQ-FISH/tailwater-samples", query_params={"year": 2025}).json()
        assert [s["date"] for s in by_year["items"]] == ["2025-09-01", "2025-05-01"]
        by_dates = client.get(
            "/farms/CQ-FISH/tailwater-samples",
            query_params={"date_from": "2025-01-01", "date_to": "2025-06-30"},
        ).json()
        assert [s["date"] for s in by_dates["items"]] == ["2025-05-01"]

    def test_a_page_costs_the_same_queries_for_3_or_30_records(self, world, places, api_client):
        """Farm, crop and authors come in the list's one query (select_related), not one query per row."""
        client = api_client(world["committee"])
        url = f"/seasons/{places['season'].pk}/fertiliser-applications"

        def queries_for_a_page() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            return len(queries)

        queries_for_a_page()  # the token's first use is recorded once; keep it out of the count
        FertiliserApplicationFactory.create_batch(3, season=places["season"], area_mu=Decimal("1"))
        with_3 = queries_for_a_page()
        FertiliserApplicationFactory.create_batch(27, season=places["season"], area_mu=Decimal("1"))
        assert queries_for_a_page() == with_3

    def test_list_items_carry_no_warnings(self, world, places, api_client):
        """Warnings cost queries per record: they come with single records, not with pages."""
        item = api_client(world["committee"]).get("/farms/CQ-A/seasons").json()["items"][0]
        assert "warnings" not in item

    @pytest.mark.parametrize("kind", selectors.RECORD_KINDS, ids=[k.slug for k in selectors.RECORD_KINDS])
    def test_every_filter_in_the_api_has_a_lookup(self, kind):
        filters = {
            "seasons": schemas.CROP_SEASON,
            "fertiliser-applications": schemas.FERTILISER_APPLICATION,
            "pesticide-applications": schemas.PESTICIDE_APPLICATION,
            "straw-uses": schemas.STRAW_USE,
            "mulch-films": schemas.MULCH_FILM,
            "herds": schemas.LIVESTOCK_HERD,
            "manure-facilities": schemas.MANURE_FACILITY,
            "tailwater-samples": schemas.TAILWATER_SAMPLE,
            "water-samples": schemas.WATER_SAMPLE,
            "visits": schemas.VISIT,
            "runoff-observations": schemas.RUNOFF_OBSERVATION,
        }[kind.slug].filters
        assert set(filters.model_fields) == set(kind.filters)


class TestSchema:
    def test_every_record_type_has_its_five_operations_documented(self, client):
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        for kind in selectors.RECORD_KINDS:
            parent = {
                "farm": "/farms/{code}",
                "season": "/seasons/{season_id}",
                "district": "/districts/{code}",
            }
            assert set(paths[f"/api/v1{parent[kind.parent]}/{kind.slug}"]) == {"get", "post"}
            assert set(paths[f"/api/v1/{kind.slug}/{{id}}"]) == {"get", "patch", "delete"}

    def test_quantities_name_their_unit(self, client):
        components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
        fertiliser = components["FertiliserApplicationIn"]["properties"]
        assert "kg" in fertiliser["product_kg"]["description"]
        assert "mu" in fertiliser["area_mu"]["description"]
        assert "%" in fertiliser["n_pct"]["description"]
        assert "warnings" in components["FertiliserApplicationDetail"]["properties"]
        assert "FertiliserApplicationPatch" in components
