"""The reference figure in force on a date: the row with the latest valid_from not after it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.core.errors import ApplicationError
from farmadvice.reference.models import ReferenceValue

MSG_MISSING_REFERENCE = gettext_noop(
    "缺少参考值“{key}”（{on} 起生效的记录）：请运行 load_reference 或在后台录入。"
)


def _today() -> dt.date:
    return timezone.localdate()


def in_force(queryset: QuerySet, *, key_fields: tuple[str, ...], on: dt.date | None = None) -> list[Model]:
    """Of each group of rows sharing `key_fields`, the one with the latest valid_from on or before `on`."""
    on = on or _today()
    rows = queryset.filter(valid_from__lte=on).order_by(*key_fields, "-valid_from")
    chosen: dict[tuple, Model] = {}
    for row in rows:
        chosen.setdefault(tuple(getattr(row, f) for f in key_fields), row)
    return list(chosen.values())


def reference_row(key: str, *, on: dt.date | None = None) -> ReferenceValue:
    on = on or _today()
    row = ReferenceValue.objects.filter(key=key, valid_from__lte=on).order_by("-valid_from").first()
    if row is None:
        raise ApplicationError(_(MSG_MISSING_REFERENCE).format(key=key, on=on))
    return row


def reference_value(key: str, *, on: dt.date | None = None) -> Decimal:
    return reference_row(key, on=on).value
