"""Fixtures for the page tests: signed-in test clients, the reference figures, a crop season."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from farmadvice.practices.models import CropSeason
from tests.factories.indicators import load_reference
from tests.factories.practices import crop

YEAR = 2025


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Issued report files go to a fresh folder per test, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def login():
    """login(user) → a test client signed in as `user` (None: anonymous)."""

    def client_for(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return client_for


@pytest.fixture
def reference(db):
    """The reference figures of data/*.csv (crops, limits, targets), as `load_reference` loads them."""
    load_reference()


@pytest.fixture
def rice(world) -> CropSeason:
    """Farm CQ-A (100 mu, Chengqiao): 10 mu of summer rice in 2025, no fertiliser yet."""
    return CropSeason.objects.create(
        farm=world["farm_a"], year=YEAR, season="summer", crop=crop("rice"), area_mu=Decimal("10")
    )


def fertiliser_form(season: CropSeason, **changes: str) -> dict[str, str]:
    """A valid fertiliser form for `season`: 40 kg of 15-15-15 on 10 mu."""
    data = {
        "crop_season": str(season.pk),
        "date": "2025-06-20",
        "product": "复合肥 15-15-15",
        "n_pct": "15",
        "p2o5_pct": "15",
        "k2o_pct": "15",
        "product_kg": "40",
        "area_mu": "10",
        "method": "broadcast",
        "note": "",
        "visit": "",
    }
    data.update(changes)
    return data
