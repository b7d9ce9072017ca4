"""Compliance: each indicator against its target, with the farms and districts behind the rate, and the
`compliance` management command. Reference figures and targets from data/*.csv (manure facility matching
100 % by 2027, straw utilisation ≥ 96 % for 2020, film recovery ≥ 80 % for 2020, district monitoring
100 % by 2027); extra targets are added per test."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from farmadvice.core.errors import PermissionDenied
from farmadvice.indicators.compliance import ComplianceStatus, compliance_report
from farmadvice.indicators.queries import SYSTEM_READER
from farmadvice.registry.models import FarmType
from tests.factories.indicators import facility, fertiliser, herd, load_reference, season, straw, target
from tests.factories.registry import FarmFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
CHENGQIAO, XINHE, DISTRICT = "310151100", "310151102", "310151"


@pytest.fixture
def data(world):
    load_reference()
    chengqiao, xinhe = world["chengqiao"], world["xinhe"]
    rice = season(world["farm_a"], yield_kg="25000")  # 21.25 t collectable (25 × 1.00 × 0.85)
    straw(rice, "field_return", "15000")
    straw(rice, "feed", "2000", off_field=True)  # 17 / 21.25 = 80 %
    fertiliser(rice, kg="1000", n="18", p="15", k="12")  # 450 kg / 50 mu = 9 kg/mu
    over = season(world["farm_b"], area="10", yield_kg="5000")  # 4.25 t collectable
    straw(over, "field_return", "5000")  # 5 / 4.25 = 117.6 %: flagged
    p1 = FarmFactory(code="PIG-1", name="一号猪场", farm_type=FarmType.LIVESTOCK, town=chengqiao)
    herd(p1, stock=600, output=1200)  # needs 972 m3 liquid, 108 m3 solid, 428.57 mu
    facility(p1, liquid="852", solid="108", land="500")
    p3 = FarmFactory(code="PIG-3", farm_type=FarmType.LIVESTOCK, town=xinhe)
    herd(p3, stock=300, output=500)  # needs 486 m3, 54 m3, 214.29 mu
    facility(p3, liquid="500", solid="60", land="220")
    return world


def row(report, indicator, scope_code):
    found = [r for r in report.rows if r.indicator == indicator and r.scope_code == scope_code]
    assert len(found) == 1
    return found[0]


def test_a_later_target_is_shown_as_worked_toward_with_the_gap(data):
    """Manure matching 100 % by 2027, for 2025: not judged yet; 50 % matched, 50 points to go."""
    report = compliance_report(user=SYSTEM_READER, year=YEAR)
    manure = row(report, "manure_facility_matching_pct", DISTRICT)
    assert manure.value == pytest.approx(50.0)  # PIG-3 matched, PIG-1 not
    assert manure.target.year == 2027 and manure.target.due is False
    assert manure.status == ComplianceStatus.WORKING_TOWARD
    assert manure.met is False
    assert manure.gap == pytest.approx(50.0)  # 100 − 50


def test_the_farms_behind_the_rate_and_why_they_fail(data):
    report = compliance_report(user=SYSTEM_READER, year=YEAR)
    manure = row(report, "manure_facility_matching_pct", CHENGQIAO)
    assert (manure.counted, manure.passing, manure.failing, manure.not_assessed) == (1, 0, 1, None)
    [item] = manure.items
    assert (item.code, item.name, item.passing) == ("PIG-1", "一号猪场", False)
    assert item.reasons == ("液体贮存容积缺 120 m3（需 972，现有 852）",)
    assert item.detail["failures"][0]["message"] == "liquid storage short by 120 m3 (needs 972, has 852)"
    district = row(report, "manure_facility_matching_pct", DISTRICT)
    assert [i.code for i in district.items] == ["PIG-1", "PIG-3"]


def test_a_large_scale_farm_without_a_facility_record_is_counted_and_failing(data):
    """Counted = the rate's denominator (every large-scale farm); the farm without a record fails with why."""
    sheep = FarmFactory(code="SHEEP-1", name="羊场", farm_type=FarmType.LIVESTOCK, town=data["chengqiao"])
    herd(sheep, "sheep_goat", stock=150, output=200, method="flushing")  # large-scale, no facility record
    report = compliance_report(user=SYSTEM_READER, year=YEAR)
    district = row(report, "manure_facility_matching_pct", DISTRICT)
    assert district.value == pytest.approx(100 / 3)  # PIG-3 matched of PIG-1, PIG-3 and SHEEP-1
    assert (district.counted, district.passing, district.failing) == (3, 1, 2)
    assert district.counted == district.figures["large_scale_farms"] == len(district.items)
    chengqiao = row(report, "manure_facility_matching_pct", CHENGQIAO)
    assert (chengqiao.counted, chengqiao.passing, chengqiao.failing) == (2, 0, 2)
    item = next(i for i in chengqiao.items if i.code == "SHEEP-1")
    assert item.passing is False
    assert item.reasons == ("2025 年无粪污处理设施记录，按未配套计",)


