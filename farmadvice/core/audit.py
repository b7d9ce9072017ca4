"""Who changed what and when: the change history (django-simple-history) of the registry and the records,
read across models, for the committee and admins.

Each entry is one historical row: created ("+"), changed ("~", with the fields that differ from the row
before it) or deleted ("-"). Deletions are kept by the history, so they are listed, never silent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.core.errors import PermissionDenied, ValidationFailed
from farmadvice.indicators.models import Baseline, Target
from farmadvice.practices import selectors as practices
from farmadvice.reference.models import (
    Crop,
    CropCoefficient,
    LivestockThreshold,
    PigEquivalent,
    ReferenceValue,
    StandardLimit,
    WastewaterCoefficient,
)
from farmadvice.registry.models import Farm, IrrigationDistrict
from farmadvice.runoff.models import RunoffModelVersion, SeasonRainfall

MSG_AUDIT_ROLE = gettext_noop("只有委员会和管理员可以查看修改记录。")
MSG_UNKNOWN_MODEL = gettext_noop("未知的记录类型：{value}（可选：{choices}）")

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
MAX_LIMIT = 500

KINDS = {kind.slug: kind for kind in practices.RECORD_KINDS}
# model name in the API (the record slugs of /api/v1/, "farms", "districts") → model
AUDITED: dict[str, type[Model]] = {
    "farms": Farm,
    "districts": IrrigationDistrict,
    **{slug: kind.model for slug, kind in KINDS.items()},
}
# The reference figures the indicators, the advice and the model read (editable in the admin), and the
# runoff model versions (their activation): a changed limit or target changes the committee's figures.
REFERENCE: dict[str, type[Model]] = {
    "crops": Crop,
    "crop-coefficients": CropCoefficient,
    "standard-limits": StandardLimit,
    "livestock-thresholds": LivestockThreshold,
    "pig-equivalents": PigEquivalent,
    "wastewater-coefficients": WastewaterCoefficient,
    "reference-values": ReferenceValue,
    "targets": Target,
    "baselines": Baseline,
    "season-rainfall": SeasonRainfall,
    "runoff-model-versions": RunoffModelVersion,
}
AUDITED.update(REFERENCE)


@dataclass(frozen=True)
class AuditEntry:
    model: str
    object_id: str
    action: str
    user: str | None
    at: dt.datetime
    object: str
    changed_fields: list[str] = field(default_factory=list)


def _farm_filter(model_name: str, farm_code: str) -> Q | None:
    """Historical rows of `model_name` that belong to the farm `farm_code`; None: the model has no farm."""
    model = AUDITED[model_name]
    if model is Farm:
        return Q(code=farm_code)
    if model_name not in KINDS:
        return None  # districts and the reference figures belong to no farm
    kind = KINDS[model_name]
    if kind.parent == "farm":
        return Q(farm__code=farm_code)
    if kind.parent == "season":
        # the season may itself be deleted since: look it up in the seasons' history
        season_ids = practices.SEASONS.model.history.filter(farm__code=farm_code).values("id")
        return Q(season_id__in=season_ids)
    return None


def audit_list(
    *,
    user: Any,
    model: str | None = None,
    since: dt.datetime | None = None,
    farm: str | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """The newest `limit` history entries, newest first, of one model or all audited ones."""
    if not access.can_edit_reference(user):
        raise PermissionDenied(_(MSG_AUDIT_ROLE))
    if model is not None and model not in AUDITED:
        raise ValidationFailed(
            {"model": [_(MSG_UNKNOWN_MODEL).format(value=model, choices=", ".join(sorted(AUDITED)))]}
        )
    limit = max(1, min(limit, MAX_LIMIT))
    rows: list[tuple[str, Any]] = []
    for name in [model] if model else sorted(AUDITED):
        history = AUDITED[name].history.select_related("history_user").order_by("-history_date")
        if since is not None:
            history = history.filter(history_date__gte=since)
        if farm:
            condition = _farm_filter(name, farm)
            if condition is None:
                continue
            history = history.filter(condition)
        rows.extend((name, row) for row in history[:limit])
    rows.sort(key=lambda item: item[1].history_date, reverse=True)
    return [_entry(name, row) for name, row in rows[:limit]]


def _entry(name: str, row: Any) -> AuditEntry:
    changed: list[str] = []
    if row.history_type == "~":
        previous = row.prev_record
        if previous is not None:
            ignored = {"updated_at", "updated_by"}
            changed = sorted(c.field for c in row.diff_against(previous).changes if c.field not in ignored)
    return AuditEntry(
        model=name,
        object_id=str(row.id),
        action=ACTIONS.get(row.history_type, row.history_type),
        user=row.history_user.get_username() if row.history_user_id else None,
        at=row.history_date,
        object=_label(row),
        changed_fields=changed,
    )


def _label(row: Any) -> str:
    """The object as its model shows it; its id when what the label names is gone."""
    try:
        return str(row.instance)
    except ObjectDoesNotExist:
        return str(row.id)
