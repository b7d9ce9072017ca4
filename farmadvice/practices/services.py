"""Writes for the records: create (idempotent on the client's id), update and delete, for every record kind.

Each write checks that the user may write in the parent's town, applies the cross-record rules below with
field-level messages, then validates every field and database constraint (`validate_and_save`).

Idempotency: a field device sends its own UUID as `id` and may resend the same write after a lost answer.
A create whose id is already stored returns the stored record unchanged when the content is the same
(`created` is False, nothing is written, no history entry), and raises Conflict when it differs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Model, ProtectedError, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.core.errors import Conflict, PermissionDenied, ValidationFailed
from farmadvice.core.services import validate_and_save
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    LivestockHerd,
    ManureFacility,
    PesticideApplication,
    Season,
    TailwaterSample,
    Visit,
)
from farmadvice.practices.selectors import VISITS, RecordKind
from farmadvice.reference.models import Crop
from farmadvice.registry.models import FarmType, Town
from farmadvice.registry.services import MSG_TOWN_NOT_ASSIGNED

MSG_UNKNOWN_CROP = gettext_noop("未知作物：{value}")
MSG_UNKNOWN_VISIT = gettext_noop("走访记录 {value} 不存在，或不是对本农场（灌区）的走访。")
MSG_ID_CONFLICT = gettext_noop(
    "记录 {id} 已存在，但内容不同（{fields}）：重发请保持内容一致，新记录请使用新的 id。"
)
MSG_APPLICATION_AREA_ABOVE_SEASON = gettext_noop("施用面积 {area} 亩超过茬口播种面积 {season_area} 亩。")
MSG_SEASON_AREA_BELOW_APPLICATION = gettext_noop(
    "播种面积 {area} 亩小于本茬口已录入的最大施用面积 {largest} 亩。"
)
MSG_SEASON_AREA_ABOVE_FARM = gettext_noop(
    "{year} 年{season}各茬口播种面积合计 {total} 亩（含本茬口 {area} 亩），超过农场面积 {farm_area} 亩。"
)
MSG_WRONG_FARM_TYPE = gettext_noop("{record}只能录入到{allowed}农场；农场 {farm} 是{farm_type}农场。")
MSG_RECORD_PROTECTED = gettext_noop("{record} {id} 下还有{children}，请先删除这些记录。")

ZERO = Decimal("0")
AUDIT_FIELDS = frozenset({"id", "created_at", "created_by", "updated_at", "updated_by"})

Errors = dict[str, list[str]]


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _list(items: Iterable[str]) -> str:
    # Translators: the separator of the items of a list in a message ("a、b"; in English "a, b").
    return _("、").join(items)


# -- access ------------------------------------------------------------------------------------------


def _town(kind: RecordKind, parent: Model) -> Town:
    return (parent.farm if kind.parent == "season" else parent).town


def _require_write(user: Any, kind: RecordKind, parent: Model) -> None:
    town = _town(kind, parent)
    if not access.can_write_in_town(user, town):
        raise PermissionDenied(_(MSG_TOWN_NOT_ASSIGNED).format(town=town.name_zh))


# -- input -------------------------------------------------------------------------------------------


def _crop(value: str) -> Crop:
    crop = Crop.objects.filter(code=value).first() or Crop.objects.filter(name_zh=value).first()
    if crop is None:
        raise ValidationFailed({"crop": [_(MSG_UNKNOWN_CROP).format(value=value)]})
    return crop


def _visit(visit_id: uuid.UUID | None, *, kind: RecordKind, record: Model) -> Visit | None:
    """The visit a record was entered in: a visit to the record's farm (for a district sample, to a farm
    in that district)."""
    if visit_id is None:
        return None
    if kind.parent == "district":
        visits = Visit.objects.filter(farm__irrigation_district=record.district)
    else:
        visits = Visit.objects.filter(farm=kind.farm_of(record))
    visit = visits.filter(pk=visit_id).first()
    if visit is None:
        raise ValidationFailed({"visit_id": [_(MSG_UNKNOWN_VISIT).format(value=visit_id)]})
    return visit


def _apply(record: Model, data: Mapping[str, Any], *, kind: RecordKind) -> None:
    for name, value in data.items():
        if name == "crop":
            record.crop = _crop(value)
        elif name == "visit_id":
            record.visit = _visit(value, kind=kind, record=record)
        else:
            setattr(record, name, value)


# -- cross-record rules ------------------------------------------------------------------------------


def _application_within_season(application: FertiliserApplication | PesticideApplication) -> Errors:
    season = application.season
    if application.area_mu is None or application.area_mu <= season.area_mu:
        return {}
    message = _(MSG_APPLICATION_AREA_ABOVE_SEASON).format(
        area=_num(application.area_mu), season_area=_num(season.area_mu)
    )
    return {"area_mu": [message]}


def _season_area(season: CropSeason) -> Errors:
    """The farm's seasons of one year and season fit in the farm; the season covers its applications."""
    if season.area_mu is None:
        return {}
    errors = []
    others = (
        CropSeason.objects.filter(farm_id=season.farm_id, year=season.year, season=season.season)
        .exclude(pk=season.pk)
        .aggregate(total=Sum("area_mu"))["total"]
    )
    total = (others or ZERO) + season.area_mu
    if total > season.farm.area_mu:
        errors.append(
            _(MSG_SEASON_AREA_ABOVE_FARM).format(
                year=season.year,
                season=Season(season.season).label,
                total=_num(total),
                area=_num(season.area_mu),
                farm_area=_num(season.farm.area_mu),
            )
        )
    if not season._state.adding:
        largest = max(
            model.objects.filter(season=season).aggregate(largest=Max("area_mu"))["largest"] or ZERO
            for model in (FertiliserApplication, PesticideApplication)
        )
        if season.area_mu < largest:
            errors.append(
                _(MSG_SEASON_AREA_BELOW_APPLICATION).format(area=_num(season.area_mu), largest=_num(largest))
            )
    return {"area_mu": errors} if errors else {}


