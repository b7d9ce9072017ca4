"""The spreadsheet layout of each record type: one sheet, one header row, one record per row.

A layout is a file-format contract shared by the blank templates, the importer and the exporter, so an
export re-imports cleanly. Headers are fixed Chinese text with units (not translated: a translated header
would break files already in circulation); each column also has a stable machine key, which the importer
accepts in place of the header.

Seasons are referred to by (农场编号, 年份, 季节, 作物), so a spreadsheet needs no UUIDs. The 记录编号 column
holds a record's UUID: exports fill it in, and a new row may leave it empty (see `imports`).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from farmadvice.practices.models import (
    AmountUnit,
    CropSeason,
    FertiliserApplication,
    FertiliserMethod,
    LivestockHerd,
    ManureFacility,
    MulchFilm,
    PesticideApplication,
    SamplePoint,
    Season,
    StrawUse,
    StrawUseKind,
    TailwaterSample,
    Treatment,
    WaterSample,
)
from farmadvice.reference.models import CollectionMethod, Species
from farmadvice.registry.models import Farm, FarmType, OperatorKind, TailwaterClass
from farmadvice.runoff.models import DataSource, RunoffObservation

INSTRUCTIONS_SHEET = "填写说明"
FILE_LANGUAGE = "zh-hans"


class RecordType(models.TextChoices):
    """The importable record types; the slugs are those of the records API (`practices.selectors`)."""

    FARMS = "farms", _("农场")
    SEASONS = "seasons", _("作物茬口")
    FERTILISER = "fertiliser-applications", _("施肥记录")
    PESTICIDE = "pesticide-applications", _("用药记录")
    STRAW = "straw-uses", _("秸秆利用")
    MULCH_FILM = "mulch-films", _("农膜")
    HERDS = "herds", _("畜禽存出栏")
    MANURE_FACILITIES = "manure-facilities", _("粪污处理设施")
    TAILWATER_SAMPLES = "tailwater-samples", _("养殖尾水样品")
    WATER_SAMPLES = "water-samples", _("灌区水质样品")
    RUNOFF_OBSERVATIONS = "runoff-observations", _("径流观测")


class Kind(StrEnum):
    """How a cell is read. The reference kinds are looked up by code (or name) in one query per file."""

    TEXT = "text"
    DECIMAL = "decimal"
    PERCENT = "percent"  # a decimal that may be written with a trailing %
    SHARE = "share"  # a fraction 0-1; "35%" reads as 0.35
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    CHOICE = "choice"
    UUID = "uuid"
    FARM = "farm"
    CROP = "crop"
    DISTRICT = "district"
    TOWN = "town"
    VILLAGE = "village"


class Anchor(StrEnum):
    """What a row belongs to, and so whose town decides whether the user may write it."""

    FARM = "farm"  # farm_code sets record.farm
    SEASON = "season"  # farm_code + year + season + crop pick record.season
    DISTRICT = "district"  # district_code sets record.district
    TOWN = "town"  # the farms sheet: the farm's own town


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind
    path: str  # ORM path of the stored value in its canonical form (codes, not labels)
    field: str | None = None  # model attribute the value sets; None for the parts of a reference
    required: bool = False
    choices: type[models.TextChoices] | None = None
    hint: str = ""
    pattern: str | None = None  # a regular expression the text must match (farm codes)


@dataclass(frozen=True)
class Layout:
    record_type: RecordType
    model: type[models.Model]
    sheet: str
    anchor: Anchor
    town_path: str  # ORM path to the town id that decides write access
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    # The natural key is also a database uniqueness rule: two records may never share it, ids or not.
    unique_key: bool = False
    # The farm types a record may belong to (the records API's rule); empty: any.
    farm_types: tuple[FarmType, ...] = ()

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    @property
    def has_record_id(self) -> bool:
        return any(c.kind == Kind.UUID for c in self.columns)

    @property
    def parent_keys(self) -> tuple[str, ...]:
        """The columns naming what a record hangs from; an import never moves a record to another parent."""
        return {
            Anchor.FARM: ("farm_code",),
            Anchor.SEASON: SEASON_KEY,
            Anchor.DISTRICT: ("district_code",),
            Anchor.TOWN: (),
        }[self.anchor]


def normalise(text: object) -> str:
    """Compare headers, codes and labels the way a person means them: full-width = half-width, no spaces."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


