"""The farm list (an agent's towns first, searchable, with what is missing this season) and the pages
of a farm for agents and for its operator."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from farmadvice.practices.models import CropSeason, FertiliserApplication, TailwaterSample
from farmadvice.registry.models import FarmType
from reports import context as report_context
from reports.sections import AdviceSection
from tests.factories.practices import crop
from tests.factories.registry import FarmFactory
from tests.web.data import ponds, straw_short

pytestmark = pytest.mark.django_db


def farm_items(html: str) -> dict[str, str]:
    """Each listed farm's code → its card's HTML."""
    return {
        re.search(r'href="/farms/([^/]+)/"', item).group(1): item
        for item in re.findall(
            r'<li class="farm-item">(.*?)</li>\s*(?=<li class="farm-item">|</ul>)', html, re.S
        )
    }


@pytest.fixture
def this_year():
    return dt.date.today().year


def test_an_agent_sees_their_towns_farms_with_this_seasons_gaps(world, this_year, login):
    """CQ-A has a crop season this year but no fertiliser; CQ-C nothing at all; XH-B is in Xinhe, not
    the agent's town, so it is listed only when the agent asks for all towns."""
    season = CropSeason.objects.create(
        farm=world["farm_a"], year=this_year, season="summer", crop=crop("rice"), area_mu=Decimal("10")
    )
    FarmFactory(code="CQ-C", name="戊农场", town=world["chengqiao"])
    client = login(world["agent_cq"])
    items = farm_items(client.get(reverse("web:farms")).content.decode())
    assert set(items) == {"CQ-A", "CQ-C"}
    assert "无施肥记录" in items["CQ-A"] and "无作物茬口" not in items["CQ-A"]
    assert "无作物茬口" in items["CQ-C"]
    FertiliserApplication.objects.create(season=season, product="尿素", n_pct=46, product_kg=10, area_mu=10)
    items = farm_items(client.get(reverse("web:farms")).content.decode())
    assert "记录齐全" in items["CQ-A"]
    assert set(farm_items(client.get(reverse("web:farms") + "?scope=all").content.decode())) == {
        "CQ-A",
        "CQ-C",
        "XH-B",
    }


def test_an_aquaculture_farm_without_a_sample_is_flagged(world, this_year, login):
    pond = FarmFactory(code="CQ-P", name="蟹塘", farm_type=FarmType.AQUACULTURE, town=world["chengqiao"])
    client = login(world["agent_cq"])
    assert "无尾水样品" in farm_items(client.get(reverse("web:farms")).content.decode())["CQ-P"]
    TailwaterSample.objects.create(farm=pond, date=dt.date(this_year, 1, 1), tn_mg_per_l=2)
    assert "无尾水样品" not in farm_items(client.get(reverse("web:farms")).content.decode())["CQ-P"]


def test_search_and_the_missing_only_filter(world, this_year, login):
    CropSeason.objects.create(
        farm=world["farm_a"], year=this_year, season="summer", crop=crop("rice"), area_mu=10
    )
    FertiliserApplication.objects.create(
        season=CropSeason.objects.get(), product="尿素", n_pct=46, product_kg=10, area_mu=10
    )
    FarmFactory(code="CQ-C", name="戊农场", town=world["chengqiao"], contact_name="王五")
    client = login(world["agent_cq"])
    assert set(farm_items(client.get(reverse("web:farms") + "?q=王五").content.decode())) == {"CQ-C"}
    assert set(farm_items(client.get(reverse("web:farms") + "?missing=on").content.decode())) == {"CQ-C"}


def test_typing_in_the_search_box_swaps_only_the_results(world, login):
    response = login(world["agent_cq"]).get(
        reverse("web:farms") + "?q=甲", headers={"HX-Request": "true", "HX-Target": "farm-results"}
    )
    html = response.content.decode()
    assert "<html" not in html
    # The count goes out of band into the page's live region, which screen readers announce.
    assert '<p id="result-count" hx-swap-oob="innerHTML">找到 1 个农场' in html
    assert set(farm_items(html)) == {"CQ-A"}
    assert response["Vary"].find("HX-Request") >= 0


