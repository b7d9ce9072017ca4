"""Read an uploaded xlsx or csv into a table of raw cells, keyed by column key and Excel row number.

Only the shape of the file is checked here: its type, the sheet, the header row and its columns. The
cells are read later (`cells`), row by row, so every bad cell can be reported at once.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

import openpyxl
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils import get_column_letter

from farmadvice.practices.bulk.layouts import (
    INSTRUCTIONS_SHEET,
    LAYOUTS,
    Kind,
    Layout,
    RecordType,
    normalise,
    record_type_for,
)
from farmadvice.practices.bulk.report import ImportFileError, RowError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
# The header is looked for in the first rows, so a title line above it does no harm.
HEADER_SEARCH_ROWS = 10

MSG_EMPTY_FILE = gettext_noop("文件“{file}”是空的。")
MSG_FILE_TOO_LARGE = gettext_noop("文件“{file}”超过 {limit} MB，请分批导入。")
MSG_WRONG_FILE_TYPE = gettext_noop("文件“{file}”不是 Excel（.xlsx）或 CSV（.csv）表格，无法导入。")
MSG_OLD_EXCEL = gettext_noop("文件“{file}”是旧版 Excel（.xls）格式；请在 Excel 中另存为 .xlsx 后再导入。")
MSG_BAD_XLSX = gettext_noop("文件“{file}”无法作为 Excel（.xlsx）读取：文件已损坏或不是 Excel 工作簿。")
MSG_BAD_CSV_ENCODING = gettext_noop(
    "文件“{file}”无法按 UTF-8 或 GB18030 编码读取；请在 Excel 中另存为“CSV UTF-8”。"
)
MSG_BAD_CSV = gettext_noop("文件“{file}”无法作为 CSV 读取：{reason}")
MSG_CSV_RAGGED = gettext_noop("文件“{file}”第 {line} 行的列数多于表头。")
MSG_NO_ROWS = gettext_noop("文件“{file}”只有表头，没有数据行。")
MSG_TOO_MANY_ROWS = gettext_noop("文件“{file}”有 {rows} 行数据，超过单次导入上限 {limit} 行；请分批导入。")
MSG_SHEET_NOT_FOUND = gettext_noop("文件“{file}”中没有名为“{sheet}”的工作表（现有：{sheets}）。")
MSG_SEVERAL_SHEETS = gettext_noop("文件“{file}”包含多个记录工作表（{sheets}）；请指定要导入的记录类型。")
MSG_UNKNOWN_TYPE = gettext_noop("未知记录类型“{value}”；可选：{types}。")
MSG_TYPE_NOT_INFERRED = gettext_noop("无法从工作表名或表头判断文件“{file}”的记录类型；请指定类型：{types}。")
MSG_UNKNOWN_COLUMN = gettext_noop("无法识别的列“{column}”；请使用模板中的列名。")
MSG_DUPLICATE_COLUMN = gettext_noop("列“{column}”出现了两次（{first} 列和 {second} 列）。")
MSG_MISSING_COLUMN = gettext_noop("缺少必填列“{column}”。")
MSG_UNNAMED_COLUMN = gettext_noop("{letter} 列有数据但没有表头。")


@dataclass(frozen=True)
class Table:
    """The rows of one sheet. `frame` has one column per recognised key (raw cell values, object dtype)
    and is indexed by Excel row number; blank rows are dropped. `errors` lists header problems."""

    record_type: RecordType
    layout: Layout
    file_name: str
    sheet: str | None
    header_row: int
    frame: pd.DataFrame
    headers: dict[str, str]  # key -> the header as written in the file
    letters: dict[str, str]  # key -> Excel column letter
    errors: list[RowError]


def _fail(message: str, **params: object) -> ImportFileError:
    return ImportFileError(_(message).format(**params))


def _format(content: bytes, file_name: str) -> str:
    """'xlsx' or 'csv', from the extension, checked against the content."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".xls" or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(MSG_OLD_EXCEL, file=file_name)
    if suffix in (".xlsx", ".xlsm"):
        if not content.startswith(b"PK\x03\x04"):
            raise _fail(MSG_BAD_XLSX, file=file_name)
        return "xlsx"
    if suffix == ".csv":
        if b"\x00" in content[:8192] or content.startswith((b"PK\x03\x04", b"%PDF")):
            raise _fail(MSG_WRONG_FILE_TYPE, file=file_name)
        return "csv"
    raise _fail(MSG_WRONG_FILE_TYPE, file=file_name)


