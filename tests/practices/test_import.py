"""Spreadsheet import: every row checked first, then all written or none; errors located as Excel shows them."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path

from api.api import api
from farmadvice.accounts.services import token_issue
from farmadvice.core.errors import Conflict, PermissionDenied
from farmadvice.practices import plausibility
from farmadvice.practices.bulk import (
    LAYOUTS,
    ImportFileError,
    ImportRejected,
    cells,
    imports,
    reading,
    records_import,
)
from farmadvice.practices.bulk.imports import derived_id
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    LivestockHerd,
    PesticideApplication,
    TailwaterSample,
    WaterSample,
)
from farmadvice.practices.services import (
    MSG_APPLICATION_AREA_ABOVE_SEASON,
    MSG_SEASON_AREA_BELOW_APPLICATION,
    MSG_WRONG_FARM_TYPE,
)
from farmadvice.registry.models import Farm, FarmType, Village
from farmadvice.runoff import selectors as runoff_selectors
from farmadvice.runoff.models import RunoffObservation
from tests.factories.practices import CropSeasonFactory, crop, reference_value
from tests.factories.registry import FarmFactory, IrrigationDistrictFactory

pytestmark = pytest.mark.django_db

# A URLconf of just the API, so one test can upload through Django's whole request cycle (multipart
# parsing, middleware, bearer token) independently of the project's other pages.
urlpatterns = [path("api/v1/", api.urls)]

SEASON_HEADERS = ["农场编号", "年份", "季节", "作物", "播种面积（亩）", "产量（kg）", "绿色食品/两无化认证"]
FERTILISER_HEADERS = [
    "农场编号",
    "年份",
    "季节",
    "作物",
    "施用日期",
    "产品名称",
    "氮N（%）",
    "磷P2O5（%）",
    "钾K2O（%）",
    "用量（kg）",
    "施用面积（亩）",
    "施用方式",
    "缓控释肥",
]


# -- helpers (test_export uses them too) ---------------------------------------------------------------


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]], *, sheet: str = "Sheet1") -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(headers)
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, headers: list[str], rows: list[list[Any]], *, encoding: str = "utf-8-sig") -> Path:
    pd.DataFrame(rows, columns=headers).to_csv(path, index=False, encoding=encoding)
    return path


def run(user: Any, path: Path, **options: Any):
    return records_import(user=user, content=path.read_bytes(), file_name=path.name, **options)


def rejected(user: Any, path: Path, **options: Any) -> list[tuple]:
    """The (row, column, value, reason) of every error the import reports."""
    with pytest.raises(ImportRejected) as caught:
        run(user, path, **options)
    return [(e.row, e.column, e.value, e.reason) for e in caught.value.row_errors]


@pytest.fixture
def crops(db):
    return {"rice": crop("rice"), "wheat": crop("wheat")}


@pytest.fixture
def seasons_file(tmp_path, world, crops):
    """Three good crop seasons of farm CQ-A (area 100 mu), written as Excel writes them."""
    return write_xlsx(
        tmp_path / "茬口.xlsx",
        SEASON_HEADERS,
        [
            ["CQ-A", 2025, "夏季", "水稻", 60, 30000, "是"],
            ["CQ-A", 2025, "winter", "wheat", 40.5, None, "否"],
            ["CQ-A", 2024, "夏", "rice", 55, 27000.5, None],
        ],
        sheet="作物茬口",
    )


# -- a good file ----------------------------------------------------------------------------------------


class TestGoodFile:
    def test_every_row_is_written_with_its_author_and_history(self, world, seasons_file):
        """Chinese labels, codes and short forms of choices, crop names and codes, 是/否 are all read."""
        report = run(world["agent_cq"], seasons_file)
        assert (report.record_type, report.rows, report.created, report.unchanged) == ("seasons", 3, 3, 0)
        assert report.sheet == "作物茬口"
        stored = {
            (s.year, s.season, s.crop.code): (s.area_mu, s.yield_kg, s.green_certified)
            for s in CropSeason.objects.filter(farm=world["farm_a"])
        }
        assert stored == {
            (2025, "summer", "rice"): (Decimal("60"), Decimal("30000"), True),
            (2025, "winter", "wheat"): (Decimal("40.5"), None, False),
            (2024, "summer", "rice"): (Decimal("55"), Decimal("27000.5"), False),
        }
        season = CropSeason.objects.get(year=2025, season="summer")
        assert season.created_by == season.updated_by == world["agent_cq"]
        assert season.history.get().history_user == world["agent_cq"]

    def test_a_new_row_gets_the_id_derived_from_its_natural_key(self, world, seasons_file):
        """id = uuid5(namespace, "seasons|CQ-A|2025|summer|rice"): the same row always gets the same id."""
        run(world["agent_cq"], seasons_file)
        expected = derived_id("seasons", ("CQ-A", "2025", "summer", "rice"))
        assert expected == uuid.uuid5(imports.RECORD_NAMESPACE, "seasons|CQ-A|2025|summer|rice")
        assert CropSeason.objects.get(year=2025, season="summer").pk == expected

    def test_the_type_is_read_from_the_header_when_the_sheet_name_says_nothing(self, world, crops, tmp_path):
        path = write_xlsx(
            tmp_path / "data.xlsx", SEASON_HEADERS, [["CQ-A", 2025, "夏季", "水稻", 60, 1, "否"]]
        )
        assert run(world["agent_cq"], path).record_type == "seasons"

    def test_machine_keys_and_half_width_brackets_are_accepted_as_headers(self, world, crops, tmp_path):
        headers = ["farm_code", "year", "season", "crop", "播种面积(亩)", "yield_kg"]
        path = write_csv(tmp_path / "seasons.csv", headers, [["CQ-A", "2025", "summer", "rice", "60", ""]])
        assert run(world["agent_cq"], path, record_type="seasons").created == 1

    def test_csv_in_utf8_with_bom_and_in_gb18030_both_import(self, world, crops, tmp_path):
        """Excel writes "CSV UTF-8" with a BOM; a Chinese Excel's plain "CSV" is GB18030."""
        utf8 = write_csv(tmp_path / "a.csv", SEASON_HEADERS, [["CQ-A", 2025, "夏季", "水稻", 60, "", "是"]])
        assert utf8.read_bytes().startswith(b"\xef\xbb\xbf")
        gbk = write_csv(
            tmp_path / "b.csv",
            SEASON_HEADERS,
            [["CQ-A", 2025, "冬季", "小麦", 30, "", "否"]],
            encoding="gb18030",
        )
        assert run(world["agent_cq"], utf8).created == 1
        assert run(world["agent_cq"], gbk).created == 1
        assert CropSeason.objects.get(season="winter").crop.code == "wheat"

    def test_a_title_row_above_the_header_and_blank_rows_keep_excel_row_numbers(self, world, crops, tmp_path):
        """Header on row 2, data on rows 3 and 5 (row 4 blank): the bad cell is reported at row 5."""
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["2025 年城桥镇作物茬口"])
        sheet.append(SEASON_HEADERS)
        sheet.append(["CQ-A", 2025, "夏季", "水稻", 60, 1, "否"])
        sheet.append([])
        sheet.append(["CQ-A", 2025, "冬季", "小麦", "四十", 1, "否"])
        workbook.save(tmp_path / "t.xlsx")
        assert rejected(world["agent_cq"], tmp_path / "t.xlsx") == [
            (5, "播种面积（亩）", "四十", cells.MSG_NOT_A_NUMBER)
        ]