def test_an_earlier_target_stays_the_level_to_hold(data):
    """Straw ≥ 96 % for 2020 still applies in 2025: Chengqiao's 80 % does not meet it."""
    straw_row = row(compliance_report(user=SYSTEM_READER, year=YEAR), "straw_utilisation_pct", CHENGQIAO)
    assert straw_row.target.year == 2020 and straw_row.target.due is True
    assert straw_row.status == ComplianceStatus.NOT_MET
    assert straw_row.gap == pytest.approx(16.0)  # 96 − 80


def test_a_target_for_the_year_is_judged_and_wins_over_later_and_earlier_ones(data):
    target("straw_utilisation_pct", "75", year=YEAR)
    target("straw_utilisation_pct", "99", year=2030)
    straw_row = row(compliance_report(user=SYSTEM_READER, year=YEAR), "straw_utilisation_pct", CHENGQIAO)
    assert straw_row.target.value == 75 and straw_row.target.year == YEAR
    assert straw_row.status == ComplianceStatus.MET
    assert straw_row.gap == pytest.approx(-5.0)  # 75 − 80: beyond the target


def test_a_towns_own_target_wins_over_the_districts_for_the_same_year(data):
    target("fertiliser_intensity_kg_per_mu", "20", year=YEAR, direction="at_most")
    target("fertiliser_intensity_kg_per_mu", "8", year=YEAR, direction="at_most", town=data["chengqiao"])
    report = compliance_report(user=SYSTEM_READER, year=YEAR)
    chengqiao = row(report, "fertiliser_intensity_kg_per_mu", CHENGQIAO)
    assert chengqiao.target.value == 8 and chengqiao.target.scope == "town"
    assert chengqiao.status == ComplianceStatus.NOT_MET  # 9 kg/mu > 8
    assert chengqiao.gap == pytest.approx(1.0)  # 9 − 8 (an "at most" target)
    assert row(report, "fertiliser_intensity_kg_per_mu", DISTRICT).target.value == 20


def test_a_missing_value_neither_meets_nor_misses(data):
    film = row(compliance_report(user=SYSTEM_READER, year=YEAR), "film_recovery_pct", CHENGQIAO)
    assert film.value is None
    assert film.status == ComplianceStatus.MISSING and film.met is None and film.gap is None


def test_an_indicator_without_target(data):
    side_deep = row(compliance_report(user=SYSTEM_READER, year=YEAR), "side_deep_coverage_pct", CHENGQIAO)
    assert side_deep.value == 0.0
    assert side_deep.status == ComplianceStatus.NO_TARGET


def test_used_above_collectable_is_flagged_farm_by_farm(data):
    report = compliance_report(user=SYSTEM_READER, year=YEAR)
    assert row(report, "straw_utilisation_pct", XINHE).flags == (
        "XH-B 乙农场：秸秆利用量 5 t 高于可收集量 4.25 t（如实报告，不封顶）",
    )
    assert row(report, "straw_utilisation_pct", XINHE).value == pytest.approx(5 / 4.25 * 100)
    assert row(report, "straw_utilisation_pct", CHENGQIAO).flags == ()


