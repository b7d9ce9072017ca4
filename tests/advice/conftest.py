"""Fixtures for the advice tests: the reference figures of data/*.csv, and helpers to run the rules.

Figures used in the hand computations (data/, as load_reference stores them):
- rice: recommended 17 kg N/mu (provisional), straw-to-grain ratio 1.00, collection coefficient 0.85;
- targets: straw utilisation ≥ 96 % (2020), film recovery ≥ 80 % (2020), manure matching 100 % (2027);
- GB 13735-2017: film ≥ 0.010 mm; SC/T 9101-2007 class 2: SS ≤ 100, CODMn ≤ 25, TN ≤ 5, TP ≤ 1 mg/L,
  pH 6-9; three ponds, two dams: 6-15 % of the culture area;
- pigs: large-scale at 500 a year; dry collection 1.8 m3 per 100 pigs per day (summer); 90 storage days;
  0.002 m3 solid manure per pig equivalent per day; 1.4 pig equivalents per mu of land;
- fallback: runoff carries 5 % of the N no longer applied (Xie et al. 2018).
"""

from __future__ import annotations

import pytest

from farmadvice.advice.engine import farm_advice
from farmadvice.advice.facts import farm_facts
from tests.factories.runoff import load_runoff_reference

YEAR = 2025


@pytest.fixture
def reference(world):
    """The world of tests/conftest.py with data/*.csv and data/rainfall.csv loaded."""
    load_runoff_reference()
    return world


@pytest.fixture
def facts_of():
    """facts_of(farm) → the farm's `FarmFacts` for 2025, fresh from the database."""
    return lambda farm, year=YEAR, on=None: farm_facts(farm=farm, year=year, on=on)


@pytest.fixture
def advice_of():
    """advice_of(farm) → the farm's ranked `FarmAdvice` for 2025."""
    return lambda farm, year=YEAR, **kw: farm_advice(farm=farm, year=year, **kw)
