"""The advice engine: every rule over a farm's facts, ranked.

`farm_advice(farm=, year=)` gathers the farm's facts once (`facts.farm_facts`), runs each rule of
`rules.RULES`, and ranks what they find:

1. Recommendations with a quantified expected load reduction come first, by the expected TN reduction
   (kg a year, largest first), then by the expected TP reduction. The model's estimates and the export-
   coefficient fallback's are compared as they are (the fallback is flagged on each recommendation).
2. Then, and to break ties, by compliance severity (`types.Severity`): legal or standard failures first
   (manure facilities not matched, tailwater above its limit, film thinner than GB 13735-2017), then
   plan targets missed (straw utilisation, film recovery), then practices (N above the recommended rate,
   slow-release fertiliser, side-deep placement), and last what to record to get advice.
3. Then by code and subject, so the order is stable.

Ranks start at 1. A farm with no records gets "record X" recommendations (and, for a reference figure
missing, a note), never an error. `farm_advice_get(user=, code=, year=)` is the same for a user, through
the access rules (an operator asking for another's farm: NotFound).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from farmadvice.advice.facts import farm_facts
from farmadvice.advice.rules import RULES, Rule
from farmadvice.advice.types import SEVERITY_ORDER, FarmAdvice, Recommendation
from farmadvice.registry.models import Farm
from farmadvice.registry.selectors import farm_get
from farmadvice.runoff.services import FarmScenarios


def _rank_key(recommendation: Recommendation) -> tuple[Any, ...]:
    tn = recommendation.tn.kg.value if recommendation.tn is not None else 0.0
    tp = recommendation.tp.kg.value if recommendation.tp is not None else 0.0
    return (
        0 if recommendation.quantified else 1,
        -tn,
        -tp,
        SEVERITY_ORDER[recommendation.severity],
        recommendation.code,
        recommendation.subject,
    )


def rank(recommendations: Iterable[Recommendation]) -> tuple[Recommendation, ...]:
    """The recommendations in the order of the module docstring, with `rank` set from 1."""
    ordered = sorted(recommendations, key=_rank_key)
    return tuple(dataclasses.replace(rec, rank=number) for number, rec in enumerate(ordered, start=1))


def farm_advice(
    *,
    farm: Farm,
    year: int,
    on: dt.date | None = None,
    scenarios: FarmScenarios | None = None,
    rules: Iterable[Rule] = RULES,
) -> FarmAdvice:
    """Ranked recommendations for the farm and year.

    `on` is the day whose reference figures the rules read themselves (recommended N rates, targets,
    treatment area); by default 31 December of `year`, the day the indicators and the runoff model use.
    `scenarios`: the farm's `runoff.services.farm_scenarios` for the year, when the caller already has
    them (the report's loads section): they are the costliest part, so they are not computed twice.
    `rules` defaults to every rule of `rules.RULES`. Computed as the system: the caller decides who may
    see the farm (see `farm_advice_get`).
    """
    facts = farm_facts(farm=farm, year=year, on=on, scenarios=scenarios)
    found = [recommendation for rule in rules for recommendation in rule(facts)]
    return FarmAdvice(
        farm_code=farm.code,
        farm_name=farm.name,
        year=year,
        reference_date=facts.on,
        recommendations=rank(found),
        models=facts.scenarios.models if facts.scenarios is not None else (),
        notes=facts.notes,
    )


def farm_advice_get(*, user: Any, code: str, year: int, on: dt.date | None = None) -> FarmAdvice:
    """`farm_advice` for a farm the user may see (`NotFound` otherwise: an operator's other farms)."""
    return farm_advice(farm=farm_get(user=user, code=code), year=year, on=on)