# -- a bad file writes nothing ----------------------------------------------------------------------------


class TestBadRows:
    def test_one_bad_row_writes_nothing_and_says_where_and_why(self, world, crops, tmp_path):
        path = write_xlsx(
            tmp_path / "s.xlsx",
            SEASON_HEADERS,
            [
                ["CQ-A", 2025, "夏季", "水稻", 60, 30000, "是"],
                ["CQ-A", 2025, "冬季", "小麦", 40, "abc", "否"],
                ["CQ-A", 2024, "夏季", "水稻", 55, 1, "否"],
            ],
        )
        with pytest.raises(ImportRejected) as caught:
            run(world["agent_cq"], path)
        [error] = caught.value.row_errors
        # Header = row 1, so the second data row is row 3; 产量（kg） is column F.
        assert (error.row, error.column, error.cell, error.value) == (3, "产量（kg）", "F3", "abc")
        assert error.reason == cells.MSG_NOT_A_NUMBER
        assert not CropSeason.objects.exists()

    def test_every_error_is_listed_in_row_order_not_just_the_first(self, world, crops, tmp_path):
        path = write_xlsx(
            tmp_path / "s.xlsx",
            SEASON_HEADERS,
            [
                ["NO-SUCH", 2025, "夏季", "水稻", 10, None, None],
                ["CQ-A", 2025, "雨季", "水稻", -5, None, "也许"],
                ["CQ-A", None, "夏季", "土豆王", 10, None, None],
                ["CQ-A", 1999, "秋季", "水稻", 10, None, None],
            ],
        )
        errors = rejected(world["agent_cq"], path)
        assert [(row, column) for row, column, _v, _r in errors] == [
            (2, "农场编号"),
            (3, "季节"),
            (3, "播种面积（亩）"),
            (3, "绿色食品/两无化认证"),
            (4, "年份"),
            (4, "作物"),
            (5, "年份"),
        ]
        assert errors[0] == (2, "农场编号", "NO-SUCH", imports.MSG_UNKNOWN_FARM.format(value="NO-SUCH"))
        assert errors[1][3].startswith("不是可选值；可填：春季、夏季、秋季、冬季")
        assert "0.01" in errors[2][3]  # the model's validator, although the row has other errors
        assert errors[4][3] == cells.MSG_REQUIRED
        assert errors[5][3] == imports.MSG_UNKNOWN_CROP.format(value="土豆王")
        assert "2000" in errors[6][3]  # the model's validator: year ≥ 2000
        assert not CropSeason.objects.exists()

    def test_model_validation_errors_name_the_column(self, world, crops, tmp_path):
        """full_clean runs on every row: the negative area is refused by the model's validator."""
        path = write_xlsx(
            tmp_path / "s.xlsx", SEASON_HEADERS, [["CQ-A", 2025, "夏季", "水稻", -5, None, None]]
        )
        [(row, column, value, reason)] = rejected(world["agent_cq"], path)
        assert (row, column, value) == (2, "播种面积（亩）", "-5")
        assert "0.01" in reason

    def test_the_same_natural_key_twice_in_a_file_is_refused(self, world, crops, tmp_path):
        path = write_xlsx(
            tmp_path / "s.xlsx",
            SEASON_HEADERS,
            [["CQ-A", 2025, "夏季", "水稻", 30, None, None], ["CQ-A", 2025, "夏季", "水稻", 20, None, None]],
        )
        [(row, column, _value, reason)] = rejected(world["agent_cq"], path)
        assert (row, column) == (3, "作物")
        assert reason == imports.MSG_DUPLICATE_ROW.format(row=2, key="农场编号、年份、季节、作物")
        assert not CropSeason.objects.exists()

    def test_sown_area_of_a_season_above_the_farm_area_is_refused(self, world, crops, tmp_path):
        """Farm CQ-A has 100 mu. Stored summer 2025: 30 mu; file: 50 + 30 → 30 + 50 + 30 = 110 mu > 100 mu."""
        crop("maize")
        CropSeasonFactory(farm=world["farm_a"], year=2025, season="summer", crop=crops["wheat"], area_mu=30)
        path = write_xlsx(
            tmp_path / "s.xlsx",
            SEASON_HEADERS,
            [
                ["CQ-A", 2025, "夏季", "水稻", 50, None, None],
                ["CQ-A", 2025, "冬季", "水稻", 90, None, None],  # winter: 90 mu ≤ 100 mu
                ["CQ-A", 2025, "夏季", "玉米", 30, None, None],
            ],
        )
        [(row, column, _value, reason)] = rejected(world["agent_cq"], path)
        assert (row, column) == (2, "播种面积（亩）")
        assert reason == imports.MSG_SEASON_AREA_EXCEEDS.format(
            farm="CQ-A", year=2025, season="夏季", total="110", rows="2、4", farm_area="100"
        )
        assert CropSeason.objects.count() == 1


# -- idempotency and updates ------------------------------------------------------------------------------


