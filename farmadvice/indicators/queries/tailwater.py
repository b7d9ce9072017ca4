"""Aquaculture tailwater: sample and farm compliance, compliance rate and monitoring coverage
(INDICATORS.md §7).

Two queries (the discharging aquaculture farms, the year's discharge samples) reduced in pandas. Each
sample is judged against the limits of its farm's class (`Farm.tailwater_class`, matched to the
standard's `level_rank`) in the tailwater standard of highest precedence in force
(`reference.standard_levels`), vectorised but exactly as `formulas.judge_sample` judges one sample:
every limited parameter measured and within its limits (bounds inclusive: a value exactly at a limit
complies) → complies; any outside → fails; none outside but some not measured → not known (a missing
parameter is "not measured", not a pass). A farm complies when all its samples of the year comply
(`formulas.farm_complies`). A farm without a class cannot be judged: its samples are not known.

- Discharging aquaculture farms: active farms of type aquaculture or with a tailwater class set, and
  any farm with a discharge sample in the year (a sampled farm discharged).
- Compliance rate = complying farms ÷ sampled farms × 100: a sampled farm whose samples are incomplete
  counts as sampled and not complying, since a missing parameter is not a pass.
- Monitoring coverage = sampled farms ÷ discharging aquaculture farms × 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.indicators import formulas
from farmadvice.indicators.models import Indicator
from farmadvice.indicators.queries.common import (
    DISTRICT_ID,
    IndicatorFrame,
    Scope,
    Selection,
    indicator_frame,
    labelled,
    lists_by,
    memo,
    per_row,
    read_frame,
)
from farmadvice.indicators.reference import ReferenceUse, standard_levels
from farmadvice.practices.models import TailwaterSample, WaterQuality
from farmadvice.reference.models import WaterUse
from farmadvice.registry.models import Farm, FarmType

PARAMETERS = list(WaterQuality.PARAMETERS)
PARAMETER_NAMES = {
    "ph": "pH",
    "ss_mg_per_l": "SS",
    "codmn_mg_per_l": "CODMn",
    "tn_mg_per_l": "TN",
    "tp_mg_per_l": "TP",
    "nh3n_mg_per_l": "NH3-N",
}
MSG_ABOVE_LIMIT = gettext_noop("{date} {parameter} {value} 超过限值 {limit}")
MSG_BELOW_LIMIT = gettext_noop("{date} {parameter} {value} 低于下限 {limit}")
MSG_NOT_MEASURED = gettext_noop("{date} {parameter} 未检测")
MSG_NO_CLASS = gettext_noop("未设置尾水排放标准级别，无法判定")
MSG_NOT_SAMPLED = gettext_noop("{year} 年无排放口样品")

FARM_KEYS = [
    "farm_id",
    "farm_code",
    "farm_name",
    "town_id",
    "town_code",
    "irrigation_district_id",
    "tailwater_class",
]


@dataclass(frozen=True, eq=False)
class TailwaterFarms:
    """Per discharging aquaculture farm and per sample; see `tailwater_farms` for the columns."""

    farms: pd.DataFrame
    samples: pd.DataFrame
    references: tuple[ReferenceUse, ...]


def _number(value: float) -> str:
    return "" if pd.isna(value) else f"{value:g}"


# Status codes of `judge_matrix`, one per sample and parameter.
NO_LIMIT, PASS, FAIL, NOT_MEASURED = 0, 1, 2, 3


def limit_arrays(limits: Sequence[formulas.Limit]) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds in `PARAMETERS` order, NaN where a parameter has no such bound."""
    lower = np.full(len(PARAMETERS), np.nan)
    upper = np.full(len(PARAMETERS), np.nan)
    for limit in limits:
        index = PARAMETERS.index(limit.parameter)
        lower[index] = np.nan if limit.min_value is None else limit.min_value
        upper[index] = np.nan if limit.max_value is None else limit.max_value
    return lower, upper


