"""Load the reference CSVs in `data/` into the database (INDICATORS.md, preamble; data/README.md).

Every row of every file is validated before anything is written, and all the errors are reported at
once with the file, the row as a spreadsheet numbers it (the header is row 1), the column and the value.
Then one transaction upserts by natural key. A figure is never overwritten: the same key and
`valid_from` with another value is refused, because a changed figure is a new row with a later
`valid_from` and past reports must stay reproducible. Towns and crops are a catalogue, not figures:
they are upserted by code and their names may change.

A status is part of the figure, with one exception: an unchanged value whose status the CSV makes
weaker (official → published → provisional) is corrected in place, with the CSV's text (the source
that explains it), and noted. Such a correction only makes reports more cautious about a figure they already
used (a status recorded too firmly was wrong from the start); the history keeps the old status. A
firmer status for the same `valid_from` is refused: confirming a figure is a new row from the date it
was confirmed (INDICATORS.md, preamble), so past reports keep saying they rested on a provisional one.

The columns of a file are the fields of its model, so lengths, choices, digits and bounds come from the
model; a few rules the model cannot state (a collection coefficient is at most 1) are added per file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction

from farmadvice.core.errors import ApplicationError
from farmadvice.core.models import Status
from farmadvice.indicators.models import Baseline, ScopeKind, Target
from farmadvice.reference.models import (
    CoefficientKind,
    Crop,
    CropCoefficient,
    LivestockThreshold,
    Parameter,
    PigEquivalent,
    ReferenceValue,
    StandardLimit,
    WastewaterCoefficient,
)
from farmadvice.registry.models import Town

# Messages. `{…}` fields are filled in where the error is found.
MSG_REFUSED = "Reference data refused: {count} error(s); nothing was written."
MSG_FILE_MISSING = "file not found in {data_dir}"
MSG_FILE_UNREADABLE = "cannot be read as a UTF-8 CSV file: {detail}"
MSG_COLUMN_MISSING = "required column is missing"
MSG_COLUMN_UNKNOWN = "unknown column; the columns are: {expected}"
MSG_REQUIRED = "required, but empty"
MSG_CHOICE = "must be one of: {choices}"
MSG_TOO_LONG = "longer than {max_length} characters"
MSG_NOT_SLUG = "only letters, digits, '-' and '_' are allowed"
MSG_NOT_NUMBER = "not a number"
MSG_NOT_INTEGER = "not a whole number"
MSG_NOT_DATE = "not a date (write it as YYYY-MM-DD)"
MSG_TOO_MANY_DECIMALS = "more than {decimal_places} decimal places"
MSG_TOO_MANY_DIGITS = "more than {max_digits} digits"
MSG_BELOW_MIN = "below the minimum {minimum}"
MSG_ABOVE_MAX = "above the maximum {maximum}"
MSG_NOT_POSITIVE = "must be greater than 0"
MSG_UNKNOWN_REFERENCE = "unknown {what}: not in {file} nor in the database"
MSG_DUPLICATE_KEY = "same key as row {row}"
MSG_CHANGED_FIGURE = (
    "differs from the stored {stored} for the same key and valid_from: a changed figure needs a new row "
    "with a later valid_from; past reports must stay reproducible"
)
MSG_FIRMER_STATUS = (
    "firmer than the stored {stored} for the same key and valid_from: a confirmed figure needs a new row "
    "with a later valid_from, so that past reports keep saying what they rested on"
)
MSG_NO_BOUND = "min_value or max_value is required"
MSG_MIN_ABOVE_MAX = "min_value is above max_value {max_value}"
MSG_TOWN_NOT_ALLOWED = "must be empty when scope is district"
MSG_TOWN_REQUIRED = "required when scope is town"
MSG_TEXT_KEPT = (
    "{file}:{row}: {column} differs from the database; the database's text was kept "
    "(edit it in the admin if the CSV is right)"
)
MSG_STATUS_CORRECTED = (
    "{file}:{row}: status corrected from {stored} to {status} (the figure is unchanged); the CSV's text "
    "was taken with it"
)

COMMON_COLUMNS = ("source", "status", "valid_from")
# How firmly a status sources a figure: a lower rank is weaker (see the module docstring).
STATUS_RANK = {Status.PROVISIONAL: 0, Status.PUBLISHED: 1, Status.OFFICIAL: 2}
PH_MAX = Decimal(14)
PERCENT_MAX = Decimal(100)


class ReferenceDataError(ApplicationError):
    """The reference files were refused; `errors` lists every problem found, in file and row order."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(
            MSG_REFUSED.format(count=len(errors)), extra={"errors": [asdict(error) for error in errors]}
        )
        self.errors = tuple(errors)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one cell. `row` counts the header as row 1; 0 means the file as a whole."""

    file: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        cell = f" {self.column}={self.value!r}" if self.column else ""
        return f"{where}{cell}: {self.reason}"


@dataclass(slots=True)
class FileCounts:
    """Rows of one file: new (`created`), already stored (`unchanged`), catalogue names changed or a
    status corrected to a weaker one (`updated`)."""

    created: int = 0
    unchanged: int = 0
    updated: int = 0


@dataclass(slots=True)
class LoadReport:
    """What a load did (or, with `dry_run`, would have done) per file, in load order."""

    dry_run: bool
    files: dict[str, FileCounts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(counts.created for counts in self.files.values())

    @property
    def unchanged(self) -> int:
        return sum(counts.unchanged for counts in self.files.values())


# --- The files ---------------------------------------------------------------------------------------


RowCheck = Callable[["_RowReader", dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class _Table:
    """How one CSV maps onto its model.

    `fields` are the model fields read from the CSV (foreign keys by code). `key` is the natural key.
    `figure` may never change under the same key; `text` may: a catalogue takes the CSV's text, a
    figure table keeps the database's and notes the difference.
    """

    file: str
    model: type[models.Model]
    fields: tuple[str, ...]
    key: tuple[str, ...]
    figure: tuple[str, ...]
    text: tuple[str, ...] = ("source",)
    catalogue: bool = False
    check: RowCheck | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.fields + tuple(c for c in COMMON_COLUMNS if c not in self.fields)


def _check_crop_coefficient(row: _RowReader, values: dict[str, Any]) -> None:
    value: Decimal = values["value"]
    if values["kind"] == CoefficientKind.COLLECTION_COEFFICIENT and value > 1:
        row.error("value", MSG_ABOVE_MAX.format(maximum=1))
    if values["kind"] == CoefficientKind.STRAW_GRAIN_RATIO and value <= 0:
        row.error("value", MSG_NOT_POSITIVE)


def _check_standard_limit(row: _RowReader, values: dict[str, Any]) -> None:
    low, high = values["min_value"], values["max_value"]
    if low is None and high is None:
        row.error("max_value", MSG_NO_BOUND)
    for column, bound in (("min_value", low), ("max_value", high)):
        if bound is not None and bound < 0:
            row.error(column, MSG_BELOW_MIN.format(minimum=0))
        if bound is not None and values["parameter"] == Parameter.PH and bound > PH_MAX:
            row.error(column, MSG_ABOVE_MAX.format(maximum=PH_MAX))
    if low is not None and high is not None and low > high:
        row.error("min_value", MSG_MIN_ABOVE_MAX.format(max_value=high))


def _check_positive(*columns: str) -> RowCheck:
    def check(row: _RowReader, values: dict[str, Any]) -> None:
        for column in columns:
            if values[column] <= 0:
                row.error(column, MSG_NOT_POSITIVE)

    return check


def _check_reference_value(row: _RowReader, values: dict[str, Any]) -> None:
    # Every figure stored so far is a quantity; a percentage is at most 100.
    _check_range(row, "value", values["value"], is_percent=values["key"].endswith("_pct"))


def _check_target(row: _RowReader, values: dict[str, Any]) -> None:
    _check_scope_town(row, values)
    _check_range(row, "value", values["value"], is_percent=values["indicator"].endswith("_pct"))


def _check_baseline(row: _RowReader, values: dict[str, Any]) -> None:
    allowed = (ScopeKind.DISTRICT, ScopeKind.TOWN)
    if values["scope"] not in allowed:
        row.error("scope", MSG_CHOICE.format(choices=", ".join(allowed)))
        return
    _check_scope_town(row, values)


def _check_scope_town(row: _RowReader, values: dict[str, Any]) -> None:
    if values["scope"] == ScopeKind.DISTRICT and values["town"] is not None:
        row.error("town", MSG_TOWN_NOT_ALLOWED)
    if values["scope"] == ScopeKind.TOWN and values["town"] is None:
        row.error("town", MSG_TOWN_REQUIRED)


def _check_range(row: _RowReader, column: str, value: Decimal, *, is_percent: bool) -> None:
    if value < 0:
        row.error(column, MSG_BELOW_MIN.format(minimum=0))
    elif is_percent and value > PERCENT_MAX:
        row.error(column, MSG_ABOVE_MAX.format(maximum=PERCENT_MAX))


TABLES: tuple[_Table, ...] = (
    _Table(
        file="towns.csv",
        model=Town,
        fields=("code", "name_zh", "name_en", "kind", "source"),
        key=("code",),
        figure=(),
        text=("name_zh", "name_en", "kind", "source"),
        catalogue=True,
    ),
    _Table(
        file="crops.csv",
        model=Crop,
        fields=("code", "name_zh", "name_en", "category", "source"),
        key=("code",),
        figure=(),
        text=("name_zh", "name_en", "category", "source"),
        catalogue=True,
    ),
    _Table(
        file="crop_coefficients.csv",
        model=CropCoefficient,
        fields=("crop", "kind", "value", "source", "status", "valid_from"),
        key=("crop", "kind", "valid_from"),
        figure=("value", "status"),
        check=_check_crop_coefficient,
    ),
    _Table(
        file="standard_limits.csv",
        model=StandardLimit,
        fields=(
            "standard",
            "use",
            "level",
            "level_rank",
            "parameter",
            "min_value",
            "max_value",
            "precedence",
            "source",
            "status",
            "valid_from",
        ),
        key=("standard", "level", "parameter", "valid_from"),
        figure=("use", "level_rank", "min_value", "max_value", "precedence", "status"),
        check=_check_standard_limit,
    ),
    _Table(
        file="livestock_thresholds.csv",
        model=LivestockThreshold,
        fields=("species", "basis", "min_heads", "source", "status", "valid_from"),
        key=("species", "valid_from"),
        figure=("basis", "min_heads", "status"),
        check=_check_positive("min_heads"),
    ),
    _Table(
        file="pig_equivalents.csv",
        model=PigEquivalent,
        fields=("species", "heads", "pig_equivalents", "source", "status", "valid_from"),
        key=("species", "valid_from"),
        figure=("heads", "pig_equivalents", "status"),
        check=_check_positive("heads", "pig_equivalents"),
    ),
    _Table(
        file="wastewater_coefficients.csv",
        model=WastewaterCoefficient,
        fields=(
            "group",
            "method",
            "summer_m3_per_day",
            "winter_m3_per_day",
            "per_heads",
            "source",
            "status",
            "valid_from",
        ),
        key=("group", "method", "valid_from"),
        figure=("summer_m3_per_day", "winter_m3_per_day", "per_heads", "status"),
        check=_check_positive("per_heads"),
    ),
    _Table(
        file="reference_values.csv",
        model=ReferenceValue,
        fields=("key", "value", "unit", "description", "source", "status", "valid_from"),
        key=("key", "valid_from"),
        figure=("value", "unit", "status"),
        text=("description", "source"),
        check=_check_reference_value,
    ),
    _Table(
        file="targets.csv",
        model=Target,
        fields=("indicator", "scope", "town", "year", "value", "direction", "source", "status", "valid_from"),
        key=("indicator", "scope", "town", "year", "valid_from"),
        figure=("value", "direction", "status"),
        check=_check_target,
    ),
    _Table(
        file="baselines.csv",
        model=Baseline,
        fields=("kind", "scope", "town", "base_year", "source", "status", "valid_from"),
        key=("kind", "scope", "town", "valid_from"),
        figure=("base_year", "status"),
        check=_check_baseline,
    ),
)

# The catalogue file that introduces the codes a foreign key may name.
_CATALOGUE_FILES: dict[type[models.Model], str] = {Town: "towns.csv", Crop: "crops.csv"}


# --- Reading and validating --------------------------------------------------------------------------


class _RowReader:
    """One data row of one file: reads its cells against the model's fields and records the errors."""

    def __init__(self, table: _Table, number: int, cells: dict[str, str], errors: list[RowError]):
        self.table = table
        self.number = number
        self.cells = cells
        self._errors = errors
        self.failed = False

    def error(self, column: str, reason: str) -> None:
        self.failed = True
        self._errors.append(
            RowError(self.table.file, self.number, column, self.cells.get(column, ""), reason)
        )

    def read(self, known_codes: dict[type[models.Model], set[str]]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for column in self.table.columns:
            text = self.cells[column]
            if column in COMMON_COLUMNS and text == "":
                self.error(column, MSG_REQUIRED)
            elif column in self.table.fields:
                model_field = self.table.model._meta.get_field(column)
                if isinstance(model_field, models.ForeignKey):
                    values[column] = self._code(column, text, model_field, known_codes)
                else:
                    values[column] = self._value(column, text, model_field)
            elif column == "status":
                self._choice(column, text, Status.values)
            elif column == "valid_from":
                self._date(column, text)
        if not self.failed and self.table.check is not None:
            self.table.check(self, values)
        return values

    def _value(self, column: str, text: str, model_field: models.Field) -> Any:
        if text == "":
            if model_field.null:
                return None
            if not model_field.blank:
                self.error(column, MSG_REQUIRED)
            return ""
        if isinstance(model_field, models.DecimalField):
            return self._decimal(column, text, model_field)
        if isinstance(model_field, models.IntegerField):
            return self._integer(column, text, model_field)
        if isinstance(model_field, models.DateField):
            return self._date(column, text)
        if model_field.choices:
            return self._choice(column, text, [str(value) for value, _label in model_field.flatchoices])
        if model_field.max_length is not None and len(text) > model_field.max_length:
            self.error(column, MSG_TOO_LONG.format(max_length=model_field.max_length))
        if isinstance(model_field, models.SlugField) and not re.fullmatch(r"[-a-zA-Z0-9_]+", text):
            self.error(column, MSG_NOT_SLUG)
        return text

    def _choice(self, column: str, text: str, choices: Sequence[str]) -> str | None:
        if text not in choices:
            self.error(column, MSG_CHOICE.format(choices=", ".join(choices)))
            return None
        return text

    def _date(self, column: str, text: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.error(column, MSG_NOT_DATE if text else MSG_REQUIRED)
            return None

    def _decimal(self, column: str, text: str, model_field: models.DecimalField) -> Decimal | None:
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.error(column, MSG_NOT_NUMBER)
            return None
        exponent = value.normalize().as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        whole_digits = len(str(abs(int(value)))) if abs(value) >= 1 else 0
        if decimals > model_field.decimal_places:
            self.error(column, MSG_TOO_MANY_DECIMALS.format(decimal_places=model_field.decimal_places))
        elif whole_digits > model_field.max_digits - model_field.decimal_places:
            self.error(column, MSG_TOO_MANY_DIGITS.format(max_digits=model_field.max_digits))
        else:
            self._bounds(column, value, model_field)
        return value

    def _integer(self, column: str, text: str, model_field: models.IntegerField) -> int | None:
        if not re.fullmatch(r"[+-]?\d+", text):
            self.error(column, MSG_NOT_INTEGER)
            return None
        value = int(text)
        self._bounds(column, value, model_field)
        return value

    def _bounds(self, column: str, value: Decimal | int, model_field: models.Field) -> None:
        """The model field's own Min/MaxValueValidators, including the database's integer range."""
        for validator in model_field.validators:
            if isinstance(validator, MinValueValidator) and value < validator.limit_value:
                self.error(column, MSG_BELOW_MIN.format(minimum=validator.limit_value))
                return
            if isinstance(validator, MaxValueValidator) and value > validator.limit_value:
                self.error(column, MSG_ABOVE_MAX.format(maximum=validator.limit_value))
                return

    def _code(
        self,
        column: str,
        text: str,
        model_field: models.ForeignKey,
        known_codes: dict[type[models.Model], set[str]],
    ) -> str | None:
        if text == "":
            if not model_field.null:
                self.error(column, MSG_REQUIRED)
            return None
        target = model_field.related_model
        if text not in known_codes[target]:
            self.error(column, MSG_UNKNOWN_REFERENCE.format(what=column, file=_CATALOGUE_FILES[target]))
        return text


@dataclass(slots=True)
class _PlannedRow:
    number: int
    parsed: dict[str, Any]
    action: str  # "create", "unchanged" or "update"
    pk: int | None = None
    updates: tuple[str, ...] = ()  # the fields an "update" sets


@dataclass(slots=True)
class _Plan:
    table: _Table
    rows: list[_PlannedRow] = field(default_factory=list)


def _lookup(table: _Table, name: str) -> str:
    """The ORM path of a field: foreign keys are matched by code."""
    model_field = table.model._meta.get_field(name)
    return f"{name}__code" if isinstance(model_field, models.ForeignKey) else name


def _stored_rows(table: _Table) -> dict[tuple[Any, ...], dict[str, Any]]:
    names = dict.fromkeys(table.key + table.figure + table.text)
    paths = [_lookup(table, name) for name in names]
    stored: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in table.model._default_manager.values("pk", *paths):
        values = {name: row[_lookup(table, name)] for name in names}
        stored[tuple(values[name] for name in table.key)] = {"pk": row["pk"], **values}
    return stored


def _display(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "" if value is None else str(value)


def _read_csv(path: Path, errors: list[RowError]) -> pd.DataFrame | None:
    if not path.is_file():
        errors.append(RowError(path.name, 0, "", "", MSG_FILE_MISSING.format(data_dir=path.parent)))
        return None
    try:
        # Blank lines are kept (and skipped below) so that row numbers match the file's.
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig"
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        errors.append(RowError(path.name, 0, "", "", MSG_FILE_UNREADABLE.format(detail=exc)))
        return None


def _plan_table(
    table: _Table,
    data_dir: Path,
    known_codes: dict[type[models.Model], set[str]],
    errors: list[RowError],
    notes: list[str],
) -> _Plan:
    plan = _Plan(table)
    frame = _read_csv(data_dir / table.file, errors)
    if frame is None:
        return plan
    header = [str(column).strip() for column in frame.columns]
    frame.columns = header
    records: list[dict[str, str]] = [
        {column: str(cell).strip() for column, cell in record.items()}
        for record in frame.to_dict(orient="records")
    ]
    if table.catalogue and "code" in header:
        # Codes of this run count for later files even if their rows have other errors, so that one
        # mistake in crops.csv is not reported again for every coefficient of that crop.
        known_codes[table.model].update(r["code"] for r in records if r["code"])

    missing = [column for column in table.columns if column not in header]
    unknown = [column for column in header if column not in table.columns]
    for column in missing:
        errors.append(RowError(table.file, 1, column, "", MSG_COLUMN_MISSING))
    for column in unknown:
        errors.append(
            RowError(table.file, 1, column, "", MSG_COLUMN_UNKNOWN.format(expected=", ".join(table.columns)))
        )
    if missing:
        return plan

    stored = _stored_rows(table)
    seen: dict[tuple[Any, ...], int] = {}
    for index, cells in enumerate(records):
        if not any(cells.values()):
            continue
        row = _RowReader(table, index + 2, cells, errors)
        values = row.read(known_codes)
        if row.failed:
            continue
        key = tuple(values[name] for name in table.key)
        if key in seen:
            row.error(table.key[0], MSG_DUPLICATE_KEY.format(row=seen[key]))
            continue
        seen[key] = row.number
        plan.rows.append(_compare(table, row, values, stored.get(key), notes))
    return plan


def _compare(
    table: _Table,
    row: _RowReader,
    values: dict[str, Any],
    stored: dict[str, Any] | None,
    notes: list[str],
) -> _PlannedRow:
    if stored is None:
        return _PlannedRow(row.number, values, "create")
    changed = [name for name in table.figure if values[name] != stored[name]]
    for name in changed:
        if name == "status" and STATUS_RANK[values[name]] < STATUS_RANK[stored[name]]:
            continue
        message = MSG_FIRMER_STATUS if name == "status" else MSG_CHANGED_FIGURE
        row.error(name, message.format(stored=f"{name} {_display(stored[name])}"))
    changed_text = [name for name in table.text if values[name] != stored[name]]
    if table.catalogue and changed_text:
        return _PlannedRow(row.number, values, "update", pk=stored["pk"], updates=table.text)
    if changed == ["status"] and not row.failed:
        notes.append(
            MSG_STATUS_CORRECTED.format(
                file=table.file, row=row.number, stored=stored["status"], status=values["status"]
            )
        )
        return _PlannedRow(row.number, values, "update", pk=stored["pk"], updates=("status", *table.text))
    for name in changed_text:
        notes.append(MSG_TEXT_KEPT.format(file=table.file, row=row.number, column=name))
    return _PlannedRow(row.number, values, "unchanged", pk=stored["pk"])


# --- Writing -----------------------------------------------------------------------------------------


def _write_plan(plan: _Plan, counts: FileCounts, errors: list[RowError]) -> None:
    table = plan.table
    foreign_keys = {
        name: table.model._meta.get_field(name).related_model
        for name in table.fields
        if isinstance(table.model._meta.get_field(name), models.ForeignKey)
    }
    # Read after the earlier files were written, so crops and towns created in this run are found.
    by_code = {
        name: {obj.code: obj for obj in target._default_manager.all()}
        for name, target in foreign_keys.items()
    }
    for planned in plan.rows:
        if planned.action == "unchanged":
            counts.unchanged += 1
            continue
        model_values = {
            name: (by_code[name].get(value) if name in foreign_keys and value is not None else value)
            for name, value in planned.parsed.items()
        }
        if planned.action == "update":
            instance = table.model._default_manager.get(pk=planned.pk)
            for name in planned.updates:
                setattr(instance, name, model_values[name])
        else:
            instance = table.model(**model_values)
        try:
            instance.full_clean()
        except ValidationError as exc:
            # Validation above mirrors the model, so this means a rule the loader does not know yet.
            for name, messages in exc.message_dict.items():
                errors.append(
                    RowError(
                        table.file,
                        planned.number,
                        name,
                        _display(planned.parsed.get(name)),
                        "; ".join(messages),
                    )
                )
            continue
        instance.save()
        if planned.action == "update":
            counts.updated += 1
        else:
            counts.created += 1


def load_reference(data_dir: Path, *, dry_run: bool = False) -> LoadReport:
    """Validate every reference CSV in `data_dir`, then upsert them all in one transaction.

    Raises ReferenceDataError, with every error found and nothing written, when any row is invalid or
    would change a stored figure. With `dry_run` the writes are made and rolled back, so the report
    shows what a real load would do.
    """
    data_dir = Path(data_dir)
    errors: list[RowError] = []
    report = LoadReport(dry_run=dry_run)
    known_codes: dict[type[models.Model], set[str]] = {
        model: set(model._default_manager.values_list("code", flat=True)) for model in _CATALOGUE_FILES
    }
    plans = [_plan_table(table, data_dir, known_codes, errors, report.notes) for table in TABLES]
    if errors:
        raise ReferenceDataError(errors)

    with transaction.atomic():
        for plan in plans:
            report.files[plan.table.file] = FileCounts()
            _write_plan(plan, report.files[plan.table.file], errors)
        if errors:
            raise ReferenceDataError(errors)
        if dry_run:
            transaction.set_rollback(True)
    return report