class TestReimport:
    def test_importing_the_same_file_twice_creates_nothing_new(self, world, seasons_file):
        run(world["agent_cq"], seasons_file)
        history = CropSeason.history.count()
        report = run(world["agent_cq"], seasons_file)
        assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
        assert CropSeason.objects.count() == 3
        assert CropSeason.history.count() == history

    def test_a_row_matches_a_record_entered_elsewhere_by_its_natural_key(self, world, crops, seasons_file):
        """A season typed in through the API (random id) is found by farm, year, season and crop."""
        typed_in = CropSeasonFactory(
            farm=world["farm_a"], year=2025, season="summer", crop=crops["rice"], area_mu=60, yield_kg=30000
        )
        typed_in.green_certified = True
        typed_in.save()
        report = run(world["agent_cq"], seasons_file)
        assert (report.created, report.unchanged) == (2, 1)
        assert CropSeason.objects.filter(year=2025, season="summer").get().pk == typed_in.pk

    def test_a_changed_row_is_refused_without_update_naming_the_stored_value(
        self, world, seasons_file, tmp_path
    ):
        run(world["agent_cq"], seasons_file)
        changed = write_xlsx(
            tmp_path / "c.xlsx", SEASON_HEADERS, [["CQ-A", 2025, "夏季", "水稻", 60, 31000, "是"]]
        )
        [(row, column, value, reason)] = rejected(world["agent_cq"], changed)
        assert (row, column, value) == (2, "产量（kg）", "31000")
        assert reason == imports.MSG_DIFFERS.format(stored="30000")
        assert CropSeason.objects.get(year=2025, season="summer").yield_kg == Decimal("30000")

    def test_with_update_a_changed_row_updates_the_record_and_history_keeps_both(
        self, world, seasons_file, tmp_path
    ):
        run(world["agent_cq"], seasons_file)
        changed = write_xlsx(
            tmp_path / "c.xlsx", SEASON_HEADERS, [["CQ-A", 2025, "夏季", "水稻", 60, 31000, "是"]]
        )
        report = run(world["admin"], changed, update=True)
        assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
        season = CropSeason.objects.get(year=2025, season="summer")
        assert season.yield_kg == Decimal("31000")
        assert season.updated_by == world["admin"]
        assert season.created_by == world["agent_cq"]
        history = season.history.order_by("history_date")
        assert [(h.yield_kg, h.history_type, h.history_user) for h in history] == [
            (Decimal("30000"), "+", world["agent_cq"]),
            (Decimal("31000"), "~", world["admin"]),
        ]

    def test_unchanged_rows_are_not_refused_for_a_rule_broken_since(self, world, seasons_file):
        """Summer 2025 has 60 mu; the farm shrinks to 50 mu afterwards. Re-importing writes nothing, so
        nothing is refused; a change to that season would be."""
        run(world["agent_cq"], seasons_file)
        Farm.objects.filter(code="CQ-A").update(area_mu=50)
        assert run(world["agent_cq"], seasons_file).unchanged == 3

    def test_a_column_absent_from_the_file_matches_as_its_default(self, world, tmp_path):
        """A sample entered elsewhere is a discharge sample (the default); a file without the 排放口样品
        column names the same sample, and does not add a second one."""
        fish = FarmFactory(code="CQ-FISH", farm_type=FarmType.AQUACULTURE, town=world["chengqiao"])
        TailwaterSample.objects.create(farm=fish, date=dt.date(2025, 7, 1), tn_mg_per_l=Decimal("2.1"))
        headers = ["农场编号", "采样日期", "总氮TN（mg/L）"]
        path = write_xlsx(tmp_path / "t.xlsx", headers, [["CQ-FISH", dt.date(2025, 7, 1), 2.1]])
        assert run(world["agent_cq"], path).unchanged == 1
        assert TailwaterSample.objects.count() == 1

    def test_a_record_id_cannot_move_a_record_to_another_farm(self, world, crops, seasons_file, tmp_path):
        run(world["admin"], seasons_file)
        season = CropSeason.objects.get(year=2025, season="summer")
        path = write_xlsx(
            tmp_path / "m.xlsx",
            [*SEASON_HEADERS, "记录编号"],
            [["XH-B", 2025, "夏季", "水稻", 60, 30000, "是", str(season.pk)]],
        )
        [(row, column, _value, reason)] = rejected(world["admin"], path, update=True)
        assert (row, column) == (2, "记录编号")
        assert reason == imports.MSG_PARENT_CHANGED.format(stored="CQ-A", parent="农场编号")

    def test_a_season_cannot_shrink_below_its_largest_application(self, world, rice_2025, tmp_path):
        FertiliserApplication.objects.create(
            season=rice_2025, product="尿素", n_pct=46, product_kg=10, area_mu=Decimal("45")
        )
        path = write_xlsx(
            tmp_path / "s.xlsx", SEASON_HEADERS, [["CQ-A", 2025, "夏季", "水稻", 40, None, "否"]]
        )
        [(row, column, _value, reason)] = rejected(world["agent_cq"], path, update=True)
        assert (row, column) == (2, "播种面积（亩）")
        assert reason == MSG_SEASON_AREA_BELOW_APPLICATION.format(area="40", largest="45")
        assert CropSeason.objects.get().area_mu == Decimal("50")

    def test_two_imports_of_one_file_at_once_cannot_make_duplicates(
        self, world, crops, seasons_file, monkeypatch
    ):
        """The other import commits between this one's check and its write: the derived ids collide, this
        one is refused with 409 and writes nothing; run again, it finds every row stored."""
        plan = imports._Import.plan

        def plan_then_the_other_import_commits(job):
            plan(job)
            monkeypatch.setattr(imports._Import, "plan", plan)
            records_import(user=world["admin"], content=seasons_file.read_bytes(), file_name="other.xlsx")

        monkeypatch.setattr(imports._Import, "plan", plan_then_the_other_import_commits)
        with pytest.raises(Conflict) as caught:
            run(world["agent_cq"], seasons_file)
        assert caught.value.message == imports.MSG_CONCURRENT_WRITE
        assert CropSeason.objects.count() == 3
        assert set(CropSeason.objects.values_list("created_by__username", flat=True)) == {"admin"}
        assert run(world["agent_cq"], seasons_file).unchanged == 3

    def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(self, world, seasons_file):
        report = run(world["agent_cq"], seasons_file, dry_run=True)
        assert (report.dry_run, report.created) == (True, 3)
        assert not CropSeason.objects.exists()
        assert not CropSeason.history.exists()


# -- access -------------------------------------------------------------------------------------------------


