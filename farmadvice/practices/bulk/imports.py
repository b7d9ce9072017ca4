"""Bulk import of records from a spreadsheet: every row validated first, then all written or none.

Steps, for a file of one record type (see `layouts`):
1. read: file type, sheet, header row, columns (`reading`); header problems stop here.
2. parse every cell (`cells`); look up farms, crops, seasons, districts, towns and villages with one query
   each (in chunks for very long files), never one per row; check the user may write each row's farm.
3. match each row to a stored record, or plan a new one (see "Identity" below).
4. build the unsaved model instances and validate them as full_clean() does: fields and clean(), then
   every check constraint through Django's own `constraint.validate`. Foreign keys are left out because
   step 2 found them in bulk (full_clean would query each one again), uniqueness because step 3 checked
   it for the whole file at once.
5. the records API's rules across records (`practices.services`): herds and manure facilities only on
   livestock farms, tailwater only on aquaculture farms; an application within its season's area; a
   farm's seasons of one season within the farm's area, file and stored seasons together.
6. any error → ImportRejected with every error (row as Excel shows it, Chinese column, value, reason);
   nothing is written. Otherwise one transaction: bulk_create_with_history / bulk_update_with_history
   in batches, so each record has its history and its author. Plausibility warnings
   (`practices.plausibility`) come back with the report.

Identity (idempotency). A row is the stored record
- whose id is in its 记录编号 column, if filled (exports fill it; a field device's UUID also works);
- else the stored record with the same natural key (`Layout.natural_key`, e.g. farm code + year + season
  + crop + product + date + kg for a fertiliser application), whoever created it;
- else the record whose id is the row's derived id, uuid5(RECORD_NAMESPACE, "<type>|<natural key>"), which
  is also the id a new row is given. So the same file imported twice, or by two people at once, cannot
  make duplicates: the second import finds the rows, or collides on the ids and is refused (409).
A matched row whose values equal the stored ones is "unchanged". One that differs is refused, naming
each differing column, unless the import is run with update=True (`--update`, `?update=true`): then the
stored record is updated and its history keeps the old values. Columns absent from the file are left as
stored; an empty cell means "empty" (or the field's default).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from farmadvice.accounts import access
from farmadvice.accounts.models import Role
from farmadvice.core import figures
from farmadvice.core.errors import Conflict, PermissionDenied
from farmadvice.core.services import validation_errors
from farmadvice.practices import plausibility
from farmadvice.practices.bulk.cells import MSG_REQUIRED, CellError, read_cell, shown
from farmadvice.practices.bulk.layouts import (
    Anchor,
    Column,
    Kind,
    Layout,
    RecordType,
    choice_labels,
    normalise,
)
from farmadvice.practices.bulk.reading import Table, is_blank, read_table
from farmadvice.practices.bulk.report import ImportRejected, ImportReport, RowError, RowWarning
from farmadvice.practices.models import CropSeason, FertiliserApplication, PesticideApplication, Season
from farmadvice.practices.services import (
    MSG_APPLICATION_AREA_ABOVE_SEASON,
    MSG_SEASON_AREA_BELOW_APPLICATION,
    MSG_WRONG_FARM_TYPE,
)
from farmadvice.reference.models import Crop
from farmadvice.registry.models import Farm, IrrigationDistrict, Town, Village

# Fixed for good: changing it would give every imported row a new id and break idempotency.
RECORD_NAMESPACE = uuid.UUID("8206a34c-cd3d-427a-98c2-e4eaf0b21a2c")
BATCH_SIZE = 500
# Keeps every `__in` lookup under SQLite's bound-parameter limit.
CHUNK = 900

MSG_NO_WRITE_RIGHTS = gettext_noop("您没有录入记录的权限。")
MSG_BAD_CODE = gettext_noop("编号只能由字母、数字、“-”和“_”组成，并以字母或数字开头。")
MSG_UNKNOWN_FARM = gettext_noop("未知农场编号：{value}。")
MSG_UNKNOWN_CROP = gettext_noop("未知作物：{value}。")
MSG_UNKNOWN_DISTRICT = gettext_noop("未知灌区编号：{value}。")
MSG_UNKNOWN_TOWN = gettext_noop("未知乡镇：{value}。")
MSG_TOWN_NOT_ASSIGNED = gettext_noop("您未被分配到乡镇“{town}”，不能为{what}录入或修改记录。")
MSG_UNKNOWN_SEASON = gettext_noop("未找到茬口 {season}；请先录入或导入该作物茬口。")
MSG_AMBIGUOUS_SEASON = gettext_noop("茬口 {season} 有 {count} 条记录，无法确定是哪一条。")
MSG_DUPLICATE_ROW = gettext_noop("与第 {row} 行重复（{key}相同）。")
MSG_SAME_RECORD = gettext_noop("与第 {row} 行指向同一条记录。")
MSG_AMBIGUOUS_MATCH = gettext_noop(
    "系统中已有 {count} 条记录的{key}与此行相同，无法判断对应哪一条；请填写“记录编号”列。"
)
MSG_CLASHES_WITH_STORED = gettext_noop("系统中已有{key}相同的另一条记录（记录编号 {id}）。")
MSG_PARENT_CHANGED = gettext_noop("记录编号对应的已存记录属于 {stored}；导入不能改变记录所属的{parent}。")
MSG_DIFFERS = gettext_noop(
    "与已存记录不同（已存：{stored}）；如需修改已有记录，请选择“更新已有记录”（命令 --update，接口 update=true）。"
)
MSG_SEASON_AREA_EXCEEDS = gettext_noop(
    "农场 {farm} {year} 年{season}播种面积合计 {total} 亩（本文件第 {rows} 行及已存茬口），超过农场面积 {farm_area} 亩。"
)
MSG_CONCURRENT_WRITE = gettext_noop(
    "导入期间相同记录已被写入（可能是同时进行的另一次导入），未写入任何记录；请重新导入。"
)

# Check constraints whose default message ("Constraint … is violated") says nothing to a farmer.
CONSTRAINT_REASONS: dict[str, tuple[str, str]] = {
    "field_return_is_on_field": ("off_field", gettext_noop("直接还田的秸秆不能标为离田。")),
    "tailwater_has_a_measurement": (
        "",
        gettext_noop("至少需要填写一项水质指标（pH、SS、CODMn、TN、TP、NH3-N）。"),
    ),
    "water_sample_not_empty": ("", gettext_noop("至少需要填写水量或一项水质指标。")),
    "runoff_observation_has_a_load": (
        "tn_load_kg_per_ha",
        gettext_noop("至少需要填写径流TN负荷或TP负荷（kg/公顷）。"),
    ),
}

# The column a plausibility warning is about, where the sheet has it.
WARNING_COLUMNS = {
    plausibility.LARGE_N_RATE: "product_kg",
    plausibility.YIELD_OUT_OF_RANGE: "yield_kg",
    plausibility.STRAW_ABOVE_PRODUCED: "straw_kg",
    plausibility.FILM_RECOVERED_ABOVE_USED: "recovered_kg",
    plausibility.MANURE_UTILISED_ABOVE_PRODUCED: "manure_utilised_t",
    plausibility.TN_BELOW_NH3N: "tn_mg_per_l",
    plausibility.RUNOFF_TN_ABOVE_N_RATE: "tn_load_kg_per_ha",
    plausibility.RUNOFF_TP_ABOVE_P_RATE: "tp_load_kg_per_ha",
}

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


def _key_part(value: object) -> str:
    """A value as it enters a natural key: one spelling for equal values (40 = 40.000)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _same(a: object, b: object) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    return a == b