# Short forms people write, beyond each choice's code and label (and the label before any "（…）").
EXTRA_ALIASES: dict[type[models.TextChoices], dict[str, str]] = {
    Season: {"春": "spring", "夏": "summer", "秋": "autumn", "冬": "winter"},
    AmountUnit: {"公斤": "kg", "千克": "kg", "l": "L", "升": "L"},
    StrawUseKind: {"还田": "field_return"},
    FertiliserMethod: {"侧深": "side_deep", "水肥一体": "fertigation"},
    TailwaterClass: {"一级": "1", "二级": "2"},
}


@functools.cache
def choice_labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Code -> Chinese label. The file format is Chinese whatever language the request is in."""
    with translation.override(FILE_LANGUAGE):
        return {code: str(label) for code, label in choices.choices}


@functools.cache
def choice_aliases(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every accepted spelling (normalised) → the stored code: the code, the label, the label before any
    "（…）" and each of its "/" parts, and the short forms of EXTRA_ALIASES."""
    aliases: dict[str, str] = {}
    for code, label in choice_labels(choices).items():
        short = label.split("（")[0]
        for spelling in (code, label, short, *short.split("/")):
            aliases[normalise(spelling)] = code
    for spelling, code in EXTRA_ALIASES.get(choices, {}).items():
        aliases[normalise(spelling)] = code
    return aliases


def _farm_code(path: str, field: str | None) -> Column:
    return Column("farm_code", "农场编号", Kind.FARM, path, field, required=True, hint="如 CM-CQ-0001")


def _season_ref() -> tuple[Column, ...]:
    """The four columns that name a crop season without its UUID."""
    return (
        _farm_code("season__farm__code", None),
        Column("year", "年份", Kind.INTEGER, "season__year", required=True),
        Column("season", "季节", Kind.CHOICE, "season__season", required=True, choices=Season),
        Column("crop", "作物", Kind.CROP, "season__crop__code", required=True),
    )


def _tail() -> tuple[Column, ...]:
    return (
        Column("note", "备注", Kind.TEXT, "note", "note"),
        Column(
            "record_id",
            "记录编号",
            Kind.UUID,
            "pk",
            hint="系统生成的 UUID；新记录留空，导出文件中已填写（用于修改已有记录）",
        ),
    )


def _yes_no(key: str, header: str, hint: str = "") -> Column:
    return Column(key, header, Kind.BOOLEAN, key, key, hint=hint)


def _amount(key: str, header: str, *, required: bool = False) -> Column:
    return Column(key, header, Kind.DECIMAL, key, key, required=required)


def _water_quality() -> tuple[Column, ...]:
    return (
        _amount("ph", "pH"),
        _amount("ss_mg_per_l", "悬浮物SS（mg/L）"),
        _amount("codmn_mg_per_l", "高锰酸盐指数CODMn（mg/L）"),
        _amount("tn_mg_per_l", "总氮TN（mg/L）"),
        _amount("tp_mg_per_l", "总磷TP（mg/L）"),
        _amount("nh3n_mg_per_l", "氨氮NH3-N（mg/L）"),
        Column("laboratory", "检测单位", Kind.TEXT, "laboratory", "laboratory"),
    )


def _share_column(key: str, header: str) -> Column:
    """A share written as 0-1; empty means 0 (the practice was not used)."""
    return Column(key, header, Kind.SHARE, key, key, hint="未采用填 0")


SEASON_KEY = ("farm_code", "year", "season", "crop")
FARM_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"  # as the farms API (api/schemas/registry.py)