class TestAccess:
    def test_rows_for_a_farm_outside_the_agents_towns_are_errors_and_nothing_is_written(
        self, world, crops, tmp_path
    ):
        path = write_xlsx(
            tmp_path / "s.xlsx",
            SEASON_HEADERS,
            [["CQ-A", 2025, "夏季", "水稻", 60, None, None], ["XH-B", 2025, "夏季", "水稻", 60, None, None]],
        )
        errors = rejected(world["agent_cq"], path)
        assert errors == [
            (
                3,
                "农场编号",
                "XH-B",
                imports.MSG_TOWN_NOT_ASSIGNED.format(town="新河镇", what="农场编号 XH-B "),
            )
        ]
        assert not CropSeason.objects.exists()

    @pytest.mark.parametrize("role", ["operator_a", "committee"])
    def test_operators_and_the_committee_cannot_import_at_all(self, world, seasons_file, role):
        with pytest.raises(PermissionDenied) as caught:
            run(world[role], seasons_file)
        assert caught.value.message == imports.MSG_NO_WRITE_RIGHTS
        assert not CropSeason.objects.exists()

    def test_a_district_sample_outside_the_agents_towns_is_refused(self, world, tmp_path):
        IrrigationDistrictFactory(code="CQ-D1")  # in Chengqiao
        path = write_xlsx(
            tmp_path / "w.xlsx",
            ["灌区编号", "采样日期", "采样点", "水量（m3）", "总氮TN（mg/L）"],
            [["CQ-D1", dt.date(2025, 7, 1), "出水口", 1200, 2.5]],
        )
        [(row, column, _value, reason)] = rejected(world["agent_xh"], path)
        assert (row, column) == (2, "灌区编号")
        assert "城桥镇" in reason
        assert run(world["agent_cq"], path).created == 1
        assert WaterSample.objects.get().point == "outlet"


# -- records that hang from a season, and the other types -----------------------------------------------------


@pytest.fixture
def rice_2025(world, crops):
    return CropSeasonFactory(farm=world["farm_a"], year=2025, season="summer", crop=crops["rice"], area_mu=50)


class TestSeasonRecords:
    def test_applications_find_their_season_by_farm_year_season_and_crop(self, world, rice_2025, tmp_path):
        path = write_xlsx(
            tmp_path / "f.xlsx",
            FERTILISER_HEADERS,
            [
                [
                    "CQ-A",
                    2025,
                    "夏季",
                    "水稻",
                    dt.date(2025, 6, 20),
                    "复合肥 18-15-12",
                    18,
                    15,
                    12,
                    40,
                    50,
                    "侧深施肥",
                    "是",
                ],
                [
                    "CQ-A",
                    2025,
                    "summer",
                    "rice",
                    "2025/7/15",
                    "尿素",
                    "46%",
                    None,
                    None,
                    10,
                    50,
                    "broadcast",
                    "否",
                ],
            ],
        )
        report = run(world["agent_cq"], path)
        assert (report.record_type, report.created) == ("fertiliser-applications", 2)
        compound = FertiliserApplication.objects.get(product="复合肥 18-15-12")
        assert (compound.season, compound.method, compound.slow_release) == (rice_2025, "side_deep", True)
        urea = FertiliserApplication.objects.get(product="尿素")
        assert (urea.date, urea.n_pct, urea.p2o5_pct) == (dt.date(2025, 7, 15), Decimal("46"), Decimal("0"))

    def test_a_percentage_typed_as_18_percent_in_excel_is_stored_as_18(self, world, rice_2025, tmp_path):
        """Excel turns "18%" typed in a cell into 0.18 shown with a % format; the user meant 18 %."""
        path = write_xlsx(
            tmp_path / "f.xlsx",
            FERTILISER_HEADERS,
            [["CQ-A", 2025, "夏季", "水稻", None, "复合肥", 0.18, 0.15, 12, 40, 50, None, None]],
        )
        workbook = openpyxl.load_workbook(path)
        for cell in ("G2", "H2"):
            workbook.active[cell].number_format = "0%"
        workbook.active["I2"].number_format = '0"%"'  # a quoted % is only text: the value is 12
        workbook.save(path)
        run(world["agent_cq"], path)
        stored = FertiliserApplication.objects.get()
        assert (stored.n_pct, stored.p2o5_pct, stored.k2o_pct) == (
            Decimal("18"),
            Decimal("15"),
            Decimal("12"),
        )

    def test_an_unknown_season_is_named(self, world, rice_2025, tmp_path):
        path = write_xlsx(
            tmp_path / "f.xlsx",
            FERTILISER_HEADERS,
            [["CQ-A", 2024, "夏季", "水稻", None, "尿素", 46, 0, 0, 10, 10, None, None]],
        )
        [(row, column, _value, reason)] = rejected(world["agent_cq"], path)
        assert (row, column) == (2, "作物")
        assert reason == imports.MSG_UNKNOWN_SEASON.format(season="CQ-A 2024 年夏季 水稻")

    def test_an_application_larger_than_its_season_is_refused(self, world, rice_2025, tmp_path):
        path = write_xlsx(
            tmp_path / "f.xlsx",
            FERTILISER_HEADERS,
            [["CQ-A", 2025, "夏季", "水稻", None, "尿素", 46, 0, 0, 10, 60, None, None]],
        )
        [(row, column, _value, reason)] = rejected(world["agent_cq"], path)
        assert (row, column) == (2, "施用面积（亩）")
        assert reason == MSG_APPLICATION_AREA_ABOVE_SEASON.format(area="60", season_area="50")

    def test_nutrient_shares_above_100_are_refused_by_the_models_clean(self, world, rice_2025, tmp_path):
        path = write_xlsx(
            tmp_path / "f.xlsx",
            FERTILISER_HEADERS,
            [["CQ-A", 2025, "夏季", "水稻", None, "怪肥", 46, 46, 20, 10, 10, None, None]],
        )
        [(row, column, value, reason)] = rejected(world["agent_cq"], path)
        assert (row, column, value) == (2, "氮N（%）", "46")
        assert "100" in reason

    def test_litres_without_density_are_refused_at_the_density_column(self, world, rice_2025, tmp_path):
        headers = [
            "农场编号",
            "年份",
            "季节",
            "作物",
            "产品名称",
            "有效成分",
            "有效成分含量（%）",
            "用量（kg或L）",
            "单位（kg/L）",
            "施用面积（亩）",
        ]
        path = write_xlsx(
            tmp_path / "p.xlsx",
            headers,
            [["CQ-A", 2025, "夏季", "水稻", "吡虫啉", "imidacloprid", 10, 2, "升", 10]],
        )
        [(row, column, _value, _reason)] = rejected(world["agent_cq"], path)
        assert (row, column) == (2, "密度（kg/L）")  # named although the file lacks the column
        headers.append("密度（kg/L）")
        path = write_xlsx(
            tmp_path / "p.xlsx",
            headers,
            [["CQ-A", 2025, "夏季", "水稻", "吡虫啉", "imidacloprid", 10, 2, "L", 10, 1.1]],
        )
        assert run(world["agent_cq"], path).created == 1
        assert PesticideApplication.objects.get().density_kg_per_l == Decimal("1.1")

    def test_plausibility_warnings_come_with_the_report_once_per_season(self, world, rice_2025, tmp_path):
        """Threshold 15 kg N/mu. Two applications: 40 kg × 46 % = 18.4 kg N each → 36.8 kg N / 50 mu = 0.736
        kg N/mu, no warning; then 2000 kg × 46 % = 920 kg N → (36.8 + 920) / 50 = 19.1 kg N/mu: warned once."""
        reference_value(plausibility.N_RATE_KEY, "15", "kg/mu")
        rows = [
            ["CQ-A", 2025, "夏季", "水稻", dt.date(2025, 6, d), "尿素", 46, 0, 0, kg, 50, None, None]
            for d, kg in ((1, 40), (2, 40))
        ]
        assert (
            run(world["agent_cq"], write_xlsx(tmp_path / "a.xlsx", FERTILISER_HEADERS, rows)).warnings == []
        )
        rows += [["CQ-A", 2025, "夏季", "水稻", dt.date(2025, 6, 3), "尿素", 46, 0, 0, 2000, 50, None, None]]
        report = run(world["agent_cq"], write_xlsx(tmp_path / "b.xlsx", FERTILISER_HEADERS, rows))
        assert (report.created, report.unchanged) == (1, 2)
        [warning] = report.warnings
        assert (warning.row, warning.column, warning.code) == (4, "用量（kg）", plausibility.LARGE_N_RATE)
        assert "19.1" in warning.message