def judge_matrix(values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Judge samples against limits, vectorised exactly as `formulas.judge_sample` judges one.

    `values`, `lower`, `upper`: arrays of samples × `PARAMETERS` (NaN = not measured / no bound; the
    bounds may be one row broadcast to all samples). Returns a status code per sample and parameter:
    NO_LIMIT, PASS, FAIL (above the maximum or below the minimum; a value exactly at a bound passes)
    or NOT_MEASURED (a limited parameter without a value: not a pass).
    """
    limited = ~np.isnan(lower) | ~np.isnan(upper)
    with np.errstate(invalid="ignore"):
        outside = (values > upper) | (values < lower)  # comparisons with NaN are False
    status = np.where(np.isnan(values), NOT_MEASURED, np.where(outside, FAIL, PASS))
    return np.where(limited, status, NO_LIMIT)


def verdicts(status: np.ndarray) -> np.ndarray:
    """Per sample: True complies, False fails, None not known (incomplete, or nothing to judge) —
    `formulas.judge_sample(...).complies`."""
    failed = (status == FAIL).any(axis=1)
    judged = status != NO_LIMIT
    passed = judged.any(axis=1) & ((status == PASS) | ~judged).all(axis=1)
    out = np.full(len(status), None, dtype=object)
    out[passed] = True
    out[failed] = False
    return out


def _reasons(samples: pd.DataFrame, status: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> pd.DataFrame:
    """[sample_id, reason]: each failing or unmeasured parameter of a sample, in words."""
    rows, columns = np.nonzero((status == FAIL) | (status == NOT_MEASURED))
    values = samples[PARAMETERS].to_numpy(dtype="float64")
    dates = samples["date"].to_numpy()
    ids = samples["sample_id"].to_numpy()
    reasons = []
    not_measured, above_limit, below_limit = _(MSG_NOT_MEASURED), _(MSG_ABOVE_LIMIT), _(MSG_BELOW_LIMIT)
    for row, column in zip(rows.tolist(), columns.tolist(), strict=True):  # failing entries only
        value = values[row, column]
        name = PARAMETER_NAMES[PARAMETERS[column]]
        if status[row, column] == NOT_MEASURED:
            text = not_measured.format(date=dates[row], parameter=name)
        elif not np.isnan(upper[row, column]) and value > upper[row, column]:
            text = above_limit.format(
                date=dates[row], parameter=name, value=_number(value), limit=_number(upper[row, column])
            )
        else:
            text = below_limit.format(
                date=dates[row], parameter=name, value=_number(value), limit=_number(lower[row, column])
            )
        reasons.append((ids[row], text))
    return pd.DataFrame(reasons, columns=["sample_id", "reason"])


def tailwater_farms(sel: Selection) -> TailwaterFarms:
    """The discharging aquaculture farms of the selection and their samples of the year.

    `farms` columns: farm_id, farm_code, farm_name, town_id, town_code, irrigation_district_id,
    tailwater_class, samples (count), sampled, complies (True/False/None), reasons (in the active language).
    `samples` columns: sample_id, farm_id, date, the parameters, rank, complies, reasons.
    """
    population = Farm.objects.filter(sel.farm_q(""), active=True).filter(
        Q(farm_type=FarmType.AQUACULTURE) | ~Q(tailwater_class="")
    )
    farm_paths = ["id", "code", "name", "town_id", "town__code", "irrigation_district_id", "tailwater_class"]
    farms = read_frame(population, dict(zip(FARM_KEYS, farm_paths, strict=True)))
    samples = read_frame(
        TailwaterSample.objects.filter(sel.farm_q("farm"), date__year=sel.year, is_discharge=True),
        {
            "sample_id": "id",
            "date": "date",
            **{parameter: parameter for parameter in PARAMETERS},
            **dict(
                zip(
                    FARM_KEYS,
                    [
                        "farm_id",
                        "farm__code",
                        "farm__name",
                        "farm__town_id",
                        "farm__town__code",
                        "farm__irrigation_district_id",
                        "farm__tailwater_class",
                    ],
                    strict=True,
                )
            ),
        },
        floats=PARAMETERS,
        dates=["date"],
    )
    farms = pd.concat([farms, samples[FARM_KEYS]]).drop_duplicates("farm_id").reset_index(drop=True)

    samples["rank"] = pd.to_numeric(samples["tailwater_class"], errors="coerce")
    references: list[ReferenceUse] = []
    shape = (len(samples), len(PARAMETERS))
    lower, upper = np.full(shape, np.nan), np.full(shape, np.nan)
    if len(samples):
        levels = standard_levels(year=sel.year, use=WaterUse.TAILWATER)
        for rank in sorted({int(rank) for rank in samples["rank"].dropna()}):
            limits = levels.limits_for_rank(rank)
            if limits is None:
                continue
            references += levels.uses_by_rank.get(rank, ())
            at_rank = (samples["rank"] == rank).to_numpy()
            lower[at_rank], upper[at_rank] = limit_arrays(limits)
    status = judge_matrix(samples[PARAMETERS].to_numpy(dtype="float64"), lower, upper)
    samples["complies"] = verdicts(status)
    no_class = samples.loc[samples["rank"].isna(), ["sample_id"]].assign(reason=_(MSG_NO_CLASS))
    reasons = pd.concat([_reasons(samples, status, lower, upper), no_class])
    reasons = reasons.merge(samples[["sample_id", "farm_id"]], on="sample_id")
    samples["reasons"] = samples["sample_id"].map(
        pd.Series(lists_by(reasons["sample_id"], reasons["reason"]), dtype=object)
    )

    # formulas.farm_complies per farm: any sample False → False; all True → True; else not known.
    by_farm = samples.assign(
        any_false=samples["complies"].eq(False), all_true=samples["complies"].eq(True)
    ).groupby("farm_id")
    counts = by_farm.size()
    any_false = by_farm["any_false"].any()
    all_true = by_farm["all_true"].all()
    unique = reasons.drop_duplicates(["farm_id", "reason"])
    farm_reasons = pd.Series(lists_by(unique["farm_id"], unique["reason"]), dtype=object)
    farms["samples"] = farms["farm_id"].map(counts).fillna(0).astype("int64")
    farms["sampled"] = farms["samples"] > 0
    complies = pd.Series(None, index=farms.index, dtype=object)
    complies[farms["farm_id"].map(all_true).eq(True).to_numpy()] = True
    complies[farms["farm_id"].map(any_false).eq(True).to_numpy()] = False
    farms["complies"] = complies.astype(object).where(complies.notna(), None)
    farms["reasons"] = farms["farm_id"].map(farm_reasons)
    not_sampled = _(MSG_NOT_SAMPLED).format(year=sel.year)
    farms["reasons"] = [
        r if isinstance(r, list) else ([] if sampled else [not_sampled])
        for r, sampled in zip(farms["reasons"], farms["sampled"], strict=True)
    ]
    return TailwaterFarms(
        farms=farms.sort_values("farm_code").reset_index(drop=True),
        samples=samples.drop(columns=[c for c in FARM_KEYS if c != "farm_id"]),
        references=tuple(references),
    )


_SCOPE_COLUMN = {
    Scope.FARM: "farm_id",
    Scope.TOWN: "town_id",
    Scope.IRRIGATION_DISTRICT: "irrigation_district_id",
}


def tailwater_frame(
    sel: Selection, data: TailwaterFarms | None = None
) -> tuple[pd.DataFrame, TailwaterFarms]:
    """Per scope row, labelled: aquaculture_farms (discharging), sampled_farms, complying_farms,
    samples, tailwater_compliance_pct, tailwater_monitoring_pct."""
    data = data or memo(sel, ("tailwater", sel.year), lambda: tailwater_farms(sel))
    farms = data.farms.copy()
    farms["scope_id"] = DISTRICT_ID if sel.scope == Scope.DISTRICT else farms[_SCOPE_COLUMN[sel.scope]]
    farms = farms[farms["scope_id"].notna()]
    farms["complying"] = farms["complies"].eq(True)
    frame = farms.groupby("scope_id", as_index=False).agg(
        aquaculture_farms=("farm_id", "count"),
        sampled_farms=("sampled", "sum"),
        complying_farms=("complying", "sum"),
        samples=("samples", "sum"),
    )
    if sel.scope == Scope.DISTRICT and frame.empty:
        frame = pd.DataFrame(
            [
                {
                    "scope_id": DISTRICT_ID,
                    "aquaculture_farms": 0,
                    "sampled_farms": 0,
                    "complying_farms": 0,
                    "samples": 0,
                }
            ]
        )
    frame["scope_id"] = frame["scope_id"].astype("int64")
    frame["tailwater_compliance_pct"] = per_row(
        frame, formulas.tailwater_compliance_pct, "complying_farms", "sampled_farms"
    )
    frame["tailwater_monitoring_pct"] = per_row(
        frame, formulas.monitoring_coverage_pct, "sampled_farms", "aquaculture_farms"
    )
    return labelled(frame, sel), data


def tailwater_compliance(sel: Selection, *, tailwater: tuple | None = None) -> IndicatorFrame:
    """Tailwater compliance rate (水产养殖尾水达标排放率), % (INDICATORS.md §7): complying ÷ sampled
    aquaculture farms × 100. Columns: see `tailwater_frame`; `tailwater_farms` has each farm and why."""
    frame, data = tailwater or tailwater_frame(sel)
    return indicator_frame(
        indicator=Indicator.TAILWATER_COMPLIANCE,
        sel=sel,
        unit="%",
        frame=frame,
        value="tailwater_compliance_pct",
        references=data.references,
    )


def tailwater_monitoring(sel: Selection, *, tailwater: tuple | None = None) -> IndicatorFrame:
    """Tailwater monitoring coverage (养殖尾水监测覆盖率), % (INDICATORS.md §7): sampled ÷ discharging
    aquaculture farms × 100."""
    frame, _data = tailwater or tailwater_frame(sel)
    return indicator_frame(
        indicator=Indicator.TAILWATER_MONITORING,
        sel=sel,
        unit="%",
        frame=frame,
        value="tailwater_monitoring_pct",
    )
