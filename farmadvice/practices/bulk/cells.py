"""Read one cell into its stored form, or say in a sentence what is wrong with it.

Cells come as Excel gives them (numbers, dates, booleans, text) or, from a CSV, as text. Values are made
canonical: Decimals, ints, dates, bools, choice codes, trimmed text; references stay text until they are
looked up in bulk.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from decimal import Decimal, InvalidOperation

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.practices.bulk.layouts import Column, Kind, choice_aliases, choice_labels, normalise
from farmadvice.practices.bulk.reading import is_blank

MSG_REQUIRED = gettext_noop("必填项不能为空。")
MSG_NOT_A_NUMBER = gettext_noop("不是有效的数字。")
MSG_NOT_AN_INTEGER = gettext_noop("不是整数。")
MSG_NOT_A_DATE = gettext_noop("不是有效的日期；请写成 2025-07-01 的形式。")
MSG_NOT_YES_NO = gettext_noop("请填写“是”或“否”。")
MSG_NOT_A_CHOICE = gettext_noop("不是可选值；可填：{choices}。")
MSG_NOT_A_UUID = gettext_noop("不是有效的记录编号（UUID）；新记录请留空。")

TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "✗", "不是"}
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Excel stores dates as days since 1899-12-30; a plain number in a date column is one of those.
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class CellError(ValueError):
    """The cell cannot be read; the message says why."""


def shown(value: object) -> str:
    """The cell as the user sees it, for the error report."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number or a code that Excel took for a number
    return shown(value)


def _decimal(value: object, *, percent: bool = False) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_(MSG_NOT_A_NUMBER))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # 15 significant digits: what the float holds, without binary noise such as 0.30000000000000004.
        number = Decimal(format(value, ".15g"))
    else:
        text = normalise(value).replace(",", "")
        if percent:
            text = text.removesuffix("%")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError(_(MSG_NOT_A_NUMBER)) from exc
    if not number.is_finite():
        raise CellError(_(MSG_NOT_A_NUMBER))
    return number


def _share(value: object) -> Decimal:
    """A fraction 0-1 as written: 0.35, or 35% typed as text (an Excel cell formatted as a percentage
    already holds 0.35)."""
    if isinstance(value, str) and normalise(value).endswith("%"):
        return _decimal(value, percent=True) / 100
    return _decimal(value)


def _integer(value: object) -> int:
    try:
        number = _decimal(value)
    except CellError as exc:
        raise CellError(_(MSG_NOT_AN_INTEGER)) from exc
    if number != number.to_integral_value():
        raise CellError(_(MSG_NOT_AN_INTEGER))
    return int(number)


def _boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = normalise(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_(MSG_NOT_YES_NO))


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= value <= 2958465:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(_(MSG_NOT_A_DATE))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        raise CellError(_(MSG_NOT_A_DATE))
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise CellError(_(MSG_NOT_A_DATE)) from exc


def _choice(value: object, column: Column) -> str:
    assert column.choices is not None
    code = choice_aliases(column.choices).get(normalise(_text(value)))
    if code is None:
        labels = "、".join(choice_labels(column.choices).values())
        raise CellError(_(MSG_NOT_A_CHOICE).format(choices=labels))
    return code


def _uuid(value: object) -> str:
    try:
        return str(uuid.UUID(_text(value)))
    except ValueError as exc:
        raise CellError(_(MSG_NOT_A_UUID)) from exc


def read_cell(value: object, column: Column) -> object:
    """The canonical value of a filled cell (raises CellError); callers handle blank cells."""
    match column.kind:
        case Kind.DECIMAL:
            return _decimal(value)
        case Kind.PERCENT:
            return _decimal(value, percent=True)
        case Kind.SHARE:
            return _share(value)
        case Kind.INTEGER:
            return _integer(value)
        case Kind.BOOLEAN:
            return _boolean(value)
        case Kind.DATE:
            return _date(value)
        case Kind.CHOICE:
            return _choice(value, column)
        case Kind.UUID:
            return _uuid(value)
        case _:
            return _text(value)
