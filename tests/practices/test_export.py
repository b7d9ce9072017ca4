"""Export in the import layout: exactly the records the user may see, and every export re-imports cleanly."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from django.core.management import call_command
from django.db import models

from farmadvice.core.errors import PermissionDenied, ValidationFailed
from farmadvice.practices.bulk import (
    LAYOUTS,
    ImportRejected,
    RecordType,
    exports,
    records_export,
    records_frame,
)
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    LivestockHerd,
    ManureFacility,
    MulchFilm,
    PesticideApplication,
    StrawUse,
    TailwaterSample,
    WaterSample,
)
from farmadvice.registry.models import Farm, FarmType
from farmadvice.runoff.models import RunoffObservation
from tests.factories.accounts import make_user
from tests.factories.practices import crop
from tests.factories.registry import FarmFactory, IrrigationDistrictFactory
from tests.practices.test_import import run, upload

pytestmark = pytest.mark.django_db

AUDIT = {"created_at", "created_by", "updated_at", "updated_by", "visit"}


@pytest.fixture
def every_record(world):
    """One or more records of every type, entered as the records API would (random ids), with awkward
    values: empty optional cells, a note with a comma and a line break, litres with a density."""
    rice, wheat = crop("rice"), crop("wheat")
    farm_a = world["farm_a"]
    pigs = FarmFactory(code="CQ-PIG", name="猪场", farm_type=FarmType.LIVESTOCK, town=world["chengqiao"])
    fish = FarmFactory(code="CQ-FISH", name="蟹塘", farm_type=FarmType.AQUACULTURE, town=world["chengqiao"])
    district = IrrigationDistrictFactory(code="CQ-D1")
    summer = CropSeason.objects.create(
        farm=farm_a,
        year=2025,
        season="summer",
        crop=rice,
        area_mu=Decimal("50"),
        yield_kg=Decimal("25000.5"),
        green_certified=True,
        note="机插秧, 一季稻\n第二行",
    )
    winter = CropSeason.objects.create(
        farm=farm_a, year=2024, season="winter", crop=wheat, area_mu=Decimal("45.25")
    )
    CropSeason.objects.create(
        farm=world["farm_b"], year=2025, season="summer", crop=rice, area_mu=Decimal("20")
    )
    FertiliserApplication.objects.create(
        season=summer,
        date=dt.date(2025, 6, 20),
        product="复合肥 18-15-12",
        n_pct=18,
        p2o5_pct=15,
        k2o_pct=12,
        product_kg=Decimal("40"),
        area_mu=Decimal("50"),
        method="side_deep",
        slow_release=True,
    )
    FertiliserApplication.objects.create(
        season=summer,
        product="尿素",
        n_pct=Decimal("46.2"),
        product_kg=Decimal("12.345"),
        area_mu=Decimal("50"),
    )
    FertiliserApplication.objects.create(
        season=winter,
        product="有机肥",
        organic=True,
        product_kg=Decimal("500"),
        area_mu=Decimal("45.25"),
        method="broadcast",
        soil_test_formula=True,
    )
    PesticideApplication.objects.create(
        season=summer,
        date=dt.date(2025, 7, 2),
        product="吡虫啉",
        active_ingredient="imidacloprid",
        ai_content_pct=Decimal("10"),
        amount=Decimal("2.5"),
        amount_unit="L",
        density_kg_per_l=Decimal("1.05"),
        area_mu=Decimal("50"),
        green_control=False,
    )
    StrawUse.objects.create(season=summer, use="field_return", straw_kg=Decimal("20000"))
    StrawUse.objects.create(
        season=summer, use="feed", straw_kg=Decimal("5000"), off_field=True, destination="某牧场"
    )
    MulchFilm.objects.create(
        season=winter, used_kg=Decimal("30"), thickness_mm=Decimal("0.010"), recovered_kg=Decimal("27.5")
    )
    LivestockHerd.objects.create(
        farm=pigs, year=2025, species="pig", stock_heads=300, annual_output_heads=600
    )
    ManureFacility.objects.create(
        farm=pigs,
        year=2025,
        liquid_storage_m3=Decimal("800"),
        seepage_proof=True,
        rain_proof=True,
        treatment="anaerobic",
        treatment_in_operation=True,
        land_for_application_mu=Decimal("120"),
        manure_produced_t=Decimal("1500"),
    )
    TailwaterSample.objects.create(
        farm=fish,
        date=dt.date(2025, 8, 1),
        ph=Decimal("7.6"),
        tn_mg_per_l=Decimal("2.8"),
        tp_mg_per_l=Decimal("0.35"),
        discharge_volume_m3=Decimal("1500"),
        laboratory="崇明区环境监测站",
    )
    for point, tn in (("inlet", "1.2"), ("outlet", "2.05")):
        WaterSample.objects.create(
            district=district,
            date=dt.date(2025, 7, 10),
            point=point,
            volume_m3=Decimal("12000"),
            tn_mg_per_l=Decimal(tn),
        )
    RunoffObservation.objects.create(
        farm=world["farm_a"],
        plot_code="P1",
        year=2025,
        season="summer",
        crop=summer.crop,
        rainfall_mm=Decimal("712.5"),
        n_rate_kg_per_ha=Decimal("240"),
        p_rate_kg_per_ha=Decimal("39.3"),
        slow_release_share=Decimal("0.35"),
        side_deep_share=Decimal("1"),
        tn_load_kg_per_ha=Decimal("12.3456"),
        tp_load_kg_per_ha=None,
    )
    return world


def snapshot(model: type[models.Model]) -> list[dict]:
    fields = [f.name for f in model._meta.concrete_fields if f.name not in AUDIT]
    return list(model.objects.order_by("pk").values(*fields))


def export_to(tmp_path: Path, user, record_type: str, fmt: str, **filters) -> Path:
    export = records_export(user=user, record_type=record_type, fmt=fmt, **filters)
    path = tmp_path / export.file_name
    path.write_bytes(export.content)
    return path


ALL_TYPES = [t.value for t in RecordType]


class TestRoundTrip:
    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    @pytest.mark.parametrize("record_type", ALL_TYPES)
    def test_an_export_reimports_with_nothing_created_or_changed(
        self, every_record, tmp_path, record_type, fmt
    ):
        model = LAYOUTS[RecordType(record_type)].model
        before = snapshot(model)
        path = export_to(tmp_path, every_record["admin"], record_type, fmt)
        report = run(every_record["admin"], path)
        assert (report.record_type, report.created, report.updated) == (record_type, 0, 0)
        assert report.unchanged == len(before) > 0
        assert snapshot(model) == before

    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    @pytest.mark.parametrize("record_type", [t for t in ALL_TYPES if t != "farms"])
    def test_deleted_records_come_back_from_an_export_with_the_same_ids_and_values(
        self, every_record, tmp_path, record_type, fmt
    ):
        model = LAYOUTS[RecordType(record_type)].model
        before = snapshot(model)
        path = export_to(tmp_path, every_record["admin"], record_type, fmt)
        if model is CropSeason:
            for child in (FertiliserApplication, PesticideApplication, StrawUse, MulchFilm):
                child.objects.all().delete()
        model.objects.all().delete()
        report = run(every_record["admin"], path)
        assert report.created == len(before)
        assert snapshot(model) == before

    def test_an_edited_export_updates_only_with_update(self, every_record, tmp_path):
        path = export_to(tmp_path, every_record["agent_cq"], "seasons", "xlsx", year=2025, town="城桥镇")
        workbook = openpyxl.load_workbook(path)
        sheet = workbook["作物茬口"]
        assert sheet["F1"].value == "产量（kg）"
        sheet["F2"] = 26000
        workbook.save(path)
        with pytest.raises(ImportRejected) as caught:
            run(every_record["agent_cq"], path)
        assert [(e.row, e.column) for e in caught.value.row_errors] == [(2, "产量（kg）")]
        report = run(every_record["agent_cq"], path, update=True)
        assert (report.updated, report.unchanged) == (1, 0)
        assert CropSeason.objects.get(year=2025, farm__code="CQ-A").yield_kg == Decimal("26000")


class TestWhatIsExported:
    def test_an_operator_exports_only_own_farms_records(self, every_record):
        codes = records_frame(user=every_record["operator_a"], record_type="seasons")["farm_code"].tolist()
        assert codes == ["CQ-A", "CQ-A"]
        assert sorted(records_frame(user=every_record["agent_xh"], record_type="seasons")["farm_code"]) == [
            "CQ-A",
            "CQ-A",
            "XH-B",
        ]

    def test_an_operator_sees_no_district_samples_of_districts_without_their_farms(self, every_record):
        assert records_frame(user=every_record["operator_a"], record_type="water-samples").empty
        assert len(records_frame(user=every_record["committee"], record_type="water-samples")) == 2

    def test_year_and_town_narrow_the_export(self, every_record):
        frame = records_frame(
            user=every_record["committee"], record_type="seasons", year=2025, town="310151100"
        )
        assert frame[["farm_code", "year", "season"]].to_numpy().tolist() == [["CQ-A", 2025, "summer"]]
        by_name = records_frame(
            user=every_record["committee"], record_type="fertiliser-applications", town="新河镇"
        )
        assert by_name.empty

    def test_unknown_town_and_a_year_for_farms_are_refused(self, every_record):
        with pytest.raises(ValidationFailed) as caught:
            records_frame(user=every_record["committee"], record_type="seasons", town="火星镇")
        assert caught.value.errors == {"town": ["未知乡镇：火星镇"]}
        with pytest.raises(ValidationFailed) as caught:
            records_frame(user=every_record["committee"], record_type="farms", year=2025)
        assert caught.value.errors == {"year": [exports.MSG_NO_YEAR]}

    def test_a_user_without_a_role_exports_nothing(self, every_record):
        nobody = make_user("operator", "nobody")
        nobody.profile.delete()
        nobody.refresh_from_db()
        with pytest.raises(PermissionDenied):
            records_frame(user=nobody, record_type="seasons")

    def test_values_are_written_as_people_write_them(self, every_record, tmp_path):
        path = export_to(tmp_path, every_record["admin"], "fertiliser-applications", "csv")
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        first = frame.set_index("产品名称").loc["复合肥 18-15-12"]
        assert (first["季节"], first["作物"], first["施用方式"], first["缓控释肥"]) == (
            "夏季",
            "水稻",
            "侧深施肥",
            "是",
        )
        assert first["施用日期"] == "2025-06-20"
        assert len(first["记录编号"]) == 36

    def test_an_xlsx_export_has_dates_as_dates_and_the_instructions_sheet(self, every_record, tmp_path):
        path = export_to(tmp_path, every_record["admin"], "water-samples", "xlsx")
        workbook = openpyxl.load_workbook(path)
        assert workbook.sheetnames == ["灌区水质样品", "填写说明"]
        assert workbook["灌区水质样品"]["B2"].value == dt.datetime(2025, 7, 10)
        assert workbook["灌区水质样品"]["A1"].comment.text.startswith("列键：district_code")


class TestCommandAndApi:
    def test_the_command_exports_everything_or_what_a_user_sees(self, every_record, tmp_path):
        call_command("export_records", "--type", "seasons", "-o", str(tmp_path / "all.csv"))
        call_command(
            "export_records", "--type", "作物茬口", "--user", "operator_a", "-o", str(tmp_path / "a.xlsx")
        )
        assert len(pd.read_csv(tmp_path / "all.csv", encoding="utf-8-sig")) == 3
        assert pd.read_excel(tmp_path / "a.xlsx")["农场编号"].tolist() == ["CQ-A", "CQ-A"]

    def test_the_api_exports_what_the_caller_may_see(self, every_record, api_client):
        response = api_client(every_record["operator_a"]).get("/exports/seasons.csv?year=2025")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
        assert frame["农场编号"].tolist() == ["CQ-A"]

    def test_an_api_export_uploads_back_unchanged(self, every_record, api_client, tmp_path):
        client = api_client(every_record["agent_cq"])
        response = client.get("/exports/straw-uses.xlsx")
        path = tmp_path / "straw.xlsx"
        path.write_bytes(response.content)
        answer = client.post("/imports/straw-uses", **upload(path))
        assert answer.status_code == 200, answer.json()
        assert (answer.json()["created"], answer.json()["unchanged"]) == (0, 2)

    def test_an_unknown_format_or_town_is_422(self, every_record, api_client):
        client = api_client(every_record["committee"])
        assert client.get("/exports/seasons.pdf").status_code == 422
        response = client.get("/exports/seasons.xlsx?town=火星镇")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "payload", "town"]


def test_the_farms_sheet_reimports_farms_with_their_districts(world, tmp_path):
    """A farm's irrigation district and village go out by code and name and come back to the same rows."""
    district = IrrigationDistrictFactory(code="CQ-D9")
    Farm.objects.filter(code="CQ-A").update(irrigation_district=district, contact_phone="13800138000")
    path = export_to(tmp_path, world["admin"], "farms", "xlsx")
    assert run(world["admin"], path).unchanged == 2
