"""Export of records, and blank templates, in the import layout: an export re-imports cleanly.

Choices are written as their Chinese labels, booleans as 是/否, crops and towns by name, and every record
with its 记录编号 (id), so editing an export and importing it with `update` changes those records.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from farmadvice.accounts import access
from farmadvice.core.errors import PermissionDenied, ValidationFailed
from farmadvice.practices.bulk.layouts import (
    INSTRUCTIONS_SHEET,
    LAYOUTS,
    Column,
    Kind,
    Layout,
    RecordType,
    choice_labels,
)
from farmadvice.practices.selectors import RECORD_KINDS, records_visible_to
from farmadvice.reference.models import Crop
from farmadvice.registry.models import Town
from farmadvice.registry.services import MSG_UNKNOWN_TOWN

Format = Literal["xlsx", "csv"]
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# Rows below the data that still get the drop-down lists for choice and yes/no columns.
SPARE_ROWS = 1000

MSG_NO_YEAR = gettext_noop("农场表不按年份筛选；请去掉年份条件。")
MSG_NO_READ_RIGHTS = gettext_noop("您没有查看记录的权限。")

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_OPTIONAL_FILL = PatternFill("solid", fgColor="E2EFDA")
_KIND_TEXT = {
    Kind.TEXT: "文本",
    Kind.DECIMAL: "数字",
    Kind.PERCENT: "数字（百分数，如 18 表示 18%）",
    Kind.SHARE: "0 到 1 的小数（如 0.35，也可写 35%）",
    Kind.INTEGER: "整数",
    Kind.BOOLEAN: "是/否",
    Kind.DATE: "日期（如 2025-07-01）",
    Kind.CHOICE: "可选值之一（中文或代码）",
    Kind.UUID: "UUID（新记录留空）",
    Kind.FARM: "农场编号",
    Kind.CROP: "作物名称或代码",
    Kind.DISTRICT: "灌区编号",
    Kind.TOWN: "乡镇名称或代码",
    Kind.VILLAGE: "村名",
}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    file_name: str
    content_type: str


# -- reading the records --------------------------------------------------------------------------------


def _town(value: str) -> Town:
    town = Town.objects.filter(code=value).first() or Town.objects.filter(name_zh=value).first()
    if town is None:
        raise ValidationFailed({"town": [_(MSG_UNKNOWN_TOWN).format(value=value)]})
    return town


def _visible(user: Any, layout: Layout, *, unrestricted: bool) -> QuerySet:
    if unrestricted:
        return layout.model._default_manager.all()
    if access.role_of(user) is None:
        raise PermissionDenied(_(MSG_NO_READ_RIGHTS))
    if layout.record_type == RecordType.FARMS:
        return access.farms_visible_to(user)
    kind = next(k for k in RECORD_KINDS if k.slug == layout.record_type.value)
    return records_visible_to(user, kind)


def _year_path(layout: Layout) -> str:
    if "year" in layout.keys:
        return layout.column("year").path
    if "date" in layout.keys:
        return f"{layout.column('date').path}__year"
    raise ValidationFailed({"year": [_(MSG_NO_YEAR)]})


def records_frame(
    *,
    user: Any,
    record_type: str,
    year: int | None = None,
    town: str | None = None,
    unrestricted: bool = False,
) -> pd.DataFrame:
    """The records the user may see, one row per record, one column per layout key, stored values
    (codes, Decimals, dates), in natural-key order. `unrestricted` (server-side commands only) skips the
    access rules."""
    layout = LAYOUTS[RecordType(record_type)]
    records = _visible(user, layout, unrestricted=unrestricted)
    if year is not None:
        records = records.filter(**{_year_path(layout): year})
    if town:
        records = records.filter(**{layout.town_path: _town(town).pk})
    order = [layout.column(key).path for key in layout.natural_key]
    rows = records.order_by(*order, "pk").values_list(*(c.path for c in layout.columns))
    return pd.DataFrame.from_records(list(rows), columns=list(layout.keys))


def _crop_names() -> dict[str, str]:
    """Crop code -> the name people use, or the code where two crops share a name (so it re-imports)."""
    shared = set(
        Crop.objects.values("name_zh")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name_zh", flat=True)
    )
    return {
        code: code if name in shared else name for code, name in Crop.objects.values_list("code", "name_zh")
    }


def _for_people(frame: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """Stored values as a person writes them, and as the importer reads them back."""
    shown = frame.copy()
    for column in layout.columns:
        series = shown[column.key]
        if column.kind == Kind.CHOICE and column.choices is not None:
            shown[column.key] = series.map(choice_labels(column.choices)).fillna("")
        elif column.kind == Kind.BOOLEAN:
            shown[column.key] = series.map({True: "是", False: "否"})
        elif column.kind == Kind.CROP:
            shown[column.key] = series.map(_crop_names())
        elif column.kind == Kind.TOWN:
            shown[column.key] = series.map(dict(Town.objects.values_list("code", "name_zh")))
        elif column.kind == Kind.UUID:
            shown[column.key] = series.map(str)
    return shown.astype(object).where(shown.notna(), None)


# -- writing files ------------------------------------------------------------------------------------


def _allowed(column: Column) -> str:
    if column.choices is not None:
        return "、".join(choice_labels(column.choices).values())
    if column.kind == Kind.CROP:
        return "、".join(dict.fromkeys(_crop_names().values()))
    return ""


def _default(layout: Layout, column: Column) -> str:
    """What an empty optional cell stores, in words ("" where that is simply empty)."""
    if column.field is None or column.required:
        return ""
    field = layout.model._meta.get_field(column.field)
    if not field.has_default():
        return ""
    value = field.get_default()
    if column.choices is not None:
        return choice_labels(column.choices).get(value, "")
    if column.kind == Kind.BOOLEAN:
        return "是" if value else "否"
    return str(value)


def _notes(layout: Layout, column: Column) -> list[str]:
    notes = [_allowed(column), column.hint]
    if default := _default(layout, column):
        notes.append(f"留空为“{default}”")
    return [note for note in notes if note]


def _header_note(layout: Layout, column: Column) -> str:
    lines = [f"列键：{column.key}", "必填" if column.required else "选填", _KIND_TEXT[column.kind]]
    return "\n".join(lines + _notes(layout, column))


def _xlsx(frame: pd.DataFrame, layout: Layout) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(layout.sheet)
    sheet.freeze_panes = "A2"
    last_row = len(frame) + 1 + SPARE_ROWS
    for position, column in enumerate(layout.columns, start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(10, min(40, 2 * len(column.header) + 4))
        words = None
        if column.choices is not None:
            words = list(choice_labels(column.choices).values())
        elif column.kind == Kind.BOOLEAN:
            words = ["是", "否"]
        if words and len(",".join(words)) < 250:  # Excel's limit for an inline list
            # A drop-down that does not refuse other text: codes and short forms are accepted too.
            dropdown = DataValidation(type="list", formula1=f'"{",".join(words)}"', showErrorMessage=False)
            dropdown.add(f"{letter}2:{letter}{last_row}")
            sheet.data_validations.append(dropdown)

    header = []
    for column in layout.columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        cell.comment = Comment(_header_note(layout, column), "farmadvice", width=300, height=160)
        header.append(cell)
    sheet.append(header)
    dates = [i for i, c in enumerate(layout.columns) if c.kind == Kind.DATE]
    for values in frame.itertuples(index=False, name=None):
        row = list(values)
        for i in dates:
            if row[i] is not None:
                row[i] = WriteOnlyCell(sheet, value=row[i])
                row[i].number_format = "yyyy-mm-dd"
        sheet.append(row)

    guide = workbook.create_sheet(INSTRUCTIONS_SHEET)
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 22
    guide.column_dimensions["E"].width = 60
    for line in (
        [f"{layout.sheet}：导入说明"],
        ["表头在第 1 行，每行一条记录；橙色列必填，绿色列选填。列名也可写成“列键”。"],
        ["可选值可填中文或代码；是/否列可填 是、否。“记录编号”新记录留空，导出文件中已填写。"],
        [
            f"以下各列都相同的行是同一条记录：{'、'.join(layout.column(k).header for k in layout.natural_key)}。"
        ],
        ["重复导入同一文件不会产生重复记录；修改已有记录请在导入时选择“更新已有记录”。"],
        [],
    ):
        guide.append(line)
    guide.append([WriteOnlyCell(guide, value=t) for t in ("列名", "列键", "必填", "格式", "可选值 / 说明")])
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in layout.columns:
        note = "；".join(_notes(layout, column))
        cells = [column.header, column.key, "是" if column.required else "否", _KIND_TEXT[column.kind], note]
        row = [WriteOnlyCell(guide, value=value) for value in cells]
        row[4].alignment = wrap
        guide.append(row)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(frame: pd.DataFrame, layout: Layout) -> bytes:
    headed = frame.set_axis([c.header for c in layout.columns], axis="columns")
    # utf-8 with a BOM: what Excel writes as "CSV UTF-8", and what it needs to open Chinese text correctly.
    return headed.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _file(frame: pd.DataFrame, layout: Layout, fmt: Format, stem: str) -> ExportFile:
    content = _xlsx(frame, layout) if fmt == "xlsx" else _csv(frame, layout)
    return ExportFile(content, f"{stem}.{fmt}", CONTENT_TYPES[fmt])


def records_export(
    *,
    user: Any,
    record_type: str,
    fmt: Format,
    year: int | None = None,
    town: str | None = None,
    unrestricted: bool = False,
) -> ExportFile:
    """The records the user may see as an xlsx or csv file in the import layout."""
    layout = LAYOUTS[RecordType(record_type)]
    frame = _for_people(
        records_frame(user=user, record_type=record_type, year=year, town=town, unrestricted=unrestricted),
        layout,
    )
    parts = [layout.sheet, str(year) if year else "", town or "", timezone.localdate().strftime("%Y%m%d")]
    return _file(frame, layout, fmt, "-".join(p for p in parts if p))


def template_file(*, record_type: str, fmt: Format) -> ExportFile:
    """A blank template: the header row (with notes and drop-downs in xlsx) and no records."""
    layout = LAYOUTS[RecordType(record_type)]
    frame = pd.DataFrame(columns=list(layout.keys))
    return _file(frame, layout, fmt, f"{layout.sheet}-导入模板")