def test_provisional_figures_are_reported(data):
    report = compliance_report(user=SYSTEM_READER, year=YEAR)
    straw_row = row(report, "straw_utilisation_pct", DISTRICT)
    assert {"straw_grain_ratio[rice]", "collection_coefficient[rice]"} <= {
        u.name for u in straw_row.provisional
    }
    assert all(use.provisional for use in report.provisional)
    assert "manure_storage_days" in {use.name for use in report.provisional}


def test_a_provisional_target_is_reported_too(data):
    target("side_deep_coverage_pct", "30", status="provisional")
    side_deep = row(compliance_report(user=SYSTEM_READER, year=YEAR), "side_deep_coverage_pct", DISTRICT)
    assert [use.name for use in side_deep.provisional] == [
        f"target[side_deep_coverage_pct][{DISTRICT}][{YEAR}]"
    ]


def test_one_town(data):
    report = compliance_report(user=SYSTEM_READER, year=YEAR, town="新河镇")
    assert {r.scope_code for r in report.rows} == {XINHE}
    assert report.town_code == XINHE
    assert len(report.rows) == 17  # every indicator once


def test_operators_may_not_see_compliance(data):
    with pytest.raises(PermissionDenied):
        compliance_report(user=data["operator_a"], year=YEAR)


def test_agents_and_the_committee_see_every_town(data):
    for user in (data["agent_xh"], data["committee"]):
        report = compliance_report(user=user, year=YEAR)
        assert {r.scope_code for r in report.rows} >= {DISTRICT, CHENGQIAO, XINHE}


# --- The command -----------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("compliance", *args, stdout=out)
    return out.getvalue()


def test_command_table_lists_failures_flags_and_provisional_figures(data):
    text = run("--year", "2025")
    assert "规模养殖场粪污处理设施装备配套率" in text
    assert "PIG-1 一号猪场：液体贮存容积缺 120 m3（需 972，现有 852）" in text
    assert "秸秆利用量 5 t 高于可收集量 4.25 t" in text
    assert "暂定" in text and "manure_storage_days" in text


def test_command_csv(data):
    lines = run("--year", "2025", "--town", "Chengqiao", "--format", "csv").splitlines()
    assert lines[0].startswith("indicator,label,scope,scope_code")
    assert len(lines) == 1 + 17
    assert any(
        line.startswith("manure_facility_matching_pct,") and ",working_toward," in line for line in lines
    )


def test_command_json(data):
    payload = json.loads(run("--year", "2025", "--format", "json"))
    assert payload["year"] == 2025
    manure = next(
        r
        for r in payload["rows"]
        if r["indicator"] == "manure_facility_matching_pct" and r["scope"] == "district"
    )
    assert manure["value"] == 50.0 and manure["status"] == "working_toward"
    assert manure["items"][0]["reasons"] == ["液体贮存容积缺 120 m3（需 972，现有 852）"]
    assert any(use["name"] == "manure_storage_days" for use in payload["provisional"])


def test_command_refuses_an_unknown_town(data):
    with pytest.raises(CommandError, match="乡镇不存在：Atlantis"):
        run("--year", "2025", "--town", "Atlantis")


def test_the_reports_and_farm_pages_read_each_indicator_against_the_dashboards_target(data):
    """One rule for every reader: with straw targets for 2020 (96 %) and 2030 (99 %) and a town's own
    target for 2030 (98 %), 2025 is judged against the nearest later one -- the town's, the same year as
    the district's -- on the dashboard, in the report and on the farm page alike."""
    from farmadvice.indicators.compliance import targets_applying
    from reports.context import targets_for

    target("straw_utilisation_pct", "99", year=2030)
    target("straw_utilisation_pct", "98", year=2030, town=data["chengqiao"])
    report = compliance_report(user=SYSTEM_READER, year=YEAR)
    dashboard = row(report, "straw_utilisation_pct", CHENGQIAO).target
    in_report = targets_for(data["farm_a"], YEAR)["straw_utilisation_pct"]
    assert (dashboard.value, dashboard.year, dashboard.town_code) == (98.0, 2030, CHENGQIAO)
    assert in_report == dashboard
    assert targets_applying(year=YEAR, town_code=None)["straw_utilisation_pct"].value == 99.0
    assert in_report.is_met(97.5) is False and in_report.is_met(None) is None