def test_an_operator_lists_only_their_farms(world, login):
    html = login(world["operator_a"]).get(reverse("web:farms")).content.decode()
    assert set(farm_items(html)) == {"CQ-A"}


def test_the_farm_page_shows_the_years_records_and_indicators(world, reference, login):
    straw_short(world["farm_a"])
    html = login(world["agent_cq"]).get(reverse("web:farm", args=["CQ-A"]) + "?year=2025").content.decode()
    assert "夏季 · 水稻" in html
    assert "直接还田（肥料化） · 3,000 kg" in html
    indicator = re.search(r'data-indicator="straw_utilisation_pct">(.*?)</li>', html, re.S).group(1)
    assert "70.6 %" in indicator
    assert "未达标" in indicator and "≥ 96 %" in indicator


def test_changing_the_year_swaps_the_year_section_alone(world, reference, login):
    straw_short(world["farm_a"])
    response = login(world["agent_cq"]).get(
        reverse("web:farm", args=["CQ-A"]) + "?year=2024",
        headers={"HX-Request": "true", "HX-Target": "farm-year"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "2024 年还没有记录" in html


def advice_html(client, code: str) -> str:
    html = client.get(reverse("web:farm", args=[code]) + "?year=2025").content.decode()
    return re.search(r'<section class="card advice".*?</section>', html, re.S).group(0)


def test_the_operator_page_gives_the_reports_ranked_recommendations(world, reference, login):
    """What the advice engine recommends for the report (reports.context.advice_section), in its order."""
    straw_short(world["farm_a"])
    expected = report_context.advice_section(world["farm_a"], 2025).recommendations
    assert expected, "the straw below target should give a recommendation"
    advice = advice_html(login(world["operator_a"]), "CQ-A")
    positions = [advice.index(escape(r.title)) for r in sorted(expected, key=lambda r: r.rank)]
    assert positions == sorted(positions)
    assert "记录走访" not in advice


def test_without_recommendations_the_operator_reads_what_misses_its_target(
    world, reference, login, monkeypatch
):
    """Where the advice engine has nothing to say, the page says in plain words which indicators miss
    their targets and by how much: straw 3 t of 4.25 t = 70.6 %, 25.4 points below 96 %."""
    monkeypatch.setattr(report_context, "advice_section", lambda *args, **kwargs: AdviceSection())
    straw_short(world["farm_a"])
    advice = advice_html(login(world["operator_a"]), "CQ-A")
    assert "秸秆综合利用率（%）：70.6 %，目标 ≥ 96 % (2020)，还差 25.4 %。" in advice


def test_without_recommendations_a_failing_tailwater_sample_is_named(world, reference, login, monkeypatch):
    monkeypatch.setattr(report_context, "advice_section", lambda *args, **kwargs: AdviceSection())
    failing, _passing = ponds(world["chengqiao"])
    failing.operators.add(world["operator_a"])
    advice = advice_html(login(world["operator_a"]), "CQ-P")
    assert "2025-07-01 尾水样品超标：总氮 TN 8 mg/L &gt; 5 mg/L。" in advice


def test_a_recommendations_expected_reduction_reads_with_its_interval():
    """TN 20.46 kg a year (95 % interval 12.9–28.19) → one decimal each."""
    from farmadvice.web.summaries import _reduction_text
    from reports.sections import Interval, Recommendation

    recommendation = Recommendation(
        rank=1,
        title="改用缓控释肥",
        detail="",
        reduction_tn_kg=Interval(20.46, 12.9, 28.19),
        provisional=True,
    )
    assert _reduction_text(recommendation) == (
        "预计每年减少径流流失：TN 20.5 kg（12.9–28.2），括号内为 95% 区间。（估算用到暂定参考值）"
    )
    assert _reduction_text(Recommendation(rank=2, title="录入产量", detail="")) == ""