def derived_id(record_type: str, key: tuple[str, ...]) -> uuid.UUID:
    return uuid.uuid5(RECORD_NAMESPACE, "|".join((record_type, *key)))


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _fetch(queryset: models.QuerySet, lookup: str, values: Iterable[Any]) -> list[Any]:
    """queryset.filter(<lookup>__in=values), in chunks; one query for any ordinary file."""
    found: list[Any] = []
    for chunk in _chunks(set(values)):
        found.extend(queryset.filter(**{f"{lookup}__in": chunk}))
    return found


@dataclass
class _Row:
    number: int
    data: dict[str, Any]  # key -> canonical value, for the columns present in the file
    raw: dict[str, Any]
    failed: set[str] = field(default_factory=set)
    objects: dict[str, Any] = field(default_factory=dict)  # key -> resolved Farm, Crop, CropSeason, …
    town_id: int | None = None
    pk: Any = None
    existing: dict[str, Any] | None = None
    action: str | None = None
    instance: models.Model | None = None


class _Import:
    def __init__(self, table: Table, *, user: Any, update: bool):
        self.table = table
        self.layout: Layout = table.layout
        self.model = self.layout.model
        self.user = user
        self.update = update
        self.errors: list[RowError] = []
        self.rows: list[_Row] = []
        self.existing: dict[str, dict[str, Any]] = {}
        self.towns = {town.pk: town for town in Town.objects.all()}
        self.new_villages: dict[tuple[int, str], Village] = {}
        self.attnames = {f.name: f.attname for f in self.model._meta.concrete_fields}
        self.checked: dict[tuple[Any, ...], list[str]] = {}  # constraint answers by the values read

    # -- errors ---------------------------------------------------------------------------------------

    def error(self, row: _Row | None, key: str, reason: str, *, value: str | None = None) -> None:
        column = self.layout.column(key) if key in self.layout.keys else None
        header = self.table.headers.get(key, column.header if column else "")
        letter = self.table.letters.get(key)
        number = row.number if row else None
        if value is None:
            value = shown(row.raw.get(key)) if row else ""
        cell = f"{letter}{number}" if letter and number else None
        self.errors.append(RowError(number, header, key, value, reason, cell))
        if row is not None:
            row.failed.add(key or NON_FIELD_ERRORS)

    def key_columns(self, keys: Iterable[str]) -> str:
        return "、".join(self.layout.column(k).header for k in keys)

    # -- 2. parse and look up -------------------------------------------------------------------------

    def parse(self) -> None:
        frame = self.table.frame
        columns = [self.layout.column(key) for key in frame.columns]
        for number, cells in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
            row = _Row(number=int(number), data={}, raw=dict(zip(frame.columns, cells, strict=True)))
            for column, value in zip(columns, cells, strict=True):
                if is_blank(value):
                    if column.required:
                        self.error(row, column.key, _(MSG_REQUIRED))
                    else:
                        row.data[column.key] = self.empty_value(column)
                    continue
                try:
                    row.data[column.key] = read_cell(value, column)
                except CellError as exc:
                    self.error(row, column.key, str(exc))
                    continue
                if column.pattern and not re.match(column.pattern, row.data[column.key]):
                    self.error(row, column.key, _(MSG_BAD_CODE))
            self.rows.append(row)

    def empty_value(self, column: Column) -> Any:
        if column.field is None:
            return None
        model_field = self.model._meta.get_field(column.field)
        if model_field.is_relation or model_field.null:
            return None
        if model_field.has_default():
            return model_field.get_default()
        return ""

    def resolve(self) -> None:
        layout = self.layout
        rows = self.rows
        keys = set(self.table.frame.columns)
        if "crop" in keys:
            crops: dict[str, Crop] = {}
            for crop in Crop.objects.all():
                for spelling in (crop.code, crop.name_zh, crop.name_en):
                    crops.setdefault(normalise(spelling), crop)
            self._lookup(rows, "crop", lambda v: crops.get(normalise(v)), MSG_UNKNOWN_CROP, lambda c: c.code)
        if layout.anchor in (Anchor.FARM, Anchor.SEASON):
            codes = {r.data["farm_code"] for r in rows if "farm_code" in r.data}
            farms = {f.code: f for f in _fetch(Farm.objects.all(), "code", codes)}
            self._lookup(rows, "farm_code", farms.get, MSG_UNKNOWN_FARM, lambda f: f.code)
        district_key = "district_code" if layout.anchor == Anchor.DISTRICT else "irrigation_district"
        if district_key in keys:
            codes = {r.data[district_key] for r in rows if r.data.get(district_key)}
            districts = {d.code: d for d in _fetch(IrrigationDistrict.objects.all(), "code", codes)}
            self._lookup(rows, district_key, districts.get, MSG_UNKNOWN_DISTRICT, lambda d: d.code)
        if "town" in keys:
            towns: dict[str, Town] = {}
            for town in self.towns.values():
                for spelling in (town.code, town.name_zh, town.name_en):
                    towns[normalise(spelling)] = town
            self._lookup(rows, "town", lambda v: towns.get(normalise(v)), MSG_UNKNOWN_TOWN, lambda t: t.code)
        if layout.anchor == Anchor.SEASON:
            self._resolve_seasons(rows)
        if "village" in keys:
            self._resolve_villages(rows)

    def _lookup(
        self,
        rows: list[_Row],
        key: str,
        find: Callable[[str], Any],
        message: str,
        canonical: Callable[[Any], str],
    ) -> None:
        """Replace each row's code or name in `key` by the object `find` gives, or report it unknown."""
        for row in rows:
            value = row.data.get(key)
            if value in (None, ""):
                continue
            found = find(value)
            if found is None:
                self.error(row, key, _(message).format(value=value))
            else:
                row.objects[key] = found
                row.data[key] = canonical(found)

    def season_label(self, row: _Row) -> str:
        season = choice_labels(Season).get(row.data.get("season"), row.data.get("season"))
        crop = row.objects.get("crop")
        return f"{row.data.get('farm_code')} {row.data.get('year')} 年{season} {crop or row.data.get('crop')}"

    def _resolve_seasons(self, rows: list[_Row]) -> None:
        parts = ("farm_code", "year", "season", "crop")
        ready = [
            r
            for r in rows
            if not r.failed.intersection(parts) and all(p in r.objects or p in r.data for p in parts)
        ]
        farm_ids = {r.objects["farm_code"].pk for r in ready}
        years = {r.data["year"] for r in ready}
        seasons: dict[tuple, list[CropSeason]] = defaultdict(list)
        for chunk in _chunks(farm_ids):
            for season in CropSeason.objects.filter(farm_id__in=chunk, year__in=years).select_related("crop"):
                seasons[(season.farm_id, season.year, season.season, season.crop_id)].append(season)
        for row in ready:
            found = seasons.get(
                (
                    row.objects["farm_code"].pk,
                    row.data["year"],
                    row.data["season"],
                    row.objects["crop"].pk,
                ),
                [],
            )
            if len(found) == 1:
                row.objects["season"] = found[0]
                continue
            message = MSG_UNKNOWN_SEASON if not found else MSG_AMBIGUOUS_SEASON
            self.error(row, "crop", _(message).format(season=self.season_label(row), count=len(found)))

    def _resolve_villages(self, rows: list[_Row]) -> None:
        named = [r for r in rows if r.data.get("village") and "town" in r.objects]
        stored = {
            (v.town_id, v.name): v
            for v in _fetch(Village.objects.all(), "town_id", {r.objects["town"].pk for r in named})
        }
        for row in named:
            pair = (row.objects["town"].pk, row.data["village"])
            village = stored.get(pair) or self.new_villages.get(pair)
            if village is None:
                # A village is a name within the farm's town; an agent may name a new one (as farm_create does).
                village = Village(
                    town=row.objects["town"], name=pair[1], created_by=self.user, updated_by=self.user
                )
                self.new_villages[pair] = village
            row.objects["village"] = village

    def check_access(self) -> None:
        anchor_key = {
            Anchor.FARM: "farm_code",
            Anchor.SEASON: "farm_code",
            Anchor.DISTRICT: "district_code",
            Anchor.TOWN: "town",
        }[self.layout.anchor]
        for row in self.rows:
            anchor = row.objects.get(anchor_key)
            if anchor is None:
                continue
            row.town_id = anchor.pk if isinstance(anchor, Town) else anchor.town_id
            if not access.can_write_in_town(self.user, row.town_id):
                named = "farm_code" if self.layout.anchor == Anchor.TOWN else anchor_key
                what = f"{self.layout.column(named).header} {row.data.get(named)} "
                self.refuse(row, anchor_key, row.town_id, what)

    def check_farm_types(self) -> None:
        """Herds and manure facilities only on livestock farms, tailwater only on aquaculture farms."""
        allowed = self.layout.farm_types
        if not allowed:
            return
        for row in self.rows:
            farm = row.objects.get("farm_code")
            if farm is None or farm.farm_type in allowed:
                continue
            message = _(MSG_WRONG_FARM_TYPE).format(
                record=self.model._meta.verbose_name,
                allowed="、".join(str(t.label) for t in allowed),
                farm=farm.code,
                farm_type=farm.get_farm_type_display(),
            )
            self.error(row, "farm_code", message)

    def refuse(self, row: _Row, key: str, town_id: int, what: str) -> None:
        town = self.towns.get(town_id)
        self.error(
            row, key, _(MSG_TOWN_NOT_ASSIGNED).format(town=town.name_zh if town else town_id, what=what)
        )

    # -- 3. match rows to stored records --------------------------------------------------------------

    def natural_key(self, values: dict[str, Any]) -> tuple[str, ...]:
        """The natural key's values as text; a key column absent from the file counts as its default,
        which is what a record created from the row would hold."""
        return tuple(
            _key_part(values[k] if k in values else self.empty_value(self.layout.column(k)))
            for k in self.layout.natural_key
        )

    def load_existing(self) -> None:
        layout = self.layout
        paths = {c.key: c.path for c in layout.columns}
        fetch = ["pk", layout.town_path, *paths.values()]
        ready = [r for r in self.rows if not r.failed.intersection(layout.natural_key)]
        queryset = self.model._default_manager.values(*fetch)
        stored: list[dict[str, Any]] = []
        if layout.anchor == Anchor.TOWN:
            stored += _fetch(queryset, "code", {r.data["farm_code"] for r in ready})
        else:
            anchor, anchor_key = {
                Anchor.FARM: ("farm_id", "farm_code"),
                Anchor.SEASON: ("season__farm_id", "farm_code"),
                Anchor.DISTRICT: ("district_id", "district_code"),
            }[layout.anchor]
            scope = queryset
            if "year" in layout.keys:
                year_path = layout.column("year").path
                scope = scope.filter(**{f"{year_path}__in": {r.data["year"] for r in ready}})
            stored += _fetch(
                scope, anchor, {r.objects[anchor_key].pk for r in ready if anchor_key in r.objects}
            )
            ids = {r.data["record_id"] for r in self.rows if r.data.get("record_id")}
            ids |= {str(derived_id(layout.record_type, self.natural_key(r.data))) for r in ready}
            stored += _fetch(queryset, "pk", ids)
        for values in stored:
            record = {key: values[path] for key, path in paths.items()}
            record["_town_id"] = values[layout.town_path]
            if isinstance(values["pk"], uuid.UUID):
                record["record_id"] = str(values["pk"])
            self.existing[str(values["pk"])] = record

    def match(self) -> None:
        layout = self.layout
        by_key: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for pk, record in self.existing.items():
            by_key[self.natural_key(record)].append(pk)
        key_rows: dict[tuple[str, ...], int] = {}
        claimed: dict[str, int] = {}
        key_names = self.key_columns(layout.natural_key)
        for row in self.rows:
            if row.failed.intersection(layout.natural_key):
                continue
            key = self.natural_key(row.data)
            explicit = row.data.get("record_id")
            # Rows without an id must differ in their natural key; with ids too where the key is unique.
            # Checked on rows refused for other reasons too, so the report has this error at once.
            if (not explicit or layout.unique_key) and key in key_rows:
                self.error(
                    row,
                    layout.natural_key[-1],
                    _(MSG_DUPLICATE_ROW).format(row=key_rows[key], key=key_names),
                )
                continue
            key_rows[key] = row.number
            if row.failed:
                continue
            if explicit:
                pk = explicit
                if layout.unique_key:
                    others = [other for other in by_key.get(key, []) if other != pk]
                    if others:
                        self.error(
                            row, "record_id", _(MSG_CLASHES_WITH_STORED).format(key=key_names, id=others[0])
                        )
                        continue
            else:
                candidates = by_key.get(key, [])
                if len(candidates) > 1:
                    self.error(
                        row,
                        layout.natural_key[-1],
                        _(MSG_AMBIGUOUS_MATCH).format(count=len(candidates), key=key_names),
                    )
                    continue
                if candidates:
                    pk = candidates[0]
                elif layout.has_record_id:
                    pk = str(derived_id(layout.record_type, key))
                else:
                    pk = None
            if pk is not None:
                if pk in claimed:
                    self.error(
                        row,
                        "record_id" if explicit else layout.natural_key[-1],
                        _(MSG_SAME_RECORD).format(row=claimed[pk]),
                    )
                    continue
                claimed[pk] = row.number
            row.pk = pk
            row.existing = self.existing.get(pk) if pk is not None else None
            self.decide(row)

    def decide(self, row: _Row) -> None:
        existing = row.existing
        if existing is None:
            row.action = CREATE
            return
        if existing["_town_id"] != row.town_id and not access.can_write_in_town(
            self.user, existing["_town_id"]
        ):
            self.refuse(row, "record_id", existing["_town_id"], f"记录 {row.pk} ")
            return
        parent = self.layout.parent_keys
        if any(not _same(row.data.get(k), existing.get(k)) for k in parent):
            stored = " ".join(self.stored_text(k, existing.get(k)) for k in parent)
            self.error(
                row, "record_id", _(MSG_PARENT_CHANGED).format(stored=stored, parent=self.key_columns(parent))
            )
            return
        changed = [
            key
            for key, value in row.data.items()
            if key != "record_id" and not _same(value, existing.get(key))
        ]
        if not changed:
            row.action = UNCHANGED
        elif self.update:
            row.action = UPDATE
        else:
            for key in changed:
                self.error(row, key, _(MSG_DIFFERS).format(stored=self.stored_text(key, existing.get(key))))

    def stored_text(self, key: str, value: Any) -> str:
        column = self.layout.column(key)
        if value in (None, ""):
            return "空"
        if column.kind == Kind.CHOICE and column.choices is not None:
            return choice_labels(column.choices).get(value, value)
        if column.kind == Kind.BOOLEAN:
            return "是" if value else "否"
        return _key_part(value)

    # -- 4. build and validate instances --------------------------------------------------------------

    def build(self) -> None:
        """Make each row's instance and full_clean it. A row already refused is still checked, leaving out
        its refused cells, so the report has every error of the row at once; it is never written."""
        layout = self.layout
        to_update = [row.pk for row in self.rows if row.action == UPDATE]
        stored = {str(obj.pk): obj for obj in _fetch(self.model._default_manager.all(), "pk", to_update)}
        relations = [f.name for f in self.model._meta.concrete_fields if f.is_relation]
        fields = {c.key: c.field for c in layout.columns if c.field}
        now = timezone.now()
        for row in self.rows:
            if row.action == UNCHANGED:
                continue
            if row.action == UPDATE:
                instance = stored[row.pk]
                instance.updated_at = now
            elif row.action == CREATE and layout.has_record_id:
                instance = self.model(pk=row.pk)
            else:
                instance = self.model()
            if row.action != UPDATE:
                instance.created_by = self.user
            instance.updated_by = self.user
            for key, value in row.data.items():
                if key in fields and key not in row.failed:
                    setattr(instance, fields[key], row.objects.get(key, value))
            if layout.anchor == Anchor.SEASON and "season" in row.objects:
                instance.season = row.objects["season"]
            if "village" in row.objects:
                instance.village = row.objects["village"]
            refused = {fields[key] for key in row.failed if key in fields}
            errors = self.validate(instance, exclude={*relations, *refused})
            if errors:
                self.report_invalid(row, errors)
            elif row.action in (CREATE, UPDATE):
                row.instance = instance

    def validate(self, instance: models.Model, *, exclude: set[str]) -> dict[str, list[str]]:
        """What full_clean() finds: fields and clean(), then the check constraints.

        The constraints are checked by Django's own `constraint.validate`, exactly as full_clean would
        (a constraint reading an excluded or already refused field is skipped), but each answer is
        remembered by the values the constraint reads: each check is a database query, and a file
        repeats values (the same product's N %) row after row. Unique constraints are the natural keys,
        checked for the whole file in `match`.
        """
        errors: dict[str, list[str]] = {}
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = validation_errors(exc)
        skip = exclude | set(errors)
        for constraint in self.model._meta.constraints:
            if not isinstance(constraint, models.CheckConstraint):
                continue
            reads = constraint.condition.referenced_base_fields
            if reads & skip:
                continue
            memo = (constraint.name, *(getattr(instance, self.attnames[name]) for name in sorted(reads)))
            if memo not in self.checked:
                try:
                    constraint.validate(self.model, instance, exclude=set(self.attnames) - reads)
                    self.checked[memo] = []
                except ValidationError as exc:
                    self.checked[memo] = exc.messages
            if self.checked[memo]:
                errors.setdefault(NON_FIELD_ERRORS, []).extend(self.checked[memo])
        return errors

    def report_invalid(self, row: _Row, errors: dict[str, list[str]]) -> None:
        by_field = {c.field: c.key for c in self.layout.columns if c.field}
        by_field.update({"season": "crop", "village": "village"})
        for name, reasons in errors.items():
            for reason in reasons:
                key = by_field.get(name, "")
                if name == NON_FIELD_ERRORS:
                    for constraint, (constraint_key, friendly) in CONSTRAINT_REASONS.items():
                        if constraint in reason or reason == _(friendly):
                            key, reason = constraint_key, _(friendly)
                            break
                self.error(row, key, reason, value=shown(row.raw.get(key)) if key else "")

    # -- 5. rules across rows -------------------------------------------------------------------------

    def check_season_areas(self) -> None:
        """The records API's season rules, over the whole file at once: a farm's seasons of one season of
        a year fit in the farm (the rows written and the other stored seasons together), and a changed
        season still covers its largest stored application. Unchanged rows write nothing and are not
        refused for a rule broken since (a farm's area reduced later)."""
        planned = {row.pk: row for row in self.rows if row.action in (CREATE, UPDATE)}
        if not planned:
            return
        columns = ["farm_code", "year", "season", "area_mu", "row"]
        records = [
            [r["farm_code"], r["year"], r["season"], r["area_mu"], None]
            for pk, r in self.existing.items()
            if pk not in planned
        ]
        records += [
            [row.data["farm_code"], row.data["year"], row.data["season"], row.data["area_mu"], row.number]
            for row in planned.values()
        ]
        farms = {row.data["farm_code"]: row.objects["farm_code"] for row in planned.values()}
        frame = pd.DataFrame.from_records(records, columns=columns)
        frame = frame[frame["farm_code"].isin(farms.keys())]
        totals = frame.groupby(["farm_code", "year", "season"]).agg(
            total=("area_mu", "sum"), rows=("row", lambda r: sorted(int(n) for n in r.dropna()))
        )
        labels = choice_labels(Season)
        by_number = {row.number: row for row in planned.values()}
        for (farm_code, year, season), group in totals.iterrows():
            farm_area = farms[farm_code].area_mu
            if not group["rows"] or group["total"] <= farm_area:
                continue
            reason = _(MSG_SEASON_AREA_EXCEEDS).format(
                farm=farm_code,
                year=year,
                season=labels[season],
                total=_key_part(Decimal(group["total"])),
                rows="、".join(str(n) for n in group["rows"]),
                farm_area=_key_part(farm_area),
            )
            self.error(by_number[group["rows"][0]], "area_mu", reason)

        updated = {row.pk: row for row in self.rows if row.action == UPDATE}
        largest: dict[str, Decimal] = {}
        for model in (FertiliserApplication, PesticideApplication):
            for chunk in _chunks(updated):
                applications = model.objects.filter(season_id__in=chunk).values("season_id")
                for found in applications.annotate(largest=Max("area_mu")):
                    pk = str(found["season_id"])
                    largest[pk] = max(largest.get(pk, found["largest"]), found["largest"])
        for pk, area in largest.items():
            row = updated[pk]
            if row.data["area_mu"] < area:
                reason = _(MSG_SEASON_AREA_BELOW_APPLICATION).format(
                    area=_key_part(row.data["area_mu"]), largest=_key_part(area)
                )
                self.error(row, "area_mu", reason)

    def check_application_areas(self) -> None:
        """An application covers at most its season's sown area (the records API's rule)."""
        for row in self.rows:
            season, area = row.objects.get("season"), row.data.get("area_mu")
            if row.action not in (CREATE, UPDATE, None) or season is None or area is None:
                continue
            if "area_mu" in row.failed or area <= season.area_mu:
                continue
            reason = _(MSG_APPLICATION_AREA_ABOVE_SEASON).format(
                area=_key_part(area), season_area=_key_part(season.area_mu)
            )
            self.error(row, "area_mu", reason)

    # -- the whole plan -------------------------------------------------------------------------------

    def plan(self) -> None:
        self.parse()
        self.resolve()
        self.check_access()
        self.check_farm_types()
        self.load_existing()
        self.match()
        self.build()
        if self.layout.record_type == RecordType.SEASONS:
            self.check_season_areas()
        if self.layout.record_type in (RecordType.FERTILISER, RecordType.PESTICIDE):
            self.check_application_areas()
        if self.errors:
            order = {key: index for index, key in enumerate(self.layout.keys)}
            self.errors.sort(key=lambda e: (e.row or 0, order.get(e.key, -1)))
            raise ImportRejected(
                self.errors,
                file_name=self.table.file_name,
                record_type=self.layout.record_type.value,
                rows=len(self.rows),
            )

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    # -- 6. write -------------------------------------------------------------------------------------

    def write(self) -> None:
        creates = [row.instance for row in self.rows if row.action == CREATE]
        updates = [row.instance for row in self.rows if row.action == UPDATE]
        villages = {
            id(village): village
            for row in self.rows
            if row.action in (CREATE, UPDATE)
            and (village := row.objects.get("village")) is not None
            and village.pk is None
        }
        if villages:
            bulk_create_with_history(
                list(villages.values()), Village, batch_size=BATCH_SIZE, default_user=self.user
            )
        if creates:
            bulk_create_with_history(creates, self.model, batch_size=BATCH_SIZE, default_user=self.user)
        if updates:
            present = set(self.table.frame.columns)
            fields = {c.field for c in self.layout.columns if c.field and c.key in present}
            if "village" in present:
                fields.add("village")
            bulk_update_with_history(
                updates,
                self.model,
                fields=sorted(fields | {"updated_by", "updated_at"}),
                batch_size=BATCH_SIZE,
                default_user=self.user,
            )
        figures.data_changed()  # bulk writes send no signals

    def warnings(self) -> list[RowWarning]:
        """The records API's plausibility warnings for the rows written, read after the write so that a
        season's total sees every row of the file. A warning shared by several rows of one season (a
        season's N rate) is given once, at its first row."""
        found: list[RowWarning] = []
        seen: set[tuple[Any, ...]] = set()
        for row in self.rows:
            if row.action not in (CREATE, UPDATE):
                continue
            for warning in plausibility.record_warnings(row.instance):
                once = (getattr(row.instance, "season_id", None) or row.number, warning.code, warning.message)
                if once in seen:
                    continue
                seen.add(once)
                key = WARNING_COLUMNS.get(warning.code, "")
                key = key if key in self.layout.keys else ""
                header = self.table.headers.get(key, self.layout.column(key).header if key else "")
                found.append(RowWarning(row.number, header, key, warning.code, warning.message))
        return found


