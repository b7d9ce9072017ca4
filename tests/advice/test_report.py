"""The report's recommendations section from the advice (reports/sections.py's AdviceSection)."""

from __future__ import annotations

import pytest
from django.utils import translation

from farmadvice.advice.report import advice_report_section
from reports.sections import Interval
from tests.factories.indicators import fertiliser, season
from tests.factories.runoff import demo_versions, districts_with_farms


@pytest.fixture
def farm_a(reference):
    """Rice 45 mu with 900 kg N (20 kg N/mu against 17), and winter wheat without fertiliser records."""
    fertiliser(season(reference["farm_a"], "rice", area="45"), kg="3000", n="30")
    season(reference["farm_a"], "wheat", area="45", name="winter")
    return reference["farm_a"]


def test_fallback_reductions_go_into_the_text_and_record_advice_into_missing(farm_a, advice_of):
    """The export-coefficient estimate has no interval, so it is written out (6.75 → "6.8 kg") rather
    than shown as one; "record X" advice is what the report prints as missing data."""
    advice = advice_of(farm_a)
    with translation.override("zh-hans"):
        section = advice_report_section(advice)
    first = section.recommendations[0]
    assert (first.rank, first.title) == (1, "夏季水稻施氮量从每亩 20.0 kg 降到 17.0 kg")
    assert first.reduction_tn_kg is None
    assert "预期减少 TN 约 6.8 kg/年。" in first.detail and "按输出系数法估算" in first.detail
    assert first.provisional
    assert [rec.rank for rec in section.recommendations] == list(range(1, len(section.recommendations) + 1))
    assert section.missing[0].what == "录入冬季小麦的施肥记录"  # record_fertiliser before record_straw
    assert {gap.what for gap in section.missing[1:]} == {"录入冬季小麦秸秆的去向", "录入夏季水稻秸秆的去向"}
    statuses = {source.label: source.status for source in section.sources}
    assert statuses["recommended_n_kg_per_mu[rice] = 17 kg/mu"] == "provisional"
    assert statuses["runoff_share_of_applied_n = 0.05 1"] == "published"


def test_model_reductions_become_intervals_in_the_report_language(farm_a, advice_of):
    districts_with_farms(12)
    versions = demo_versions()
    advice = advice_of(farm_a)
    with translation.override("en"):
        section = advice_report_section(advice)
    cut = next(rec for rec in section.recommendations if rec.title.startswith("Cut N on Rice"))
    [source] = [rec for rec in advice.recommendations if rec.code == "n_above_recommended"]
    assert cut.reduction_tn_kg == Interval(
        estimate=source.tn.kg.value, low=source.tn.kg.low, high=source.tn.kg.high
    )
    assert (
        f"Expected reductions estimated by runoff model {versions['tn'].label} (95 % interval)." in cut.detail
    )
    assert section.missing[0].what == "Record the fertiliser applications of Wheat (winter)"
