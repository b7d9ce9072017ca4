"""`manage.py load_reference`: a short summary on success, the row-numbered errors and a failure otherwise."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from farmadvice.reference.models import CropCoefficient
from farmadvice.registry.models import Town

from .csvfiles import DATA_DIR, copy_data, set_cell

pytestmark = pytest.mark.django_db


def test_the_command_loads_and_prints_one_line_per_file():
    out = StringIO()

    call_command("load_reference", data_dir=DATA_DIR, stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["towns.csv", "18", "created", "0", "unchanged", "0", "updated"]
    assert len(lines) == 11
    assert Town.objects.count() == 18


def test_the_command_dry_run_writes_nothing():
    out = StringIO()

    call_command("load_reference", data_dir=DATA_DIR, dry_run=True, stdout=out)

    assert "Dry run" in out.getvalue()
    assert not Town.objects.exists()


def test_the_command_prints_row_numbered_errors_and_fails(tmp_path):
    data_dir = copy_data(tmp_path)
    row = set_cell(
        data_dir / "crop_coefficients.csv", {"crop": "rice", "kind": "straw_grain_ratio"}, "status", "guess"
    )
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="1 error"):
        call_command("load_reference", data_dir=data_dir, stdout=out, stderr=err)

    assert f"crop_coefficients.csv:{row} status='guess'" in err.getvalue()
    assert not CropCoefficient.objects.exists()
