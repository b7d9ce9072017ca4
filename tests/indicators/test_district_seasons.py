"""Net exported loads of irrigation districts per season (INDICATORS.md §8), and the vectorised per-event load.

District SA (1250 mu, Chengqiao), every figure by hand, kg = (C_out × V_out − C_in × V_in) / 1000:

- 10 July: TN (2.5 × 800 − 1.0 × 1000) / 1000 = 1.0; TP (0.3 × 800 − 0.1 × 1000) / 1000 = 0.14.
- 20 August: TN (1.2 × 1000 − 2.0 × 2000) / 1000 = −2.8; TP (0.15 × 1000 − 0.2 × 2000) / 1000 = −0.25.
- 5 November: TN (4.0 × 600 − 3.0 × 500) / 1000 = 0.9; TP missing (the outlet has no TP).

Summer TN 1.0 − 2.8 = −1.8 kg (−1.8 / 1250 = −0.00144 kg/mu), TP 0.14 − 0.25 = −0.11 kg (−0.000088 kg/mu);
autumn TN 0.9 kg (0.00072 kg/mu), TP missing; spring and winter have no events: missing, not 0. Year: TN
−0.9 kg, TP −0.11 kg.

District SB (2000 mu, Xinhe), 1 June: TN (2.0 × 1000 − 1.0 × 1000) / 1000 = 1.0, TP (0.2 − 0.1) × 1000 / 1000
= 0.1. District SC (800 mu, Chengqiao) has one outlet sample and no event.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from farmadvice.indicators import formulas
from farmadvice.indicators import queries as q
from farmadvice.indicators.queries.common import SYSTEM_READER
from farmadvice.indicators.queries.districts import SEASONS, net_loads_kg
from tests.factories.indicators import load_reference, water
from tests.factories.registry import IrrigationDistrictFactory

YEAR = 2025
CHENGQIAO, DISTRICT = "310151100", "310151"


@pytest.fixture
def seasons(world):
    load_reference()
    sa = IrrigationDistrictFactory(code="SA", area_mu=Decimal("1250"), town=world["chengqiao"])
    sb = IrrigationDistrictFactory(code="SB", area_mu=Decimal("2000"), town=world["xinhe"])
    sc = IrrigationDistrictFactory(code="SC", area_mu=Decimal("800"), town=world["chengqiao"])
    july, august, november = dt.date(YEAR, 7, 10), dt.date(YEAR, 8, 20), dt.date(YEAR, 11, 5)
    water(sa, july, "inlet", volume="1000", tn_mg_per_l="1.0", tp_mg_per_l="0.1")
    water(sa, july, "outlet", volume="800", tn_mg_per_l="2.5", tp_mg_per_l="0.3")
    water(sa, august, "inlet", volume="2000", tn_mg_per_l="2.0", tp_mg_per_l="0.2")
    water(sa, august, "outlet", volume="1000", tn_mg_per_l="1.2", tp_mg_per_l="0.15")
    water(sa, november, "inlet", volume="500", tn_mg_per_l="3.0", tp_mg_per_l="0.4")
    water(sa, november, "outlet", volume="600", tn_mg_per_l="4.0")
    water(sb, dt.date(YEAR, 6, 1), "inlet", volume="1000", tn_mg_per_l="1.0", tp_mg_per_l="0.1")
    water(sb, dt.date(YEAR, 6, 1), "outlet", volume="1000", tn_mg_per_l="2.0", tp_mg_per_l="0.2")
    water(sc, july, "outlet", volume="300", tn_mg_per_l="1.0")
    return world


def district_loads(scope: str):
    return q.district_net_load(user=SYSTEM_READER, year=YEAR, scope=scope)


# --- Per event, vectorised ----------------------------------------------------------------------


def test_the_vectorised_net_load_is_the_formula_event_by_event():
    """(2.0 × 50,000 − 1.5 × 40,000) / 1000 = 40 kg; (1.0 × 30,000 − 2.0 × 40,000) / 1000 = −50 kg
    (kept negative); (0 × 1000 − 0.5 × 2000) / 1000 = −1 kg; each equal to formulas.net_load_kg."""
    events = pd.DataFrame(
        {
            "c_out": [2.0, 1.0, 0.0],
            "v_out": [50_000.0, 30_000.0, 1000.0],
            "c_in": [1.5, 2.0, 0.5],
            "v_in": [40_000.0, 40_000.0, 2000.0],
        }
    )
    loads = net_loads_kg(events["c_out"], events["v_out"], events["c_in"], events["v_in"])
    assert loads.tolist() == pytest.approx([40.0, -50.0, -1.0])
    assert loads.tolist() == pytest.approx(
        [formulas.net_load_kg(*row) for row in events.itertuples(index=False)]
    )


def test_a_missing_concentration_or_volume_leaves_the_event_without_a_load():
    """Missing in, missing out: NaN, never 0, whichever of the four inputs is missing."""
    loads = net_loads_kg(
        pd.Series([np.nan, 2.0, 2.0, 2.0]),
        pd.Series([1000.0, None, 1000.0, 1000.0], dtype="float64"),
        pd.Series([1.0, 1.0, None, 1.0], dtype=object),
        pd.Series([1000.0, 1000.0, 1000.0, np.nan]),
    )
    assert loads.isna().all()


def test_a_negative_input_raises_the_formulas_error():
    """A negative concentration is refused as formulas.net_load_kg refuses it; with another input missing
    the event simply has no load."""
    with pytest.raises(formulas.FormulaError, match="c_in_mg_per_l must be zero or more"):
        net_loads_kg(pd.Series([1.0]), pd.Series([10.0]), pd.Series([-1.0]), pd.Series([10.0]))
    missing = net_loads_kg(pd.Series([np.nan]), pd.Series([10.0]), pd.Series([-1.0]), pd.Series([10.0]))
    assert math.isnan(missing.iloc[0])


@pytest.mark.django_db
def test_paired_events_carry_the_hand_computed_loads(seasons):
    """The events of SA: July, August, November as in the module docstring; November's TP is missing."""
    data = q.districts.district_data(q.selection(user=SYSTEM_READER, year=YEAR))
    sa_id = data.districts.set_index("district_code").loc["SA", "district_id"]
    events = data.events[data.events["district_id"] == sa_id].set_index("date")
    assert events["season"].tolist() == ["summer", "summer", "autumn"]
    assert events["tn_net_load_kg"].tolist() == pytest.approx([1.0, -2.8, 0.9])
    assert events.loc[dt.date(YEAR, 7, 10), "tp_net_load_kg"] == pytest.approx(0.14)
    assert events.loc[dt.date(YEAR, 8, 20), "tp_net_load_kg"] == pytest.approx(-0.25)
    assert math.isnan(events.loc[dt.date(YEAR, 11, 5), "tp_net_load_kg"])