class TestOtherTypes:
    def test_herds_are_refused_on_a_crop_farm(self, world, tmp_path):
        path = write_xlsx(
            tmp_path / "h.xlsx", ["农场编号", "年份", "畜种", "存栏（头/只）"], [["CQ-A", 2025, "生猪", 120]]
        )
        [(row, column, _value, reason)] = rejected(world["agent_cq"], path)
        assert (row, column) == (2, "农场编号")
        assert reason == MSG_WRONG_FARM_TYPE.format(
            record="畜禽存出栏", allowed="畜禽养殖、种养结合", farm="CQ-A", farm_type="种植"
        )
        FarmFactory(code="CQ-PIG", farm_type=FarmType.LIVESTOCK, town=world["chengqiao"])
        path = write_xlsx(
            tmp_path / "h.xlsx", ["农场编号", "年份", "畜种", "存栏（头/只）"], [["CQ-PIG", 2025, "pig", 120]]
        )
        assert run(world["agent_cq"], path).created == 1
        assert LivestockHerd.objects.get().species == "pig"

    def test_a_tailwater_sample_without_any_measurement_is_refused_in_plain_words(self, world, tmp_path):
        FarmFactory(code="CQ-FISH", farm_type=FarmType.AQUACULTURE, town=world["chengqiao"])
        headers = ["农场编号", "采样日期", "排放量（m3）", "总氮TN（mg/L）"]
        path = write_xlsx(tmp_path / "t.xlsx", headers, [["CQ-FISH", "2025-07-01", 300, None]])
        [(row, column, _value, reason)] = rejected(world["agent_cq"], path)
        assert (row, column, reason) == (2, "", imports.CONSTRAINT_REASONS["tailwater_has_a_measurement"][1])
        path = write_xlsx(tmp_path / "t.xlsx", headers, [["CQ-FISH", "2025年7月1日", 300, 2.1]])
        assert run(world["agent_cq"], path).created == 1
        assert TailwaterSample.objects.get().date == dt.date(2025, 7, 1)

    def test_farms_are_created_with_their_villages_and_found_again_by_code(self, world, tmp_path):
        headers = ["农场编号", "农场名称", "类型", "乡镇", "村", "面积（亩）"]
        rows = [
            ["CQ-N1", "新一家庭农场", "种植", "城桥镇", "永南村", 80],
            ["CQ-N2", "新二合作社", "aquaculture", "310151100", "永南村", 120.5],
        ]
        path = write_xlsx(tmp_path / "农场.xlsx", headers, rows, sheet="农场")
        report = run(world["agent_cq"], path)
        assert (report.record_type, report.created) == ("farms", 2)
        assert Village.objects.filter(name="永南村").count() == 1
        assert Farm.objects.get(code="CQ-N2").village.name == "永南村"
        assert Farm.objects.get(code="CQ-N1").history.get().history_user == world["agent_cq"]
        assert run(world["agent_cq"], path).unchanged == 2

    def test_a_farm_in_another_town_or_with_a_bad_code_is_refused(self, world, tmp_path):
        headers = ["农场编号", "农场名称", "类型", "乡镇", "面积（亩）"]
        path = write_xlsx(
            tmp_path / "农场.xlsx",
            headers,
            [["XH-N1", "新河农场", "种植", "新河镇", 80], ["CQ N2", "坏编号农场", "种植", "城桥镇", 80]],
            sheet="农场",
        )
        errors = rejected(world["agent_cq"], path)
        assert [(row, column) for row, column, _v, _r in errors] == [(2, "乡镇"), (3, "农场编号")]
        assert errors[1][3] == imports.MSG_BAD_CODE
        assert not Farm.objects.filter(code__in=["XH-N1", "CQ N2"]).exists()


# -- the file itself --------------------------------------------------------------------------------------------


RUNOFF_HEADERS = [
    "农场编号",
    "监测地块编号",
    "年份",
    "季节",
    "作物",
    "季内降雨量（mm）",
    "施氮量（kg N/公顷）",
    "施磷量（kg P/公顷，纯磷）",
    "缓控释肥占比（0-1）",
    "径流TN负荷（kg/公顷）",
    "径流TP负荷（kg/公顷）",
]


