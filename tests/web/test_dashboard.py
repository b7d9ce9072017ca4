"""The committee's dashboard: compliance by indicator and town against the targets (never colour alone),
the farms behind a rate with why they fail, trends, irrigation districts, and every table as xlsx."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.web.data import YEAR, ponds, straw_short

pytestmark = pytest.mark.django_db

CHENGQIAO = "310151100"


@pytest.fixture
def records(world, reference):
    ponds(world["chengqiao"])
    straw_short(world["farm_a"])


def dashboard(client, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"year": YEAR, **params}.items())
    return client.get(reverse("web:dashboard") + "?" + query).content.decode()


def cell_html(html: str, indicator: str, scope: str) -> str:
    """The <td> whose link opens the farms behind `indicator` in `scope`."""
    url = re.escape(reverse("web:cell", args=[indicator, scope]))
    found = re.search(
        rf'<td class="([^"]*)"><a class="cell-link" href="{url}\?year={YEAR}"[^>]*>(.*?)</a></td>', html, re.S
    )
    assert found, f"no cell for {indicator} / {scope}"
    return found.group(1) + " | " + found.group(2)


def test_a_missed_target_shows_colour_symbol_and_words(world, records, login):
    """Straw in Chengqiao: 3 t used of 4.25 t collectable = 70.6 % < 96 % (2020 target, due):
    red, ✗, and 'not met' for screen readers."""
    html = dashboard(login(world["committee"]))
    straw = cell_html(html, "straw_utilisation_pct", CHENGQIAO)
    assert "cell-fail" in straw
    assert "70.6 %" in straw
    assert "✗" in straw
    assert '<span class="visually-hidden">未达标，差 25.4 %</span>' in straw


def test_a_target_not_yet_due_is_marked_as_working_toward(world, records, login):
    """Tailwater compliance in Chengqiao: 1 of 2 sampled ponds = 50 %, against 100 % by 2027."""
    html = dashboard(login(world["committee"]))
    tailwater = cell_html(html, "tailwater_compliance_pct", CHENGQIAO)
    assert "cell-toward" in tailwater
    assert "50 %" in tailwater
    assert "距 2027 年目标差 50 %" in tailwater


def test_a_missing_rate_is_missing_not_zero(world, records, login):
    html = dashboard(login(world["committee"]))
    xinhe_film = cell_html(html, "film_recovery_pct", world["xinhe"].code)
    assert "cell-missing" in xinhe_film
    assert "无数据" in xinhe_film
    assert "0 %" not in xinhe_film


def test_drilling_down_lists_the_failing_farm_first_with_its_reason(world, records, login):
    client = login(world["committee"])
    url = reverse("web:cell", args=["tailwater_compliance_pct", CHENGQIAO]) + f"?year={YEAR}"
    html = client.get(url).content.decode()
    assert "<html" in html  # a page of its own without htmx
    rows = re.findall(r"<tr>\s*<th scope=\"row\"[^>]*>(.*?)</tr>", html, re.S)
    assert "CQ-P" in rows[0] and "不合格" in rows[0]
    assert f"{YEAR}-07-01 TN 8 超过限值 5" in rows[0]
    assert "CQ-Q" in rows[1] and "合格" in rows[1]
    assert re.search(r"<dt>合格</dt><dd>1</dd>", html)
    assert re.search(r"<dt>不合格</dt><dd>1</dd>", html)
    partial = client.get(url, headers={"HX-Request": "true", "HX-Target": "drill-down"}).content.decode()
    assert "<html" not in partial
    assert "CQ-P" in partial


def test_an_area_based_rate_lists_each_farms_own_figure_against_the_target(world, records, login):
    html = (
        login(world["agent_cq"])
        .get(reverse("web:cell", args=["straw_utilisation_pct", CHENGQIAO]) + f"?year={YEAR}")
        .content.decode()
    )
    assert "CQ-A" in html
    assert "70.6 %" in html
    assert "差 25.4 %" in html


def test_the_compliance_table_exports_to_xlsx_as_seen(world, records, login):
    response = login(world["committee"]).get(reverse("web:export", args=["compliance"]) + f"?year={YEAR}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["compliance"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row[0] == "指标")
    assert header[1] == "目标"
    straw = next(row for row in rows if row[0] == "秸秆综合利用率（%）")
    column = header.index("城桥镇")
    assert straw[1].startswith("目标 ≥ 96 %")
    assert round(straw[column], 1) == 70.6
    judged = [[c.value for c in row] for row in book["status"].iter_rows()]
    assert ["秸秆综合利用率（%）", "城桥镇", straw[column], "未达标，差 25.4 %"] in judged


def test_the_drill_down_exports_every_farm(world, records, login):
    response = login(world["committee"]).get(
        reverse("web:export", args=["cell"])
        + f"?year={YEAR}&indicator=tailwater_compliance_pct&scope={CHENGQIAO}"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = [row[0].value for row in sheet.iter_rows()]
    assert "CQ-P" in codes and "CQ-Q" in codes


def test_the_trend_draws_an_svg_with_its_figures_in_a_table(world, records, login):
    response = login(world["committee"]).get(
        reverse("web:trend") + f"?year={YEAR}&indicator=straw_utilisation_pct&town={CHENGQIAO}",
        headers={"HX-Request": "true", "HX-Target": "trend"},
    )
    html = response.content.decode()
    assert "<svg" in html
    assert 'role="img"' in html
    assert "70.6 %" in html


def test_districts_show_monitoring_and_net_loads(world, reference, login):
    """A 1,200-mu district with inlet and outlet samples in 2025: monitored; net TN =
    (3 mg/L × 1,000 m3 − 1 mg/L × 1,000 m3) / 1000 = 2 kg."""
    from tests.factories.indicators import water
    from tests.factories.registry import IrrigationDistrictFactory

    district = IrrigationDistrictFactory(code="GQ-T", name="试验灌区", town=world["chengqiao"], area_mu=1200)
    import datetime as dt

    water(district, dt.date(YEAR, 7, 1), "inlet", volume="1000", tn_mg_per_l="1", tp_mg_per_l="0.1")
    water(district, dt.date(YEAR, 7, 1), "outlet", volume="1000", tn_mg_per_l="3", tp_mg_per_l="0.2")
    html = login(world["committee"]).get(reverse("web:districts") + f"?year={YEAR}").content.decode()
    row = re.search(r'<th scope="row"[^>]*>GQ-T</th>(.*?)</tr>', html, re.S).group(1)
    assert "已监测" not in row  # the column heading, not the cell
    assert "合格" in row
    assert '<td class="num nw">2</td>' in row
    assert "100 %" in html  # coverage: 1 of 1


def test_the_year_and_town_filters_update_the_table_alone_with_htmx(world, records, login):
    response = login(world["committee"]).get(
        reverse("web:dashboard") + f"?year={YEAR}&town={CHENGQIAO}",
        headers={"HX-Request": "true", "HX-Target": "compliance"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="compliance"')
    assert "全区" in html and "城桥镇" in html and "新河镇" not in html