def _read_xlsx(
    content: bytes, file_name: str, record_type: RecordType | None
) -> tuple[pd.DataFrame, str, RecordType | None]:
    try:
        workbook = pd.ExcelFile(io.BytesIO(content), engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _fail(MSG_BAD_XLSX, file=file_name) from exc
    with workbook:
        names = [n for n in workbook.sheet_names if normalise(n) != normalise(INSTRUCTIONS_SHEET)]
        typed = [(name, record_type_for(name)) for name in names]
        if record_type is not None:
            matching = [name for name, kind in typed if kind == record_type]
            if matching:
                sheet = matching[0]
            elif len(names) == 1:
                sheet = names[0]
            else:
                raise _fail(
                    MSG_SHEET_NOT_FOUND,
                    file=file_name,
                    sheet=LAYOUTS[record_type].sheet,
                    sheets="、".join(workbook.sheet_names),
                )
        else:
            recognised = [(name, kind) for name, kind in typed if kind is not None]
            if len(recognised) == 1:
                sheet, record_type = recognised[0]
            elif len(recognised) > 1:
                raise _fail(MSG_SEVERAL_SHEETS, file=file_name, sheets="、".join(n for n, _k in recognised))
            elif len(names) == 1:
                sheet = names[0]
            else:
                raise _fail(MSG_TYPE_NOT_INFERRED, file=file_name, types=_type_list())
        try:
            raw = workbook.parse(sheet, header=None, dtype=object)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise _fail(MSG_BAD_XLSX, file=file_name) from exc
    return raw, sheet, record_type


def _read_csv(content: bytes, file_name: str) -> pd.DataFrame:
    # Excel writes "CSV UTF-8" with a BOM (utf-8-sig reads both); plain "CSV" from a Chinese Excel is GB18030.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _fail(MSG_BAD_CSV_ENCODING, file=file_name)
    try:
        return pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,  # keep blank lines so row numbers are the ones Excel shows
        )
    except pd.errors.EmptyDataError as exc:
        raise _fail(MSG_EMPTY_FILE, file=file_name) from exc
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        if line and "Expected" in str(exc):
            raise _fail(MSG_CSV_RAGGED, file=file_name, line=line.group(1)) from exc
        raise _fail(MSG_BAD_CSV, file=file_name, reason=str(exc)) from exc


def _type_list() -> str:
    return "、".join(f"{layout.record_type.value}（{layout.sheet}）" for layout in LAYOUTS.values())


def is_blank(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not value.strip()


def _spellings(layout: Layout) -> dict[str, str]:
    """Normalised header or machine key -> column key."""
    spellings = {normalise(c.key): c.key for c in layout.columns}
    spellings.update({normalise(c.header): c.key for c in layout.columns})
    return spellings


def _header_row(raw: pd.DataFrame) -> int | None:
    """Index of the header: the first of the top rows that names a known column, else the first non-blank."""
    known = {spelling for layout in LAYOUTS.values() for spelling in _spellings(layout)}
    first_filled = None
    for index in range(min(HEADER_SEARCH_ROWS, len(raw))):
        cells = [c for c in raw.iloc[index].tolist() if not is_blank(c)]
        if not cells:
            continue
        if first_filled is None:
            first_filled = index
        if any(normalise(c) in known for c in cells):
            return index
    return first_filled


def _infer_type(header: list[object]) -> RecordType | None:
    """The layout whose columns the header names best; None when none or a tie."""
    cells = [normalise(c) for c in header if not is_blank(c)]
    scores = []
    for layout in LAYOUTS.values():
        spellings = _spellings(layout)
        named = {spellings[c] for c in cells if c in spellings}
        unknown = sum(1 for c in cells if c not in spellings)
        missing = sum(1 for c in layout.columns if c.required and c.key not in named)
        scores.append((len(named) - unknown - missing, layout.record_type))
    scores.sort(key=lambda s: s[0], reverse=True)
    best, runner_up = scores[0], scores[1]
    if best[0] <= 0 or best[0] == runner_up[0]:
        return None
    return best[1]


def is_percent_format(number_format: str | None) -> bool:
    """Does Excel show the value × 100 with a % sign? A quoted or escaped % is only text."""
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format or "")


def _has_percent_format(workbook: openpyxl.Workbook) -> bool:
    """Whether any cell style of the workbook is a percent format (most workbooks have none)."""
    styles, custom = getattr(workbook, "_cell_styles", None), getattr(workbook, "_number_formats", None)
    if styles is None or custom is None:
        return True  # openpyxl changed its insides: read the cells rather than guess
    for style in styles:
        if style.numFmtId < BUILTIN_FORMATS_MAX_SIZE:
            number_format = BUILTIN_FORMATS.get(style.numFmtId)
        else:
            number_format = custom[style.numFmtId - BUILTIN_FORMATS_MAX_SIZE]
        if is_percent_format(number_format):
            return True
    return False