class TestRunoffObservations:
    """Measured field or plot runoff loads: the runoff model's training data, imported like any record."""

    def test_a_monitoring_file_imports_and_reimports_without_duplicates(self, world, crops, tmp_path):
        path = write_csv(
            tmp_path / "径流.csv",
            RUNOFF_HEADERS,
            [
                ["CQ-A", "P1", 2024, "夏季", "水稻", 705.5, 240, 39.3, 0, 14.2, 0.61],
                ["CQ-A", "P2", 2024, "夏季", "水稻", 705.5, 180, 39.3, "35%", 9.8, None],
                ["CQ-A", "P1", 2025, "冬季", "小麦", 320, 200, None, 0, 5.1, None],
            ],
        )
        report = run(world["agent_cq"], path)
        assert (report.record_type, report.created) == ("runoff-observations", 3)
        p2 = RunoffObservation.objects.get(plot_code="P2")
        assert (p2.crop.code, p2.slow_release_share, p2.tp_load_kg_per_ha) == ("rice", Decimal("0.35"), None)
        assert p2.data_source == "measured" and p2.created_by == world["agent_cq"]
        again = run(world["agent_cq"], path)
        assert (again.created, again.unchanged) == (0, 3)
        assert RunoffObservation.objects.count() == 3

    def test_the_imported_seasons_are_in_the_training_data(self, world, crops, tmp_path):
        path = write_csv(
            tmp_path / "径流.csv",
            RUNOFF_HEADERS,
            [["CQ-A", "P1", 2024, "夏季", "水稻", 705.5, 240, 39.3, 0, 14.2, 0.61]],
        )
        run(world["agent_cq"], path)
        frame, excluded = runoff_selectors.observation_rows(target="tn")
        assert excluded == []
        assert list(frame[runoff_selectors.LOAD]) == [14.2] and list(frame[runoff_selectors.RATE]) == [240.0]

    def test_a_row_without_any_load_or_with_a_share_above_1_is_refused_at_its_column(
        self, world, crops, tmp_path
    ):
        path = write_csv(
            tmp_path / "径流.csv",
            RUNOFF_HEADERS,
            [
                ["CQ-A", "P1", 2024, "夏季", "水稻", 705.5, 240, 39.3, 0, None, None],
                ["CQ-A", "P2", 2024, "夏季", "水稻", 705.5, 240, 39.3, 1.5, 14.2, None],
            ],
        )
        errors = rejected(world["agent_cq"], path)
        assert errors[0][:2] == (2, "径流TN负荷（kg/公顷）")
        assert errors[0][3] == imports.CONSTRAINT_REASONS["runoff_observation_has_a_load"][1]
        assert errors[1][:3] == (3, "缓控释肥占比（0-1）", "1.5")
        assert len(errors) == 2 and not RunoffObservation.objects.exists()

    def test_a_load_above_the_rate_is_stored_with_a_warning_at_the_load_column(self, world, crops, tmp_path):
        """14.2 kg/mu typed where kg/ha is asked: a load of 213 kg/ha against 240 kg/ha applied is fine, but
        a rate typed per mu (16 kg/mu) below a load per ha (14.2 < 16) is not caught; a load of 30 is."""
        path = write_csv(
            tmp_path / "径流.csv",
            RUNOFF_HEADERS,
            [["CQ-A", "P1", 2024, "夏季", "水稻", 705.5, 16, 2.6, 0, 30, 0.6]],
        )
        report = run(world["agent_cq"], path)
        assert report.created == 1
        [warning] = report.warnings
        assert (warning.row, warning.column, warning.code) == (
            2,
            "径流TN负荷（kg/公顷）",
            plausibility.RUNOFF_TN_ABOVE_N_RATE,
        )
        assert "30" in warning.message and "16" in warning.message

    def test_an_agent_of_another_town_cannot_import_observations_of_this_farm(self, world, crops, tmp_path):
        path = write_csv(
            tmp_path / "径流.csv",
            RUNOFF_HEADERS,
            [["CQ-A", "P1", 2024, "夏季", "水稻", 705.5, 240, 39.3, 0, 14.2, 0.61]],
        )
        [(row, column, _value, _reason)] = rejected(world["agent_xh"], path)
        assert (row, column) == (2, "农场编号") and not RunoffObservation.objects.exists()


class TestFileErrors:
    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("report.pdf", b"%PDF-1.7\n%binary", reading.MSG_WRONG_FILE_TYPE),
            ("notes.txt", "农场编号,年份\nCQ-A,2025\n".encode(), reading.MSG_WRONG_FILE_TYPE),
            ("fake.xlsx", b"this is not a workbook", reading.MSG_BAD_XLSX),
            ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, reading.MSG_OLD_EXCEL),
            ("pdf-in-disguise.csv", b"%PDF-1.7\n", reading.MSG_WRONG_FILE_TYPE),
            ("empty.csv", b"", reading.MSG_EMPTY_FILE),
            ("blank.csv", b"\r\n\r\n", reading.MSG_EMPTY_FILE),
        ],
    )
    def test_a_file_that_is_not_a_table_is_refused_naming_it(self, world, tmp_path, name, content, message):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ImportFileError) as caught:
            run(world["agent_cq"], tmp_path / name, record_type="seasons")
        assert caught.value.message == message.format(file=name)

    def test_a_header_without_rows_is_refused(self, world, tmp_path):
        path = write_csv(tmp_path / "s.csv", SEASON_HEADERS, [])
        with pytest.raises(ImportFileError) as caught:
            run(world["agent_cq"], path)
        assert caught.value.message == reading.MSG_NO_ROWS.format(file="s.csv")

    def test_a_csv_row_longer_than_the_header_is_refused_naming_the_line(self, world, tmp_path):
        (tmp_path / "s.csv").write_text("农场编号,年份\nCQ-A,2025\nCQ-A,2025,多余\n", encoding="utf-8-sig")
        with pytest.raises(ImportFileError) as caught:
            run(world["agent_cq"], tmp_path / "s.csv", record_type="seasons")
        assert caught.value.message == reading.MSG_CSV_RAGGED.format(file="s.csv", line=3)

    def test_a_workbook_with_two_record_sheets_needs_the_type(self, world, crops, tmp_path):
        path = write_xlsx(
            tmp_path / "two.xlsx", SEASON_HEADERS, [["CQ-A", 2025, "夏季", "水稻", 1, None, None]]
        )
        workbook = openpyxl.load_workbook(path)
        workbook.active.title = "作物茬口"
        workbook.create_sheet("施肥记录").append(FERTILISER_HEADERS)
        workbook.save(path)
        with pytest.raises(ImportFileError) as caught:
            run(world["agent_cq"], path)
        assert caught.value.message == reading.MSG_SEVERAL_SHEETS.format(
            file="two.xlsx", sheets="作物茬口、施肥记录"
        )
        assert run(world["agent_cq"], path, record_type="seasons").created == 1

    def test_missing_and_unknown_columns_are_named(self, world, crops, tmp_path):
        headers = ["农场编号", "年份", "季节", "作物", "产量（公斤）"]
        path = write_xlsx(tmp_path / "s.xlsx", headers, [["CQ-A", 2025, "夏季", "水稻", 1]], sheet="作物茬口")
        errors = rejected(world["agent_cq"], path)
        assert sorted(errors) == sorted(
            [
                (1, "产量（公斤）", "产量（公斤）", reading.MSG_UNKNOWN_COLUMN.format(column="产量（公斤）")),
                (1, "播种面积（亩）", "", reading.MSG_MISSING_COLUMN.format(column="播种面积（亩）")),
            ]
        )

    def test_an_unknown_type_and_a_file_whose_type_cannot_be_told_are_refused(self, world, tmp_path):
        path = write_csv(tmp_path / "x.csv", ["甲", "乙"], [["1", "2"]])
        with pytest.raises(ImportFileError) as caught:
            run(world["agent_cq"], path, record_type="spaceships")
        assert caught.value.message.startswith("未知记录类型“spaceships”")
        with pytest.raises(ImportFileError) as caught:
            run(world["agent_cq"], path)
        assert caught.value.message.startswith("无法从工作表名或表头判断文件“x.csv”的记录类型")


