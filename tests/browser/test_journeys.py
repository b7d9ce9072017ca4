"""The three journeys of issue #6 in headless Chromium, on the seeded demo population (so that the
screenshots show pages as they are used): an agent records a fertiliser application, one field wrong
first; an operator downloads their report and cannot open another farm; the committee drills down from
the dashboard to a failing farm. Each saves its main page at phone and desktop width into
build/screenshots/."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[dev]')")

from django.contrib.auth import get_user_model
from django.db.models import DecimalField, F, Sum
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from farmadvice.accounts.models import Role
from farmadvice.demo.generator import DemoParams
from farmadvice.demo.loader import demo_load
from farmadvice.practices.models import CropSeason, FertiliserApplication
from farmadvice.practices.services import MSG_APPLICATION_AREA_ABOVE_SEASON
from farmadvice.registry.models import Farm, FarmType, Town
from farmadvice.web.formatting import with_unit
from reports.services import report_issue
from tests.browser.conftest import shots, sign_in, visible, wait
from tests.factories.accounts import PASSWORD
from tests.factories.indicators import load_reference
from tests.web.data import ponds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2025
CHENGQIAO = "310151100"
SUBMIT = "button[type=submit].btn:not(.btn-secondary)"


@pytest.fixture
def demo():
    """The reference figures and a small demo population: 40 farms, 2023-2025, the demo logins (agent:
    Chengqiao, Xinhe, Jianshe; operator: two Chengqiao farms; operator2: one elsewhere; committee)."""
    load_reference()
    demo_load(params=DemoParams(n_farms=40, years=(2023, 2024, YEAR)), password=PASSWORD)


def nutrient_kg(farm: Farm) -> Decimal:
    """Σ product kg × (N + P2O5 + K2O) % / 100 over the farm's 2025 applications (INDICATORS.md §1)."""
    total = FertiliserApplication.objects.filter(
        season__farm=farm, season__year=YEAR, organic=False
    ).aggregate(
        kg=Sum(
            F("product_kg") * (F("n_pct") + F("p2o5_pct") + F("k2o_pct")) / 100,
            output_field=DecimalField(max_digits=20, decimal_places=6),
        )
    )["kg"]
    return total or Decimal(0)


def indicator_value(driver, key: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, f'[data-indicator="{key}"] .ind-value').text


def test_an_agent_records_a_fertiliser_application_fixing_one_field(page, demo):
    """A Chengqiao crop farm's 2025 season of A mu: 40 kg of 15-15-15 on A + 5 mu is refused next to the
    area; on A mu it is stored and the farm's fertiliser intensity becomes
    (nutrient before + 40 × 45 % = 18 kg) / the farm's sown area in 2025."""
    season = (
        CropSeason.objects.filter(year=YEAR, farm__town__code=CHENGQIAO, farm__farm_type=FarmType.CROP)
        .order_by("farm__code", "season")
        .first()
    )
    farm = season.farm
    sown = CropSeason.objects.filter(farm=farm, year=YEAR).aggregate(mu=Sum("area_mu"))["mu"]
    before = with_unit(float(nutrient_kg(farm) / sown), "kg/亩")
    after = with_unit(float((nutrient_kg(farm) + Decimal(18)) / sown), "kg/亩")
    assert before != after

    sign_in(page, "agent")
    box = visible(page, "#id_q")
    box.send_keys(farm.code)  # htmx swaps the results while typing
    wait(page, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".farm-item")) == 1)
    page.find_element(By.LINK_TEXT, farm.name).click()
    visible(page, "#indicators")
    assert indicator_value(page, "fertiliser_intensity_kg_per_mu") == before

    page.find_element(By.CSS_SELECTOR, f'#season-{season.pk} a[href*="fertiliser-applications/new"]').click()
    visible(page, "#id_product").send_keys("复合肥 15-15-15")
    too_large = season.area_mu + 5
    for field, value in (
        ("n_pct", 15),
        ("p2o5_pct", 15),
        ("k2o_pct", 15),
        ("product_kg", 40),
        ("area_mu", too_large),
    ):
        box = page.find_element(By.ID, f"id_{field}")
        box.clear()
        box.send_keys(str(value))
    page.find_element(By.CSS_SELECTOR, SUBMIT).click()

    error = visible(page, "#id_area_mu_error")
    expected = MSG_APPLICATION_AREA_ABOVE_SEASON.format(
        area=f"{too_large.normalize():f}", season_area=f"{season.area_mu.normalize():f}"
    )
    assert expected in error.text
    assert page.find_element(By.ID, "id_area_mu").get_attribute("aria-invalid") == "true"
    assert page.execute_script("return document.activeElement.id") == "form-errors"

    area = page.find_element(By.ID, "id_area_mu")
    area.clear()
    area.send_keys(str(season.area_mu))
    page.find_element(By.CSS_SELECTOR, SUBMIT).click()

    visible(page, ".messages .success")
    assert indicator_value(page, "fertiliser_intensity_kg_per_mu") == after
    assert (
        FertiliserApplication.objects.get(
            season=season, product="复合肥 15-15-15", product_kg=40
        ).created_by.username
        == "agent"
    )
    shots(page, "agent-farm")


