"""What every indicator query shares: the selection (whose records, which year, which scope), grouping
in SQL, labels, the whole-district roll-up and the result type.

How the work is split (STYLE.md 4): the records are reduced in the database (`annotate`/`aggregate`
grouped by the scope) or, for the small livestock, tailwater and water-sample tables, in pandas over one
query per table. The formulas of `formulas.py` then compute each reported figure from those sums, once per
reported row (a farm, a town, an irrigation district, the whole district, an event). Nothing loops over
records in Python.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

import pandas as pd
from django.db import connections
from django.db.models import F, FloatField, Max, Q, QuerySet, Sum
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.core.errors import ApplicationError, NotFound, PermissionDenied
from farmadvice.indicators.reference import ReferenceUse, unique_uses
from farmadvice.registry.models import Farm, IrrigationDistrict, Town

MSG_TOWN_NOT_FOUND = gettext_noop("乡镇不存在：{town}")
MSG_FARM_SCOPE_ONLY = gettext_noop("农场经营者只能查看本农场的指标。")
MSG_TOWN_WITH_DISTRICT_SCOPE = gettext_noop("全区范围不能再按乡镇筛选：请改用 scope=town 并指定 town。")
MSG_SCOPE_NOT_AVAILABLE = gettext_noop("指标“{indicator}”没有“{scope}”层级的结果；可用：{allowed}。")

# The whole district (全区): Chongming's administrative code (shared/CHONGMING.md). Its rows carry
# scope_id 0 while being computed, so every scope merges on the same integer key; results show None.
DISTRICT_CODE = "310151"
DISTRICT_NAME = "崇明区"
DISTRICT_ID = 0

LABEL_COLUMNS = ["scope_id", "scope_code", "scope_name", "town_code"]


class Scope(StrEnum):
    """Where an indicator is reported: a farm, a town, an irrigation district or the whole district."""

    FARM = "farm"
    TOWN = "town"
    IRRIGATION_DISTRICT = "irrigation_district"
    DISTRICT = "district"


class _SystemReader:
    """The management command and the benchmark: server-side callers that read every farm.

    It passes the access rules as an active superuser would (`access.role_of` → admin).
    """

    is_authenticated = True
    is_active = True
    is_superuser = True

    def __repr__(self) -> str:
        return "SYSTEM_READER"


SYSTEM_READER: Any = _SystemReader()


@dataclass(frozen=True)
class Selection:
    """Whose records an indicator is computed over, for which year and at which scope.

    `visible` is the user's visible farms (`access.farms_visible_to`) or None when the user reads every
    farm: filtering 50,000 farms through `IN (SELECT ...)` would cost a join for nothing. `town_id` or
    `farm_id` narrow it further.

    `cache`, when given, keeps query results for the selections derived from this one (`at`,
    `for_year`): the compliance report asks for town and district figures of many indicators, and the
    district is the roll-up of the same town query, so each query runs once (`memo`).
    """

    year: int
    scope: Scope
    visible: QuerySet[Farm] | None = None
    districts_visible: QuerySet[IrrigationDistrict] | None = None
    town_id: int | None = None
    farm_id: int | None = None
    cache: dict[Hashable, Any] | None = field(default=None, compare=False, hash=False, repr=False)

    def farm_q(self, path: str) -> Q:
        """The restriction as a Q on the farm reached by `path` ("" for the Farm model itself)."""
        q = Q()
        if self.visible is not None:
            q &= Q(**{_lookup(path, "id__in"): self.visible.values("id")})
        if self.town_id is not None:
            q &= Q(**{_lookup(path, "town_id"): self.town_id})
        if self.farm_id is not None:
            q &= Q(**{_lookup(path, "id"): self.farm_id})
        return q

    def district_q(self, path: str) -> Q:
        """The restriction as a Q on the irrigation district reached by `path` ("" for the model)."""
        q = Q()
        if self.districts_visible is not None:
            q &= Q(**{_lookup(path, "id__in"): self.districts_visible.values("id")})
        if self.town_id is not None:
            q &= Q(**{_lookup(path, "town_id"): self.town_id})
        return q

    def at(self, scope: Scope) -> Selection:
        """The same selection (and cache) at another scope."""
        return replace(self, scope=scope)


T = TypeVar("T")


def memo(sel: Selection, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """`build()` once per selection group and key (everything a query depends on besides the
    selection's farms: year, query scope, options). DataFrames are handed out as copies."""
    if sel.cache is None:
        return build()
    if key not in sel.cache:
        sel.cache[key] = build()
    found = sel.cache[key]
    return found.copy() if isinstance(found, pd.DataFrame) else found


def _lookup(path: str, field_name: str) -> str:
    return f"{path}__{field_name}" if path else field_name


def town_get(town: str) -> Town:
    """A town by code or Chinese or English name; `NotFound` otherwise."""
    found = Town.objects.filter(Q(code=town) | Q(name_zh=town) | Q(name_en__iexact=town)).first()
    if found is None:
        raise NotFound(_(MSG_TOWN_NOT_FOUND).format(town=town))
    return found


def selection(
    *,
    user: Any,
    year: int,
    scope: Scope | str = Scope.TOWN,
    town: str | None = None,
    farm_code: str | None = None,
    cache: bool = False,
) -> Selection:
    """Build the selection for a user, starting from `access.farms_visible_to(user)`.

    Operators see only their own farms, so only the farm scope: a town or district figure computed over
    one farm would be wrong, and over all farms would leak the others (`PermissionDenied`). Another's
    farm is `NotFound`, as everywhere.
    """
    scope = Scope(scope)
    reads_all = access.reads_all(user)
    if not reads_all and scope != Scope.FARM:
        raise PermissionDenied(_(MSG_FARM_SCOPE_ONLY))
    if town and scope == Scope.DISTRICT:
        raise ApplicationError(_(MSG_TOWN_WITH_DISTRICT_SCOPE), field="town")
    town_id = town_get(town).pk if town else None
    farm_id = None
    if farm_code is not None:
        from farmadvice.registry.selectors import farm_get

        farm_id = farm_get(user=user, code=farm_code).pk
    return Selection(
        year=year,
        scope=scope,
        visible=None if reads_all else access.farms_visible_to(user),
        districts_visible=None if reads_all else access.districts_visible_to(user),
        town_id=town_id,
        farm_id=farm_id,
        cache={} if cache else None,
    )


# --- Grouping --------------------------------------------------------------------------------------


def as_float(expression: Any) -> Cast:
    """A numeric SQL expression as a float (SQLite REAL, PostgreSQL double precision)."""
    return Cast(expression, FloatField())


def times(*terms: str | Any) -> Any:
    """The product of fields (names) or expressions, typed float.

    Typed float rather than decimal so that Django's SQLite backend does not wrap each row's product in
    `CAST(... AS NUMERIC)`; the sums are cast to float once (`fsum`).
    """
    expressions = [F(term) if isinstance(term, str) else term for term in terms]
    product = expressions[0]
    for expression in expressions[1:]:
        product = CombinedExpression(product, "*", expression, output_field=FloatField())
    return product


def fsum(expression: str | Any, **extra: Any) -> Cast:
    """SUM of a field or expression as a float (see `times`)."""
    term = F(expression) if isinstance(expression, str) else expression
    return as_float(Sum(term, output_field=FloatField(), **extra))


def fmax(expression: str, **extra: Any) -> Cast:
    """MAX of a field as a float."""
    return as_float(Max(F(expression), output_field=FloatField(), **extra))


def frame_of(queryset: QuerySet, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A `values()`/`values_list()` queryset read into a DataFrame straight from the cursor.

    Like `pandas.read_sql` on the SQL the ORM compiled: Django's per-value converters (a UUID object per
    season id, a float() per figure) cost more than the query itself on 60,000 rows. Values come as the
    driver gives them (SQLite: dates as text, booleans as 0/1), so decimal figures are read through
    `as_float` and dates parsed where used. `columns` picks and orders the columns.
    """
    query = queryset.query
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    sql, params = query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=names)
    return frame if columns is None else frame[list(columns)]


@dataclass(frozen=True, slots=True)
class Outer:
    """One column of `regroup`'s outer aggregation, over a column of the inner rows.

    kinds: "sum" (Σ column); "capped_sum" (Σ min(column or 0, `cap`), the per-row cap another inner
    column); "guarded_sum" (Σ column over the rows whose `guard` column is not null); "count" (rows);
    "count_null" (rows whose column is null); "count_distinct" (distinct values of the column).
    """

    kind: str
    column: str | None = None
    cap: str | None = None
    guard: str | None = None

    def sql(self, quote: Callable[[str], str]) -> str:
        column = quote(self.column) if self.column else ""
        if self.kind == "sum":
            return f"SUM({column})"
        if self.kind == "capped_sum":
            value, cap = f"COALESCE({column}, 0)", quote(self.cap or "")
            return f"SUM(CASE WHEN {value} < {cap} THEN {value} ELSE {cap} END)"
        if self.kind == "guarded_sum":
            return f"SUM(CASE WHEN {quote(self.guard or '')} IS NOT NULL THEN {column} END)"
        if self.kind == "count":
            return "COUNT(*)"
        if self.kind == "count_null":
            return f"SUM(CASE WHEN {column} IS NULL THEN 1 ELSE 0 END)"
        if self.kind == "count_distinct":
            return f"COUNT(DISTINCT {column})"
        raise ValueError(self.kind)


def regroup(
    inner: QuerySet,
    *,
    by: Sequence[str],
    columns: dict[str, Outer],
    having: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Aggregate the rows of a grouped queryset again, in the database, by `by`.

    Two-level aggregations (per season the largest area under a practice, then per town the sum of
    those capped at the season's area) need a derived table, which the ORM cannot join or select from.
    The inner query is the ORM's, with every filter and access restriction; only this outer
    `SELECT by, SUM(...) FROM (inner) GROUP BY by [HAVING a > b]` is written here, from `Outer` specs
    over the inner query's annotation names. Shipping the inner rows to pandas instead (60,000 seasons)
    costs twice as long on PostgreSQL. `having` keeps the groups whose first named column exceeds the
    second.
    """
    connection = connections[inner.db]
    quote = connection.ops.quote_name
    sql, params = inner.order_by().query.sql_with_params()
    keys = ", ".join(quote(key) for key in by)
    select = ", ".join([keys, *(f"{spec.sql(quote)} AS {quote(name)}" for name, spec in columns.items())])
    text = f"SELECT {select} FROM ({sql}) {quote('inner_rows')} GROUP BY {keys}"
    if having is not None:
        text += f" HAVING {columns[having[0]].sql(quote)} > {columns[having[1]].sql(quote)}"
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        rows = cursor.fetchall()
    return pd.DataFrame.from_records(rows, columns=[*by, *columns])


def read_frame(
    queryset: QuerySet,
    columns: dict[str, str],
    *,
    floats: Sequence[str] = (),
    dates: Sequence[str] = (),
    booleans: Sequence[str] = (),
) -> pd.DataFrame:
    """One query into a DataFrame: `columns` maps each column to its ORM path; those named in `floats`
    (decimal fields) are read as floats, `dates` become `datetime.date`, `booleans` bool."""
    expressions = {
        f"col_{name}": as_float(F(path)) if name in floats else F(path) for name, path in columns.items()
    }
    frame = frame_of(queryset.order_by().annotate(**expressions).values(*expressions), list(expressions))
    frame.columns = list(columns)
    for name in floats:
        frame[name] = frame[name].astype("float64")
    for name in dates:
        frame[name] = pd.to_datetime(frame[name]).dt.date
    for name in booleans:
        frame[name] = frame[name].astype(bool)
    return frame


def scope_key(scope: Scope, farm_path: str) -> str:
    """The ORM path of the scope's id from a model whose farm is at `farm_path`.

    The whole district is grouped by town and rolled up (`rollup`), so town and district figures come
    from the same query.
    """
    if scope == Scope.FARM:
        return _lookup(farm_path, "id")
    if scope == Scope.IRRIGATION_DISTRICT:
        return _lookup(farm_path, "irrigation_district_id")
    return _lookup(farm_path, "town_id")


def grouped(
    queryset: QuerySet,
    *,
    key: str,
    aggregates: dict[str, Any],
    extra_keys: Sequence[str] = (),
) -> pd.DataFrame:
    """One aggregate query grouped by `key` (and `extra_keys`): a DataFrame with `scope_id`,
    the extra keys and one column per aggregate. Groups whose key is NULL are dropped."""
    # Aliases apart from field names: Django refuses an annotation named like a field (used_kg).
    aliases = {f"agg_{name}": expression for name, expression in aggregates.items()}
    rows = queryset.values(*extra_keys, scope_id=F(key)).annotate(**aliases).order_by()
    frame = frame_of(rows, ["scope_id", *extra_keys, *aliases])
    frame.columns = ["scope_id", *extra_keys, *aggregates]
    frame = frame[frame["scope_id"].notna()].reset_index(drop=True)
    frame["scope_id"] = frame["scope_id"].astype("int64")
    return frame


def rollup(frame: pd.DataFrame, additive: Sequence[str], *, by: Sequence[str] = ()) -> pd.DataFrame:
    """Sum additive columns over all scope rows into the whole district (scope_id `DISTRICT_ID`).

    Every additive column is a sum or a count of farms, seasons or records, each of which lies in
    exactly one town, so the district's figure is the sum of its towns'. `by` keeps further keys.
    """
    columns = list(additive)
    if by:
        summed = frame.groupby(list(by), as_index=False)[columns].sum(min_count=1)
    elif frame.empty:
        summed = pd.DataFrame([dict.fromkeys(columns, float("nan"))])
    else:
        summed = frame[columns].sum(min_count=1).to_frame().T
    summed = summed.copy()
    for column in columns:
        if column in frame and pd.api.types.is_integer_dtype(frame[column].dtype):
            summed[column] = summed[column].astype("float64").fillna(0).astype("int64")
    summed.insert(0, "scope_id", DISTRICT_ID)
    return summed


def labels(sel: Selection, scope: Scope, ids: Iterable[Any] = ()) -> pd.DataFrame:
    """The label columns (scope_id, scope_code, scope_name, town_code) of the rows to report.

    Towns and irrigation districts are listed in full, so a town without data still gets its row
    (with missing figures); farms only where they have data (`ids`).
    """
    if scope == Scope.DISTRICT:
        return pd.DataFrame(
            [
                {
                    "scope_id": DISTRICT_ID,
                    "scope_code": DISTRICT_CODE,
                    "scope_name": DISTRICT_NAME,
                    "town_code": None,
                }
            ]
        )
    if scope == Scope.TOWN:
        towns = Town.objects.all()
        if sel.town_id is not None:
            towns = towns.filter(pk=sel.town_id)
        rows = towns.order_by("code").values_list("id", "code", "name_zh", "code")
    elif scope == Scope.IRRIGATION_DISTRICT:
        # The districts in the selection, and any other district a selected farm lies in.
        wanted = [int(i) for i in ids if i is not None and not _isnan(i)]
        restriction = sel.district_q("")
        districts = IrrigationDistrict.objects.all()
        if restriction:
            districts = districts.filter(restriction | Q(id__in=wanted))
        rows = districts.order_by("code").values_list("id", "code", "name", "town__code")
    else:
        farms = Farm.objects.filter(sel.farm_q(""))
        rows = farms.order_by("code").values_list("id", "code", "name", "town__code")
    frame = pd.DataFrame.from_records(list(rows), columns=LABEL_COLUMNS)
    if scope == Scope.FARM:
        wanted_ids = set(ids)
        frame = frame[frame["scope_id"].isin(wanted_ids)]
    return frame.reset_index(drop=True)


def _isnan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def labelled(frame: pd.DataFrame, sel: Selection, scope: Scope | None = None) -> pd.DataFrame:
    """`frame` (keyed by scope_id) with its labels in front, in label order."""
    scope = scope or sel.scope
    names = labels(sel, scope, frame["scope_id"].tolist())
    keyed = frame.copy()
    keyed["scope_id"] = keyed["scope_id"].astype("int64")
    return names.merge(keyed, on="scope_id", how="left")


# --- Results ---------------------------------------------------------------------------------------


def none_if_nan(value: Any) -> Any:
    """NaN (pandas' missing) as None, the formulas' missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def lists_by(keys: Iterable[Any], values: Iterable[Any]) -> dict[Any, list[Any]]:
    """The values gathered into a list per key, in order: what `groupby(...).agg(list)` gives, without
    pandas building a Series per group (thousands of farms)."""
    gathered: dict[Any, list[Any]] = {}
    for key, value in zip(keys, values, strict=True):
        gathered.setdefault(key, []).append(value)
    return gathered


def plain_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts of plain Python values, NaN as None."""
    cleaned = frame.astype(object).where(frame.notna(), None)
    return [
        {key: none_if_nan(value) for key, value in row.items()} for row in cleaned.to_dict(orient="records")
    ]


def per_row(frame: pd.DataFrame, func: Callable[..., Any], *columns: str) -> list[Any]:
    """`func` applied to each reported row (not each record), NaN passed as None."""
    if frame.empty:
        return []
    return [
        func(*(none_if_nan(value) for value in values))
        for values in zip(*(frame[c] for c in columns), strict=True)
    ]


def fill_zero(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Sums that had no records are 0, not missing: the rates decide what is missing."""
    for column in columns:
        frame[column] = frame[column].astype("float64").fillna(0.0)
    return frame


def fill_count(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Counts that had no records are 0."""
    for column in columns:
        frame[column] = frame[column].astype("float64").fillna(0).astype("int64")
    return frame


@dataclass(frozen=True, eq=False)
class IndicatorFrame:
    """One indicator for a year at one scope.

    `frame` has the label columns (scope_id, scope_code, scope_name, town_code), the sums the figure is
    computed from, and `value`, the headline figure in `unit` (None where missing). The docstring of the
    function that built it lists the other columns. `references` are the reference figures it rests on.
    """

    indicator: str
    year: int
    scope: Scope
    unit: str
    frame: pd.DataFrame
    references: tuple[ReferenceUse, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def provisional(self) -> tuple[ReferenceUse, ...]:
        """The reference figures used that are provisional: every report says so (INDICATORS.md)."""
        return tuple(use for use in self.references if use.provisional)

    def records(self) -> list[dict[str, Any]]:
        """The rows as plain dicts, missing as None."""
        return plain_records(self.frame)

    def row(self, scope_code: str) -> dict[str, Any] | None:
        match = self.frame[self.frame["scope_code"] == scope_code]
        if match.empty:
            return None
        return {key: none_if_nan(value) for key, value in match.iloc[0].to_dict().items()}


def indicator_frame(
    *,
    indicator: str,
    sel: Selection,
    unit: str,
    frame: pd.DataFrame,
    value: str,
    references: Iterable[ReferenceUse] = (),
    notes: Iterable[str] = (),
) -> IndicatorFrame:
    """Wrap a labelled frame, copying its headline column into `value`."""
    out = frame.copy()
    out["value"] = out.get(value)
    out["value"] = out["value"].astype(object).where(out["value"].notna(), None)
    if sel.scope == Scope.DISTRICT:
        out["scope_id"] = None
    return IndicatorFrame(
        indicator=indicator,
        year=sel.year,
        scope=sel.scope,
        unit=unit,
        frame=out,
        references=unique_uses(references),
        notes=tuple(notes),
    )
