"""Test data for the runoff model's Django side: observations, reference data, fitted versions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management import call_command

from farmadvice.runoff.demo import load_demo_training
from farmadvice.runoff.models import RunoffModelVersion, RunoffObservation
from farmadvice.runoff.services import runoff_model_fit
from tests.factories.indicators import crop
from tests.factories.registry import FarmFactory, IrrigationDistrictFactory

D = Decimal


def load_runoff_reference() -> None:
    """data/*.csv as load_reference stores them, and data/rainfall.csv."""
    call_command("load_reference", verbosity=0)
    call_command("load_rainfall", verbosity=0)


def observation(farm, *, year: int = 2025, season: str = "summer", crop_code: str = "rice", **values: Any):
    """A measured plot season; figures given as strings or None."""
    plot_code = values.pop("plot_code", "P1")
    defaults = {"rainfall_mm": "700", "n_rate_kg_per_ha": "200", "p_rate_kg_per_ha": "40"}
    defaults.update(values)
    fields = {key: None if value is None else D(str(value)) for key, value in defaults.items()}
    return RunoffObservation.objects.create(
        farm=farm, year=year, season=season, crop=crop(crop_code), plot_code=plot_code, **fields
    )


def districts_with_farms(count: int) -> list:
    """`count` irrigation districts ID-01.., each with one crop farm DF-01.. in Chengqiao."""
    districts = [IrrigationDistrictFactory(code=f"ID-{n:02d}") for n in range(1, count + 1)]
    for n, district in enumerate(districts, start=1):
        FarmFactory(code=f"DF-{n:02d}", irrigation_district=district)
    return districts


def demo_versions(*, method: str = "log_ols", activate: bool = True) -> dict[str, RunoffModelVersion]:
    """The demo training set loaded onto the existing crop farms, and a version per target fitted on the
    observations alone (log_ols: the fastest, enough to test predictions)."""
    load_demo_training()
    return {
        target: runoff_model_fit(
            user=None, target=target, method=method, activate=activate, sources=("observation",)
        )
        for target in ("tn", "tp")
    }