def test_an_operator_downloads_their_report_and_cannot_open_another_farm(page, demo):
    farm = Farm.objects.filter(operators__username="operator").order_by("code").first()
    other = Farm.objects.get(operators__username="operator2")
    agent = get_user_model().objects.get(username="agent", profile__role=Role.AGENT)
    report = report_issue(user=agent, farm=farm, year=YEAR, language="zh-hans")

    sign_in(page, "operator")
    page.find_element(By.LINK_TEXT, farm.name).click()
    visible(page, ".advice")
    shots(page, "operator-farm")

    page.find_element(By.CSS_SELECTOR, "#downloads a.btn").click()
    downloaded = page.downloads / report.download_name
    wait(page, lambda _driver: downloaded.exists() and not list(page.downloads.glob("*.crdownload")))
    assert hashlib.sha256(downloaded.read_bytes()).hexdigest() == report.sha256

    page.get(f"{page.base_url}/farms/{other.code}/")
    assert page.find_element(By.TAG_NAME, "h1").text == "页面不存在"
    assert other.name not in page.page_source


def test_the_committee_drills_down_from_the_dashboard_to_a_failing_farm(page, demo):
    """Two more ponds in Chengqiao, one failing on TN 8 mg/L (class 2 limit 5): the town's tailwater
    cell opens the ponds behind it, failing ones first, each with the limit it exceeded; from there,
    the failing farm's page."""
    failing, _passing = ponds(Town.objects.get(code=CHENGQIAO))

    sign_in(page, "committee")
    assert page.current_url.endswith("/dashboard/")
    visible(page, "#trend svg")
    shots(page, "committee-dashboard")

    Select(page.find_element(By.ID, "f-town")).select_by_value(CHENGQIAO)
    wait(page, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#compliance thead th")) == 3)

    page.find_element(
        By.CSS_SELECTOR, f'a.cell-link[href^="/dashboard/cells/tailwater_compliance_pct/{CHENGQIAO}/"]'
    ).click()
    heading = visible(page, "#drill-down #cell-heading")
    assert "水产养殖尾水达标排放率" in heading.text
    assert page.execute_script("return document.activeElement.id") == "cell-heading"
    assert f"/dashboard/cells/tailwater_compliance_pct/{CHENGQIAO}/" in page.current_url
    rows = [row.text for row in page.find_elements(By.CSS_SELECTOR, "#cell-table tbody tr")]
    verdicts = ["不合格" in row for row in rows]
    assert verdicts == sorted(verdicts, reverse=True)  # failing first
    ours = next(row for row in rows if row.startswith(failing.code))
    assert "不合格" in ours and "TN 8 超过限值 5" in ours

    page.find_element(By.ID, "cell-table").find_element(By.LINK_TEXT, failing.code).click()
    wait(page, lambda d: d.current_url.endswith(f"/farms/{failing.code}/"))
    assert page.find_element(By.TAG_NAME, "h1").text == failing.name


def test_the_committees_pages_fit_a_phone_in_chinese_and_in_english(page, demo):
    """At 390 px the dashboard (its matrix and trend table hold status words for screen readers), a
    town's drill-down and the districts page scroll their wide tables inside the tables' own boxes,
    never the whole page, in both languages (`shots` checks the page width)."""
    sign_in(page, "committee")
    pages = (
        ("dashboard", f"/dashboard/?year={YEAR}", "#trend svg"),
        ("dashboard-town", f"/dashboard/?year={YEAR}&town={CHENGQIAO}", "#trend svg"),
        (
            "drill-down",
            f"/dashboard/cells/fertiliser_intensity_kg_per_mu/{CHENGQIAO}/?year={YEAR}",
            "#cell-table",
        ),
        ("districts", f"/dashboard/districts/?year={YEAR}", "#districts table"),
    )
    for language, html_lang in (("zh-hans", "zh-Hans"), ("en", "en")):
        page.find_element(By.CSS_SELECTOR, f'.lang-switch button[value="{language}"]').click()
        wait(
            page, lambda d, lang=html_lang: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        )
        for name, path, ready in pages:
            page.get(page.base_url + path)
            visible(page, ready)
            shots(page, f"committee-{name}-{language}")
