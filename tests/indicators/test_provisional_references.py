"""Every report that rests on a provisional figure says so (INDICATORS.md, preamble): the reduction base
years (a `Baseline` with source, status and valid_from) and the targets whose year is ours.

data/baselines.csv sets the district's base year 2022, provisional, from 2020-01-01, for fertiliser and
pesticide. data/targets.csv gives tailwater compliance and district monitoring 100 % by 2027, provisional
(INDICATORS.md gives no year). Every expected figure has its arithmetic beside it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from farmadvice.indicators import queries
from farmadvice.indicators.compliance import compliance_report
from farmadvice.indicators.models import Baseline, Target
from farmadvice.indicators.queries import SYSTEM_READER
from farmadvice.reference.loading import (
    MSG_FIRMER_STATUS,
    MSG_STATUS_CORRECTED,
    ReferenceDataError,
    load_reference,
)
from tests.factories.indicators import fertiliser, pesticide, season
from tests.reference.csvfiles import DATA_DIR, copy_data, row_number, set_cell

pytestmark = pytest.mark.django_db

YEAR = 2025
DISTRICT, XINHE = "310151", "310151102"
FERTILISER_BASE_YEAR = f"base_year[fertiliser][{DISTRICT}]"
PESTICIDE_BASE_YEAR = f"base_year[pesticide][{DISTRICT}]"
OUR_YEAR_TARGETS = ("tailwater_compliance_pct", "district_monitoring_pct")


@pytest.fixture
def loaded(world):
    load_reference(DATA_DIR)
    return world


@pytest.fixture
def reduced(loaded):
    """CQ-A: 2022 (the base year) 1000 kg of 18-15-12 on 50 mu, 450 kg pure nutrient: 9.0 kg/mu;
    2025 800 kg on 50 mu, 360 kg: 7.2 kg/mu. Pesticide 2.5 kg a.i. on 50 mu in 2022 (0.05 kg/mu), 2.0 kg
    in 2025 (0.04 kg/mu)."""
    farm_a = loaded["farm_a"]
    then, now = season(farm_a, area="50", year=2022), season(farm_a, area="50")
    fertiliser(then, kg="1000", n="18", p="15", k="12")
    fertiliser(now, kg="800", n="18", p="15", k="12")
    pesticide(then, amount="5", ai_pct="50")
    pesticide(now, amount="4", ai_pct="50")
    return loaded


def official_base_year(kind: str, **scope) -> Baseline:
    """The committee confirms a base year: a new row from 2025-01-01, the provisional one kept."""
    return Baseline.objects.create(
        kind=kind,
        scope=scope.pop("scope", "district"),
        base_year=scope.pop("base_year", 2022),
        source="committee decision (test)",
        status="official",
        valid_from=dt.date(2025, 1, 1),
        **scope,
    )


def compliance_row(indicator: str, scope_code: str, year: int = YEAR):
    report = compliance_report(user=SYSTEM_READER, year=year)
    (found,) = [r for r in report.rows if r.indicator == indicator and r.scope_code == scope_code]
    return found


# --- The base year -----------------------------------------------------------------------------------


def test_the_loaded_district_base_years_keep_their_provisional_status(loaded):
    rows = Baseline.objects.filter(scope="district").order_by("kind")
    assert [(b.kind, b.base_year, b.status, b.valid_from) for b in rows] == [
        ("fertiliser", 2022, "provisional", dt.date(2020, 1, 1)),
        ("pesticide", 2022, "provisional", dt.date(2020, 1, 1)),
    ]


def test_a_fertiliser_reduction_lists_its_provisional_base_year(reduced):
    """District 2025: (9.0 − 7.2) / 9.0 × 100 = 20 %, measured from the provisional 2022."""
    fertiliser_row = compliance_row("fertiliser_reduction_pct", DISTRICT)

    assert fertiliser_row.value == pytest.approx(20.0)
    assert fertiliser_row.figures["base_year"] == 2022
    (use,) = [u for u in fertiliser_row.provisional if u.name == FERTILISER_BASE_YEAR]
    assert (use.value, use.status, use.valid_from) == ("2022", "provisional", dt.date(2020, 1, 1))
    assert "provisional" in use.source.lower()


def test_a_pesticide_reduction_lists_its_provisional_base_year(reduced):
    """District 2025: (0.05 − 0.04) / 0.05 × 100 = 20 %."""
    pesticide_row = compliance_row("pesticide_reduction_pct", DISTRICT)

    assert pesticide_row.value == pytest.approx(20.0)
    assert PESTICIDE_BASE_YEAR in {u.name for u in pesticide_row.provisional}
    assert FERTILISER_BASE_YEAR not in {u.name for u in pesticide_row.provisional}


def test_a_reduction_from_an_official_base_year_lists_no_provisional_base_year(reduced):
    """The same 2022 confirmed from 2025-01-01: the same 20 %, and no provisional base year behind it
    (its target, our reading of the zero-growth plan, is provisional itself)."""
    official_base_year("fertiliser")

    fertiliser_row = compliance_row("fertiliser_reduction_pct", DISTRICT)

    assert fertiliser_row.value == pytest.approx(20.0)
    assert [u.name for u in fertiliser_row.provisional if u.name.startswith("base_year")] == []
    assert [u.name for u in fertiliser_row.provisional] == ["target[fertiliser_reduction_pct][310151][2020]"]


def test_a_base_year_confirmed_later_leaves_earlier_reports_provisional(reduced):
    """2024 is reported with the figures in force on 2024-12-31: the provisional row."""
    official_base_year("fertiliser")
    frame_2024 = queries.fertiliser_reduction(user=SYSTEM_READER, year=2024, scope="district")
    frame_2025 = queries.fertiliser_reduction(user=SYSTEM_READER, year=YEAR, scope="district")

    assert [(u.name, u.status) for u in frame_2024.references] == [(FERTILISER_BASE_YEAR, "provisional")]
    assert [(u.name, u.status) for u in frame_2025.references] == [(FERTILISER_BASE_YEAR, "official")]


def test_a_town_reduction_lists_the_base_years_its_rows_used(reduced):
    """Xinhe has its own official base year; Chengqiao and the others fall back to the district's."""
    official_base_year("fertiliser", scope="town", town=reduced["xinhe"], base_year=2023)

    frame = queries.fertiliser_reduction(user=SYSTEM_READER, year=YEAR, scope="town")

    assert frame.row(XINHE)["base_year"] == 2023
    assert {(u.name, u.status) for u in frame.references} == {
        (FERTILISER_BASE_YEAR, "provisional"),
        (f"base_year[fertiliser][{XINHE}]", "official"),
    }
    assert [u.name for u in frame.provisional] == [FERTILISER_BASE_YEAR]


