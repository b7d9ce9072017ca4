"""The engine: ranking, farms without records, the runoff model or its fallback, languages, the date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from farmadvice.advice import engine, rules
from farmadvice.advice.types import Recommendation, Reduction, Severity, Text
from farmadvice.core.errors import NotFound
from farmadvice.indicators.queries import SYSTEM_READER
from farmadvice.reference.models import CoefficientKind, CropCoefficient
from farmadvice.registry.models import FarmType
from farmadvice.runoff import services
from farmadvice.runoff.services import Estimate
from tests.factories.indicators import crop, fertiliser, film, season, straw
from tests.factories.registry import FarmFactory
from tests.factories.runoff import demo_versions, districts_with_farms

YEAR = 2025


def made(code: str, severity: Severity, tn: float | None = None, tp: float | None = None) -> Recommendation:
    def reduction(kg: float | None) -> Reduction | None:
        return None if kg is None else Reduction(kg=Estimate(kg), kg_per_ha=None, area_ha=1.0)

    return Recommendation(
        code=code,
        subject="",
        severity=severity,
        title_text=Text(code),
        body_text=Text(code),
        tn=reduction(tn),
        tp=reduction(tp),
    )


def test_quantified_advice_comes_first_by_tn_then_tp_then_the_rest_by_severity(world):
    """Quantified first by expected TN reduction (largest first), a TN tie broken by TP, a full tie by
    severity; then the unquantified: legal, target, practice, data. Ranks count from 1."""
    found = [
        made("data", Severity.DATA),
        made("practice_small", Severity.PRACTICE, tn=2.0),
        made("target", Severity.TARGET),
        made("practice_tp_only", Severity.PRACTICE, tp=0.4),
        made("legal", Severity.LEGAL),
        made("practice_big", Severity.PRACTICE, tn=9.0, tp=0.1),
        made("legal_big", Severity.LEGAL, tn=9.0, tp=0.1),
        made("practice_big_more_tp", Severity.PRACTICE, tn=9.0, tp=0.3),
        made("practice", Severity.PRACTICE),
    ]
    advice = engine.farm_advice(farm=world["farm_a"], year=YEAR, rules=[lambda facts: found])
    assert [(rec.rank, rec.code) for rec in advice.recommendations] == [
        (1, "practice_big_more_tp"),
        (2, "legal_big"),
        (3, "practice_big"),
        (4, "practice_small"),
        (5, "practice_tp_only"),
        (6, "legal"),
        (7, "target"),
        (8, "practice"),
        (9, "data"),
    ]
    assert [rec.code for rec in advice.actions][-1] == "practice"
    assert [rec.code for rec in advice.data_gaps] == ["data"]


def test_a_farm_with_no_records_gets_record_advice_not_an_error(reference, world, advice_of):
    """A crop farm with nothing recorded: "record the crop seasons" and nothing else; an aquaculture and
    a livestock farm likewise get what to record."""
    advice = advice_of(world["farm_a"])
    assert [(rec.rank, rec.code, rec.severity) for rec in advice.recommendations] == [
        (1, "record_crop_seasons", Severity.DATA)
    ]
    assert advice.notes == ()
    pond = FarmFactory(code="CQ-POND", farm_type=FarmType.AQUACULTURE, town=world["chengqiao"])
    assert [rec.code for rec in advice_of(pond).recommendations] == [
        "record_tailwater_samples",
        "set_tailwater_class",
    ]
    piggery = FarmFactory(code="CQ-PIG", farm_type=FarmType.LIVESTOCK, town=world["chengqiao"])
    assert [rec.code for rec in advice_of(piggery).recommendations] == ["record_herds"]


def test_no_reference_data_at_all_still_gives_advice(world, advice_of):
    """Without data/*.csv loaded (a fresh database): the seasons' advice is to record what is missing,
    and the missing recommended rate is a note, never an error."""
    fertiliser(season(world["farm_a"], "rice", area="45"), kg="3000", n="30")
    advice = advice_of(world["farm_a"])
    assert not advice.with_code("n_above_recommended")
    with translation.override("zh-hans"):
        assert any("没有 2025-12-31 起生效的推荐施氮量" in str(note) for note in advice.notes)


@pytest.fixture
def farm_a(reference):
    """CQ-A: rice 45 mu (3 ha), 3000 kg × 30 % N = 900 kg N = 20 kg N/mu = 300 kg N/ha; 1000 kg
    returned straw of 27 t grain; 100 kg of 0.008 mm film (none recovered)."""
    rice = season(reference["farm_a"], "rice", area="45", yield_kg="27000")
    fertiliser(rice, kg="3000", n="30", p="10", k="10")
    straw(rice, "field_return", "1000")
    film(rice, used="100", thickness="0.008")
    return reference["farm_a"]


def test_without_an_active_model_the_fallback_is_flagged(farm_a, advice_of):
    """No runoff model: the N cut is the export-coefficient estimate (5 % × 45 kg N/ha × 3 ha = 6.75 kg
    TN), flagged on the recommendation and on the advice; practices are not quantified."""
    advice = advice_of(farm_a)
    assert advice.fallback and advice.model_versions == ()
    [cut] = advice.with_code("n_above_recommended")
    assert cut.rank == 1  # the only quantified recommendation
    assert cut.tn.kg == Estimate(pytest.approx(6.75))
    assert (cut.method.name, cut.method.fallback) == ("export_coefficient", True)
    # Then the unquantified by severity: film (legal), film recovery and straw (targets), practices.
    assert [rec.code for rec in advice.recommendations[1:]] == [
        "film_standard",
        "film_recovery",
        "straw_utilisation",
        "side_deep",
        "slow_release",
    ]
    assert all(rec.method.fallback for rec in advice.with_code("slow_release"))
    assert advice.provisional  # rice's recommended rate is provisional


def test_with_an_active_model_reductions_carry_its_interval_and_version(farm_a, advice_of):
    """Active TN and TP versions: each practice's expected reduction is the model's, with a 95 %
    interval around it, and the advice names the versions; no fallback."""
    districts_with_farms(12)
    versions = demo_versions()
    advice = advice_of(farm_a)
    assert not advice.fallback
    assert advice.model_versions == (versions["tn"].label, versions["tp"].label)
    [cut] = advice.with_code("n_above_recommended")
    assert (cut.method.name, cut.method.fallback, cut.method.model_version) == (
        "log_ols",
        False,
        versions["tn"].label,
    )
    assert 0 < cut.tn.kg.low < cut.tn.kg.value < cut.tn.kg.high
    assert cut.tn.kg_per_ha.value == pytest.approx(cut.tn.kg.value / 3)  # 45 mu = 3 ha
    quantified = [rec for rec in advice.recommendations if rec.quantified]
    assert [rec.rank for rec in quantified] == list(range(1, len(quantified) + 1))
    tn = [rec.tn.kg.value if rec.tn else 0.0 for rec in quantified]
    assert tn == sorted(tn, reverse=True)  # ranked by expected TN reduction
    assert {rec.code for rec in quantified} >= {"n_above_recommended", "slow_release", "side_deep"}


def test_scenarios_computed_by_the_caller_are_used_as_they_are(farm_a, advice_of):
    """The report computes the scenarios for its loads section and hands them over: same advice."""
    scenarios = services.farm_scenarios(user=SYSTEM_READER, code="CQ-A", year=YEAR)
    [given] = advice_of(farm_a, scenarios=scenarios).with_code("n_above_recommended")
    [computed] = advice_of(farm_a).with_code("n_above_recommended")
    assert given.tn == computed.tn and given.tn.kg.value == pytest.approx(6.75)


def test_a_farm_without_crop_seasons_has_no_loads_to_fall_back_on(reference, world, advice_of):
    """No active model, but no crop season either: nothing rests on the fallback."""
    piggery = FarmFactory(code="CQ-PIG", farm_type=FarmType.LIVESTOCK, town=world["chengqiao"])
    assert advice_of(piggery).fallback is False


def test_advice_renders_in_chinese_and_in_english(farm_a, advice_of):
    """The same advice object reads in the active language."""
    [cut] = advice_of(farm_a).with_code("n_above_recommended")
    with translation.override("zh-hans"):
        assert cut.title == "夏季水稻施氮量从每亩 20.0 kg 降到 17.0 kg"
        assert str(cut.unit) == "kg N/亩"
        assert "按输出系数法估算" in str(cut.method.note)
    with translation.override("en"):
        assert cut.title == "Cut N on Rice (summer) from 20.0 to 17.0 kg N/mu"
        assert str(cut.unit) == "kg N/mu"
        assert cut.text.startswith("This season 45.0 mu of Rice received 900.0 kg N")
        assert str(cut.method.note).startswith("Export-coefficient estimate: runoff carries about 5 %")


def test_the_reference_date_chooses_the_figures_the_rules_read(farm_a, advice_of):
    """A new rice rate of 15 kg N/mu from 2026: advice for 2025 as on 31 Dec 2025 keeps 17; as on
    30 June 2026 it advises 15, without the scenario's reduction (computed for 17) and saying why."""
    CropCoefficient.objects.create(
        crop=crop("rice"),
        kind=CoefficientKind.RECOMMENDED_N,
        value=Decimal("15"),
        source="test: a later rate",
        status="official",
        valid_from=dt.date(2026, 1, 1),
    )
    [now] = advice_of(farm_a).with_code("n_above_recommended")
    assert (now.target, now.tn.kg.value) == (17.0, pytest.approx(6.75))
    later = advice_of(farm_a, on=dt.date(2026, 6, 30))
    assert later.reference_date == dt.date(2026, 6, 30)
    [cut] = later.with_code("n_above_recommended")
    assert (cut.target, cut.tn, cut.status) == (15.0, None, "official")
    assert str(cut.method.note) == str(rules.NOTE_RATE_CHANGED)


def test_for_a_user_another_operators_farm_does_not_exist(farm_a, world):
    with pytest.raises(NotFound):
        engine.farm_advice_get(user=world["operator_b"], code="CQ-A", year=YEAR)
    assert engine.farm_advice_get(user=world["operator_a"], code="CQ-A", year=YEAR).farm_code == "CQ-A"