# --- Per season, per irrigation district ---------------------------------------------------------


@pytest.mark.django_db
def test_summer_sums_july_and_august_and_stays_negative(seasons):
    """Summer of SA: TN 1.0 − 2.8 = −1.8 kg, −1.8 / 1250 = −0.00144 kg/mu; TP −0.11 kg, −0.000088 kg/mu."""
    sa = district_loads("irrigation_district").row("SA")
    assert sa["summer_events"] == 2
    assert sa["summer_tn_net_load_kg"] == pytest.approx(-1.8)
    assert sa["summer_tn_net_load_kg_per_mu"] == pytest.approx(-0.00144)
    assert sa["summer_tp_net_load_kg"] == pytest.approx(-0.11)
    assert sa["summer_tp_net_load_kg_per_mu"] == pytest.approx(-0.000088)


@pytest.mark.django_db
def test_autumn_has_tn_and_no_tp_when_its_only_event_lacks_tp(seasons):
    """Autumn of SA: TN 0.9 kg, 0.9 / 1250 = 0.00072 kg/mu; the November outlet has no TP: missing, not 0."""
    sa = district_loads("irrigation_district").row("SA")
    assert sa["autumn_events"] == 1
    assert sa["autumn_tn_net_load_kg"] == pytest.approx(0.9)
    assert sa["autumn_tn_net_load_kg_per_mu"] == pytest.approx(0.00072)
    assert sa["autumn_tp_net_load_kg"] is None
    assert sa["autumn_tp_net_load_kg_per_mu"] is None


@pytest.mark.django_db
def test_a_season_without_events_is_missing_not_zero(seasons):
    """SA has no event in spring or winter; SC has no event at all."""
    frame = district_loads("irrigation_district")
    for code, season in [("SA", "spring"), ("SA", "winter"), *(("SC", s) for s in SEASONS)]:
        row = frame.row(code)
        assert row[f"{season}_events"] == 0
        for name in ("tn", "tp"):
            assert row[f"{season}_{name}_net_load_kg"] is None, (code, season, name)
            assert row[f"{season}_{name}_net_load_kg_per_mu"] is None, (code, season, name)


@pytest.mark.django_db
def test_the_seasons_add_up_to_the_year(seasons):
    """Year of SA: TN 1.0 − 2.8 + 0.9 = −0.9 kg (−0.00072 kg/mu), TP 0.14 − 0.25 = −0.11 kg: the summer
    and autumn sums, the missing seasons adding nothing."""
    sa = district_loads("irrigation_district").row("SA")
    assert sa["events"] == 3
    assert sa["tn_net_load_kg"] == pytest.approx(-0.9)
    assert sa["value"] == pytest.approx(-0.00072)
    assert sa["tp_net_load_kg"] == pytest.approx(-0.11)
    assert sum(sa[f"{s}_tn_net_load_kg"] or 0 for s in SEASONS) == pytest.approx(sa["tn_net_load_kg"])


