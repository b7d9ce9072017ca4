"""Copies of data/ to break on purpose, and the row numbers a spreadsheet would show for them."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"

Row = dict[str, str]


def copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def read_rows(path: Path) -> tuple[list[str], list[Row]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def edit_rows(path: Path, edit: Callable[[list[Row]], list[Row]]) -> None:
    header, rows = read_rows(path)
    write_rows(path, header, edit(rows))


def set_cell(path: Path, match: Row, column: str, value: str) -> int:
    """Set one cell of the row matching `match`; returns that row's number (the header is row 1)."""
    header, rows = read_rows(path)
    number = row_number(path, match)
    rows[number - 2][column] = value
    write_rows(path, header, rows)
    return number


def append_row(path: Path, row: Row) -> int:
    header, rows = read_rows(path)
    rows.append(row)
    write_rows(path, header, rows)
    return len(rows) + 1


def row_number(path: Path, match: Row) -> int:
    _header, rows = read_rows(path)
    found = [i + 2 for i, row in enumerate(rows) if all(row[k] == v for k, v in match.items())]
    assert len(found) == 1, f"{match} matches rows {found} of {path.name}"
    return found[0]


def drop_column(path: Path, column: str) -> None:
    header, rows = read_rows(path)
    write_rows(path, [c for c in header if c != column], rows)
