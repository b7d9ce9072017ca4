"""The reference loader: all-or-nothing validation, idempotent upserts, figures never overwritten."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from farmadvice.indicators.models import Baseline, Target
from farmadvice.reference.loading import (
    MSG_ABOVE_MAX,
    MSG_BELOW_MIN,
    MSG_CHANGED_FIGURE,
    MSG_CHOICE,
    MSG_COLUMN_MISSING,
    MSG_DUPLICATE_KEY,
    MSG_FILE_MISSING,
    MSG_MIN_ABOVE_MAX,
    MSG_NO_BOUND,
    MSG_NOT_DATE,
    MSG_NOT_NUMBER,
    MSG_REQUIRED,
    MSG_TEXT_KEPT,
    MSG_TOWN_REQUIRED,
    MSG_UNKNOWN_REFERENCE,
    ReferenceDataError,
    RowError,
    load_reference,
)
from farmadvice.reference.models import (
    Crop,
    CropCoefficient,
    LivestockThreshold,
    PigEquivalent,
    ReferenceValue,
    StandardLimit,
    WastewaterCoefficient,
)
from farmadvice.reference.selectors import in_force
from farmadvice.registry.models import Town

from .csvfiles import (
    DATA_DIR,
    append_row,
    copy_data,
    drop_column,
    edit_rows,
    read_rows,
    row_number,
    set_cell,
)

pytestmark = pytest.mark.django_db

FILES = (
    "towns.csv",
    "crops.csv",
    "crop_coefficients.csv",
    "standard_limits.csv",
    "livestock_thresholds.csv",
    "pig_equivalents.csv",
    "wastewater_coefficients.csv",
    "reference_values.csv",
    "targets.csv",
    "baselines.csv",
)
MODELS = (
    Town,
    Crop,
    CropCoefficient,
    StandardLimit,
    LivestockThreshold,
    PigEquivalent,
    WastewaterCoefficient,
    ReferenceValue,
    Target,
    Baseline,
)
SOYBEAN_RATIO = {"crop": "soybean", "kind": "straw_grain_ratio"}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def refused(data_dir: Path) -> tuple[RowError, ...]:
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(data_dir)
    return caught.value.errors


def soybean_ratio(on: dt.date) -> Decimal:
    (row,) = in_force(
        CropCoefficient.objects.filter(crop__code="soybean", kind="straw_grain_ratio"),
        key_fields=("crop_id", "kind"),
        on=on,
    )
    return row.value


def test_loading_the_data_directory_creates_one_row_per_csv_row():
    report = load_reference(DATA_DIR)

    assert list(report.files) == list(FILES)
    for file, model in zip(FILES, MODELS, strict=True):
        _header, rows = read_rows(DATA_DIR / file)
        assert report.files[file].created == len(rows) > 0, file
        assert model.objects.count() == len(rows), file
    assert report.unchanged == 0
    assert report.notes == []


def test_a_second_load_creates_nothing_and_finds_every_row_unchanged():
    first = load_reference(DATA_DIR)
    counts = row_counts()

    second = load_reference(DATA_DIR)

    assert second.created == 0
    assert second.unchanged == first.created
    assert all(c.updated == 0 for c in second.files.values())
    assert row_counts() == counts


def test_a_dry_run_reports_what_it_would_create_and_writes_nothing():
    report = load_reference(DATA_DIR, dry_run=True)

    assert report.dry_run
    assert report.created > 0
    assert set(row_counts().values()) == {0}


def test_a_changed_figure_with_the_same_valid_from_is_refused_and_nothing_is_written(tmp_path):
    load_reference(DATA_DIR)
    counts = row_counts()
    data_dir = copy_data(tmp_path)
    row = set_cell(data_dir / "crop_coefficients.csv", SOYBEAN_RATIO, "value", "1.60")
    # A valid new row in the same run is not written either: the load is all or nothing.
    append_row(
        data_dir / "reference_values.csv",
        {
            "key": "new_figure",
            "value": "1",
            "unit": "",
            "description": "",
            "source": "test",
            "status": "provisional",
            "valid_from": "2026-01-01",
        },
    )

    errors = refused(data_dir)

    assert errors == (
        RowError(
            "crop_coefficients.csv",
            row,
            "value",
            "1.60",
            MSG_CHANGED_FIGURE.format(stored="value 1.5"),
        ),
    )
    assert "a changed figure needs a new row with a later valid_from" in errors[0].reason
    assert row_counts() == counts
    assert soybean_ratio(dt.date(2026, 6, 1)) == Decimal("1.50")


def test_a_changed_status_with_the_same_valid_from_is_refused(tmp_path):
    load_reference(DATA_DIR)
    data_dir = copy_data(tmp_path)
    row = set_cell(data_dir / "crop_coefficients.csv", SOYBEAN_RATIO, "status", "official")

    errors = refused(data_dir)

    assert [(e.row, e.column) for e in errors] == [(row, "status")]


def test_a_changed_figure_with_a_later_valid_from_is_a_new_row_and_in_force_picks_it_from_that_date(
    tmp_path,
):
    load_reference(DATA_DIR)
    data_dir = copy_data(tmp_path)
    append_row(
        data_dir / "crop_coefficients.csv",
        {
            **SOYBEAN_RATIO,
            "value": "1.60",
            "source": "ministry coefficient for Shanghai (test)",
            "status": "official",
            "valid_from": "2026-01-01",
        },
    )

    report = load_reference(data_dir)

    assert report.files["crop_coefficients.csv"].created == 1
    assert report.created == 1
    assert (
        CropCoefficient.objects.filter(**{"crop__code": "soybean", "kind": "straw_grain_ratio"}).count() == 2
    )
    assert soybean_ratio(dt.date(2025, 12, 31)) == Decimal("1.50")
    assert soybean_ratio(dt.date(2026, 1, 1)) == Decimal("1.60")


def test_bad_rows_are_all_reported_with_their_row_numbers_and_nothing_is_written(tmp_path):
    data_dir = copy_data(tmp_path)
    coefficients = data_dir / "crop_coefficients.csv"
    guess_row = set_cell(coefficients, {"crop": "rice", "kind": "collection_coefficient"}, "status", "guess")
    negative_row = set_cell(coefficients, {"crop": "wheat", "kind": "straw_grain_ratio"}, "value", "-1.1")
    unknown_row = set_cell(
        coefficients, {"crop": "maize", "kind": "recommended_n_kg_per_mu"}, "crop", "mayze"
    )
    date_row = set_cell(
        coefficients, {"crop": "citrus", "kind": "export_tp_kg_per_ha"}, "valid_from", "2020-13-01"
    )
    number_row = set_cell(coefficients, {"crop": "barley", "kind": "export_tn_kg_per_ha"}, "value", "9,0")

    errors = refused(data_dir)

    assert errors == (
        RowError(
            "crop_coefficients.csv",
            guess_row,
            "status",
            "guess",
            MSG_CHOICE.format(choices="official, published, provisional"),
        ),
        RowError("crop_coefficients.csv", negative_row, "value", "-1.1", MSG_BELOW_MIN.format(minimum=0)),
        RowError("crop_coefficients.csv", number_row, "value", "9,0", MSG_NOT_NUMBER),
        RowError(
            "crop_coefficients.csv",
            unknown_row,
            "crop",
            "mayze",
            MSG_UNKNOWN_REFERENCE.format(what="crop", file="crops.csv"),
        ),
        RowError("crop_coefficients.csv", date_row, "valid_from", "2020-13-01", MSG_NOT_DATE),
    )
    assert str(errors[0]) == (
        f"crop_coefficients.csv:{guess_row} status='guess': must be one of: official, published, provisional"
    )
    assert set(row_counts().values()) == {0}


def test_a_missing_column_is_refused_on_the_header_row_and_nothing_is_written(tmp_path):
    data_dir = copy_data(tmp_path)
    drop_column(data_dir / "pig_equivalents.csv", "status")

    errors = refused(data_dir)

    assert errors == (RowError("pig_equivalents.csv", 1, "status", "", MSG_COLUMN_MISSING),)
    assert set(row_counts().values()) == {0}


def test_errors_in_several_files_are_reported_together(tmp_path):
    data_dir = copy_data(tmp_path)
    drop_column(data_dir / "targets.csv", "valid_from")
    row = set_cell(data_dir / "towns.csv", {"code": "310151100"}, "source", "")

    errors = refused(data_dir)

    assert [(e.file, e.row, e.column) for e in errors] == [
        ("towns.csv", row, "source"),
        ("targets.csv", 1, "valid_from"),
    ]
    assert errors[0].reason == MSG_REQUIRED


def test_a_missing_file_is_refused(tmp_path):
    data_dir = copy_data(tmp_path)
    (data_dir / "baselines.csv").unlink()

    errors = refused(data_dir)

    assert errors == (RowError("baselines.csv", 0, "", "", MSG_FILE_MISSING.format(data_dir=data_dir)),)


def test_a_key_repeated_within_a_file_is_refused(tmp_path):
    data_dir = copy_data(tmp_path)
    path = data_dir / "livestock_thresholds.csv"
    first = row_number(path, {"species": "pig", "valid_from": "2025-09-01"})
    edit_rows(path, lambda rows: [*rows, {**rows[first - 2], "min_heads": "600"}])

    errors = refused(data_dir)

    assert [(e.row, e.column, e.reason) for e in errors] == [
        (len(read_rows(path)[1]) + 1, "species", MSG_DUPLICATE_KEY.format(row=first))
    ]


def test_row_numbers_count_blank_lines_as_the_file_does(tmp_path):
    data_dir = copy_data(tmp_path)
    path = data_dir / "wastewater_coefficients.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",published,", ",guess,")
    lines.insert(2, "\n")
    path.write_text("".join(lines), encoding="utf-8")

    errors = refused(data_dir)

    # The header is line 1, the blank line is line 3, so the edited row is now line 5.
    assert [(e.file, e.row, e.column) for e in errors] == [("wastewater_coefficients.csv", 5, "status")]


def test_a_collection_coefficient_above_one_is_refused(tmp_path):
    data_dir = copy_data(tmp_path)
    row = set_cell(
        data_dir / "crop_coefficients.csv", {"crop": "rice", "kind": "collection_coefficient"}, "value", "1.2"
    )

    errors = refused(data_dir)

    assert errors == (
        RowError("crop_coefficients.csv", row, "value", "1.2", MSG_ABOVE_MAX.format(maximum=1)),
    )


def test_a_limit_needs_a_bound_and_its_minimum_not_above_its_maximum(tmp_path):
    data_dir = copy_data(tmp_path)
    path = data_dir / "standard_limits.csv"
    no_bound = set_cell(path, {"level": "III", "parameter": "tp_mg_per_l"}, "max_value", "")
    inverted = set_cell(path, {"level": "1", "parameter": "ph"}, "min_value", "10")

    errors = refused(data_dir)

    assert [(e.row, e.column, e.reason) for e in errors] == [
        (inverted, "min_value", MSG_MIN_ABOVE_MAX.format(max_value=9)),
        (no_bound, "max_value", MSG_NO_BOUND),
    ]


def test_a_town_target_names_its_town(tmp_path):
    data_dir = copy_data(tmp_path)
    row = set_cell(data_dir / "targets.csv", {"indicator": "film_recovery_pct"}, "scope", "town")

    errors = refused(data_dir)

    assert [(e.row, e.column, e.reason) for e in errors] == [(row, "town", MSG_TOWN_REQUIRED)]


def test_a_town_target_loads_against_a_town_of_the_same_run(tmp_path):
    data_dir = copy_data(tmp_path)
    append_row(
        data_dir / "targets.csv",
        {
            "indicator": "straw_utilisation_pct",
            "scope": "town",
            "town": "310151100",
            "year": "2027",
            "value": "98",
            "direction": "at_least",
            "source": "town plan (test)",
            "status": "official",
            "valid_from": "2026-01-01",
        },
    )

    load_reference(data_dir)

    target = Target.objects.get(town__code="310151100")
    assert (target.scope, target.value) == ("town", Decimal("98"))


def test_a_crop_added_to_crops_csv_can_be_used_by_coefficients_in_the_same_run(tmp_path):
    data_dir = copy_data(tmp_path)
    append_row(
        data_dir / "crops.csv",
        {
            "code": "sesame",
            "name_zh": "芝麻",
            "name_en": "Sesame",
            "category": "oilseed",
            "source": "test",
            "status": "official",
            "valid_from": "2020-01-01",
        },
    )
    append_row(
        data_dir / "crop_coefficients.csv",
        {
            "crop": "sesame",
            "kind": "straw_grain_ratio",
            "value": "2.2",
            "source": "test",
            "status": "provisional",
            "valid_from": "2020-01-01",
        },
    )

    load_reference(data_dir)

    assert CropCoefficient.objects.get(crop__code="sesame").value == Decimal("2.2")


def test_a_renamed_town_is_updated_because_names_are_not_figures(tmp_path):
    load_reference(DATA_DIR)
    data_dir = copy_data(tmp_path)
    set_cell(data_dir / "towns.csv", {"code": "310151110"}, "name_en", "Lvhua")

    report = load_reference(data_dir)

    assert (report.files["towns.csv"].updated, report.files["towns.csv"].unchanged) == (1, 17)
    assert Town.objects.get(code="310151110").name_en == "Lvhua"


def test_a_changed_base_year_with_the_same_valid_from_is_refused(tmp_path):
    load_reference(DATA_DIR)
    data_dir = copy_data(tmp_path)
    row = set_cell(data_dir / "baselines.csv", {"kind": "fertiliser"}, "base_year", "2020")

    errors = refused(data_dir)

    assert [(e.row, e.column, e.reason) for e in errors] == [
        (row, "base_year", MSG_CHANGED_FIGURE.format(stored="base_year 2022"))
    ]
    assert Baseline.objects.get(kind="fertiliser").base_year == 2022


def test_a_changed_base_year_with_a_later_valid_from_is_a_new_row(tmp_path):
    load_reference(DATA_DIR)
    data_dir = copy_data(tmp_path)
    append_row(
        data_dir / "baselines.csv",
        {
            "kind": "fertiliser",
            "scope": "district",
            "town": "",
            "base_year": "2023",
            "source": "committee decision (test)",
            "status": "official",
            "valid_from": "2026-01-01",
        },
    )

    report = load_reference(data_dir)

    assert report.files["baselines.csv"].created == 1
    assert list(Baseline.objects.filter(kind="fertiliser").values_list("base_year", "valid_from")) == [
        (2023, dt.date(2026, 1, 1)),
        (2022, dt.date(2020, 1, 1)),
    ]


def test_a_changed_source_text_keeps_the_stored_text_and_is_noted(tmp_path):
    load_reference(DATA_DIR)
    stored = ReferenceValue.objects.get(key="manure_storage_days").source
    data_dir = copy_data(tmp_path)
    row = set_cell(data_dir / "reference_values.csv", {"key": "manure_storage_days"}, "source", "edited")

    report = load_reference(data_dir)

    assert report.created == 0
    assert report.notes == [MSG_TEXT_KEPT.format(file="reference_values.csv", row=row, column="source")]
    assert ReferenceValue.objects.get(key="manure_storage_days").source == stored