LAYOUTS: dict[RecordType, Layout] = {
    layout.record_type: layout
    for layout in (
        Layout(
            RecordType.FARMS,
            Farm,
            "农场",
            Anchor.TOWN,
            "town_id",
            (
                Column(
                    "farm_code",
                    "农场编号",
                    Kind.TEXT,
                    "code",
                    "code",
                    required=True,
                    hint="稳定编号，如 CM-CQ-0001；字母、数字、-、_",
                    pattern=FARM_CODE_PATTERN,
                ),
                Column("name", "农场名称", Kind.TEXT, "name", "name", required=True),
                Column(
                    "farm_type",
                    "类型",
                    Kind.CHOICE,
                    "farm_type",
                    "farm_type",
                    required=True,
                    choices=FarmType,
                ),
                Column(
                    "operator_kind",
                    "经营主体",
                    Kind.CHOICE,
                    "operator_kind",
                    "operator_kind",
                    choices=OperatorKind,
                ),
                Column("town", "乡镇", Kind.TOWN, "town__code", "town", required=True),
                Column(
                    "village", "村", Kind.VILLAGE, "village__name", None, hint="新村名会在该乡镇下自动建立"
                ),
                _amount("area_mu", "面积（亩）", required=True),
                _amount("latitude", "纬度"),
                _amount("longitude", "经度"),
                Column(
                    "irrigation_district",
                    "所属灌区编号",
                    Kind.DISTRICT,
                    "irrigation_district__code",
                    "irrigation_district",
                ),
                Column(
                    "tailwater_class",
                    "尾水排放标准级别",
                    Kind.CHOICE,
                    "tailwater_class",
                    "tailwater_class",
                    choices=TailwaterClass,
                    hint="水产养殖场填写",
                ),
                Column("contact_name", "联系人", Kind.TEXT, "contact_name", "contact_name"),
                Column("contact_phone", "联系电话", Kind.TEXT, "contact_phone", "contact_phone"),
                Column("registered_on", "登记日期", Kind.DATE, "registered_on", "registered_on"),
                _yes_no("active", "在营"),
            ),
            natural_key=("farm_code",),
            unique_key=True,
        ),
        Layout(
            RecordType.SEASONS,
            CropSeason,
            "作物茬口",
            Anchor.FARM,
            "farm__town_id",
            (
                _farm_code("farm__code", "farm"),
                Column("year", "年份", Kind.INTEGER, "year", "year", required=True),
                Column("season", "季节", Kind.CHOICE, "season", "season", required=True, choices=Season),
                Column("crop", "作物", Kind.CROP, "crop__code", "crop", required=True),
                _amount("area_mu", "播种面积（亩）", required=True),
                _amount("yield_kg", "产量（kg）"),
                _yes_no("green_certified", "绿色食品/两无化认证"),
                *_tail(),
            ),
            natural_key=SEASON_KEY,
        ),
        Layout(
            RecordType.FERTILISER,
            FertiliserApplication,
            "施肥记录",
            Anchor.SEASON,
            "season__farm__town_id",
            (
                *_season_ref(),
                Column("date", "施用日期", Kind.DATE, "date", "date"),
                Column("product", "产品名称", Kind.TEXT, "product", "product", required=True),
                Column("n_pct", "氮N（%）", Kind.PERCENT, "n_pct", "n_pct"),
                Column("p2o5_pct", "磷P2O5（%）", Kind.PERCENT, "p2o5_pct", "p2o5_pct"),
                Column("k2o_pct", "钾K2O（%）", Kind.PERCENT, "k2o_pct", "k2o_pct"),
                _amount("product_kg", "用量（kg）", required=True),
                _amount("area_mu", "施用面积（亩）", required=True),
                Column("method", "施用方式", Kind.CHOICE, "method", "method", choices=FertiliserMethod),
                _yes_no("slow_release", "缓控释肥"),
                _yes_no("soil_test_formula", "测土配方"),
                _yes_no("organic", "有机肥"),
                *_tail(),
            ),
            natural_key=(*SEASON_KEY, "date", "product", "product_kg"),
        ),
        Layout(
            RecordType.PESTICIDE,
            PesticideApplication,
            "用药记录",
            Anchor.SEASON,
            "season__farm__town_id",
            (
                *_season_ref(),
                Column("date", "施用日期", Kind.DATE, "date", "date"),
                Column("product", "产品名称", Kind.TEXT, "product", "product", required=True),
                Column(
                    "active_ingredient",
                    "有效成分",
                    Kind.TEXT,
                    "active_ingredient",
                    "active_ingredient",
                    required=True,
                ),
                Column(
                    "ai_content_pct",
                    "有效成分含量（%）",
                    Kind.PERCENT,
                    "ai_content_pct",
                    "ai_content_pct",
                    required=True,
                ),
                _amount("amount", "用量（kg或L）", required=True),
                Column(
                    "amount_unit",
                    "单位（kg/L）",
                    Kind.CHOICE,
                    "amount_unit",
                    "amount_unit",
                    choices=AmountUnit,
                ),
                Column(
                    "density_kg_per_l",
                    "密度（kg/L）",
                    Kind.DECIMAL,
                    "density_kg_per_l",
                    "density_kg_per_l",
                    hint="以升计量时必填",
                ),
                _amount("area_mu", "施用面积（亩）", required=True),
                _yes_no("green_control", "绿色防控（生物/物理）"),
                *_tail(),
            ),
            natural_key=(*SEASON_KEY, "date", "product", "amount", "amount_unit"),
        ),
        Layout(
            RecordType.STRAW,
            StrawUse,
            "秸秆利用",
            Anchor.SEASON,
            "season__farm__town_id",
            (
                *_season_ref(),
                Column("use", "利用方式", Kind.CHOICE, "use", "use", required=True, choices=StrawUseKind),
                _amount("straw_kg", "秸秆量（kg）", required=True),
                _yes_no("off_field", "离田"),
                Column("destination", "去向", Kind.TEXT, "destination", "destination"),
                *_tail(),
            ),
            natural_key=(*SEASON_KEY, "use", "destination"),
        ),
        Layout(
            RecordType.MULCH_FILM,
            MulchFilm,
            "农膜",
            Anchor.SEASON,
            "season__farm__town_id",
            (
                *_season_ref(),
                _amount("used_kg", "使用量（kg）", required=True),
                _amount("thickness_mm", "厚度（mm）"),
                _amount("recovered_kg", "回收量（kg）"),
                _yes_no("biodegradable", "全生物降解膜"),
                *_tail(),
            ),
            natural_key=(*SEASON_KEY, "thickness_mm", "biodegradable"),
        ),
        Layout(
            RecordType.HERDS,
            LivestockHerd,
            "畜禽存出栏",
            Anchor.FARM,
            "farm__town_id",
            (
                _farm_code("farm__code", "farm"),
                Column("year", "年份", Kind.INTEGER, "year", "year", required=True),
                Column("species", "畜种", Kind.CHOICE, "species", "species", required=True, choices=Species),
                Column(
                    "stock_heads", "存栏（头/只）", Kind.INTEGER, "stock_heads", "stock_heads", required=True
                ),
                Column(
                    "annual_output_heads",
                    "年出栏（头/只）",
                    Kind.INTEGER,
                    "annual_output_heads",
                    "annual_output_heads",
                ),
                Column(
                    "collection_method",
                    "清粪方式",
                    Kind.CHOICE,
                    "collection_method",
                    "collection_method",
                    choices=CollectionMethod,
                ),
                *_tail(),
            ),
            natural_key=("farm_code", "year", "species"),
            unique_key=True,
            farm_types=(FarmType.LIVESTOCK, FarmType.MIXED),
        ),
        Layout(
            RecordType.MANURE_FACILITIES,
            ManureFacility,
            "粪污处理设施",
            Anchor.FARM,
            "farm__town_id",
            (
                _farm_code("farm__code", "farm"),
                Column("year", "年份", Kind.INTEGER, "year", "year", required=True),
                _amount("liquid_storage_m3", "液体贮存容积（m3）"),
                _amount("solid_storage_m3", "固体贮存容积（m3）"),
                _yes_no("seepage_proof", "防渗"),
                _yes_no("rain_proof", "防雨"),
                _yes_no("overflow_proof", "防溢流"),
                Column("treatment", "处理方式", Kind.CHOICE, "treatment", "treatment", choices=Treatment),
                _yes_no("treatment_in_operation", "处理设施正常运行"),
                _amount("land_for_application_mu", "配套消纳土地（亩）"),
                _amount("manure_produced_t", "粪污产生量（t）"),
                _amount("manure_utilised_t", "粪污利用量（t）"),
                *_tail(),
            ),
            natural_key=("farm_code", "year"),
            unique_key=True,
            farm_types=(FarmType.LIVESTOCK, FarmType.MIXED),
        ),
        Layout(
            RecordType.TAILWATER_SAMPLES,
            TailwaterSample,
            "养殖尾水样品",
            Anchor.FARM,
            "farm__town_id",
            (
                _farm_code("farm__code", "farm"),
                Column("date", "采样日期", Kind.DATE, "date", "date", required=True),
                _yes_no("is_discharge", "排放口样品"),
                _amount("discharge_volume_m3", "排放量（m3）"),
                *_water_quality(),
                *_tail(),
            ),
            natural_key=("farm_code", "date", "is_discharge"),
            farm_types=(FarmType.AQUACULTURE, FarmType.MIXED),
        ),
        Layout(
            RecordType.WATER_SAMPLES,
            WaterSample,
            "灌区水质样品",
            Anchor.DISTRICT,
            "district__town_id",
            (
                Column(
                    "district_code", "灌区编号", Kind.DISTRICT, "district__code", "district", required=True
                ),
                Column("date", "采样日期", Kind.DATE, "date", "date", required=True),
                Column("point", "采样点", Kind.CHOICE, "point", "point", required=True, choices=SamplePoint),
                _amount("volume_m3", "水量（m3）"),
                *_water_quality(),
                *_tail(),
            ),
            natural_key=("district_code", "date", "point"),
        ),
        Layout(
            RecordType.RUNOFF_OBSERVATIONS,
            RunoffObservation,
            "径流观测",
            Anchor.FARM,
            "farm__town_id",
            (
                _farm_code("farm__code", "farm"),
                Column(
                    "plot_code",
                    "监测地块编号",
                    Kind.TEXT,
                    "plot_code",
                    "plot_code",
                    hint="农场内的监测小区或田块",
                ),
                Column("year", "年份", Kind.INTEGER, "year", "year", required=True),
                Column("season", "季节", Kind.CHOICE, "season", "season", required=True, choices=Season),
                Column("crop", "作物", Kind.CROP, "crop__code", "crop", required=True),
                _amount("rainfall_mm", "季内降雨量（mm）", required=True),
                _amount("n_rate_kg_per_ha", "施氮量（kg N/公顷）"),
                Column(
                    "p_rate_kg_per_ha",
                    "施磷量（kg P/公顷，纯磷）",
                    Kind.DECIMAL,
                    "p_rate_kg_per_ha",
                    "p_rate_kg_per_ha",
                    hint="纯磷 P = P2O5 × 0.4364",
                ),
                _share_column("slow_release_share", "缓控释肥占比（0-1）"),
                _share_column("side_deep_share", "侧深施肥面积占比（0-1）"),
                _share_column("fertigation_share", "水肥一体化面积占比（0-1）"),
                _share_column("straw_return_share", "秸秆还田占比（0-1）"),
                _amount("tn_load_kg_per_ha", "径流TN负荷（kg/公顷）"),
                _amount("tp_load_kg_per_ha", "径流TP负荷（kg/公顷）"),
                Column(
                    "data_source",
                    "数据来源",
                    Kind.CHOICE,
                    "data_source",
                    "data_source",
                    choices=DataSource,
                    hint="实测；模拟数据仅供演示",
                ),
                *_tail(),
            ),
            natural_key=("farm_code", "plot_code", "year", "season", "crop"),
        ),
    )
}


# Short names people type for --type, beside the slugs and the sheet names.
TYPE_ALIASES = {
    "crop-seasons": RecordType.SEASONS,
    "fertiliser": RecordType.FERTILISER,
    "fertilizer": RecordType.FERTILISER,
    "pesticide": RecordType.PESTICIDE,
    "straw": RecordType.STRAW,
    "mulch-film": RecordType.MULCH_FILM,
    "manure": RecordType.MANURE_FACILITIES,
    "tailwater": RecordType.TAILWATER_SAMPLES,
    "water": RecordType.WATER_SAMPLES,
    "runoff": RecordType.RUNOFF_OBSERVATIONS,
}


def record_type_for(text: str) -> RecordType | None:
    """The record type a user means: its slug (with - or _), a short name, or its sheet name."""
    wanted = normalise(text).replace("_", "-")
    for layout in LAYOUTS.values():
        if wanted in (layout.record_type.value, normalise(layout.sheet)):
            return layout.record_type
    return TYPE_ALIASES.get(wanted)