# --- Per town and for the whole district ---------------------------------------------------------


@pytest.mark.django_db
def test_the_whole_district_sums_each_season_over_the_districts_loaded_in_it(seasons):
    """Summer: SA −1.8 + SB 1.0 = −0.8 kg TN over 1250 + 2000 = 3250 mu; TP −0.11 + 0.1 = −0.01 kg.
    Autumn: SA alone, 0.9 kg TN over 1250 mu, TP missing. Winter: no district, missing."""
    whole = district_loads("district").row(DISTRICT)
    assert whole["summer_events"] == 3
    assert whole["summer_loaded_area_mu"] == pytest.approx(3250)
    assert whole["summer_tn_net_load_kg"] == pytest.approx(-0.8)
    assert whole["summer_tn_net_load_kg_per_mu"] == pytest.approx(-0.8 / 3250)
    assert whole["summer_tp_net_load_kg"] == pytest.approx(-0.01)
    assert whole["autumn_loaded_area_mu"] == pytest.approx(1250)
    assert whole["autumn_tn_net_load_kg_per_mu"] == pytest.approx(0.00072)
    assert whole["autumn_tp_net_load_kg"] is None
    assert whole["winter_events"] == 0
    assert whole["winter_tn_net_load_kg"] is None
    assert whole["winter_tn_net_load_kg_per_mu"] is None


@pytest.mark.django_db
def test_a_town_sums_its_own_districts_by_season(seasons):
    """Chengqiao holds SA and SC (no events): its summer is SA's, −1.8 kg TN over SA's 1250 mu."""
    town = district_loads("town").row(CHENGQIAO)
    assert town["summer_tn_net_load_kg"] == pytest.approx(-1.8)
    assert town["summer_tn_net_load_kg_per_mu"] == pytest.approx(-0.00144)
    assert town["spring_tn_net_load_kg"] is None


@pytest.mark.django_db
def test_the_whole_district_without_districts_has_missing_seasons(world):
    """No irrigation district at all: counts 0, every season's load missing."""
    load_reference()
    whole = district_loads("district").row(DISTRICT)
    assert whole["summer_events"] == 0
    assert whole["summer_tn_net_load_kg"] is None
    assert whole["summer_tn_net_load_kg_per_mu"] is None


# --- API and dashboard ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_gives_the_season_loads_beside_the_year(seasons, api_client):
    response = api_client(seasons["committee"]).get(
        f"/indicators/district_net_load_kg_per_mu?year={YEAR}&scope=irrigation_district"
    )
    assert response.status_code == 200
    figures = {row["scope_code"]: row["figures"] for row in response.json()["rows"]}["SA"]
    assert figures["tn_net_load_kg"] == pytest.approx(-0.9)
    assert figures["summer_tn_net_load_kg"] == pytest.approx(-1.8)
    assert figures["summer_tp_net_load_kg_per_mu"] == pytest.approx(-0.000088)
    assert figures["autumn_tp_net_load_kg"] is None
    assert figures["spring_tn_net_load_kg"] is None
    assert figures["winter_events"] == 0


def _seasons_section(html: str) -> str:
    return html[html.index('id="district-seasons"') :]


@pytest.mark.django_db
def test_the_dashboard_lists_four_seasons_per_district_with_events(seasons):
    client = Client()
    client.force_login(seasons["committee"])
    html = _seasons_section(client.get(reverse("web:districts") + f"?year={YEAR}").content.decode())
    sa_rows = re.findall(r'<th scope="row"[^>]*>SA</th>(.*?)</tr>', html, re.S)
    assert len(sa_rows) == 4
    spring, summer, autumn, _winter = sa_rows
    assert "春 3–5 月" in spring
    assert '<td class="num nw">-1.8</td>' in summer  # TN kg
    assert '<td class="num nw">-0.0014</td>' in summer  # TN kg/mu, two significant digits
    assert '<td class="num nw">0.90</td>' in autumn  # TN kg, two significant digits
    assert spring.count("—") == 4  # four loads missing, the count 0
    assert '<td class="num nw">0</td>' in spring
    assert ">SC</th>" not in html  # no event in the year


@pytest.mark.django_db
def test_the_season_table_is_exported_with_numbers_and_blanks(seasons):
    client = Client()
    client.force_login(seasons["committee"])
    response = client.get(reverse("web:export", args=["district-seasons"]) + f"?year={YEAR}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "SA"]
    assert [row[2] for row in rows] == [0, 2, 1, 0]  # paired samplings per season
    assert rows[1][3] == pytest.approx(-1.8)
    assert rows[0][3] is None  # spring: blank, not 0
