"""Tables as the pages show them and as they are exported: one definition for both.

A view builds a `Table`; the template `web/partials/table.html` renders it (status as colour, symbol
and words), and `/export/<name>.xlsx` writes the same table to a workbook (`workbook_bytes`), so every
table on the site can be downloaded exactly as seen.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from farmadvice.web.formatting import MISSING, StatusView, clauses

# Fills of the workbook, the pale versions of the page colours (the words are in the cells too).
FILLS = {
    "met": "E3F1E4",
    "fail": "FBE3E3",
    "toward": "FFF1CC",
    "missing": "ECEFF1",
}


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: `value` is what the workbook stores (a number stays a number), `text` what the page
    shows; `status` adds a colour, a symbol and words; `href` makes it a link (`hx_target`: an htmx
    target to load it into instead of leaving the page). `note` is a second, smaller line (in the
    workbook, the table's `note_column`); `wrap` lets long text wrap (other cells stay on one line)."""

    value: Any = None
    text: str = ""
    status: StatusView | None = None
    href: str = ""
    hx_target: str = ""
    title: str = ""
    number_format: str = ""
    note: str = ""
    wrap: bool = False

    @property
    def numeric(self) -> bool:
        return isinstance(self.value, (int, float)) and not isinstance(self.value, bool)

    @property
    def shown(self) -> str:
        return self.text or (MISSING if self.value is None else str(self.value))


@dataclass(frozen=True)
class Table:
    """`name` is the export key; the first column holds row headers (`<th scope="row">`).

    `notes` are printed under the table; `details` are longer lists (a heading and its items) that the
    page folds away and the workbook prints in full.
    """

    name: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    notes: Sequence[str] = field(default_factory=tuple)
    details: Sequence[tuple[str, Sequence[str]]] = field(default_factory=tuple)
    note_column: str = ""

    @property
    def numeric_columns(self) -> set[int]:
        """Columns whose cells are numbers (their headings align right, over the figures)."""
        return {
            index
            for index in range(1, len(self.columns))
            if any(len(row) > index and row[index].numeric for row in self.rows)
            and all(len(row) <= index or row[index].value is None or row[index].numeric for row in self.rows)
        }

    @property
    def has_status(self) -> bool:
        return any(cell.status is not None for row in self.rows for cell in row)


def text(value: Any, **kwargs: Any) -> Cell:
    return Cell(value=value, text="" if value is None else str(value), **kwargs)


def _export_rows(table: Table) -> tuple[list[str], list[list[Cell]]]:
    """The columns and rows as the workbook has them: the row headers' notes in a column of their own."""
    if not table.note_column:
        return list(table.columns), [list(row) for row in table.rows]
    columns = [table.columns[0], table.note_column, *table.columns[1:]]
    rows = [[row[0], Cell(value=row[0].note or None, text=row[0].note), *row[1:]] for row in table.rows]
    return columns, rows


def workbook_bytes(table: Table, *, subtitle: str = "") -> bytes:
    """The table as an .xlsx workbook: title, header, rows (numbers as numbers, statuses filled and
    spelled out), notes; and, when the table has statuses, a second sheet with one line per judged
    cell, so that nothing is carried by colour alone."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.name[:31]
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    if subtitle:
        sheet.append([subtitle])
    sheet.append([])
    columns, rows = _export_rows(table)
    header_row = sheet.max_row + 1
    sheet.append(columns)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        values = []
        for cell in row:
            value = cell.value
            if value is None and cell.status is not None:
                value = cell.status.text
            elif isinstance(value, (list, tuple)):
                value = clauses(value)
            elif value is not None and not isinstance(value, (int, float, str)):
                value = str(value)
            values.append(value)
        sheet.append(values)
        for target, cell in zip(sheet[sheet.max_row], row, strict=False):
            if cell.status is not None and cell.status.key in FILLS:
                target.fill = PatternFill("solid", fgColor=FILLS[cell.status.key])
            if cell.number_format:
                target.number_format = cell.number_format
            elif isinstance(target.value, float):
                target.number_format = "#,##0.0#"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    for index, column in enumerate(columns, start=1):
        longest = max([len(str(column))] + [len(row[index - 1].shown) for row in rows if len(row) >= index])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest * 1.6))
    if table.notes or table.details:
        sheet.append([])
        for note in table.notes:
            sheet.append([note])
        for heading, items in table.details:
            sheet.append([heading])
            for item in items:
                sheet.append(["", item])
    if table.has_status:
        judged = book.create_sheet("status")
        judged.append([columns[0], _("列"), _("数值"), _("状态")])
        for row in table.rows:
            for column, cell in zip(table.columns[1:], row[1:], strict=False):
                if cell.status is not None:
                    judged.append([row[0].shown, column, cell.value, cell.status.text])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