def _on_farm_types(*allowed: FarmType) -> Callable[[Model], Errors]:
    def check(record: Model) -> Errors:
        farm = record.farm
        if farm.farm_type in allowed:
            return {}
        message = _(MSG_WRONG_FARM_TYPE).format(
            record=record._meta.verbose_name,
            allowed=_list(str(t.label) for t in allowed),
            farm=farm.code,
            farm_type=farm.get_farm_type_display(),
        )
        return {"farm": [message]}

    return check


_RULES: dict[type[Model], Callable[[Any], Errors]] = {
    CropSeason: _season_area,
    FertiliserApplication: _application_within_season,
    PesticideApplication: _application_within_season,
    TailwaterSample: _on_farm_types(FarmType.AQUACULTURE, FarmType.MIXED),
    LivestockHerd: _on_farm_types(FarmType.LIVESTOCK, FarmType.MIXED),
    ManureFacility: _on_farm_types(FarmType.LIVESTOCK, FarmType.MIXED),
}


def _check_rules(record: Model) -> None:
    rule = _RULES.get(type(record))
    errors = rule(record) if rule else {}
    if errors:
        raise ValidationFailed(errors)


# -- idempotent create -------------------------------------------------------------------------------


def _stored(kind: RecordKind, record_id: uuid.UUID) -> Model | None:
    return kind.queryset().filter(pk=record_id).first()


def _differences(stored: Model, candidate: Model) -> list[str]:
    """Names of the content fields (not id, not who/when) in which two records differ."""
    return [
        field.name
        for field in stored._meta.concrete_fields
        if field.name not in AUDIT_FIELDS
        and field.to_python(field.value_from_object(stored))
        != field.to_python(field.value_from_object(candidate))
    ]


def _replayed(stored: Model, candidate: Model) -> Model:
    differences = _differences(stored, candidate)
    if differences:
        raise Conflict(_(MSG_ID_CONFLICT).format(id=stored.pk, fields=_list(differences)), field="id")
    return stored


@transaction.atomic
def record_create(
    *, user: Any, kind: RecordKind, parent: Model, data: Mapping[str, Any]
) -> tuple[Model, bool]:
    """Create a record of `kind` under `parent` (a farm, crop season or district); returns (record, created).

    With a client-supplied `id` already stored: the stored record and False when the content is the same,
    Conflict (409) when it differs.
    """
    _require_write(user, kind, parent)
    data = dict(data)
    client_id = data.pop("id", None)
    record = kind.model(pk=client_id or uuid.uuid4(), **{kind.parent: parent})
    if kind is VISITS:
        record.agent = user
    _apply(record, data, kind=kind)
    if client_id is not None and (stored := _stored(kind, client_id)) is not None:
        return _replayed(stored, record), False
    _check_rules(record)
    try:
        # The id is checked above and by the primary key; excluding it from full_clean leaves a
        # concurrent retry of the same write to the database, whose refusal is handled below.
        with transaction.atomic():
            validate_and_save(record, user=user, exclude=["id"])
    except IntegrityError:
        stored = _stored(kind, record.pk)
        if stored is None:
            raise
        return _replayed(stored, record), False
    # Read back, so the first answer is the same as a replay's and a later read's (e.g. "40.000" kg).
    return _stored(kind, record.pk), True


@transaction.atomic
def record_update(*, user: Any, kind: RecordKind, record: Model, data: Mapping[str, Any]) -> Model:
    """Change some fields of a record; the record's parent, id and author stay."""
    _require_write(user, kind, getattr(record, kind.parent))
    _apply(record, data, kind=kind)
    _check_rules(record)
    validate_and_save(record, user=user)
    return _stored(kind, record.pk)


@transaction.atomic
def record_delete(*, user: Any, kind: RecordKind, record: Model) -> None:
    """Delete a record; its history keeps every version, the deletion included, with who deleted it."""
    _require_write(user, kind, getattr(record, kind.parent))
    record._history_user = user  # read by django-simple-history
    try:
        record.delete()
    except ProtectedError as exc:
        children = _list(sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects}))
        raise Conflict(
            _(MSG_RECORD_PROTECTED).format(record=kind.name, id=record.pk, children=children)
        ) from exc