def _undo_percent_format(content: bytes, sheet: str, frame: pd.DataFrame, positions: dict[str, int]) -> None:
    """Excel stores "18%" typed into a cell as 0.18 shown in a percent format; the user meant 18 %.

    pandas does not see number formats, so where the workbook has a percent format at all, the percent
    columns are read once more with openpyxl.
    """
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        if not _has_percent_format(workbook):
            return
        first_row, first_col = int(frame.index.min()), min(positions.values()) + 1
        rows = workbook[sheet].iter_rows(
            min_row=first_row, min_col=first_col, max_col=max(positions.values()) + 1
        )
        for number, cells in enumerate(rows, start=first_row):
            if number not in frame.index:
                continue
            for key, position in positions.items():
                cell = cells[position + 1 - first_col]
                value = cell.value
                if (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and is_percent_format(cell.number_format)
                ):
                    frame.loc[number, key] = Decimal(format(value, ".15g")) * 100
    finally:
        workbook.close()


def check_size(size: int, *, file_name: str) -> None:
    """Refuse a file above MAX_FILE_BYTES before it is read into memory."""
    if size > MAX_FILE_BYTES:
        raise _fail(MSG_FILE_TOO_LARGE, file=file_name, limit=MAX_FILE_BYTES // (1024 * 1024))


def read_table(content: bytes, *, file_name: str, record_type: str | None = None) -> Table:
    """Read the one sheet of records in `content`; raise ImportFileError if that is not possible."""
    wanted = None
    if record_type:
        wanted = record_type_for(record_type)
        if wanted is None:
            raise _fail(MSG_UNKNOWN_TYPE, value=record_type, types=_type_list())
    if not content:
        raise _fail(MSG_EMPTY_FILE, file=file_name)
    check_size(len(content), file_name=file_name)
    if _format(content, file_name) == "xlsx":
        raw, sheet, wanted = _read_xlsx(content, file_name, wanted)
    else:
        raw, sheet = _read_csv(content, file_name), None

    header_index = _header_row(raw)
    if header_index is None:
        raise _fail(MSG_EMPTY_FILE, file=file_name)
    header = raw.iloc[header_index].tolist()
    if wanted is None:
        wanted = _infer_type(header)
        if wanted is None:
            raise _fail(MSG_TYPE_NOT_INFERRED, file=file_name, types=_type_list())
    layout = LAYOUTS[wanted]

    body = raw.iloc[header_index + 1 :]
    body = body[~body.map(is_blank).all(axis=1)]
    if body.empty:
        raise _fail(MSG_NO_ROWS, file=file_name)
    if len(body) > MAX_ROWS:
        raise _fail(MSG_TOO_MANY_ROWS, file=file_name, rows=len(body), limit=MAX_ROWS)
    body.index = body.index + 1  # 0-based positions -> the row numbers Excel shows

    header_row = header_index + 1
    spellings = _spellings(layout)
    errors: list[RowError] = []
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(header):
        letter = get_column_letter(position + 1)
        if is_blank(cell):
            if not body.iloc[:, position].map(is_blank).all():
                reason = _(MSG_UNNAMED_COLUMN).format(letter=letter)
                errors.append(RowError(header_row, "", "", "", reason, f"{letter}{header_row}"))
            continue
        written = str(cell).strip()
        key = spellings.get(normalise(written))
        if key is None:
            reason = _(MSG_UNKNOWN_COLUMN).format(column=written)
            errors.append(RowError(header_row, written, "", written, reason, f"{letter}{header_row}"))
        elif key in positions:
            reason = _(MSG_DUPLICATE_COLUMN).format(
                column=written, first=get_column_letter(positions[key] + 1), second=letter
            )
            errors.append(RowError(header_row, written, key, written, reason, f"{letter}{header_row}"))
        else:
            positions[key] = position
            headers[key] = written
    for column in layout.columns:
        if column.required and column.key not in positions:
            reason = _(MSG_MISSING_COLUMN).format(column=column.header)
            errors.append(RowError(header_row, column.header, column.key, "", reason))

    frame = pd.DataFrame(
        {key: body.iloc[:, position] for key, position in positions.items()}, index=body.index
    )
    percent = {
        c.key: positions[c.key] for c in layout.columns if c.kind == Kind.PERCENT and c.key in positions
    }
    if sheet is not None and percent:
        _undo_percent_format(content, sheet, frame, percent)
    return Table(
        record_type=wanted,
        layout=layout,
        file_name=file_name,
        sheet=sheet,
        header_row=header_row,
        frame=frame,
        headers=headers,
        letters={key: get_column_letter(position + 1) for key, position in positions.items()},
        errors=errors,
    )