class TestBulkQueries:
    def test_foreign_keys_are_looked_up_once_per_file_not_once_per_row(self, world, rice_2025, tmp_path):
        """The farm and season tables are read the same number of times for 2 rows as for 40."""

        def lookups(n: int) -> int:
            rows = [
                [
                    "CQ-A",
                    2025,
                    "夏季",
                    "水稻",
                    dt.date(2025, 6, 1) + dt.timedelta(days=i),
                    "尿素",
                    46,
                    0,
                    0,
                    1,
                    1,
                    None,
                    None,
                ]
                for i in range(n)
            ]
            path = write_xlsx(tmp_path / f"f{n}.xlsx", FERTILISER_HEADERS, rows)
            with CaptureQueriesContext(connection) as queries:
                run(world["agent_cq"], path, dry_run=True)
            return sum(
                1
                for q in queries.captured_queries
                if q["sql"].startswith("SELECT")
                and ('FROM "registry_farm"' in q["sql"] or 'FROM "practices_cropseason"' in q["sql"])
            )

        assert lookups(2) == lookups(40) <= 3


# -- the layouts -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", list(LAYOUTS.values()), ids=lambda layout: layout.record_type.value)
def test_a_layout_has_a_column_for_every_field_and_requires_what_the_model_requires(layout):
    """So an export loses nothing, and a missing value is caught as a missing column, not a database error."""
    model = layout.model
    audit = {"id", "created_at", "created_by", "updated_at", "updated_by", "visit"}
    fields = {f.name for f in model._meta.concrete_fields} - audit
    covered = {c.field for c in layout.columns if c.field} | {"season", "village"}
    assert fields <= covered
    for column in layout.columns:
        if column.field is None:
            continue
        field = model._meta.get_field(column.field)
        assert column.required == (not field.blank and not field.null and not field.has_default()), column.key


# -- the command -------------------------------------------------------------------------------------------------


