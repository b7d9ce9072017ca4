"""Compliance for all towns on 50,000 farms and 5 years of records, against hand-written raw SQL.

    python benchmarks/bench_compliance.py [--farms 50000] [--years 5] [--repeat 3]

Sets up its own database: a temporary SQLite file (migrated from scratch, deleted afterwards), or, when
DATABASE_URL is set, a test database created next to it by Django's test utilities and dropped afterwards.
Generates the farms and their records with raw multi-row INSERTs (COPY on PostgreSQL; seeded, SYNTHETIC),
then times, in the same process and interleaved:

- `compliance_report(year=last year)`: every indicator against its target for the whole district and
  the 18 towns, with the farms and districts behind the counted rates and the flags;
- raw SQL: hand-written GROUP BY queries computing the same town figures (sums, counts, the per-farm
  manure and tailwater judgements in SQL), the district by adding the towns up, and the same flag lists.

Each figure is the best of `--repeat` runs. Both results are checked against each other first: every
rate of the district and the towns, and the farms flagged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "farmadvice.settings_test")
USE_TEMP_SQLITE = "DATABASE_URL" not in os.environ
TEMP_DIR = tempfile.mkdtemp(prefix="bench_compliance_") if USE_TEMP_SQLITE else ""
if USE_TEMP_SQLITE:
    os.environ["DATABASE_URL"] = f"sqlite:///{TEMP_DIR}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from farmadvice.indicators.compliance import compliance_report  # noqa: E402
from farmadvice.indicators.queries import SYSTEM_READER  # noqa: E402
from farmadvice.practices import models as records  # noqa: E402
from farmadvice.reference.models import Crop  # noqa: E402
from farmadvice.registry.models import Farm, IrrigationDistrict, Town  # noqa: E402

NOW = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
CHUNK = 5000


# --- Data ---------------------------------------------------------------------------------------------


def insert(model: Any, columns: dict[str, Sequence[Any]], *, record: bool = True) -> int:
    """Raw multi-row INSERTs (COPY on PostgreSQL) of the given columns, plus the audit columns."""
    n = len(next(iter(columns.values())))
    data = dict(columns)
    data["created_at"] = [NOW] * n
    data["updated_at"] = [NOW] * n
    if record:
        data["note"] = [""] * n
    names = list(data)
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    rows = list(zip(*(data[name] for name in names), strict=True))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return n
        limit = connection.features.max_query_params or 65535
        chunk_rows = max(1, min(CHUNK, limit // len(names)))
        for start in range(0, n, chunk_rows):
            chunk = rows[start : start + chunk_rows]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES {placeholders}",
                [value for row in chunk for value in row],
            )
    return n


def uuids(start: int, n: int) -> list[str]:
    """Distinct UUIDs as 32 hex digits (what Django stores for a UUIDField on SQLite; valid on PostgreSQL)."""
    return [f"{i:032x}" for i in range(start, start + n)]


def floats(values: np.ndarray, decimals: int = 2) -> list[float]:
    return np.round(values, decimals).tolist()


def generate(n_farms: int, years: list[int], seed: int = 1) -> dict[str, int]:
    """Farms, districts and `years` of records, SYNTHETIC but plausible for Chongming."""
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    town_ids = np.array(sorted(Town.objects.values_list("id", flat=True)))
    crops = dict(Crop.objects.values_list("code", "id"))

    n_districts = 400
    district_town = rng.choice(town_ids, n_districts)
    district_area = np.round(rng.lognormal(np.log(1200), 0.7, n_districts), 2)
    district_area[:10] = 1000  # exactly at the threshold
    counts["districts"] = insert(
        IrrigationDistrict,
        {
            "id": list(range(1, n_districts + 1)),
            "code": [f"GQ-{i:04d}" for i in range(1, n_districts + 1)],
            "name": [f"灌区{i}" for i in range(1, n_districts + 1)],
            "town_id": district_town.tolist(),
            "area_mu": district_area.tolist(),
            "receiving_water": [""] * n_districts,
        },
        record=False,
    )

    farm_ids = np.arange(1, n_farms + 1)
    kind = rng.choice(["crop", "livestock", "aquaculture", "mixed"], n_farms, p=[0.80, 0.06, 0.06, 0.08])
    farm_town = rng.choice(town_ids, n_farms)
    farm_area = np.round(rng.lognormal(np.log(60), 0.8, n_farms) + 2, 2)
    in_district = rng.random(n_farms) < 0.7
    farm_district = np.where(in_district, rng.integers(1, n_districts + 1, n_farms), 0)
    tailwater_class = np.where(kind == "aquaculture", np.where(rng.random(n_farms) < 0.1, "1", "2"), "")
    counts["farms"] = insert(
        Farm,
        {
            "id": farm_ids.tolist(),
            "code": [f"CM-{i:06d}" for i in farm_ids],
            "name": [f"农场{i}" for i in farm_ids],
            "farm_type": kind.tolist(),
            "operator_kind": ["family_farm"] * n_farms,
            "contact_name": [""] * n_farms,
            "contact_phone": [""] * n_farms,
            "town_id": farm_town.tolist(),
            "area_mu": farm_area.tolist(),
            "irrigation_district_id": [int(d) if d else None for d in farm_district],
            "tailwater_class": tailwater_class.tolist(),
            "active": [True] * n_farms,
        },
        record=False,
    )

    growers = farm_ids[(kind == "crop") | (kind == "mixed")]
    keepers = farm_ids[(kind == "livestock") | (kind == "mixed")]
    fishers = farm_ids[kind == "aquaculture"]
    summer_crops = np.array(["rice", "rice", "rice", "vegetables", "watermelon"])
    winter_crops = np.array(["wheat", "green_manure", "rapeseed", "barley", "vegetables"])
    grain_yield = {
        "rice": 550,
        "wheat": 400,
        "barley": 380,
        "rapeseed": 180,
        "vegetables": 2000,
        "watermelon": 2500,
    }
    season_no = fert_no = pest_no = straw_no = film_no = other_no = 0
    for year in years:
        # Crop seasons: every grower has a summer season, half of them a winter one too.
        winter = rng.random(len(growers)) < 0.5
        s_farm = np.concatenate([growers, growers[winter]])
        s_name = np.array(["summer"] * len(growers) + ["winter"] * int(winter.sum()))
        s_crop = np.concatenate(
            [rng.choice(summer_crops, len(growers)), rng.choice(winter_crops, int(winter.sum()))]
        )
        s_area = np.round(farm_area[s_farm - 1] * rng.uniform(0.5, 1.0, len(s_farm)), 2)
        per_mu = np.array([grain_yield.get(c, 0) for c in s_crop]) * rng.uniform(0.8, 1.2, len(s_farm))
        s_yield = np.round(per_mu * s_area, 1)
        has_yield = (s_crop != "green_manure") & (rng.random(len(s_farm)) < 0.97)
        n = len(s_farm)
        s_ids = uuids(season_no, n)
        season_no += n
        counts["seasons"] = counts.get("seasons", 0) + insert(
            records.CropSeason,
            {
                "id": s_ids,
                "farm_id": s_farm.tolist(),
                "year": [year] * n,
                "season": s_name.tolist(),
                "crop_id": [crops[c] for c in s_crop],
                "area_mu": s_area.tolist(),
                "yield_kg": [float(y) if ok else None for y, ok in zip(s_yield, has_yield, strict=True)],
                "green_certified": (rng.random(n) < 0.05).tolist(),
            },
        )
        s_ids_arr = np.array(s_ids)

        # Fertiliser: 0-4 applications per season (mean 2.5).
        k = rng.choice([0, 1, 2, 3, 4], n, p=[0.05, 0.1, 0.3, 0.35, 0.2])
        idx = np.repeat(np.arange(n), k)
        m = len(idx)
        organic = rng.random(m) < 0.1
        urea = ~organic & (rng.random(m) < 0.35)
        n_pct = np.where(organic, 2.0, np.where(urea, 46.0, 15.0))
        p_pct = np.where(organic, 1.0, np.where(urea, 0.0, 15.0))
        k_pct = np.where(organic, 1.0, np.where(urea, 0.0, 15.0))
        method = rng.choice(["broadcast", "side_deep", "fertigation", "band"], m, p=[0.7, 0.15, 0.1, 0.05])
        counts["fertiliser"] = counts.get("fertiliser", 0) + insert(
            records.FertiliserApplication,
            {
                "id": uuids(fert_no, m),
                "season_id": s_ids_arr[idx].tolist(),
                "date": [dt.date(year, 6, 15)] * m,
                "product": [
                    "有机肥" if o else ("尿素" if u else "复合肥 15-15-15")
                    for o, u in zip(organic, urea, strict=True)
                ],
                "n_pct": n_pct.tolist(),
                "p2o5_pct": p_pct.tolist(),
                "k2o_pct": k_pct.tolist(),
                "product_kg": floats(s_area[idx] * rng.uniform(8, 30, m)),
                "area_mu": floats(s_area[idx] * rng.uniform(0.6, 1.0, m)),
                "method": method.tolist(),
                "slow_release": (rng.random(m) < 0.15).tolist(),
                "soil_test_formula": (rng.random(m) < 0.3).tolist(),
                "organic": organic.tolist(),
            },
        )
        fert_no += m

        # Pesticide: 0-4 applications per season (mean 2).
        k = rng.choice([0, 1, 2, 3, 4], n, p=[0.15, 0.15, 0.3, 0.25, 0.15])
        idx = np.repeat(np.arange(n), k)
        m = len(idx)
        litres = rng.random(m) < 0.4
        counts["pesticide"] = counts.get("pesticide", 0) + insert(
            records.PesticideApplication,
            {
                "id": uuids(pest_no, m),
                "season_id": s_ids_arr[idx].tolist(),
                "date": [dt.date(year, 7, 1)] * m,
                "product": ["农药"] * m,
                "active_ingredient": ["有效成分"] * m,
                "ai_content_pct": floats(rng.uniform(5, 50, m)),
                "amount": floats(s_area[idx] * rng.uniform(0.05, 0.2, m), 3),
                "amount_unit": np.where(litres, "L", "kg").tolist(),
                "density_kg_per_l": [
                    round(float(d), 3) if lit else None
                    for d, lit in zip(rng.uniform(1.0, 1.2, m), litres, strict=True)
                ],
                "area_mu": floats(s_area[idx]),
                "green_control": (rng.random(m) < 0.05).tolist(),
            },
        )
        pest_no += m

        # Straw: grain and oilseed seasons, 85 % with 1-2 straw records.
        straw_crop = np.isin(s_crop, ["rice", "wheat", "barley", "rapeseed"]) & (rng.random(n) < 0.85)
        k = np.where(straw_crop, rng.choice([1, 2], n), 0)
        idx = np.repeat(np.arange(n), k)
        m = len(idx)
        first = np.concatenate([[True], idx[1:] != idx[:-1]]) if m else np.array([], dtype=bool)
        use = np.where(
            first, "field_return", rng.choice(["feed", "fuel", "substrate", "fertiliser", "unused"], m)
        )
        # Shares of the collectable straw (yield × about 1.0 × 0.85): a few farms record more than that.
        share = 0.85 * np.where(first, rng.uniform(0.45, 0.92, m), rng.uniform(0.01, 0.08, m))
        counts["straw"] = counts.get("straw", 0) + insert(
            records.StrawUse,
            {
                "id": uuids(straw_no, m),
                "season_id": s_ids_arr[idx].tolist(),
                "use": use.tolist(),
                "straw_kg": floats(s_yield[idx] * share),
                "off_field": (use != "field_return").tolist(),
                "destination": [""] * m,
            },
        )
        straw_no += m

        # Mulch film: 60 % of vegetable and watermelon seasons.
        filmed = np.flatnonzero(np.isin(s_crop, ["vegetables", "watermelon"]) & (rng.random(n) < 0.6))
        m = len(filmed)
        used = s_area[filmed] * rng.uniform(3, 6, m)
        thickness = rng.choice([0.008, 0.010, 0.012, np.nan], m, p=[0.15, 0.5, 0.3, 0.05])
        counts["film"] = counts.get("film", 0) + insert(
            records.MulchFilm,
            {
                "id": uuids(film_no, m),
                "season_id": s_ids_arr[filmed].tolist(),
                "used_kg": floats(used),
                "thickness_mm": [None if np.isnan(t) else float(t) for t in thickness],
                "recovered_kg": floats(used * rng.uniform(0.5, 1.05, m)),
                "biodegradable": [False] * m,
            },
        )
        film_no += m

        # Herds: one or two species per livestock farm; about a fifth large-scale.
        two = rng.random(len(keepers)) < 0.2
        h_farm = np.concatenate([keepers, keepers[two]])
        first_species = rng.choice(
            ["pig", "sheep_goat", "layer", "broiler", "dairy_cow", "beef_cattle"],
            len(keepers),
            p=[0.6, 0.2, 0.1, 0.05, 0.02, 0.03],
        )
        second_species = np.where(first_species[two] == "layer", "sheep_goat", "layer")
        h_species = np.concatenate([first_species, second_species])
        scale = {
            "pig": 250,
            "sheep_goat": 100,
            "layer": 1200,
            "broiler": 4000,
            "dairy_cow": 60,
            "beef_cattle": 25,
        }
        stock = np.maximum(1, np.round([scale[s] * rng.lognormal(0, 0.7) for s in h_species])).astype(int)
        m = len(h_farm)
        counts["herds"] = counts.get("herds", 0) + insert(
            records.LivestockHerd,
            {
                "id": uuids(other_no, m),
                "farm_id": h_farm.tolist(),
                "year": [year] * m,
                "species": h_species.tolist(),
                "stock_heads": stock.tolist(),
                "annual_output_heads": np.round(stock * rng.uniform(1.2, 2.2, m)).astype(int).tolist(),
                "collection_method": rng.choice(["dry", "flushing"], m, p=[0.7, 0.3]).tolist(),
            },
        )
        other_no += m

        # Manure facilities: 90 % of livestock farms.
        f_farm = keepers[rng.random(len(keepers)) < 0.9]
        m = len(f_farm)
        produced = rng.uniform(50, 3000, m)
        proof = rng.random(m) < 0.9
        counts["facilities"] = counts.get("facilities", 0) + insert(
            records.ManureFacility,
            {
                "id": uuids(other_no, m),
                "farm_id": f_farm.tolist(),
                "year": [year] * m,
                "liquid_storage_m3": floats(rng.uniform(50, 4000, m)),
                "solid_storage_m3": floats(rng.uniform(5, 300, m)),
                "seepage_proof": proof.tolist(),
                "rain_proof": proof.tolist(),
                "overflow_proof": (proof & (rng.random(m) < 0.95)).tolist(),
                "treatment": ["compost"] * m,
                "treatment_in_operation": (rng.random(m) < 0.85).tolist(),
                "land_for_application_mu": floats(rng.uniform(20, 800, m)),
                "manure_produced_t": floats(produced),
                "manure_utilised_t": floats(produced * rng.uniform(0.5, 1.0, m)),
            },
        )
        other_no += m

        # Tailwater: 0-4 discharge samples per aquaculture farm.
        k = rng.choice([0, 1, 2, 3, 4], len(fishers), p=[0.1, 0.15, 0.35, 0.3, 0.1])
        t_farm = np.repeat(fishers, k)
        m = len(t_farm)
        days = rng.integers(0, 365, m)
        tp = np.round(rng.lognormal(np.log(0.5), 0.5, m), 3)
        counts["tailwater"] = counts.get("tailwater", 0) + insert(
            records.TailwaterSample,
            {
                "id": uuids(other_no, m),
                "farm_id": t_farm.tolist(),
                "date": [dt.date(year, 1, 1) + dt.timedelta(days=int(d)) for d in days],
                "ph": floats(rng.uniform(6.2, 8.9, m)),
                "ss_mg_per_l": floats(rng.lognormal(np.log(40), 0.5, m)),
                "codmn_mg_per_l": floats(rng.lognormal(np.log(12), 0.4, m)),
                "tn_mg_per_l": floats(rng.lognormal(np.log(2.5), 0.4, m), 3),
                "tp_mg_per_l": [
                    None if missing else float(v) for v, missing in zip(tp, rng.random(m) < 0.05, strict=True)
                ],
                "nh3n_mg_per_l": floats(rng.lognormal(np.log(0.8), 0.5, m), 3),
                "laboratory": [""] * m,
                "discharge_volume_m3": floats(rng.uniform(500, 5000, m)),
                "is_discharge": [True] * m,
            },
        )
        other_no += m

        # District water: 1-4 events per district (inlet and outlet the same day), some outlet only.
        k = rng.choice([0, 1, 2, 3, 4], n_districts, p=[0.1, 0.2, 0.3, 0.25, 0.15])
        e_district = np.repeat(np.arange(1, n_districts + 1), k)
        e = len(e_district)
        e_day = [dt.date(year, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(90, 300, e)]
        with_inlet = rng.random(e) < 0.9
        for point, mask, level in (("inlet", with_inlet, 1.0), ("outlet", np.ones(e, dtype=bool), 1.6)):
            m = int(mask.sum())
            counts["water"] = counts.get("water", 0) + insert(
                records.WaterSample,
                {
                    "id": uuids(other_no, m),
                    "district_id": e_district[mask].tolist(),
                    "date": [d for d, keep in zip(e_day, mask, strict=True) if keep],
                    "point": [point] * m,
                    "volume_m3": floats(rng.uniform(2000, 20000, m)),
                    "ph": floats(rng.uniform(6.5, 8.5, m)),
                    "ss_mg_per_l": [None] * m,
                    "codmn_mg_per_l": floats(rng.lognormal(np.log(6 * level), 0.3, m)),
                    "tn_mg_per_l": floats(rng.lognormal(np.log(1.2 * level), 0.3, m), 3),
                    "tp_mg_per_l": floats(rng.lognormal(np.log(0.15 * level), 0.3, m), 3),
                    "nh3n_mg_per_l": floats(rng.lognormal(np.log(0.6 * level), 0.3, m), 3),
                    "laboratory": [""] * m,
                },
            )
            other_no += m
    return counts


# --- The raw SQL of the same figures -------------------------------------------------------------------


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def pct(numerator: Any, denominator: Any) -> float | None:
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator) * 100


def year_bounds(year: int) -> list[dt.date]:
    return [dt.date(year, 1, 1), dt.date(year, 12, 31)]


def in_force(sql: str, year: int) -> list[tuple]:
    """Reference rows in force on 31 December: latest valid_from per key (the key columns come first)."""
    return fetch(sql, [dt.date(year, 12, 31)])


def raw_compliance(year: int) -> dict[tuple[str, str], float | None]:
    """Every compliance figure of the district and the towns, by hand-written GROUP BY queries."""
    F, S, A, P = (
        "practices_fertiliserapplication",
        "practices_cropseason",
        "registry_farm",
        "practices_pesticideapplication",
    )
    towns = dict(fetch("SELECT id, code FROM registry_town"))
    figures: dict[str, dict[int, dict[str, float]]] = {}

    def put(name: str, rows: list[tuple], columns: Sequence[str]) -> None:
        table = figures.setdefault(name, {})
        for town_id, *values in rows:
            table.setdefault(town_id, {}).update(
                {c: (float(v) if v is not None else None) for c, v in zip(columns, values, strict=True)}
            )

    # §1-3: seasons joined to their applications' per-season figures (a derived table).
    least = "CASE WHEN COALESCE(p.{0}, 0) < s.area_mu THEN COALESCE(p.{0}, 0) ELSE s.area_mu END"
    practices = ("sr", "sd", "fg", "st")
    put("fert", fetch(f"""
        SELECT f.town_id, SUM(s.area_mu), COUNT(DISTINCT s.farm_id), SUM(p.n), SUM(p.p), SUM(p.k),
               {", ".join("SUM(" + least.format(x) + ")" for x in practices)}
        FROM {S} s JOIN {A} f ON f.id = s.farm_id
        LEFT JOIN (
            SELECT a.season_id,
                   SUM(CASE WHEN NOT a.organic THEN a.product_kg * a.n_pct END) / 100.0 AS n,
                   SUM(CASE WHEN NOT a.organic THEN a.product_kg * a.p2o5_pct END) / 100.0 AS p,
                   SUM(CASE WHEN NOT a.organic THEN a.product_kg * a.k2o_pct END) / 100.0 AS k,
                   MAX(CASE WHEN a.slow_release THEN a.area_mu END) AS sr,
                   MAX(CASE WHEN a.method = 'side_deep' THEN a.area_mu END) AS sd,
                   MAX(CASE WHEN a.method = 'fertigation' THEN a.area_mu END) AS fg,
                   MAX(CASE WHEN a.soil_test_formula THEN a.area_mu END) AS st
            FROM {F} a JOIN {S} s2 ON s2.id = a.season_id WHERE s2.year = %s GROUP BY a.season_id
        ) p ON p.season_id = s.id
        WHERE s.year = %s GROUP BY f.town_id""", [year, year]),
        ["sown", "farms", "n", "p", "k", *practices])  # fmt: skip
    ai = "CASE WHEN a.amount_unit = 'L' THEN a.amount * a.density_kg_per_l ELSE a.amount END * a.ai_content_pct / 100.0"
    put("pest", fetch(f"""SELECT f.town_id, SUM({ai}) FROM {P} a JOIN {S} s ON s.id = a.season_id
        JOIN {A} f ON f.id = s.farm_id WHERE s.year = %s GROUP BY f.town_id""", [year]), ["ai"])  # fmt: skip

    # Base years: each town's own Baseline, else the district's.
    base: dict[str, dict[int, int]] = {}
    for kind in ("fertiliser", "pesticide"):
        rows = fetch(
            "SELECT scope, town_id, base_year FROM indicators_baseline WHERE kind = %s AND scope IN ('district', 'town')",
            [kind],
        )
        district = next((y for scope, _t, y in rows if scope == "district"), None)
        own = {t: y for scope, t, y in rows if scope == "town"}
        base[kind] = {town_id: own.get(town_id, district) for town_id in towns} | {0: district}
    base_years = sorted({y for kind in base.values() for y in kind.values() if y is not None})
    marks = ", ".join(["%s"] * len(base_years))
    old: dict[tuple[int, int], dict[str, float]] = {}
    for town_id, y, sown in fetch(
        f"SELECT f.town_id, s.year, SUM(s.area_mu) FROM {S} s JOIN {A} f ON f.id = s.farm_id WHERE s.year IN ({marks}) GROUP BY f.town_id, s.year",
        base_years,
    ):
        old.setdefault((town_id, y), {})["sown"] = float(sown)
    for town_id, y, total in fetch(
        f"""SELECT f.town_id, s.year, SUM(a.product_kg * (a.n_pct + a.p2o5_pct + a.k2o_pct)) / 100
            FROM {F} a JOIN {S} s ON s.id = a.season_id JOIN {A} f ON f.id = s.farm_id
            WHERE s.year IN ({marks}) AND NOT a.organic GROUP BY f.town_id, s.year""",
        base_years,
    ):
        old.setdefault((town_id, y), {})["fertiliser"] = float(total or 0)
    for town_id, y, total in fetch(
        f"""SELECT f.town_id, s.year, SUM({ai}) FROM {P} a JOIN {S} s ON s.id = a.season_id
            JOIN {A} f ON f.id = s.farm_id WHERE s.year IN ({marks}) GROUP BY f.town_id, s.year""",
        base_years,
    ):
        old.setdefault((town_id, y), {})["pesticide"] = float(total or 0)  # fmt: skip

    # §4: the ledger seasons (with straw records) and their uses, per season in a derived table.
    coefficients = in_force("""SELECT c.crop_id, c.kind, c.value, c.valid_from FROM reference_cropcoefficient c
        WHERE c.kind IN ('straw_grain_ratio', 'collection_coefficient') AND c.valid_from <= %s
        ORDER BY c.crop_id, c.kind, c.valid_from""", year)  # fmt: skip
    latest = {(crop, kind): float(value) for crop, kind, value, _since in coefficients}
    crops = sorted({crop for crop, _kind in latest})
    case = (
        "CASE s.crop_id "
        + " ".join(
            f"WHEN {crop} THEN {latest.get((crop, 'straw_grain_ratio'), 0) * latest.get((crop, 'collection_coefficient'), 0)!r}"
            for crop in crops
        )
        + " END"
    )
    utilised_uses = "'field_return', 'fertiliser', 'feed', 'fuel', 'substrate', 'raw_material'"
    per_season = f"""SELECT s.farm_id, f.town_id, s.yield_kg * {case} / 1000.0 AS collectable,
            u.utilised / 1000.0 AS utilised, u.field_return / 1000.0 AS field_return
        FROM {S} s JOIN {A} f ON f.id = s.farm_id JOIN (
            SELECT t.season_id, SUM(CASE WHEN t.use IN ({utilised_uses}) THEN t.straw_kg ELSE 0 END) AS utilised,
                   SUM(CASE WHEN t.use = 'field_return' THEN t.straw_kg ELSE 0 END) AS field_return
            FROM practices_strawuse t JOIN {S} s3 ON s3.id = t.season_id WHERE s3.year = %s GROUP BY t.season_id
        ) u ON u.season_id = s.id
        WHERE s.year = %s AND s.yield_kg IS NOT NULL"""  # fmt: skip
    put(
        "straw",
        fetch(
            f"SELECT town_id, SUM(collectable), SUM(utilised), SUM(field_return) FROM ({per_season}) x GROUP BY town_id",
            [year, year],
        ),
        ["collectable", "utilised", "field_return"],
    )
    straw_flags = fetch(
        f"SELECT farm_id FROM ({per_season}) x GROUP BY farm_id HAVING SUM(utilised) > SUM(collectable)",
        [year, year],
    )

    # §5: film, and the farms that recovered more than they used.
    minimum = float(
        in_force(
            "SELECT value FROM reference_referencevalue WHERE key = 'film_standard_min_thickness_mm' AND valid_from <= %s ORDER BY valid_from DESC",
            year,
        )[0][0]
    )
    film_from = f"FROM practices_mulchfilm m JOIN {S} s ON s.id = m.season_id JOIN {A} f ON f.id = s.farm_id WHERE s.year = %s"
    put(
        "film",
        fetch(
            f"SELECT f.town_id, SUM(m.used_kg), SUM(CASE WHEN m.thickness_mm >= %s THEN m.used_kg ELSE 0 END), SUM(m.recovered_kg) {film_from} GROUP BY f.town_id",
            [minimum, year],
        ),
        ["used", "standard", "recovered"],
    )
    film_flags = fetch(
        f"SELECT s.farm_id {film_from} GROUP BY s.farm_id HAVING SUM(m.recovered_kg) > SUM(m.used_kg)", [year]
    )

    # §6: large-scale farms, their requirements and facilities, judged in SQL.
    thresholds = {
        sp: (basis, heads)
        for sp, basis, heads, _v in in_force(
            "SELECT species, basis, min_heads, valid_from FROM reference_livestockthreshold WHERE valid_from <= %s ORDER BY species, valid_from",
            year,
        )
    }
    equivalents = {
        sp: float(eq) / float(h)
        for sp, h, eq, _v in in_force(
            "SELECT species, heads, pig_equivalents, valid_from FROM reference_pigequivalent WHERE valid_from <= %s ORDER BY species, valid_from",
            year,
        )
    }
    water = {
        (g, m): float(summer) / per
        for g, m, summer, per, _v in in_force(
            'SELECT "group", method, summer_m3_per_day, per_heads, valid_from FROM reference_wastewatercoefficient WHERE valid_from <= %s ORDER BY "group", method, valid_from',
            year,
        )
    }
    named = {
        k: float(v)
        for k, v, _f in in_force(
            "SELECT key, value, valid_from FROM reference_referencevalue WHERE valid_from <= %s ORDER BY key, valid_from",
            year,
        )
    }
    days, capacity, solid = (
        named["manure_storage_days"],
        named["manure_land_capacity_pig_eq_per_mu"],
        named["solid_manure_m3_per_pig_eq_per_day"],
    )
    groups = {
        "pig": "pig",
        "beef_cattle": "cattle",
        "dairy_cow": "cattle",
        "broiler": "poultry",
        "layer": "poultry",
        "meat_duck": "poultry",
        "laying_duck": "poultry",
        "goose": "poultry",
    }
    basis_heads = (
        "CASE h.species "
        + " ".join(
            f"WHEN '{sp}' THEN {'h.annual_output_heads' if b == 'annual_output' else 'h.stock_heads'}"
            for sp, (b, _n) in thresholds.items()
        )
        + " END"
    )
    threshold = (
        "CASE h.species " + " ".join(f"WHEN '{sp}' THEN {n}" for sp, (_b, n) in thresholds.items()) + " END"
    )
    pig_eq = (
        "h.stock_heads * CASE h.species "
        + " ".join(f"WHEN '{sp}' THEN {e!r}" for sp, e in equivalents.items())
        + " END"
    )
    per_head = (
        "CASE "
        + " ".join(
            f"WHEN h.species = '{sp}' AND h.collection_method = '{m}' THEN {water[(groups.get(sp, 'pig'), m)]!r} * {'h.stock_heads' if sp in groups else '(' + pig_eq + ')'}"
            for sp in thresholds
            for m in ("dry", "flushing")
        )
        + " END"
    )
    manure = f"""
        SELECT x.town_id, COUNT(*), SUM(CASE WHEN m.id IS NOT NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN m.seepage_proof AND m.rain_proof AND m.overflow_proof AND m.treatment_in_operation
                         AND m.liquid_storage_m3 >= x.wastewater * {days!r}
                         AND m.solid_storage_m3 >= x.pig_eq * {solid!r} * {days!r}
                         AND m.land_for_application_mu >= x.pig_eq / {capacity!r} THEN 1 ELSE 0 END)
        FROM (
            SELECT h.farm_id, f.town_id, MAX(CASE WHEN {basis_heads} >= {threshold} THEN 1 ELSE 0 END) AS large,
                   SUM({pig_eq}) AS pig_eq, SUM({per_head}) AS wastewater
            FROM practices_livestockherd h JOIN {A} f ON f.id = h.farm_id WHERE h.year = %s GROUP BY h.farm_id, f.town_id
        ) x LEFT JOIN practices_manurefacility m ON m.farm_id = x.farm_id AND m.year = %s
        WHERE x.large = 1 GROUP BY x.town_id"""  # fmt: skip
    put("manure", fetch(manure, [year, year]), ["large", "assessed", "matched"])
    put("manure_use", fetch(f"""SELECT f.town_id, SUM(m.manure_utilised_t), SUM(m.manure_produced_t) FROM practices_manurefacility m
        JOIN {A} f ON f.id = m.farm_id WHERE m.year = %s AND m.manure_produced_t IS NOT NULL AND m.manure_utilised_t IS NOT NULL
        GROUP BY f.town_id""", [year]), ["utilised", "produced"])  # fmt: skip

    # §7: every sample judged against its farm's class limits, farms from their samples.
    limits = in_force(
        "SELECT level_rank, parameter, min_value, max_value, valid_from FROM reference_standardlimit WHERE use = 'tailwater' AND valid_from <= %s ORDER BY level_rank, parameter, valid_from",
        year,
    )
    fails, measured = [], []
    for rank in sorted({r for r, *_ in limits}):
        for _r, parameter, low, high, _v in (row for row in limits if row[0] == rank):
            outside = " OR ".join(
                filter(
                    None,
                    [
                        f"t.{parameter} > {float(high)!r}" if high is not None else "",
                        f"t.{parameter} < {float(low)!r}" if low is not None else "",
                    ],
                )
            )
            fails.append(f"WHEN f.tailwater_class = '{rank}' AND ({outside}) THEN 1")
            measured.append(f"WHEN f.tailwater_class = '{rank}' AND t.{parameter} IS NULL THEN 0")
    judged = f"""SELECT t.farm_id, f.town_id,
            MAX(CASE {" ".join(fails)} ELSE 0 END) AS failed,
            MIN(CASE WHEN f.tailwater_class NOT IN ({", ".join(repr(str(r)) for r in sorted({r for r, *_ in limits}))}) THEN 0 {" ".join(measured)} ELSE 1 END) AS complete
        FROM practices_tailwatersample t JOIN {A} f ON f.id = t.farm_id
        WHERE t.is_discharge AND t.date BETWEEN %s AND %s GROUP BY t.farm_id, f.town_id"""  # fmt: skip
    put(
        "tailwater",
        fetch(
            f"SELECT town_id, COUNT(*), SUM(CASE WHEN failed = 0 AND complete = 1 THEN 1 ELSE 0 END) FROM ({judged}) j GROUP BY town_id",
            year_bounds(year),
        ),
        ["sampled", "complying"],
    )
    put("aquaculture", fetch(f"""SELECT f.town_id, COUNT(*) FROM {A} f WHERE (f.active AND (f.farm_type = 'aquaculture' OR f.tailwater_class <> ''))
        OR f.id IN (SELECT t.farm_id FROM practices_tailwatersample t WHERE t.is_discharge AND t.date BETWEEN %s AND %s) GROUP BY f.town_id""", year_bounds(year)), ["farms"])  # fmt: skip

    # §8: districts of the threshold size and more, monitored when sampled at both points.
    put("districts", fetch("""SELECT d.town_id, COUNT(*), SUM(CASE WHEN
            EXISTS (SELECT 1 FROM practices_watersample w WHERE w.district_id = d.id AND w.point = 'inlet' AND w.date BETWEEN %s AND %s)
            AND EXISTS (SELECT 1 FROM practices_watersample w WHERE w.district_id = d.id AND w.point = 'outlet' AND w.date BETWEEN %s AND %s)
            THEN 1 ELSE 0 END) FROM registry_irrigationdistrict d WHERE d.area_mu >= %s GROUP BY d.town_id""",
        [*year_bounds(year), *year_bounds(year), named["district_monitoring_min_area_mu"]]), ["must", "monitored"])  # fmt: skip

    # The district is the sum of its towns; then the rates, per town and for the district.
    result: dict[tuple[str, str], float | None] = {}
    scopes = [(town_id, code) for town_id, code in towns.items()] + [(0, "310151")]
    for table in figures.values():
        table[0] = {}
        for town_id in towns:
            for column, value in table.get(town_id, {}).items():
                if value is not None:
                    table[0][column] = table[0].get(column, 0.0) + value
    for key, sums in list(old.items()):
        total = old.setdefault((0, key[1]), {})
        if key[0] != 0:
            for column, value in sums.items():
                total[column] = total.get(column, 0.0) + value

    def get(name: str, town_id: int) -> dict[str, float]:
        return figures.get(name, {}).get(town_id, {})

    for town_id, code in scopes:
        fert, pest = get("fert", town_id), get("pest", town_id)
        sown = fert.get("sown")
        nutrient = sum(fert.get(c) or 0.0 for c in "npk") if sown else None
        intensity = nutrient / sown if sown else None
        pest_intensity = (pest.get("ai") or 0.0) / sown if sown else None
        result[("fertiliser_intensity_kg_per_mu", code)] = intensity
        result[("pesticide_intensity_kg_per_mu", code)] = pest_intensity
        for kind, current, indicator in (
            ("fertiliser", intensity, "fertiliser_reduction_pct"),
            ("pesticide", pest_intensity, "pesticide_reduction_pct"),
        ):
            year_of = base[kind].get(town_id)
            past = old.get((town_id, year_of), {})
            baseline = past.get(kind, 0.0) / past["sown"] if past.get("sown") else None
            result[(indicator, code)] = (
                None if baseline in (None, 0) or current is None else (baseline - current) / baseline * 100
            )
        for column, indicator in zip(
            practices,
            (
                "slow_release_coverage_pct",
                "side_deep_coverage_pct",
                "fertigation_coverage_pct",
                "soil_test_coverage_pct",
            ),
            strict=True,
        ):
            result[(indicator, code)] = pct(fert.get(column) or 0.0, sown) if sown else None
        straw = get("straw", town_id)
        result[("straw_utilisation_pct", code)] = pct(straw.get("utilised"), straw.get("collectable"))
        result[("straw_field_return_pct", code)] = pct(straw.get("field_return"), straw.get("collectable"))
        film = get("film", town_id)
        result[("film_standard_share_pct", code)] = pct(film.get("standard"), film.get("used"))
        result[("film_recovery_pct", code)] = pct(film.get("recovered"), film.get("used"))
        manure = get("manure", town_id)
        result[("manure_facility_matching_pct", code)] = pct(manure.get("matched"), manure.get("large"))
        use = get("manure_use", town_id)
        result[("manure_utilisation_pct", code)] = pct(use.get("utilised"), use.get("produced"))
        tail = get("tailwater", town_id)
        result[("tailwater_compliance_pct", code)] = pct(tail.get("complying"), tail.get("sampled"))
        result[("tailwater_monitoring_pct", code)] = pct(
            tail.get("sampled", 0.0), get("aquaculture", town_id).get("farms")
        )
        district = get("districts", town_id)
        result[("district_monitoring_pct", code)] = pct(district.get("monitored"), district.get("must"))
    result[("flags", "straw")] = float(len(straw_flags))
    result[("flags", "film")] = float(len(film_flags))
    return result


# --- Timing --------------------------------------------------------------------------------------------


def best_of(repeat: int, *runs: Callable[[], object]) -> list[float]:
    """The best time of each run, the runs interleaved so that a busy spell hits them alike."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, spent in zip(runs, times, strict=True):
            start = time.perf_counter()
            run()
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--farms", type=int, default=50_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    years = list(range(2026 - args.years, 2026))
    year = years[-1]

    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    if not USE_TEMP_SQLITE:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)  # migrates
    try:
        call_command("migrate", verbosity=0, interactive=False)
        migrated = time.perf_counter() - started
        call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        started = time.perf_counter()
        with transaction.atomic():
            counts = generate(args.farms, years)
        generated = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # both sides get the same planner statistics
        total = sum(counts.values())
        print(f"farmadvice compliance benchmark ({connection.vendor}, Python {platform.python_version()})")
        print(
            f"  migrate {migrated:.1f} s; generated {total:,} rows in {generated:.1f} s ({total / generated:,.0f} rows/s)"
        )
        print("  " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))

        report = compliance_report(user=SYSTEM_READER, year=year)
        raw = raw_compliance(year)
        check(report, raw)
        ours, theirs = best_of(
            args.repeat,
            lambda: compliance_report(user=SYSTEM_READER, year=year),
            lambda: raw_compliance(year),
        )
        print(f"  compliance_report({year}), district + 18 towns, {len(report.rows)} rows: {ours:.3f} s")
        print(f"  raw SQL GROUP BY of the same figures:                   {theirs:.3f} s")
        print(f"  ratio: {ours / theirs:.2f}x (goal: ≤ 2x and < 2 s)")
    finally:
        if USE_TEMP_SQLITE:
            connection.close()
            shutil.rmtree(TEMP_DIR, ignore_errors=True)
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def check(report: Any, raw: dict[tuple[str, str], float | None]) -> None:
    """The report's values equal the raw SQL's (to 1e-6 relative), row by row."""
    mismatches = []
    for row in report.rows:
        expected = raw.get((row.indicator, row.scope_code), "absent")
        if expected == "absent":
            continue
        if (expected is None) != (row.value is None) or (
            expected is not None and abs(expected - row.value) > 1e-6 * max(1.0, abs(expected))
        ):
            mismatches.append((row.indicator, row.scope_code, row.value, expected))
    checked = sum(1 for row in report.rows if (row.indicator, row.scope_code) in raw)
    flagged = {
        "straw": sum(
            len(row.flags)
            for row in report.rows
            if row.indicator == "straw_utilisation_pct" and row.scope == "district"
        ),
        "film": sum(
            len(row.flags)
            for row in report.rows
            if row.indicator == "film_recovery_pct" and row.scope == "district"
        ),
    }
    for name, count in flagged.items():
        if raw[("flags", name)] != count:
            mismatches.append(("flags", name, count, raw[("flags", name)]))
    if mismatches:
        for mismatch in mismatches[:20]:
            print("  MISMATCH", mismatch)
        raise SystemExit(f"{len(mismatches)} of {checked} figures differ from the raw SQL")
    print(f"  checked: {checked} figures equal to the raw SQL's")


if __name__ == "__main__":
    main()
