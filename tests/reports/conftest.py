"""Fixtures for the report tests: a crop farm with a year of records, reference figures, PDF readers."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from farmadvice.practices.models import CropSeason, FertiliserApplication
from farmadvice.reference.models import CoefficientKind, CropCoefficient
from tests.factories.practices import crop

YEAR = 2024


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Archived files go to a fresh folder per test, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = "https://farmadvice.example.cn"
    return settings.MEDIA_ROOT


def recommended_n(crop_code: str, value: str, status: str) -> CropCoefficient:
    return CropCoefficient.objects.create(
        crop=crop(crop_code),
        kind=CoefficientKind.RECOMMENDED_N,
        value=Decimal(value),
        source=f"test: recommended N for {crop_code}",
        status=status,
        valid_from=dt.date(2020, 1, 1),
    )


@pytest.fixture
def records(world):
    """Farm CQ-A in 2024: rice (50 mu) and wheat (50 mu), with their fertiliser.

    Rice: 2000 kg compound 18-15-12 (360 kg N) + 500 kg urea 46 % N (230 kg N) = 590 kg N
          = 11.8 kg N/mu against 17 recommended (provisional): 5.2 below, no excess.
    Wheat: 2500 kg compound (450 kg N) + 600 kg urea (276 kg N) = 726 kg N = 14.52 kg N/mu
          against 13 recommended (published): +1.52 kg N/mu, excess 1.52 × 50 = 76 kg N.
    Year: 1316 kg N on 100 mu = 13.16 kg N/mu.
    """
    farm = world["farm_a"]
    recommended_n("rice", "17", "provisional")
    recommended_n("wheat", "13", "published")
    rice = CropSeason.objects.create(farm=farm, year=YEAR, season="summer", crop=crop("rice"), area_mu=50)
    wheat = CropSeason.objects.create(farm=farm, year=YEAR, season="winter", crop=crop("wheat"), area_mu=50)
    for season, compound_kg, urea_kg in ((rice, 2000, 500), (wheat, 2500, 600)):
        FertiliserApplication.objects.create(
            season=season,
            product="复合肥 18-15-12",
            n_pct=18,
            p2o5_pct=15,
            k2o_pct=12,
            product_kg=compound_kg,
            area_mu=50,
        )
        FertiliserApplication.objects.create(
            season=season, product="尿素", n_pct=46, product_kg=urea_kg, area_mu=50
        )
    return farm


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler's pdftotext extracts it (what a reader's copy-paste gives)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def pdf_flat_text(pdf: bytes) -> str:
    """The text with all whitespace removed, so CJK phrases broken across lines still match."""
    return re.sub(r"\s+", "", pdf_text(pdf))


def pdf_font_names(pdf: bytes) -> set[str]:
    """Base font names of every font resource in the PDF (e.g. 'ABCDEF+Noto-Sans-CJK-SC')."""
    names: set[str] = set()
    for page in PdfReader(BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for font in fonts.get_object().values():
            names.add(str(font.get_object().get("/BaseFont", "")))
    return names


def pdf_page_count(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)