def _require_writer(user: Any) -> None:
    if access.role_of(user) not in (Role.ADMIN, Role.AGENT):
        raise PermissionDenied(_(MSG_NO_WRITE_RIGHTS))


def records_import(
    *,
    user: Any,
    content: bytes,
    file_name: str,
    record_type: str | None = None,
    update: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import one sheet of records: all rows or none (see the module docstring).

    Raises ImportFileError (the file cannot be read), ImportRejected (rows are wrong; every error is
    listed), PermissionDenied (the user writes no records at all) or Conflict (a concurrent write
    clashed). With dry_run, everything is checked and written, then rolled back: the report says what
    an import would do.
    """
    _require_writer(user)
    table = read_table(content, file_name=file_name, record_type=record_type)
    if table.errors:
        raise ImportRejected(
            table.errors, file_name=file_name, record_type=table.record_type.value, rows=len(table.frame)
        )
    job = _Import(table, user=user, update=update)
    job.plan()
    try:
        with transaction.atomic():
            job.write()
            warnings = job.warnings() if dry_run else []
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as exc:
        raise Conflict(_(MSG_CONCURRENT_WRITE)) from exc
    if not dry_run:
        # After the commit: the checks read the stored rows, and need not hold the write lock meanwhile.
        warnings = job.warnings()
    return ImportReport(
        record_type=table.record_type.value,
        file_name=file_name,
        sheet=table.sheet,
        rows=len(job.rows),
        created=job.count(CREATE),
        updated=job.count(UPDATE),
        unchanged=job.count(UNCHANGED),
        dry_run=dry_run,
        warnings=warnings,
    )