# --- Targets whose year is ours ----------------------------------------------------------------------


@pytest.mark.parametrize("indicator", OUR_YEAR_TARGETS)
def test_the_targets_without_a_year_in_indicators_md_load_as_provisional(loaded, indicator):
    target = Target.objects.get(indicator=indicator, scope="district")
    assert (target.year, float(target.value), target.status) == (2027, 100.0, "provisional")


@pytest.mark.parametrize("indicator", OUR_YEAR_TARGETS)
def test_compliance_says_the_target_is_provisional(loaded, indicator):
    row = compliance_row(indicator, DISTRICT)
    assert row.target.status == "provisional"
    assert f"target[{indicator}][{DISTRICT}][2027]" in {u.name for u in row.provisional}


def test_the_official_manure_target_is_not_listed_as_provisional(loaded):
    row = compliance_row("manure_facility_matching_pct", DISTRICT)
    assert row.target.status == "official"
    assert not any(u.name.startswith("target[") for u in row.provisional)


# --- Loading -------------------------------------------------------------------------------------------


def stored() -> dict[str, set[tuple]]:
    return {
        "baselines": set(Baseline.objects.values_list("kind", "scope", "base_year", "status", "valid_from")),
        "targets": set(Target.objects.values_list("indicator", "year", "value", "status", "valid_from")),
    }


def test_loading_twice_creates_nothing_new(db):
    first = load_reference(DATA_DIR)
    before = stored()

    second = load_reference(DATA_DIR)

    assert (second.created, second.unchanged) == (0, first.created)
    assert all(counts.updated == 0 for counts in second.files.values())
    assert second.notes == []
    assert stored() == before


def test_a_status_made_weaker_for_an_unchanged_value_is_corrected_in_place(db, tmp_path):
    """A database loaded when the two targets said official takes the correction, without a new row, and
    a further load finds everything unchanged."""
    old = copy_data(tmp_path)
    for indicator in OUR_YEAR_TARGETS:
        set_cell(old / "targets.csv", {"indicator": indicator}, "status", "official")
    load_reference(old)
    targets = Target.objects.count()

    report = load_reference(DATA_DIR)

    assert (report.created, report.files["targets.csv"].updated) == (0, 2)
    assert Target.objects.count() == targets
    assert sorted(report.notes) == sorted(
        MSG_STATUS_CORRECTED.format(
            file="targets.csv",
            row=row_number(DATA_DIR / "targets.csv", {"indicator": indicator}),
            stored="official",
            status="provisional",
        )
        for indicator in OUR_YEAR_TARGETS
    )
    for indicator in OUR_YEAR_TARGETS:
        target = Target.objects.get(indicator=indicator)
        assert (target.status, float(target.value), target.year) == ("provisional", 100.0, 2027)
        assert target.source.startswith("Provisional")
        assert [h.status for h in target.history.order_by("history_date")] == ["official", "provisional"]
    again = load_reference(DATA_DIR)
    assert (again.created, again.files["targets.csv"].updated, again.notes) == (0, 0, [])


def test_a_firmer_status_for_the_same_valid_from_is_refused(db, tmp_path):
    """Confirming a figure is a new row from the day it was confirmed, so past reports keep their note."""
    load_reference(DATA_DIR)
    data_dir = copy_data(tmp_path)
    row = set_cell(data_dir / "baselines.csv", {"kind": "fertiliser"}, "status", "official")

    with pytest.raises(ReferenceDataError) as caught:
        load_reference(data_dir)

    assert [(e.file, e.row, e.column, e.reason) for e in caught.value.errors] == [
        ("baselines.csv", row, "status", MSG_FIRMER_STATUS.format(stored="status provisional"))
    ]
    assert Baseline.objects.get(kind="fertiliser").status == "provisional"