class TestCommand:
    def test_imports_a_good_file_and_prints_the_counts(self, world, seasons_file, capsys):
        call_command("import_records", str(seasons_file), "--user", "agent_cq")
        out = capsys.readouterr().out
        assert "新建 3，更新 0，未变 0" in out
        assert CropSeason.objects.count() == 3

    def test_refuses_a_bad_file_listing_every_error_and_exits_non_zero(self, world, crops, tmp_path, capsys):
        path = write_xlsx(
            tmp_path / "s.xlsx",
            SEASON_HEADERS,
            [["CQ-A", 2025, "夏季", "水稻", "x", None, None], ["XH-B", 2025, "夏季", "水稻", 1, None, None]],
        )
        with pytest.raises(CommandError) as caught:
            call_command("import_records", str(path), "--user", "agent_cq", "--type", "作物茬口")
        assert str(caught.value) == "导入失败：文件“s.xlsx”有 2 个错误，未写入任何记录。"
        err = capsys.readouterr().err
        assert "第 2 行 [E2] 播种面积（亩） 值“x”：不是有效的数字。" in err
        assert "第 3 行 [A3] 农场编号 值“XH-B”：您未被分配到乡镇“新河镇”" in err
        assert not CropSeason.objects.exists()

    @pytest.mark.parametrize("name", ["seasons", "crop_seasons", "作物茬口"])
    def test_the_type_may_be_named_by_slug_short_name_or_sheet_name(self, world, seasons_file, name):
        call_command("import_records", str(seasons_file), "--user", "agent_cq", "--type", name)
        assert CropSeason.objects.count() == 3

    def test_an_unknown_type_or_user_is_refused(self, world, seasons_file):
        with pytest.raises(CommandError, match="未知记录类型“spaceships”"):
            call_command("import_records", str(seasons_file), "--user", "agent_cq", "--type", "spaceships")
        with pytest.raises(CommandError, match="用户不存在或已停用：nobody"):
            call_command("import_records", str(seasons_file), "--user", "nobody")

    def test_a_dry_run_writes_nothing(self, world, seasons_file, capsys):
        call_command("import_records", str(seasons_file), "--user", "agent_cq", "--dry-run")
        assert "试导入（未写入）" in capsys.readouterr().out
        assert not CropSeason.objects.exists()

    def test_a_wrong_file_type_is_a_clear_error(self, world, tmp_path):
        (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
        with pytest.raises(CommandError, match=r"文件“a\.pdf”不是 Excel"):
            call_command("import_records", str(tmp_path / "a.pdf"), "--user", "agent_cq")

    def test_a_filled_in_template_imports(self, world, crops, tmp_path):
        """The template's instructions sheet is skipped and its data sheet names the type."""
        call_command("import_template", "--type", "seasons", "-o", str(tmp_path))
        path = tmp_path / "作物茬口-导入模板.xlsx"
        workbook = openpyxl.load_workbook(path)
        workbook["作物茬口"].append(["CQ-A", 2025, "夏季", "水稻", 60, 30000, "是", "机插秧"])
        workbook.save(path)
        call_command("import_records", str(path), "--user", "agent_cq")
        assert CropSeason.objects.get().note == "机插秧"

    def test_templates_are_written_for_every_type_with_chinese_headers(self, world, tmp_path):
        call_command("import_template", "-o", str(tmp_path))
        fertiliser = pd.read_excel(tmp_path / "施肥记录-导入模板.xlsx", sheet_name="施肥记录")
        assert list(fertiliser.columns)[:6] == ["农场编号", "年份", "季节", "作物", "施用日期", "产品名称"]
        assert len(list(tmp_path.glob("*.xlsx"))) == len(LAYOUTS) == 11
        call_command("import_template", "--type", "herds", "--format", "csv", "-o", str(tmp_path / "h.csv"))
        assert (
            (tmp_path / "h.csv")
            .read_text(encoding="utf-8-sig")
            .startswith("农场编号,年份,畜种,存栏（头/只）")
        )


# -- the API ---------------------------------------------------------------------------------------------------------


def upload(path: Path) -> dict:
    return {"FILES": {"file": SimpleUploadedFile(path.name, path.read_bytes())}}


class TestApi:
    def test_an_upload_imports_and_reports_the_counts(self, world, api_client, seasons_file):
        response = api_client(world["agent_cq"]).post("/imports/seasons", **upload(seasons_file))
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["created"], body["unchanged"], body["file"], body["dry_run"]) == (
            3,
            0,
            "茬口.xlsx",
            False,
        )
        again = api_client(world["agent_cq"]).post("/imports/seasons", **upload(seasons_file))
        assert (again.json()["created"], again.json()["unchanged"]) == (0, 3)

    def test_a_file_with_bad_rows_gets_422_with_every_row_and_nothing_is_written(
        self, world, api_client, crops, tmp_path
    ):
        path = write_xlsx(
            tmp_path / "s.xlsx",
            SEASON_HEADERS,
            [
                ["CQ-A", 2025, "夏季", "水稻", 60, None, None],
                ["XH-B", 2025, "夏季", "水稻", 60, None, None],
                ["CQ-A", 2025, "冬季", "水稻", "abc", None, None],
            ],
        )
        response = api_client(world["agent_cq"]).post("/imports/seasons", **upload(path))
        assert response.status_code == 422
        body = response.json()
        assert (body["file"], body["error_count"], body["rows"]) == ("s.xlsx", 2, 3)
        assert [(e["row"], e["column"], e["value"], e["cell"]) for e in body["detail"]] == [
            (3, "农场编号", "XH-B", "A3"),
            (4, "播种面积（亩）", "abc", "E4"),
        ]
        assert body["detail"][1]["reason"] == body["detail"][1]["msg"] == cells.MSG_NOT_A_NUMBER
        assert body["detail"][1]["loc"] == ["body", "file", 4, "area_mu"]
        assert not CropSeason.objects.exists()

    @pytest.mark.urls("tests.practices.test_import")
    def test_a_real_multipart_upload_through_the_whole_stack(self, world, seasons_file):
        _token, key = token_issue(user=world["agent_cq"], name="upload")
        with seasons_file.open("rb") as fh:
            response = Client().post(
                "/api/v1/imports/seasons?dry_run=true",
                {"file": fh},
                headers={"Authorization": f"Bearer {key}"},
            )
        assert response.status_code == 200, response.content
        assert response.json()["created"] == 3
        download = Client().get("/api/v1/exports/seasons.xlsx", headers={"Authorization": f"Bearer {key}"})
        assert download.status_code == 200
        assert "filename*=utf-8''" in download["Content-Disposition"]

    def test_a_wrong_file_type_gets_400_naming_the_file(self, world, api_client, tmp_path):
        (tmp_path / "notes.txt").write_text("hello")
        response = api_client(world["agent_cq"]).post("/imports/seasons", **upload(tmp_path / "notes.txt"))
        assert response.status_code == 400
        assert response.json()["detail"] == reading.MSG_WRONG_FILE_TYPE.format(file="notes.txt")

    def test_a_file_above_the_size_limit_is_refused_before_it_is_read(
        self, world, api_client, seasons_file, monkeypatch
    ):
        monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1024 * 1024 // 2)
        (big := seasons_file.with_name("big.csv")).write_bytes(b"x" * (1024 * 1024))
        response = api_client(world["agent_cq"]).post("/imports/seasons", **upload(big))
        assert response.status_code == 400
        assert response.json()["detail"] == reading.MSG_FILE_TOO_LARGE.format(file="big.csv", limit=0)

    def test_an_operator_gets_403_and_anonymous_401(self, world, api_client, seasons_file):
        assert (
            api_client(world["operator_a"]).post("/imports/seasons", **upload(seasons_file)).status_code
            == 403
        )
        assert api_client(None).post("/imports/seasons", **upload(seasons_file)).status_code == 401
        assert not CropSeason.objects.exists()

    def test_an_unknown_record_type_is_422(self, world, api_client, seasons_file):
        response = api_client(world["agent_cq"]).post("/imports/spaceships", **upload(seasons_file))
        assert response.status_code == 422

    def test_dry_run_and_update_are_query_parameters(self, world, api_client, seasons_file):
        client = api_client(world["agent_cq"])
        response = client.post("/imports/seasons?dry_run=true", **upload(seasons_file))
        assert (response.json()["dry_run"], response.json()["created"]) == (True, 3)
        assert not CropSeason.objects.exists()

    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_blank_templates_download(self, world, api_client, fmt, tmp_path):
        response = api_client(world["operator_a"]).get(f"/imports/templates/fertiliser-applications.{fmt}")
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        path = tmp_path / f"t.{fmt}"
        path.write_bytes(response.content)
        frame = pd.read_excel(path) if fmt == "xlsx" else pd.read_csv(path, encoding="utf-8-sig")
        assert list(frame.columns) == [*FERTILISER_HEADERS, "测土配方", "有机肥", "备注", "记录编号"]
        assert frame.empty
