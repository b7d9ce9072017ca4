"""A seeded, Chongming-like demo population: farms, districts and several years of records.

Pure Python and numpy, no Django: `generate(DemoParams(...))` returns a `DemoDataset` of frozen
specs whose field names are the model fields (`farmadvice.demo.loader` writes them). The same
params give the same dataset, to the last UUID: every random draw comes from a numpy Generator
seeded with the params' seed and the stable key of what is drawn (a farm code, a year), and every
record id is a uuid5 over `DEMO_NAMESPACE`, the seed and that key.

The population is plausible, not real. Town centres, village and river names are illustrative;
farm names are made up. Rates are sized against the figures in `data/*.csv` (INDICATORS.md) as
they stood when this was written, copied below, so that a seed gives the same records whatever is
later edited in the reference tables:

- N rates near the recommended rates (rice 17, wheat 13, vegetables 15 per season, kg N/mu); some
  farms 30-55 % above them. Green practices (slow-release, side-deep, fertigation, soil-test
  formula, organic substitution) spread year by year: the fertiliser "double reduction" story.
- Straw reported against produced × collection coefficient (rice 1.00 × 0.85, wheat 1.10 × 0.85,
  rapeseed 2.87 × 0.80); most farms use 95-100 % of it, a few far less, a few report > 100 %.
- Large-scale thresholds, pig equivalents, GB 18596 wastewater, 90 storage days, 0.002 m3 of
  solid manure per pig equivalent a day, 1.4 pig equivalents per mu of land; some large-scale
  farms fail exactly one condition, fewer each year.
- SC/T 9101 tailwater limits by class; some farm-years exceed, some samples miss a parameter,
  some farm-years are not sampled.
- District net exports (outlet minus inlet load) drawn around 2.4 kg N and 0.6 kg P per ha a year
  (INDICATORS.md §9); some ≥ 1000-mu districts lack outlet samples, or all samples, in a year.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

# Fixed forever: changing it changes every demo UUID.
DEMO_NAMESPACE = uuid.UUID("3f6d0c52-6a8e-5b1c-9d47-2c0e8f4b7a19")

DEFAULT_SEED = 2026
DEFAULT_FARMS = 400
DEFAULT_YEARS = (2022, 2023, 2024, 2025)
MIN_FARMS = 20
MAX_FARMS = 5000

MSG_TOO_FEW_FARMS = "--farms must be between {low} and {high}; got {value}."
MSG_BAD_YEARS = "Years must be distinct, between 2000 and 2100; got {value}."
MSG_BAD_SEED = "The seed must be zero or a positive integer; got {value}."

MONITORING_MIN_AREA_MU = 1000.0

# --- Users -----------------------------------------------------------------------------------

ADMIN = "admin"
COMMITTEE = "committee"
AGENT = "agent"
AGENT2 = "agent2"
OPERATOR = "operator"
OPERATOR2 = "operator2"
DEMO_USERNAMES = (ADMIN, COMMITTEE, AGENT, AGENT2, OPERATOR, OPERATOR2)
AGENT_TOWNS = ("城桥镇", "新河镇", "建设镇")


# --- Towns -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TownProfile:
    """A town as the demo sees it: code abbreviation, farming weight, centre, villages."""

    name_zh: str
    abbr: str
    weight: float
    lat: float
    lon: float
    villages: tuple[str, ...]

    @property
    def short(self) -> str:
        """The name without 镇/乡, unless that would leave one character (堡镇, 庙镇)."""
        return self.name_zh[:-1] if len(self.name_zh) > 2 else self.name_zh

    @property
    def on_chongming(self) -> bool:
        return self.abbr not in ("CX", "HS")


TOWNS: tuple[TownProfile, ...] = (
    TownProfile("城桥镇", "CQ", 5, 31.625, 121.400, ("鳌山村", "山阳村", "侯南村", "聚训村", "湾南村", "城西村")),
    TownProfile("堡镇", "BZ", 6, 31.525, 121.610, ("五滧村", "桃源村", "四滧村", "营房村", "堡北村")),
    TownProfile("新河镇", "XH", 5, 31.590, 121.530, ("新民村", "井亭村", "卫东村", "强民村", "群英村", "新光村")),
    TownProfile("庙镇", "MZ", 8, 31.700, 121.330, ("合中村", "永乐村", "米行村", "保东村", "窑桥村", "猛西村")),
    TownProfile("竖新镇", "SX", 6, 31.610, 121.620, ("前卫村", "仙桥村", "响哃村", "大东村", "新建村")),
    TownProfile("向化镇", "XHU", 6, 31.560, 121.760, ("向化村", "北港村", "春风村", "齐南村", "六滧村")),
    TownProfile("三星镇", "SXI", 7, 31.710, 121.250, ("新安村", "海安村", "育德村", "大平村", "西新村")),
    TownProfile("港沿镇", "GY", 6, 31.570, 121.690, ("港沿村", "富国村", "合东村", "鲁玙村", "同心村")),
    TownProfile("中兴镇", "ZX", 7, 31.630, 121.740, ("永南村", "北兴村", "富圩村", "中兴村", "广福村")),
    TownProfile("陈家镇", "CJ", 7, 31.530, 121.860, ("瀛东村", "裕安村", "德云村", "鸿田村", "八滧村", "协隆村")),
    TownProfile("绿华镇", "LH", 4, 31.755, 121.190, ("华西村", "华星村", "绿港村", "华荣村")),
    TownProfile("港西镇", "GX", 7, 31.670, 121.440, ("团结村", "北双村", "静南村", "协北村", "港西村")),
    TownProfile("建设镇", "JS", 7, 31.650, 121.510, ("虹桥村", "浜西村", "建设村", "大同村", "蟠南村")),
    TownProfile("新海镇", "XHI", 6, 31.790, 121.390, ("新海村", "跃进村", "红星村", "长征村")),
    TownProfile("东平镇", "DP", 4, 31.720, 121.480, ("东平村", "前哨村", "长江村", "东风村")),
    TownProfile("长兴镇", "CX", 2, 31.400, 121.700, ("潘石村", "圆沙村", "凤凰村", "先进村", "合心村")),
    TownProfile("新村乡", "XC", 5, 31.790, 121.290, ("新浜村", "新中村", "新乐村", "新洲村")),
    TownProfile("横沙乡", "HS", 2, 31.380, 121.830, ("民星村", "丰乐村", "新民村", "永胜村", "兴隆村")),
)  # fmt: skip
TOWN_BY_NAME = {town.name_zh: town for town in TOWNS}

# Chongming proper, and Changxing/Hengsha, as latitude and longitude boxes.
CHONGMING_BOX = (31.45, 31.85, 121.15, 121.95)
SOUTH_ISLANDS_BOX = (31.35, 31.45, 121.55, 121.85)

RIVERS = (
    "南横引河", "北横引河", "新河港", "堡镇港", "庙港", "鸽龙港", "老滧港",
    "张网港", "六滧港", "八滧港", "东平河", "三沙洪", "界河", "奚家港",
)  # fmt: skip
TAILWATER_LABORATORIES = ("区农业技术推广中心检测室", "第三方检测机构（委托）")
DISTRICT_LABORATORIES = ("区农业技术推广中心检测室", "区水务局水质监测站")

# --- Farm kinds ------------------------------------------------------------------------------

FAMILY, COOPERATIVE, ENTERPRISE, SMALLHOLDER = "family_farm", "cooperative", "enterprise", "smallholder"
OPERATOR_KINDS = (FAMILY, COOPERATIVE, ENTERPRISE, SMALLHOLDER)


@dataclass(frozen=True, slots=True)
class FarmKind:
    """What a farm does: its type, share of the population, and how it is named and sized."""

    key: str
    farm_type: str
    share: float
    product: tuple[str, ...]  # cooperative names: 城桥绿港<水稻>专业合作社
    industry: tuple[str, ...]  # enterprise names: 上海瀛丰<农业发展>有限公司
    holder: str  # smallholder names: 施建华<种植户>
    operator_shares: tuple[float, float, float, float]  # family, cooperative, enterprise, smallholder
    median_area_mu: tuple[float, float, float, float]  # same order


CROP, LIVESTOCK, AQUACULTURE, MIXED = "crop", "livestock", "aquaculture", "mixed"
_RICE_OPS = (0.55, 0.22, 0.08, 0.15)
_HORT_OPS = (0.40, 0.30, 0.12, 0.18)
_LIVE_OPS = (0.35, 0.20, 0.40, 0.05)
_AQUA_OPS = (0.45, 0.30, 0.15, 0.10)

FARM_KINDS: tuple[FarmKind, ...] = (
    FarmKind("rice_wheat", CROP, 0.24, ("水稻", "粮食"), ("农业发展", "粮食种植"), "种植户", _RICE_OPS, (160, 700, 1500, 12)),
    FarmKind("rice_green_manure", CROP, 0.09, ("水稻", "稻米"), ("生态农业", "农业科技"), "种植户", _RICE_OPS, (150, 600, 1200, 10)),
    FarmKind("vegetables", CROP, 0.12, ("蔬菜", "果蔬"), ("蔬菜种植", "农业科技"), "种植户", _HORT_OPS, (50, 200, 400, 5)),
    FarmKind("citrus", CROP, 0.06, ("柑橘",), ("果业",), "种植户", _HORT_OPS, (40, 150, 300, 6)),
    FarmKind("watermelon", CROP, 0.05, ("西瓜", "瓜果"), ("瓜果种植",), "种植户", _HORT_OPS, (40, 120, 250, 6)),
    FarmKind("asparagus", CROP, 0.03, ("芦笋",), ("芦笋种植",), "种植户", _HORT_OPS, (40, 120, 250, 5)),
    FarmKind("pig", LIVESTOCK, 0.05, ("生猪",), ("畜牧", "生猪养殖"), "养殖户", _LIVE_OPS, (15, 30, 60, 3)),
    FarmKind("goat", LIVESTOCK, 0.04, ("白山羊", "山羊"), ("白山羊养殖", "畜牧"), "养殖户", _LIVE_OPS, (12, 25, 45, 3)),
    FarmKind("layer", LIVESTOCK, 0.03, ("蛋鸡", "禽蛋"), ("蛋品", "禽业"), "养殖户", _LIVE_OPS, (10, 20, 40, 2)),
    FarmKind("broiler", LIVESTOCK, 0.02, ("肉鸡", "家禽"), ("禽业", "家禽养殖"), "养殖户", _LIVE_OPS, (10, 20, 40, 2)),
    FarmKind("crab", AQUACULTURE, 0.09, ("河蟹", "清水蟹"), ("水产养殖", "蟹业"), "养殖户", _AQUA_OPS, (120, 300, 600, 20)),
    FarmKind("shrimp", AQUACULTURE, 0.04, ("对虾", "南美白对虾"), ("水产养殖",), "养殖户", _AQUA_OPS, (80, 200, 400, 15)),
    FarmKind("fish", AQUACULTURE, 0.04, ("水产", "淡水鱼"), ("渔业", "水产养殖"), "养殖户", _AQUA_OPS, (100, 250, 500, 20)),
    FarmKind("mixed", MIXED, 0.10, ("种养", "生态种养"), ("生态农业",), "种养户", (0.55, 0.30, 0.15, 0.0), (200, 500, 800, 30)),
)  # fmt: skip
KIND_BY_KEY = {kind.key: kind for kind in FARM_KINDS}
RICE_KINDS = ("rice_wheat", "rice_green_manure", "mixed")
FILM_KINDS = ("vegetables", "watermelon")

# Where a kind is more (or less) common than its share says.
AFFINITY: dict[str, dict[str, float]] = {
    "crab": {"CJ": 3, "XHU": 2.5, "ZX": 2, "XHI": 2, "LH": 2, "CX": 2, "HS": 2.5},
    "shrimp": {"CJ": 2, "XHU": 2, "HS": 2, "CX": 2},
    "fish": {"XHI": 2, "LH": 2, "CX": 1.5},
    "citrus": {"CX": 4, "HS": 3, "GX": 2.5, "JS": 2.5, "SX": 2},
    "watermelon": {"GY": 2.5, "SX": 2, "XC": 2},
    "asparagus": {"GY": 2.5, "XH": 2},
    "rice_wheat": {"MZ": 1.6, "GX": 1.5, "SXI": 1.6, "XC": 1.5, "LH": 1.3, "JS": 1.4, "XHI": 1.5, "CX": 0.3, "HS": 0.3},
    "rice_green_manure": {"MZ": 1.5, "SXI": 1.5, "XC": 1.5, "XHI": 1.5, "CX": 0.3, "HS": 0.3},
    "pig": {"XHI": 2, "MZ": 1.5, "CX": 0.5, "HS": 0.5},
    "goat": {"BZ": 2, "GY": 2, "XH": 1.5},
    "layer": {"ZX": 1.5, "DP": 1.5},
    "broiler": {"DP": 1.5, "XHI": 1.5},
}  # fmt: skip

SURNAMES = tuple("施黄陆沈张王陈朱顾倪龚杨徐蔡秦姚郁宋茅袁")
GIVEN_NAMES = (
    "建华", "卫东", "国平", "美英", "秀兰", "志刚", "永明", "海兵", "雪芳", "惠忠", "金龙", "春燕",
    "建平", "新民", "德明", "玉兰", "小平", "忠良", "红梅", "士杰", "林峰", "桂芳", "强", "伟",
)  # fmt: skip
BRANDS = (
    "绿港", "瀛洲", "瀛丰", "东滩", "金穗", "禾丰", "惠农", "沪岛", "鳌山", "绿岛", "崇禾", "新绿",
    "丰收", "兴农", "西沙", "北湖", "明珠湖", "江海", "长江口", "清水", "瀛东", "金瀛", "裕丰",
    "永丰", "和丰", "天和", "春晖", "芦苇荡", "瀛农", "崇明岛",
)  # fmt: skip

# --- Reference figures the demo is sized against (data/*.csv; see the module docstring) -------

RECOMMENDED_N = {
    "rice": 17.0, "wheat": 13.0, "rapeseed": 12.0, "vegetables": 15.0,
    "watermelon": 16.0, "citrus": 20.0, "asparagus": 20.0, "green_manure": 0.0,
}  # fmt: skip
STRAW = {"rice": (1.00, 0.85), "wheat": (1.10, 0.85), "rapeseed": (2.87, 0.80)}  # ratio, collection
FILM_MIN_THICKNESS_MM = 0.010
# Species: (threshold basis, threshold heads, heads per pig equivalent, wastewater group).
THRESHOLDS = {
    "pig": ("annual_output", 500, 1.0, "pig"),
    "sheep_goat": ("annual_output", 200, 3.0, "pig"),
    "layer": ("in_stock", 2000, 30.0, "poultry"),
    "broiler": ("annual_output", 10000, 60.0, "poultry"),
}
# Summer wastewater, m3 per head per day (GB 18596: per 100 pigs, per 1000 poultry).
WASTEWATER_M3_PER_HEAD_DAY = {
    ("pig", "flushing"): 0.035,
    ("pig", "dry"): 0.018,
    ("poultry", "flushing"): 0.0012,
    ("poultry", "dry"): 0.0007,
}
STORAGE_DAYS = 90.0
SOLID_M3_PER_PIG_EQ_DAY = 0.002
LAND_PIG_EQ_PER_MU = 1.4
TAILWATER_LIMITS = {  # SC/T 9101-2007, class → parameter → max (pH: 6-9)
    "1": {"ss_mg_per_l": 50.0, "codmn_mg_per_l": 15.0, "tn_mg_per_l": 3.0, "tp_mg_per_l": 0.5},
    "2": {"ss_mg_per_l": 100.0, "codmn_mg_per_l": 25.0, "tn_mg_per_l": 5.0, "tp_mg_per_l": 1.0},
}
TAILWATER_PH = (6.0, 9.0)
MU_PER_HA = 15.0

# --- Specs: what the loader writes. Field names are model fields; *_code and *_username are
# --- resolved by the loader.


@dataclass(frozen=True, slots=True)
class VillageSpec:
    town: str
    name: str


@dataclass(frozen=True, slots=True)
class DistrictSpec:
    code: str
    name: str
    town: str
    area_mu: float
    receiving_water: str


@dataclass(frozen=True, slots=True)
class FarmSpec:
    code: str
    name: str
    farm_type: str
    kind: str  # a FarmKind key; not stored
    operator_kind: str
    contact_name: str
    contact_phone: str
    town: str
    village: str
    area_mu: float
    latitude: float
    longitude: float
    district_code: str | None
    tailwater_class: str
    registered_on: dt.date
    created_by_username: str


@dataclass(frozen=True, slots=True)
class VisitSpec:
    id: uuid.UUID
    farm_code: str
    agent_username: str
    date: dt.date
    notes: str


@dataclass(frozen=True, slots=True)
class SeasonSpec:
    id: uuid.UUID
    farm_code: str
    year: int
    season: str
    crop: str
    area_mu: float
    yield_kg: float | None
    green_certified: bool
    visit_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class FertiliserSpec:
    id: uuid.UUID
    season_id: uuid.UUID
    date: dt.date
    product: str
    n_pct: float
    p2o5_pct: float
    k2o_pct: float
    product_kg: float
    area_mu: float
    method: str
    slow_release: bool
    soil_test_formula: bool
    organic: bool
    visit_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class PesticideSpec:
    id: uuid.UUID
    season_id: uuid.UUID
    date: dt.date
    product: str
    active_ingredient: str
    ai_content_pct: float
    amount: float
    amount_unit: str
    density_kg_per_l: float | None
    area_mu: float
    green_control: bool
    visit_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class StrawSpec:
    id: uuid.UUID
    season_id: uuid.UUID
    use: str
    straw_kg: float
    off_field: bool
    destination: str
    visit_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class FilmSpec:
    id: uuid.UUID
    season_id: uuid.UUID
    used_kg: float
    thickness_mm: float | None
    recovered_kg: float
    biodegradable: bool
    note: str
    visit_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class HerdSpec:
    id: uuid.UUID
    farm_code: str
    year: int
    species: str
    stock_heads: int
    annual_output_heads: int
    collection_method: str
    visit_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class FacilitySpec:
    id: uuid.UUID
    farm_code: str
    year: int
    liquid_storage_m3: float
    solid_storage_m3: float
    seepage_proof: bool
    rain_proof: bool
    overflow_proof: bool
    treatment: str
    treatment_in_operation: bool
    land_for_application_mu: float
    manure_produced_t: float
    manure_utilised_t: float
    note: str
    visit_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class TailwaterSpec:
    id: uuid.UUID
    farm_code: str
    date: dt.date
    ph: float | None
    ss_mg_per_l: float | None
    codmn_mg_per_l: float | None
    tn_mg_per_l: float | None
    tp_mg_per_l: float | None
    nh3n_mg_per_l: float | None
    discharge_volume_m3: float | None
    is_discharge: bool
    laboratory: str
    note: str
    visit_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class WaterSampleSpec:
    id: uuid.UUID
    district_code: str
    point: str
    date: dt.date
    volume_m3: float
    ph: float
    ss_mg_per_l: float
    codmn_mg_per_l: float
    tn_mg_per_l: float
    tp_mg_per_l: float
    nh3n_mg_per_l: float
    laboratory: str
    created_by_username: str


@dataclass(frozen=True, slots=True)
class DemoParams:
    seed: int = DEFAULT_SEED
    n_farms: int = DEFAULT_FARMS
    years: tuple[int, ...] = DEFAULT_YEARS

    def __post_init__(self) -> None:
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(MSG_BAD_SEED.format(value=self.seed))
        if not MIN_FARMS <= self.n_farms <= MAX_FARMS:
            raise ValueError(MSG_TOO_FEW_FARMS.format(low=MIN_FARMS, high=MAX_FARMS, value=self.n_farms))
        years = tuple(self.years)
        if not years or len(set(years)) != len(years) or not all(2000 <= y <= 2100 for y in years):
            raise ValueError(MSG_BAD_YEARS.format(value=self.years))
        object.__setattr__(self, "years", tuple(sorted(years)))


@dataclass(frozen=True, slots=True)
class DemoDataset:
    """The generated population. Lists are in a stable order; specs compare by value."""

    params: DemoParams
    villages: tuple[VillageSpec, ...]
    districts: tuple[DistrictSpec, ...]
    farms: tuple[FarmSpec, ...]
    operator_farms: tuple[tuple[str, tuple[str, ...]], ...]  # (username, farm codes)
    agent_towns: tuple[tuple[str, tuple[str, ...]], ...]  # (username, town names)
    visits: tuple[VisitSpec, ...]
    seasons: tuple[SeasonSpec, ...]
    fertiliser_applications: tuple[FertiliserSpec, ...]
    pesticide_applications: tuple[PesticideSpec, ...]
    straw_uses: tuple[StrawSpec, ...]
    mulch_films: tuple[FilmSpec, ...]
    herds: tuple[HerdSpec, ...]
    manure_facilities: tuple[FacilitySpec, ...]
    tailwater_samples: tuple[TailwaterSpec, ...]
    water_samples: tuple[WaterSampleSpec, ...]

    def counts(self) -> dict[str, int]:
        """Number of specs per collection, e.g. {"farms": 400, "seasons": 3100, …}."""
        return {
            f.name: len(getattr(self, f.name))
            for f in fields(self)
            if f.name not in ("params", "operator_farms", "agent_towns")
        }


# --- Helpers ---------------------------------------------------------------------------------


def _key_int(key: str | int) -> int:
    return key if isinstance(key, int) else zlib.crc32(key.encode("utf-8"))


def _rng(seed: int, *keys: str | int) -> np.random.Generator:
    """A Generator for one stable key: a farm's draws never depend on another farm's."""
    return np.random.default_rng([seed, *(_key_int(k) for k in keys)])


def _round(value: float, places: int) -> float:
    return round(float(value), places)


def _allocate(weights: Sequence[float], total: int, minimum: int = 0) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), each part at least `minimum`."""
    counts = [minimum] * len(weights)
    remaining = total - minimum * len(weights)
    if remaining < 0:
        raise ValueError("total is smaller than the minimum parts")
    weight_sum = float(sum(weights))
    quotas = [w / weight_sum * remaining for w in weights]
    floors = [math.floor(q) for q in quotas]
    counts = [c + f for c, f in zip(counts, floors, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[: remaining - sum(floors)]:
        counts[i] += 1
    return counts


def _day(rng: np.random.Generator, year: int, start: tuple[int, int], end: tuple[int, int]) -> dt.date:
    """A day between start and end (month, day), inclusive; end before start wraps to next year."""
    first = dt.date(year, *start)
    last = dt.date(year if end >= start else year + 1, *end)
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _share(first: float, step: float, year: int, low: float = 0.02, high: float = 0.95) -> float:
    """A share that moves by `step` a year from `first` in 2022: the adoption and compliance trends."""
    return min(high, max(low, first + step * (year - 2022)))


class _Ids:
    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __call__(self, key: str) -> uuid.UUID:
        return uuid.uuid5(DEMO_NAMESPACE, f"{self.seed}:{key}")


# --- Catalogues ------------------------------------------------------------------------------

# Fertiliser products: (name, N %, P2O5 %, K2O %).
Product = tuple[str, float, float, float]
COMPOUND_151515 = ("复合肥（15-15-15）", 15.0, 15.0, 15.0)
COMPOUND_181512 = ("复合肥（18-15-12）", 18.0, 15.0, 12.0)
FORMULA_RICE = ("测土配方肥（22-8-10）", 22.0, 8.0, 10.0)
FORMULA_WHEAT = ("测土配方肥（20-12-8）", 20.0, 12.0, 8.0)
FORMULA_HORT = ("测土配方肥（15-10-20）", 15.0, 10.0, 20.0)
UREA = ("尿素", 46.0, 0.0, 0.0)
SLOW_RICE = ("控释掺混肥（26-10-12）", 26.0, 10.0, 12.0)
SLOW_WHEAT = ("缓释复合肥（24-12-12）", 24.0, 12.0, 12.0)
SLOW_HORT = ("缓释肥（22-8-12）", 22.0, 8.0, 12.0)
WATER_SOLUBLE = ("水溶肥（20-20-20）", 20.0, 20.0, 20.0)
WATER_SOLUBLE_K = ("高钾水溶肥（16-8-34）", 16.0, 8.0, 34.0)
HIGH_K = ("高钾复合肥（15-5-25）", 15.0, 5.0, 25.0)
ORGANIC = ("商品有机肥", 2.0, 1.0, 1.5)
ORGANIC_MANURE = ("腐熟羊粪有机肥", 1.2, 0.8, 1.0)
SUPERPHOSPHATE = ("过磷酸钙", 0.0, 12.0, 0.0)


@dataclass(frozen=True, slots=True)
class _Dose:
    """One planned application: kg N per mu from `product` (kg product per mu when it has no N)."""

    date: dt.date
    product: Product
    per_mu: float
    method: str = "broadcast"
    slow: bool = False
    soil: bool = False


@dataclass(frozen=True, slots=True)
class Pesticide:
    product: str
    active_ingredient: str
    ai_pct: float
    unit: str
    density: float | None
    rate_per_mu: float  # kg or L of product per mu per spray
    window: tuple[tuple[int, int], tuple[int, int]]
    green: bool = False


_MATRINE = Pesticide("0.3%苦参碱水剂", "苦参碱", 0.3, "L", 1.00, 0.15, ((6, 20), (9, 10)), green=True)
_AZADIRACHTIN = Pesticide("0.3%印楝素乳油", "印楝素", 0.3, "L", 0.95, 0.10, ((4, 1), (9, 30)), green=True)
_SPINOSAD = Pesticide(
    "25克/升多杀霉素悬浮剂", "多杀霉素", 2.4, "L", 1.05, 0.05, ((4, 1), (10, 15)), green=True
)
_IMIDACLOPRID = Pesticide("10%吡虫啉可湿性粉剂", "吡虫啉", 10.0, "kg", None, 0.02, ((4, 1), (9, 30)))
_ABAMECTIN = Pesticide("1.8%阿维菌素乳油", "阿维菌素", 1.8, "L", 0.95, 0.06, ((4, 1), (10, 15)))
_AZOXYSTROBIN = Pesticide("250克/升嘧菌酯悬浮剂", "嘧菌酯", 23.0, "L", 1.08, 0.04, ((5, 1), (8, 31)))

PESTICIDES: dict[str, tuple[Pesticide, ...]] = {
    "rice": (
        Pesticide("60%丁草胺乳油", "丁草胺", 60.0, "L", 1.03, 0.10, ((6, 18), (6, 30))),
        Pesticide("200克/升氯虫苯甲酰胺悬浮剂", "氯虫苯甲酰胺", 18.4, "L", 1.09, 0.010, ((7, 5), (8, 20))),
        Pesticide("50%吡蚜酮水分散粒剂", "吡蚜酮", 50.0, "kg", None, 0.012, ((7, 20), (9, 5))),
        Pesticide("240克/升噻呋酰胺悬浮剂", "噻呋酰胺", 21.8, "L", 1.10, 0.020, ((7, 25), (8, 25))),
        Pesticide("75%三环唑可湿性粉剂", "三环唑", 75.0, "kg", None, 0.025, ((8, 10), (8, 31))),
    ),
    "wheat": (
        Pesticide("15%炔草酯可湿性粉剂", "炔草酯", 15.0, "kg", None, 0.025, ((2, 20), (3, 15))),
        Pesticide("430克/升戊唑醇悬浮剂", "戊唑醇", 38.7, "L", 1.11, 0.020, ((4, 10), (4, 30))),
        _IMIDACLOPRID,
    ),
    "rapeseed": (
        Pesticide("5%精喹禾灵乳油", "精喹禾灵", 5.0, "L", 0.95, 0.06, ((1, 5), (2, 10))),
        Pesticide("25%咪鲜胺乳油", "咪鲜胺", 25.0, "L", 1.00, 0.05, ((3, 10), (3, 31))),
    ),
    "vegetables": (
        _ABAMECTIN,
        _IMIDACLOPRID,
        Pesticide("5%甲氨基阿维菌素苯甲酸盐水分散粒剂", "甲氨基阿维菌素苯甲酸盐", 5.0, "kg", None, 0.004, ((4, 1), (10, 31))),
        Pesticide("75%百菌清可湿性粉剂", "百菌清", 75.0, "kg", None, 0.10, ((3, 1), (11, 15))),
    ),
    "citrus": (
        _ABAMECTIN,
        Pesticide("80%代森锰锌可湿性粉剂", "代森锰锌", 80.0, "kg", None, 0.15, ((4, 15), (6, 30))),
        Pesticide("240克/升螺螨酯悬浮剂", "螺螨酯", 22.0, "L", 1.10, 0.03, ((5, 1), (9, 15))),
        _IMIDACLOPRID,
    ),
    "watermelon": (
        Pesticide("70%甲基硫菌灵可湿性粉剂", "甲基硫菌灵", 70.0, "kg", None, 0.06, ((5, 10), (7, 10))),
        _AZOXYSTROBIN,
        _IMIDACLOPRID,
    ),
    "asparagus": (
        Pesticide("10%苯醚甲环唑水分散粒剂", "苯醚甲环唑", 10.0, "kg", None, 0.05, ((5, 1), (9, 30))),
        _AZOXYSTROBIN,
        _ABAMECTIN,
    ),
}  # fmt: skip
GREEN_PESTICIDES: dict[str, tuple[Pesticide, ...]] = {
    "rice": (_MATRINE, _SPINOSAD),
    "wheat": (_MATRINE,),
    "rapeseed": (_MATRINE,),
    "vegetables": (_MATRINE, _SPINOSAD, _AZADIRACHTIN),
    "citrus": (
        Pesticide("99%矿物油乳油", "矿物油", 99.0, "L", 0.85, 0.8, ((3, 15), (10, 15)), green=True),
        _AZADIRACHTIN,
    ),
    "watermelon": (_MATRINE, _AZADIRACHTIN),
    "asparagus": (_MATRINE, _SPINOSAD),
}
SPRAYS = {"rice": (3, 5), "wheat": (2, 3), "rapeseed": (1, 2), "vegetables": (3, 5), "citrus": (4, 6),
          "watermelon": (3, 4), "asparagus": (3, 5)}  # fmt: skip

# Yield, kg/mu: mean and standard deviation per season.
YIELD = {
    "rice": (600.0, 28.0), "wheat": (350.0, 25.0), "rapeseed": (165.0, 15.0), "vegetables": (2500.0, 400.0),
    "citrus": (2000.0, 300.0), "watermelon": (2500.0, 300.0), "asparagus": (800.0, 100.0),
}  # fmt: skip

STRAW_DESTINATIONS = {
    "feed": ("白山羊养殖场", "肉牛养殖场"),
    "substrate": ("食用菌基地", "草菇种植基地"),
    "fuel": ("生物质燃料厂",),
    "fertiliser": ("区有机肥厂", "秸秆堆肥场"),
    "raw_material": ("秸秆板材厂", "秸秆编织合作社"),
}

# --- Farms -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Farm:
    """A farm while it is being generated: its spec plus the traits that shape its records."""

    code: str
    kind: FarmKind
    town: TownProfile
    operator_kind: str
    area_mu: float
    name: str = ""
    contact: str = ""
    village: str = ""
    lat: float = 0.0
    lon: float = 0.0
    district: str | None = None
    tailwater_class: str = ""
    registered_on: dt.date = dt.date(2018, 1, 1)
    traits: set[str] = field(default_factory=set)
    # Latent draws in [0, 1): a practice is adopted, or a failure shows, in years whose share exceeds it.
    latent: dict[str, float] = field(default_factory=dict)
    livestock: _Livestock | None = None


@dataclass(slots=True)
class _Livestock:
    species: str
    size_class: str  # just_below, small, large
    base_heads: float  # on the threshold's basis
    collection_method: str
    treatment: str
    fail_latent: float = 1.0
    fail_kind: str = ""


def _person(rng: np.random.Generator) -> str:
    return str(rng.choice(SURNAMES)) + str(rng.choice(GIVEN_NAMES))


def _farm_name(rng: np.random.Generator, farm: _Farm, used: set[str]) -> str:
    kind = farm.kind
    for attempt in range(50):
        if farm.operator_kind == FAMILY:
            name = f"{farm.village}{farm.contact}家庭农场"
        elif farm.operator_kind == SMALLHOLDER:
            name = f"{farm.village}{farm.contact}{kind.holder}"
        elif farm.operator_kind == COOPERATIVE:
            name = f"{farm.town.short}{rng.choice(BRANDS)}{rng.choice(kind.product)}专业合作社"
        else:
            prefix = "上海" if attempt < 10 else f"上海{farm.town.short}"
            name = f"{prefix}{rng.choice(BRANDS)}{rng.choice(kind.industry)}有限公司"
        if name not in used:
            used.add(name)
            return name
        farm.contact = _person(rng)
    name = f"{name}（{farm.code}）"
    used.add(name)
    return name


def _location(rng: np.random.Generator, town: TownProfile) -> tuple[float, float]:
    lat_lo, lat_hi, lon_lo, lon_hi = CHONGMING_BOX if town.on_chongming else SOUTH_ISLANDS_BOX
    lat = float(np.clip(town.lat + rng.normal(0, 0.018), lat_lo + 0.002, lat_hi - 0.002))
    lon = float(np.clip(town.lon + rng.normal(0, 0.025), lon_lo + 0.002, lon_hi - 0.002))
    return round(lat, 6), round(lon, 6)


def _make_farms(params: DemoParams, rng: np.random.Generator) -> list[_Farm]:
    n = params.n_farms
    town_counts = _allocate([t.weight for t in TOWNS], n, minimum=1)
    cq = 0  # 城桥镇: the agent's and the operator's town needs a few farms
    while town_counts[cq] < 3:
        donor = max((i for i in range(len(TOWNS)) if i != cq), key=lambda i: (town_counts[i], -i))
        town_counts[donor] -= 1
        town_counts[cq] += 1
    kind_counts = _allocate([k.share for k in FARM_KINDS], n, minimum=1)

    slots = [i for i, count in enumerate(town_counts) for _ in range(count)]
    slots = [slots[i] for i in rng.permutation(len(slots))]
    remaining = np.array(kind_counts, dtype=float)
    farms: list[_Farm] = []
    numbers: Counter[int] = Counter()
    for town_index in slots:
        town = TOWNS[town_index]
        affinity = np.array([AFFINITY.get(k.key, {}).get(town.abbr, 1.0) for k in FARM_KINDS])
        weights = remaining * affinity
        kind_index = int(rng.choice(len(FARM_KINDS), p=weights / weights.sum()))
        remaining[kind_index] -= 1
        numbers[town_index] += 1
        kind = FARM_KINDS[kind_index]
        code = f"CM-{town.abbr}-{numbers[town_index]:04d}"
        farm_rng = _rng(params.seed, "farm", code)
        operator_kind = str(farm_rng.choice(OPERATOR_KINDS, p=np.array(kind.operator_shares)))
        median = kind.median_area_mu[OPERATOR_KINDS.index(operator_kind)]
        area = max(1.0, _round(median * farm_rng.lognormal(0.0, 0.35), 1))
        farms.append(_Farm(code=code, kind=kind, town=town, operator_kind=operator_kind, area_mu=area))
    farms.sort(key=lambda f: f.code)

    used_names: set[str] = set()
    for farm in farms:
        farm_rng = _rng(params.seed, "farm-details", farm.code)
        farm.village = str(farm_rng.choice(farm.town.villages))
        farm.contact = _person(farm_rng)
        farm.name = _farm_name(farm_rng, farm, used_names)
        farm.lat, farm.lon = _location(farm_rng, farm.town)
        farm.registered_on = dt.date(2014, 1, 1) + dt.timedelta(days=int(farm_rng.integers(0, 8 * 365)))
        if farm.kind.farm_type == AQUACULTURE:
            protected = farm.town.abbr in ("CJ", "XHU", "LH", "XHI")
            farm.tailwater_class = "1" if farm_rng.random() < (0.6 if protected else 0.12) else "2"
    _assign_traits(params, rng, farms)
    return farms


def _pick(rng: np.random.Generator, farms: list[_Farm], share: float, minimum: int = 1) -> list[_Farm]:
    if not farms:
        return []
    k = min(len(farms), max(minimum, round(share * len(farms))))
    return [farms[i] for i in sorted(rng.choice(len(farms), size=k, replace=False))]


def _assign_traits(params: DemoParams, rng: np.random.Generator, farms: list[_Farm]) -> None:
    """The farm-level traits that make indicators fail or shine, each present at least once."""
    rice = [f for f in farms if f.kind.key in RICE_KINDS]
    horticulture = [f for f in farms if f.kind.farm_type == CROP and f.kind.key not in RICE_KINDS]
    over_n = _pick(rng, [f for f in rice if f.kind.key != "rice_green_manure"], 0.12)
    for farm in over_n + _pick(rng, horticulture, 0.12, minimum=0):
        farm.traits.add("over_n")
    for farm in _pick(rng, rice, 0.10):
        farm.traits.add("straw_low")
    for farm in _pick(rng, [f for f in farms if f.kind.key in FILM_KINDS], 0.18):
        farm.traits.add("film_low")
    candidates = [f for f in rice if "over_n" not in f.traits and f.operator_kind != SMALLHOLDER]
    two_no = _pick(rng, candidates, 0.05)
    for farm in two_no:
        farm.traits.add("two_no")
    for farm in _pick(rng, [f for f in candidates if f not in two_no], 0.15, minimum=0):
        farm.traits.add("green_food")
    for farm in farms:
        latent = _rng(params.seed, "adoption", farm.code)
        for practice in ("slow", "side", "soil", "fertigation", "organic"):
            # Shares only grow, so a farm that adopts a practice keeps it; over-fertilisers never adopt.
            draw = float(latent.random())
            farm.latent[practice] = 1.0 if "over_n" in farm.traits else draw
    _livestock(params, rng, farms)
    aquaculture = [f for f in farms if f.kind.farm_type == AQUACULTURE]
    order = [aquaculture[i] for i in rng.permutation(len(aquaculture))]
    for i, farm in enumerate(order):
        draw = float(_rng(params.seed, "tailwater", farm.code).random())
        farm.latent["tailwater"] = 0.01 if i == 0 else draw
        if i == 1:
            farm.traits.add("misses_a_parameter")
        if i == 2:
            farm.traits.add("unsampled_first_year")


def _adopts(farm: _Farm, practice: str, share: float) -> bool:
    return farm.latent[practice] < share


SPECIES_OF_KIND = {"pig": "pig", "goat": "sheep_goat", "layer": "layer", "broiler": "broiler"}
# Size classes on the threshold's basis, as multiples of the threshold.
SIZE_RANGES = {"just_below": (0.96, 0.998), "small": (0.3, 0.8), "large": (1.1, 6.0)}
STOCK_PER_OUTPUT = {"pig": 0.55, "sheep_goat": 0.9, "broiler": 0.18}
MANURE_FAILURES = ("storage_short", "land_short", "not_rain_proof", "treatment_not_operating")


def _livestock(params: DemoParams, rng: np.random.Generator, farms: list[_Farm]) -> None:
    keepers = [f for f in farms if f.kind.farm_type in (LIVESTOCK, MIXED)]
    by_species: dict[str, list[_Farm]] = defaultdict(list)
    for farm in keepers:
        farm_rng = _rng(params.seed, "livestock", farm.code)
        if farm.kind.farm_type == MIXED:
            species = "sheep_goat" if farm_rng.random() < 0.6 else "pig"
        else:
            species = SPECIES_OF_KIND[farm.kind.key]
        by_species[species].append(farm)
        flushing_share = {"pig": 0.35, "layer": 0.2, "broiler": 0.1}.get(species, 0.0)
        treatments = {
            "pig": (("anaerobic", 0.4), ("compost", 0.3), ("land_application", 0.2), ("offsite", 0.1)),
            "sheep_goat": (("compost", 0.6), ("fermentation_bed", 0.2), ("land_application", 0.2)),
        }.get(species, (("compost", 0.7), ("offsite", 0.3)))
        names, probabilities = zip(*treatments, strict=True)
        farm.livestock = _Livestock(
            species=species,
            size_class="large",
            base_heads=0.0,
            collection_method="flushing" if farm_rng.random() < flushing_share else "dry",
            treatment=str(farm_rng.choice(names, p=np.array(probabilities))),
        )
    for species, group in sorted(by_species.items()):
        order = [group[i] for i in rng.permutation(len(group))]
        n_below = max(1, round(0.2 * len(order))) if len(order) >= 2 else 0
        n_small = round(0.1 * len(order))
        for i, farm in enumerate(order):
            assert farm.livestock is not None
            if farm.kind.farm_type == MIXED:
                size_class = "large" if i % 3 else "small"
            else:
                size_class = "just_below" if i < n_below else "small" if i < n_below + n_small else "large"
            low, high = SIZE_RANGES[size_class]
            threshold = THRESHOLDS[species][1]
            farm_rng = _rng(params.seed, "herd-size", farm.code)
            if size_class == "large":
                multiple = float(
                    np.exp(
                        farm_rng.uniform(
                            np.log(low), np.log(high if farm.kind.farm_type == LIVESTOCK else 2.0)
                        )
                    )
                )
            else:
                multiple = float(farm_rng.uniform(low, high))
            farm.livestock.size_class = size_class
            farm.livestock.base_heads = threshold * multiple

    large = [f for f in keepers if f.livestock is not None and f.livestock.size_class == "large"]
    order = [large[i] for i in rng.permutation(len(large))]
    # The first liquid-storage failure goes to a pig or poultry farm: goats have no GB 18596 figure.
    order.sort(key=lambda f: 0 if f.livestock and f.livestock.species != "sheep_goat" else 1)
    chronic = order[: len(MANURE_FAILURES)]
    for i, farm in enumerate(order):
        assert farm.livestock is not None
        farm.livestock.fail_kind = MANURE_FAILURES[i % len(MANURE_FAILURES)]
        latent = _rng(params.seed, "manure-latent", farm.code)
        farm.livestock.fail_latent = (
            float(latent.uniform(0, 0.05)) if farm in chronic else float(latent.random())
        )


# --- Districts -------------------------------------------------------------------------------


def _make_districts(params: DemoParams, rng: np.random.Generator, farms: list[_Farm]) -> list[DistrictSpec]:
    n_districts = max(5, round(params.n_farms * 0.075))
    irrigated = [f for f in farms if f.kind.farm_type in (CROP, MIXED)]
    rice_area: dict[str, float] = defaultdict(float)
    for farm in irrigated:
        rice_area[farm.town.name_zh] += farm.area_mu if farm.kind.key in RICE_KINDS else 0.3 * farm.area_mu
    towns = [t for t in TOWNS if rice_area[t.name_zh] > 0]
    counts = _allocate([rice_area[t.name_zh] for t in towns], n_districts)

    # Areas first: one of exactly 1000 mu, one below, several above, the rest either side.
    areas = [MONITORING_MIN_AREA_MU, _round(rng.uniform(400, 900), -1)]
    for i in range(2, n_districts):
        if i < 5 or rng.random() < 0.6:
            areas.append(_round(np.exp(rng.uniform(np.log(1050), np.log(5000))), -1))
        else:
            areas.append(_round(rng.uniform(300, 990), -1))
    areas = [areas[i] for i in rng.permutation(len(areas))]

    districts: list[DistrictSpec] = []
    cursor = 0
    for town, count in zip(towns, counts, strict=True):
        members = [f for f in irrigated if f.town is town]
        members = [members[i] for i in rng.permutation(len(members))]
        villages = list(town.villages)
        town_areas = sorted(areas[cursor : cursor + count], reverse=True)
        cursor += count
        for number, area in enumerate(town_areas, start=1):
            village = villages[(number - 1) % len(villages)][:-1]
            suffix = "" if number <= len(villages) else "东"
            code = f"GQ-{town.abbr}-{number:02d}"
            districts.append(
                DistrictSpec(
                    code=code,
                    name=f"{town.name_zh}{village}{suffix}灌区",
                    town=town.name_zh,
                    area_mu=area,
                    receiving_water=str(rng.choice(RIVERS)),
                )
            )
            capacity = 0.85 * area
            for farm in members:
                # Not every farm lies in a district; a farm larger than what is left stays outside.
                if farm.district is None and farm.area_mu <= capacity and rng.random() < 0.85:
                    farm.district = code
                    capacity -= farm.area_mu
    districts.sort(key=lambda d: d.code)
    return districts


# --- Records ---------------------------------------------------------------------------------


class _Records:
    """Collects the records of every farm-year; one instance per generation run."""

    def __init__(self, params: DemoParams) -> None:
        self.params = params
        self.uid = _Ids(params.seed)
        self.visits: list[VisitSpec] = []
        self.seasons: list[SeasonSpec] = []
        self.fertiliser: list[FertiliserSpec] = []
        self.pesticides: list[PesticideSpec] = []
        self.straw: list[StrawSpec] = []
        self.films: list[FilmSpec] = []
        self.herds: list[HerdSpec] = []
        self.facilities: list[FacilitySpec] = []
        self.tailwater: list[TailwaterSpec] = []

    # Visits -----------------------------------------------------------------------------------

    def visit_dates(self, rng: np.random.Generator, farm: _Farm, year: int) -> list[dt.date]:
        if farm.kind.farm_type in (CROP, MIXED):
            windows = [((6, 12), (6, 30)), ((8, 5), (8, 25)), ((11, 5), (11, 28))]
            if farm.kind.key in ("rice_wheat", "mixed", "vegetables"):
                windows.insert(0, ((3, 5), (3, 25)))
            if rng.random() < 0.3:
                windows.pop(-2)
        elif farm.kind.farm_type == LIVESTOCK:
            windows = [((4, 5), (4, 25)), ((10, 10), (10, 30))]
        else:
            windows = [((4, 10), (4, 30)), ((9, 1), (9, 20)), ((12, 1), (12, 20))]
        return sorted(_day(rng, year, start, end) for start, end in windows)

    def add_visits(self, farm: _Farm, year: int, dates: list[dt.date], notes: list[list[str]]) -> None:
        agent = AGENT if farm.town.name_zh in AGENT_TOWNS else AGENT2
        for i, (date, lines) in enumerate(zip(dates, notes, strict=True)):
            self.visits.append(
                VisitSpec(
                    id=self.visit_id(farm, year, i),
                    farm_code=farm.code,
                    agent_username=agent,
                    date=date,
                    notes="；".join(dict.fromkeys(lines)),
                )
            )

    def visit_id(self, farm: _Farm, year: int, index: int) -> uuid.UUID:
        return self.uid(f"visit/{farm.code}/{year}/{index}")

    @staticmethod
    def visit_index(dates: list[dt.date], on: dt.date | None) -> int:
        """The first visit on or after a record's date (it was entered then), else the year's last."""
        if on is not None:
            for i, date in enumerate(dates):
                if date >= on:
                    return i
        return len(dates) - 1

    # A farm-year -------------------------------------------------------------------------------

    def farm_year(self, farm: _Farm, year: int) -> None:
        rng = _rng(self.params.seed, "records", farm.code, year)
        dates = self.visit_dates(rng, farm, year)
        notes: list[list[str]] = [[] for _ in dates]
        if farm.kind.farm_type in (CROP, MIXED):
            self.crop_year(rng, farm, year, dates, notes)
        if farm.livestock is not None:
            self.livestock_year(rng, farm, year, dates, notes)
        if farm.kind.farm_type == AQUACULTURE:
            self.tailwater_year(rng, farm, year, dates, notes)
        routine = {
            CROP: ("核对施肥用药台账", "查看作物长势", "发放测土配方施肥建议卡", "核查秸秆还田情况"),
            MIXED: ("核对种养结合台账", "查看粪肥还田情况", "核对施肥用药台账"),
            LIVESTOCK: ("核对存出栏与粪污利用台账", "检查粪污贮存设施", "指导粪污资源化利用"),
            AQUACULTURE: ("检查三池两坝尾水处理设施", "核对投饵与用药记录", "指导尾水达标排放"),
        }[farm.kind.farm_type]
        for lines in notes:
            lines.insert(0, str(rng.choice(routine)))
        self.add_visits(farm, year, dates, notes)

    # Crops ------------------------------------------------------------------------------------

    def crop_plan(self, rng: np.random.Generator, farm: _Farm) -> list[tuple[str, str, float]]:
        """(season, crop, area_mu) of the year; each season's area is within the farm's."""
        area = farm.area_mu
        key = farm.kind.key

        def part(low: float, high: float, of: float = area) -> float:
            return max(0.1, _round(of * rng.uniform(low, high), 1))

        if key in ("rice_wheat", "mixed", "rice_green_manure"):
            rice = part(0.85, 0.96)
            plan = [("summer", "rice", rice)]
            draw = rng.random()
            if key == "rice_green_manure":
                plan.insert(0, ("winter", "green_manure", part(0.7, 1.0, rice)))
            elif draw < 0.80:
                plan.insert(0, ("winter", "wheat", part(0.5, 0.98, rice)))
            elif draw < 0.92:
                plan.insert(0, ("winter", "rapeseed", part(0.3, 0.8, rice)))
            return plan
        if key == "vegetables":
            plan = [("winter", "vegetables", part(0.5, 0.9)), ("spring", "vegetables", part(0.7, 0.95))]
            if rng.random() < 0.3:
                plan.append(("summer", "vegetables", part(0.3, 0.7)))
            plan.append(("autumn", "vegetables", part(0.7, 0.95)))
            return plan
        if key == "citrus":
            return [("autumn", "citrus", part(0.85, 0.97))]
        if key == "watermelon":
            plan = [("summer", "watermelon", part(0.8, 0.95))]
            if rng.random() < 0.4:
                plan.append(("autumn", "vegetables", part(0.3, 0.8)))
            return plan
        return [("summer", "asparagus", part(0.85, 0.97))]

    def crop_year(
        self, rng: np.random.Generator, farm: _Farm, year: int, dates: list[dt.date], notes: list[list[str]]
    ) -> None:
        for season, crop, area in self.crop_plan(rng, farm):
            key = f"season/{farm.code}/{year}/{season}/{crop}"
            season_id = self.uid(key)
            green = (
                "two_no" in farm.traits
                or (crop == "rice" and "green_food" in farm.traits)
                or (crop == "vegetables" and rng.random() < 0.15)
            )
            yield_kg = self.yield_kg(rng, farm, crop, area)
            harvest = {"winter": (year, 5, 28), "spring": (year, 5, 31), "summer": (year, 10, 31),
                       "autumn": (year, 11, 30)}[season]  # fmt: skip
            self.seasons.append(
                SeasonSpec(
                    id=season_id,
                    farm_code=farm.code,
                    year=year,
                    season=season,
                    crop=crop,
                    area_mu=area,
                    yield_kg=yield_kg,
                    green_certified=green,
                    visit_id=self.visit_id(farm, year, self.visit_index(dates, dt.date(*harvest))),
                )
            )
            n_rate = self.fertilise(rng, farm, year, season, crop, area, key, season_id, dates)
            if "over_n" in farm.traits and n_rate > 0:
                notes[-1].append(
                    f"{crop_zh(crop)}施氮约 {n_rate:.1f} kg N/亩，高于推荐用量，建议按测土配方减量"
                )
            self.spray(rng, farm, year, season, crop, area, key, season_id, dates)
            if crop in STRAW and yield_kg:
                self.straw_uses(rng, farm, year, crop, yield_kg, key, season_id, dates, notes)
            if crop in ("vegetables", "watermelon"):
                self.film(rng, farm, year, season, crop, area, key, season_id, dates, notes)

    def yield_kg(self, rng: np.random.Generator, farm: _Farm, crop: str, area: float) -> float | None:
        if crop not in YIELD:
            return None
        mean, sd = YIELD[crop]
        if crop == "rice" and "two_no" in farm.traits:
            mean -= 110
        elif crop == "rice" and "green_food" in farm.traits:
            mean -= 30
        per_mu = max(0.3 * mean, rng.normal(mean, sd))
        return _round(per_mu * area, 1)

    def n_rate(self, rng: np.random.Generator, farm: _Farm, year: int, crop: str) -> float:
        """The season's total N, kg/mu: near the recommended rate, drifting down; some farms well above."""
        recommended = RECOMMENDED_N[crop]
        if "over_n" in farm.traits:
            return recommended * rng.uniform(1.30, 1.55)
        # Vegetable growers typically run well above the per-season recommendation.
        habit = rng.uniform(1.05, 1.35) if crop == "vegetables" else rng.uniform(0.95, 1.15)
        rate = recommended * habit * (1 - 0.02 * (year - 2022))
        if _adopts(farm, "slow", _share(0.20, 0.08, year)) or _adopts(
            farm, "fertigation", _share(0.15, 0.08, year)
        ):
            rate *= 0.9
        if _adopts(farm, "soil", _share(0.45, 0.07, year)):
            rate *= 0.95
        return rate

    def fertilise(
        self,
        rng: np.random.Generator,
        farm: _Farm,
        year: int,
        season: str,
        crop: str,
        area: float,
        key: str,
        season_id: uuid.UUID,
        dates: list[dt.date],
    ) -> float:
        """Write the season's applications; return its N rate, kg/mu."""
        doses: list[_Dose] = []

        def dose(when: dt.date, product: Product, per_mu: float, **flags: Any) -> None:
            doses.append(_Dose(when, product, per_mu, **flags))

        slow = _adopts(farm, "slow", _share(0.20, 0.08, year))
        side = crop == "rice" and _adopts(farm, "side", _share(0.10, 0.08, year))
        soil = _adopts(farm, "soil", _share(0.45, 0.07, year))
        fertigation = crop != "rice" and _adopts(farm, "fertigation", _share(0.15, 0.08, year))
        organic = _adopts(farm, "organic", _share(0.25, 0.05, year))
        manure = ORGANIC_MANURE if farm.kind.key == "mixed" else ORGANIC
        prev = year - 1

        if crop == "green_manure":
            if rng.random() < 0.5:
                dose(_day(rng, prev, (10, 1), (10, 25)), SUPERPHOSPHATE, 25.0)
            self.write_fertiliser(rng, doses, farm, year, area, key, season_id, dates)
            return 0.0
        n_total = self.n_rate(rng, farm, year, crop)
        if crop == "rice" and "two_no" in farm.traits:
            # 两无化 rice: no chemical fertiliser, a heavier dose of organic fertiliser instead.
            organic_n = n_total * 0.6
            dose(_day(rng, year, (6, 1), (6, 12)), manure, organic_n, soil=soil)
            self.write_fertiliser(rng, doses, farm, year, area, key, season_id, dates)
            return organic_n
        organic_n = 0.0
        if organic or (farm.kind.key == "mixed" and rng.random() < 0.8):
            field_crop = crop in ("rice", "wheat", "rapeseed")
            organic_n = rng.uniform(2.5, 5.0) if field_crop else rng.uniform(3.0, 6.0)
            if crop == "rice":
                when = _day(rng, year, (6, 1), (6, 8))
            elif field_crop:
                when = _day(rng, prev, (10, 15), (11, 5))
            else:
                when = self.basal_date(rng, year, season, crop)
            dose(when, manure, organic_n)
        chem = max(0.0, n_total - organic_n)

        if crop == "rice":
            method = "side_deep" if side else "broadcast"
            if slow:
                share = rng.uniform(0.7, 1.0)
                dose(
                    _day(rng, year, (6, 8), (6, 18)),
                    SLOW_RICE,
                    chem * share,
                    method=method,
                    slow=True,
                    soil=soil,
                )
                if share < 0.97:
                    dose(_day(rng, year, (7, 25), (8, 8)), UREA, chem * (1 - share))
            else:
                basal = FORMULA_RICE if soil else (COMPOUND_151515 if rng.random() < 0.5 else COMPOUND_181512)
                dose(_day(rng, year, (6, 8), (6, 18)), basal, chem * 0.45, method=method, soil=soil)
                dose(_day(rng, year, (6, 25), (7, 8)), UREA, chem * 0.30)
                dose(_day(rng, year, (7, 25), (8, 8)), UREA, chem * 0.25)
        elif crop == "wheat":
            basal = SLOW_WHEAT if slow else FORMULA_WHEAT if soil else COMPOUND_181512
            share = 0.7 if slow else 0.5
            dose(_day(rng, prev, (10, 28), (11, 15)), basal, chem * share, slow=slow, soil=soil)
            dose(_day(rng, year, (2, 20), (3, 15)), UREA, chem * (1 - share))
        elif crop == "rapeseed":
            dose(_day(rng, prev, (10, 20), (11, 5)), COMPOUND_151515, chem * 0.45, soil=soil)
            dose(_day(rng, prev, (12, 10), (12, 28)), UREA, chem * 0.30)
            dose(_day(rng, year, (2, 15), (3, 5)), UREA, chem * 0.25)
        else:
            basal = SLOW_HORT if slow else FORMULA_HORT if soil else COMPOUND_151515
            basal_date = self.basal_date(rng, year, season, crop)
            dose(basal_date, basal, chem * 0.4, slow=slow, soil=soil)
            if fertigation:
                events = int(rng.integers(4, 7))
                product = WATER_SOLUBLE_K if crop in ("watermelon", "citrus") else WATER_SOLUBLE
                for i in range(events):
                    when = basal_date + dt.timedelta(days=int(20 + i * rng.integers(10, 16)))
                    dose(when, product, chem * 0.6 / events, method="fertigation")
            else:
                topdress = HIGH_K if crop in ("watermelon", "citrus") else UREA
                for offset in (int(rng.integers(25, 40)), int(rng.integers(55, 80))):
                    dose(basal_date + dt.timedelta(days=offset), topdress, chem * 0.3)
        self.write_fertiliser(rng, doses, farm, year, area, key, season_id, dates)
        return n_total

    @staticmethod
    def basal_date(rng: np.random.Generator, year: int, season: str, crop: str) -> dt.date:
        if crop == "citrus":
            return _day(rng, year, (3, 1), (3, 20))
        if crop == "asparagus":
            return _day(rng, year, (3, 10), (3, 31))
        if crop == "watermelon":
            return _day(rng, year, (4, 1), (4, 15))
        if season == "winter":
            return _day(rng, year - 1, (11, 1), (11, 20))
        window = {"spring": ((3, 1), (3, 20)), "summer": ((6, 1), (6, 15)), "autumn": ((8, 25), (9, 10))}
        return _day(rng, year, *window[season])

    def write_fertiliser(
        self,
        rng: np.random.Generator,
        doses: list[_Dose],
        farm: _Farm,
        year: int,
        area: float,
        key: str,
        season_id: uuid.UUID,
        dates: list[dt.date],
    ) -> None:
        for i, d in enumerate(sorted(doses, key=lambda d: d.date)):
            name, n_pct, p_pct, k_pct = d.product
            # per_mu is kg N per mu, or kg product per mu for a product without N.
            per_mu_product = d.per_mu / (n_pct / 100) if n_pct > 0 else d.per_mu * rng.uniform(0.9, 1.1)
            product_kg = per_mu_product * area
            if product_kg <= 0.05:
                continue
            self.fertiliser.append(
                FertiliserSpec(
                    id=self.uid(f"{key}/fertiliser/{i}"),
                    season_id=season_id,
                    date=d.date,
                    product=name,
                    n_pct=n_pct,
                    p2o5_pct=p_pct,
                    k2o_pct=k_pct,
                    product_kg=_round(product_kg, 1),
                    area_mu=area,
                    method=d.method,
                    slow_release=d.slow,
                    soil_test_formula=d.soil,
                    organic=d.product in (ORGANIC, ORGANIC_MANURE),
                    visit_id=self.visit_id(farm, year, self.visit_index(dates, d.date)),
                )
            )

    def spray(
        self,
        rng: np.random.Generator,
        farm: _Farm,
        year: int,
        season: str,
        crop: str,
        area: float,
        key: str,
        season_id: uuid.UUID,
        dates: list[dt.date],
    ) -> None:
        if crop not in PESTICIDES:
            return
        low, high = SPRAYS[crop]
        two_no = crop == "rice" and "two_no" in farm.traits
        chemical = PESTICIDES[crop]
        count = int(rng.integers(2, 4)) if two_no else min(len(chemical), int(rng.integers(low, high + 1)))
        if two_no:
            chosen = [GREEN_PESTICIDES[crop][i % len(GREEN_PESTICIDES[crop])] for i in range(count)]
        else:
            chosen = [chemical[i] for i in sorted(rng.choice(len(chemical), size=count, replace=False))]
            green_share = _share(0.10, 0.05, year, high=0.5)
            chosen = [
                GREEN_PESTICIDES[crop][int(rng.integers(len(GREEN_PESTICIDES[crop])))]
                if rng.random() < green_share
                else p
                for p in chosen
            ]
        factor = 0.97 ** (year - 2022)
        for i, pesticide in enumerate(chosen):
            start, end = pesticide.window
            when_year = year - 1 if crop in ("wheat", "rapeseed") and start[0] >= 10 else year
            if season == "winter" and crop == "vegetables":
                start, end = (1, 5), (2, 25)
            elif season == "autumn" and crop == "vegetables":
                start, end = (9, 10), (11, 10)
            when = _day(rng, when_year, start, end)
            amount = pesticide.rate_per_mu * area * rng.lognormal(0.0, 0.2) * factor
            self.pesticides.append(
                PesticideSpec(
                    id=self.uid(f"{key}/pesticide/{i}"),
                    season_id=season_id,
                    date=when,
                    product=pesticide.product,
                    active_ingredient=pesticide.active_ingredient,
                    ai_content_pct=pesticide.ai_pct,
                    amount=max(0.001, _round(amount, 3)),
                    amount_unit=pesticide.unit,
                    density_kg_per_l=pesticide.density,
                    area_mu=area,
                    green_control=pesticide.green,
                    visit_id=self.visit_id(farm, year, self.visit_index(dates, when)),
                )
            )

    def straw_uses(
        self,
        rng: np.random.Generator,
        farm: _Farm,
        year: int,
        crop: str,
        yield_kg: float,
        key: str,
        season_id: uuid.UUID,
        dates: list[dt.date],
        notes: list[list[str]],
    ) -> None:
        ratio, collection = STRAW[crop]
        collectable = yield_kg * ratio * collection
        if "straw_low" in farm.traits:
            # Behind, but catching up a little each year.
            utilised = min(0.9, rng.uniform(0.45, 0.75) + 0.04 * (year - 2022))
            field_return = utilised * rng.uniform(0.4, 0.7)
            notes[-1].append("秸秆有弃置现象，督促还田或离田利用")
        else:
            # A few farms report more than is collectable (straw stored from last year): flagged, not capped.
            utilised = rng.uniform(1.01, 1.05) if rng.random() < 0.03 else rng.uniform(0.96, 1.0)
            field_return = utilised * (rng.uniform(0.70, 0.92) if crop == "rice" else rng.uniform(0.80, 0.96))
        off_field = utilised - field_return
        uses: list[tuple[str, float]] = [("field_return", field_return)]
        off_uses = ("feed", "substrate", "fertiliser", "fuel", "raw_material")
        weights = np.array([0.35, 0.25, 0.2, 0.1, 0.1] if crop == "rice" else [0.3, 0.1, 0.3, 0.2, 0.1])
        picked = sorted(rng.choice(len(off_uses), size=int(rng.integers(1, 3)), replace=False, p=weights))
        split = rng.dirichlet(np.ones(len(picked)))
        uses += [(off_uses[i], off_field * s) for i, s in zip(picked, split, strict=True)]
        if utilised < 1.0:
            uses.append(("unused", 1.0 - utilised))
        visit = self.visit_id(farm, year, len(dates) - 1)
        for i, (use, fraction) in enumerate(uses):
            kg = _round(collectable * fraction, 1)
            if kg <= 0:
                continue
            destination = ""
            if use in STRAW_DESTINATIONS:
                destination = f"{farm.town.name_zh}{rng.choice(STRAW_DESTINATIONS[use])}"
            self.straw.append(
                StrawSpec(
                    id=self.uid(f"{key}/straw/{i}"),
                    season_id=season_id,
                    use=use,
                    straw_kg=kg,
                    off_field=use not in ("field_return", "unused"),
                    destination=destination,
                    visit_id=visit,
                )
            )

    def film(
        self,
        rng: np.random.Generator,
        farm: _Farm,
        year: int,
        season: str,
        crop: str,
        area: float,
        key: str,
        season_id: uuid.UUID,
        dates: list[dt.date],
        notes: list[list[str]],
    ) -> None:
        uses_film = {"winter": 0.75, "spring": 0.75, "summer": 0.2, "autumn": 0.4}[season]
        if crop == "vegetables" and rng.random() >= uses_film:
            return
        used = area * rng.uniform(3.5, 6.0)
        biodegradable = year >= 2024 and rng.random() < 0.03
        note = ""
        if biodegradable:
            thickness: float | None = _round(rng.choice([0.010, 0.012]), 4)
            recovered = 0.0
            note = "全生物降解地膜，不需回收"
        else:
            standard = rng.random() < _share(0.85, 0.03, year, high=0.97)
            thickness = _round(
                rng.choice([0.010, 0.012, 0.015]) if standard else rng.choice([0.006, 0.008]), 4
            )
            if rng.random() < 0.03:
                thickness = None
            low_recovery = "film_low" in farm.traits
            trend = 0.01 * (year - 2022)
            recovered = used * (
                rng.uniform(0.55, 0.78) if low_recovery else min(0.98, rng.uniform(0.82, 0.95) + trend)
            )
            if low_recovery:
                notes[-1].append("地膜回收率偏低，提醒及时回收残膜")
        self.films.append(
            FilmSpec(
                id=self.uid(f"{key}/film"),
                season_id=season_id,
                used_kg=_round(used, 1),
                thickness_mm=thickness,
                recovered_kg=_round(recovered, 1),
                biodegradable=biodegradable,
                note=note,
                visit_id=self.visit_id(farm, year, len(dates) - 1),
            )
        )

    # Livestock ----------------------------------------------------------------------------------

    def livestock_year(
        self, rng: np.random.Generator, farm: _Farm, year: int, dates: list[dt.date], notes: list[list[str]]
    ) -> None:
        herd = farm.livestock
        assert herd is not None
        basis, threshold, heads_per_pig_eq, group = THRESHOLDS[herd.species]
        heads = herd.base_heads * rng.uniform(0.93, 1.07)
        if herd.size_class == "just_below":
            heads = min(max(heads, 0.95 * threshold), threshold - 1)
        elif herd.size_class == "large":
            heads = max(heads, 1.04 * threshold)
        else:
            heads = min(heads, 0.85 * threshold)
        heads = math.floor(heads)
        if basis == "in_stock":
            stock, output = heads, math.floor(heads * rng.uniform(0.6, 0.9))
        else:
            output, stock = (
                heads,
                max(1, math.floor(heads * STOCK_PER_OUTPUT[herd.species] * rng.uniform(0.9, 1.1))),
            )
        visit = self.visit_id(farm, year, len(dates) - 1)
        self.herds.append(
            HerdSpec(
                id=self.uid(f"herd/{farm.code}/{year}/{herd.species}"),
                farm_code=farm.code,
                year=year,
                species=herd.species,
                stock_heads=stock,
                annual_output_heads=output,
                collection_method=herd.collection_method,
                visit_id=visit,
            )
        )

        pig_eq = stock / heads_per_pig_eq
        per_head = WASTEWATER_M3_PER_HEAD_DAY[(group, herd.collection_method)]
        if herd.species == "sheep_goat":
            per_head /= heads_per_pig_eq  # goats sized as pig equivalents: GB 18596 gives no goat figure
        liquid_required = per_head * stock * STORAGE_DAYS
        solid_required = SOLID_M3_PER_PIG_EQ_DAY * pig_eq * STORAGE_DAYS
        land_required = pig_eq / LAND_PIG_EQ_PER_MU
        liquid = liquid_required * rng.uniform(1.1, 1.7)
        solid = solid_required * rng.uniform(1.1, 1.8)
        land = land_required * rng.uniform(1.15, 2.0)
        if farm.kind.farm_type == MIXED:
            land = max(land, farm.area_mu * rng.uniform(0.8, 0.95))
        seepage = rain = overflow = operating = True
        utilised_share = rng.uniform(0.85, 0.98)
        issue = ""
        failing = herd.size_class == "large" and herd.fail_latent < _share(0.35, -0.07, year, low=0.08)
        if failing:
            if herd.fail_kind == "storage_short":
                if herd.species == "sheep_goat":
                    solid = solid_required * rng.uniform(0.5, 0.8)
                else:
                    liquid = liquid_required * rng.uniform(0.55, 0.85)
                issue = "粪污贮存池容积不足，需扩建"
            elif herd.fail_kind == "land_short":
                land = land_required * rng.uniform(0.45, 0.85)
                issue = "配套消纳土地不足，需签订还田协议"
            elif herd.fail_kind == "not_rain_proof":
                rain = False
                issue = "贮存设施未加盖，不防雨"
            else:
                operating = False
                utilised_share = rng.uniform(0.4, 0.7)
                issue = "粪污处理设施未正常运行"
            notes[-1].append(issue)
        elif herd.size_class != "large":
            rain = rng.random() < 0.7
            overflow = rng.random() < 0.8
            utilised_share = rng.uniform(0.6, 0.95)
        produced = pig_eq * rng.uniform(1.8, 2.4)
        self.facilities.append(
            FacilitySpec(
                id=self.uid(f"facility/{farm.code}/{year}"),
                farm_code=farm.code,
                year=year,
                liquid_storage_m3=_round(liquid, 1),
                solid_storage_m3=_round(solid, 1),
                seepage_proof=seepage,
                rain_proof=rain,
                overflow_proof=overflow,
                treatment=herd.treatment,
                treatment_in_operation=operating,
                land_for_application_mu=_round(land, 1),
                manure_produced_t=_round(produced, 1),
                manure_utilised_t=_round(produced * utilised_share, 1),
                note=issue,
                visit_id=visit,
            )
        )

    # Aquaculture --------------------------------------------------------------------------------

    def tailwater_year(
        self, rng: np.random.Generator, farm: _Farm, year: int, dates: list[dt.date], notes: list[list[str]]
    ) -> None:
        first_year = year == self.params.years[0]
        if (first_year and "unsampled_first_year" in farm.traits) or rng.random() < 0.06:
            return
        windows = {
            "crab": [((3, 1), (3, 25)), ((7, 1), (7, 25)), ((11, 10), (12, 15))],
            "shrimp": [((6, 10), (6, 30)), ((9, 1), (9, 25)), ((10, 20), (11, 15))],
            "fish": [((1, 5), (1, 25)), ((7, 10), (8, 5)), ((12, 1), (12, 25))],
        }[farm.kind.key]
        count = int(rng.integers(2, 4))
        chosen = sorted(rng.choice(len(windows), size=count, replace=False))
        limits = TAILWATER_LIMITS[farm.tailwater_class]
        off_year = farm.latent["tailwater"] < _share(0.25, -0.04, year, low=0.08)
        exceeding = (
            set(rng.choice(count, size=int(rng.integers(1, min(2, count) + 1)), replace=False))
            if off_year
            else set()
        )
        for i, w in enumerate(chosen):
            start, end = windows[w]
            when = _day(rng, year, start, end)
            values: dict[str, float | None] = {
                p: _round(limit * rng.uniform(0.25, 0.9), 3) for p, limit in limits.items()
            }
            ph: float | None = _round(rng.uniform(6.9, 8.5), 2)
            note = ""
            if i in exceeding:
                over = rng.choice(
                    list(limits), size=int(rng.integers(1, 3)), replace=False, p=[0.15, 0.3, 0.2, 0.35]
                )
                for parameter in over:
                    values[str(parameter)] = _round(limits[str(parameter)] * rng.uniform(1.1, 1.9), 3)
                note = "超标：" + "、".join(PARAMETER_ZH[str(p)] for p in over)
                notes[self.visit_index(dates, when)].append("尾水超标，建议延长沉淀并扩大生态净化区")
            if ("misses_a_parameter" in farm.traits and i == 0) or rng.random() < 0.02:
                missing = "ss_mg_per_l" if rng.random() < 0.6 else "tp_mg_per_l"
                values[missing] = None
                note = (note + "；" if note else "") + f"{PARAMETER_ZH[missing]}未检测"
            if rng.random() < 0.01:
                ph = None
            is_discharge = rng.random() >= 0.04
            volume = None if rng.random() < 0.08 else _round(farm.area_mu * rng.uniform(80, 250), 0)
            self.tailwater.append(
                TailwaterSpec(
                    id=self.uid(f"tailwater/{farm.code}/{year}/{i}"),
                    farm_code=farm.code,
                    date=when,
                    ph=ph,
                    ss_mg_per_l=values["ss_mg_per_l"],
                    codmn_mg_per_l=values["codmn_mg_per_l"],
                    tn_mg_per_l=values["tn_mg_per_l"],
                    tp_mg_per_l=values["tp_mg_per_l"],
                    nh3n_mg_per_l=self.ammonia(rng, values["tn_mg_per_l"]),
                    discharge_volume_m3=volume if is_discharge else None,
                    is_discharge=is_discharge,
                    laboratory=str(rng.choice(TAILWATER_LABORATORIES)),
                    note=note if is_discharge else (note + "；" if note else "") + "塘内水样，非排放口",
                    visit_id=self.visit_id(farm, year, self.visit_index(dates, when)),
                )
            )
            if i == 0:
                notes[self.visit_index(dates, when)].append("尾水采样")

    @staticmethod
    def ammonia(rng: np.random.Generator, tn: float | None) -> float | None:
        """NH3-N, measured in about half the samples; part of total N, so below it."""
        if rng.random() >= 0.5:
            return None
        value = rng.uniform(0.2, 1.5)
        return _round(min(value, 0.6 * tn) if tn is not None else value, 3)


PARAMETER_ZH = {"ss_mg_per_l": "SS", "codmn_mg_per_l": "CODMn", "tn_mg_per_l": "TN", "tp_mg_per_l": "TP"}
CROP_ZH = {
    "rice": "水稻", "wheat": "小麦", "rapeseed": "油菜", "vegetables": "蔬菜", "citrus": "柑橘",
    "watermelon": "西瓜", "asparagus": "芦笋", "green_manure": "绿肥",
}  # fmt: skip


def crop_zh(crop: str) -> str:
    return CROP_ZH.get(crop, crop)


# --- District water samples ------------------------------------------------------------------


def _water_samples(params: DemoParams, districts: list[DistrictSpec]) -> list[WaterSampleSpec]:
    """Inlet and outlet samples in the rice season, with net exports near INDICATORS.md §9."""
    uid = _Ids(params.seed)
    samples: list[WaterSampleSpec] = []
    large = [
        d for d in districts if d.area_mu >= MONITORING_MIN_AREA_MU and d.area_mu != MONITORING_MIN_AREA_MU
    ]
    first, last = params.years[0], params.years[-1]
    for district in districts:
        agent = AGENT if district.town in AGENT_TOWNS else AGENT2
        monitored = district.area_mu >= MONITORING_MIN_AREA_MU
        voluntary = _rng(params.seed, "voluntary", district.code).random() < 0.5
        for year in params.years:
            rng = _rng(params.seed, "water", district.code, year)
            if not monitored and not voluntary:
                continue
            # Some districts that must be monitored are not, or lack outlet samples, in a year.
            gap = rng.random()
            no_samples = monitored and (
                gap < 0.05 or (len(large) > 1 and district is large[1] and year == first)
            )
            missing_outlet = _share(0.12, -0.02, year, low=0.04)
            no_outlet = monitored and (
                0.05 <= gap < 0.05 + missing_outlet or (large and district is large[0] and year == last)
            )
            if no_samples:
                continue
            events = int(rng.integers(4, 7) if monitored else rng.integers(2, 4))
            days = sorted({_day(rng, year, (6, 10), (9, 25)) for _ in range(events)})
            area_ha = district.area_mu / MU_PER_HA
            tn_kg = float(np.clip(rng.lognormal(np.log(2.4) - 0.45**2 / 2, 0.45), 0.7, 9.0)) * area_ha
            tp_kg = float(np.clip(rng.lognormal(np.log(0.6) - 0.5**2 / 2, 0.5), 0.12, 2.5)) * area_ha
            weights = rng.dirichlet(np.full(len(days), 2.0))
            for i, (day, weight) in enumerate(zip(days, weights, strict=True)):
                v_out = district.area_mu * rng.uniform(20, 50)
                v_in = v_out * rng.uniform(0.7, 1.2)
                inlet = {
                    "tn": rng.lognormal(np.log(1.8), 0.2),
                    "tp": rng.lognormal(np.log(0.12), 0.3),
                    "codmn": rng.lognormal(np.log(4.8), 0.15),
                    "ss": rng.lognormal(np.log(25), 0.3),
                    "ph": rng.uniform(7.2, 7.9),
                }
                # Ammonia is part of total N: keep it below TN, as the plausibility checks expect.
                inlet["nh3n"] = min(0.6 * inlet["tn"], rng.lognormal(np.log(0.45), 0.3))
                tn_out = (tn_kg * weight * 1000 + inlet["tn"] * v_in) / v_out
                tp_out = (tp_kg * weight * 1000 + inlet["tp"] * v_in) / v_out
                outlet = {
                    "tn": tn_out,
                    "tp": tp_out,
                    "nh3n": min(0.8 * tn_out, inlet["nh3n"] * rng.uniform(0.9, 1.8)),
                    "codmn": inlet["codmn"] * rng.uniform(1.0, 1.5),
                    "ss": inlet["ss"] * rng.uniform(1.2, 2.5),
                    "ph": rng.uniform(7.0, 8.2),
                }
                points = (
                    [("inlet", v_in, inlet)]
                    if no_outlet
                    else [("inlet", v_in, inlet), ("outlet", v_out, outlet)]
                )
                lab = str(rng.choice(DISTRICT_LABORATORIES))
                for point, volume, c in points:
                    samples.append(
                        WaterSampleSpec(
                            id=uid(f"water/{district.code}/{year}/{i}/{point}"),
                            district_code=district.code,
                            point=point,
                            date=day,
                            volume_m3=_round(volume, 0),
                            ph=_round(c["ph"], 2),
                            ss_mg_per_l=_round(c["ss"], 2),
                            codmn_mg_per_l=_round(c["codmn"], 3),
                            tn_mg_per_l=_round(c["tn"], 4),
                            tp_mg_per_l=_round(c["tp"], 4),
                            nh3n_mg_per_l=_round(c["nh3n"], 4),
                            laboratory=lab,
                            created_by_username=agent,
                        )
                    )
    return samples


# --- Operators ---------------------------------------------------------------------------------


def _operators(farms: list[_Farm]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """operator: two farms in 城桥镇 (the agent's town), one in a district; operator2: one elsewhere."""
    home = [f for f in farms if f.town.name_zh == AGENT_TOWNS[0]]
    first = next((f for f in home if f.district and f.kind.farm_type in (CROP, MIXED)), home[0])
    second = next((f for f in home if f is not first and f.kind.farm_type != first.kind.farm_type), None)
    second = second or next(f for f in home if f is not first)
    elsewhere = [f for f in farms if f.town.name_zh not in AGENT_TOWNS]
    third = next((f for f in elsewhere if f.kind.farm_type == AQUACULTURE), elsewhere[0])
    return ((OPERATOR, (first.code, second.code)), (OPERATOR2, (third.code,)))


# --- Entry point -------------------------------------------------------------------------------


def generate(params: DemoParams | None = None) -> DemoDataset:
    """The demo population for `params`; the same params always give an equal dataset."""
    params = params or DemoParams()
    rng = _rng(params.seed, "population")
    farms = _make_farms(params, rng)
    districts = _make_districts(params, rng, farms)
    records = _Records(params)
    for farm in farms:
        for year in params.years:
            records.farm_year(farm, year)
    villages = tuple(VillageSpec(town=t.name_zh, name=v) for t in TOWNS for v in t.villages)
    farm_specs = tuple(
        FarmSpec(
            code=f.code,
            name=f.name,
            farm_type=f.kind.farm_type,
            kind=f.kind.key,
            operator_kind=f.operator_kind,
            contact_name=f.contact,
            contact_phone=f"139****{int(_rng(params.seed, 'phone', f.code).integers(0, 10000)):04d}",
            town=f.town.name_zh,
            village=f.village,
            area_mu=f.area_mu,
            latitude=f.lat,
            longitude=f.lon,
            district_code=f.district,
            tailwater_class=f.tailwater_class,
            registered_on=f.registered_on,
            created_by_username=AGENT if f.town.name_zh in AGENT_TOWNS else AGENT2,
        )
        for f in farms
    )
    other_towns = tuple(t.name_zh for t in TOWNS if t.name_zh not in AGENT_TOWNS)
    return DemoDataset(
        params=params,
        villages=villages,
        districts=tuple(districts),
        farms=farm_specs,
        operator_farms=_operators(farms),
        agent_towns=((AGENT, AGENT_TOWNS), (AGENT2, other_towns)),
        visits=tuple(records.visits),
        seasons=tuple(records.seasons),
        fertiliser_applications=tuple(records.fertiliser),
        pesticide_applications=tuple(records.pesticides),
        straw_uses=tuple(records.straw),
        mulch_films=tuple(records.films),
        herds=tuple(records.herds),
        manure_facilities=tuple(records.facilities),
        tailwater_samples=tuple(records.tailwater),
        water_samples=tuple(_water_samples(params, districts)),
    )
