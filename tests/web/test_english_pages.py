"""In English, every page's interface is English: headings, labels, notes, statuses, separators and the
labels screen readers hear. Only data stays as entered (farm, district and product names, visit
notes), and the language switch offers 中文 in Chinese."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from farmadvice.indicators.models import Indicator
from farmadvice.indicators.queries import DISTRICT_CODE
from farmadvice.indicators.queries.fertiliser import CHEMICAL_NOTE, COVERAGE_NOTE
from farmadvice.indicators.reference import VIA_PIG_EQUIVALENTS_NOTE
from farmadvice.practices.models import FertiliserApplication, Visit
from farmadvice.registry.models import FarmType
from farmadvice.web.forms import RECORD_FORMS
from reports.models import ReportBatch
from tests.factories.indicators import facility, herd, water
from tests.factories.registry import FarmFactory, IrrigationDistrictFactory
from tests.web.data import YEAR, ponds, straw_short

pytestmark = pytest.mark.django_db

CHENGQIAO = "310151100"
#: Data entered in Chinese by the fixtures below and in `world`: it stays as entered in English too.
DATA = (
    "甲农场",
    "乙农场",
    "丙蟹塘",
    "丁蟹塘",
    "戊养殖场",
    "试验灌区",
    "复合肥 15-15-15",
    "查看了稻田长势，建议分次施肥。",
)
#: The language switch names Chinese in Chinese (marked lang="zh-Hans").
ALLOWED = ("中文",)
#: Han characters and the CJK and full-width punctuation (，、；：（）…).
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


class VisibleText(HTMLParser):
    """What a reader sees or hears of a page: the text outside <script> and <style>, and the aria-label,
    title, alt and placeholder attributes (and the value of input buttons)."""

    HIDDEN = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        values = dict(attrs)
        for name in ("aria-label", "title", "alt", "placeholder"):
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def chinese_interface_text(html: str) -> list[str]:
    """The pieces of visible text that still hold Chinese once the data and the switch are taken out."""
    parser = VisibleText()
    parser.feed(html)
    found = []
    for part in parser.parts:
        for known in (*DATA, *ALLOWED):
            part = part.replace(known, "")
        if CJK.search(part):
            found.append(" ".join(part.split())[:120])
    return found


@pytest.fixture
def farms(world, reference, rice):
    """Besides `world` and its 2025 rice season on CQ-A: a fertiliser application and a visit on CQ-A,
    straw short of the target, two crab ponds (one failing on TN), a sheep farm (200 a year, so large
    scale and sized as pigs) with a manure facility, and a 1,200-mu district whose outlet is worse than
    class V (TN 3 mg/L > 2)."""
    farm = world["farm_a"]
    visit = Visit.objects.create(
        farm=farm, agent=world["agent_cq"], date=dt.date(YEAR, 6, 20), notes="查看了稻田长势，建议分次施肥。"
    )
    application = FertiliserApplication.objects.create(
        season=rice,
        visit=visit,
        date=dt.date(YEAR, 6, 20),
        product="复合肥 15-15-15",
        n_pct=Decimal("15"),
        p2o5_pct=Decimal("15"),
        k2o_pct=Decimal("15"),
        product_kg=Decimal("40"),
        area_mu=Decimal("10"),
        method="broadcast",
        slow_release=True,
    )
    straw_short(world["farm_b"])
    failing, _passing = ponds(world["chengqiao"])
    sheep = FarmFactory(code="CQ-L", name="戊养殖场", farm_type=FarmType.LIVESTOCK, town=world["chengqiao"])
    herd(sheep, "sheep_goat", stock=150, output=200)
    manure = facility(sheep, liquid="100", solid="50", land="30")
    district = IrrigationDistrictFactory(code="GQ-T", name="试验灌区", town=world["chengqiao"], area_mu=1200)
    water(district, dt.date(YEAR, 7, 1), "inlet", volume="1000", tn_mg_per_l="1", tp_mg_per_l="0.1")
    water(district, dt.date(YEAR, 7, 1), "outlet", volume="1000", tn_mg_per_l="3", tp_mg_per_l="0.2")
    return {
        "visit": visit,
        "application": application,
        "pond": failing,
        "sheep": sheep,
        "manure": manure,
    }


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def assert_english(client, url: str, data: dict | None = None) -> str:
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    html = response.content.decode()
    assert '<html lang="en">' in html
    leaks = chinese_interface_text(html)
    assert not leaks, f"Chinese interface text on {url} in English: {leaks}"
    return html


def dashboard_urls() -> list[str]:
    year = f"?year={YEAR}"
    cells = [
        reverse("web:cell", args=[indicator, scope]) + year
        for indicator, scope in (
            (Indicator.FERTILISER_INTENSITY, CHENGQIAO),  # the chemical-fertiliser note
            (Indicator.SLOW_RELEASE_COVERAGE, DISTRICT_CODE),  # the coverage note
            (Indicator.STRAW_UTILISATION, DISTRICT_CODE),  # judged farm by farm
            (Indicator.TAILWATER_COMPLIANCE, CHENGQIAO),  # the failing pond's reason
            (Indicator.MANURE_FACILITY_MATCHING, CHENGQIAO),  # sheep sized as pigs
            (Indicator.DISTRICT_MONITORING, DISTRICT_CODE),
        )
    ]
    return [
        reverse("web:dashboard") + year,
        reverse("web:dashboard") + f"{year}&town={CHENGQIAO}",
        *cells,
        reverse("web:trend") + f"?indicator={Indicator.STRAW_UTILISATION}&town={CHENGQIAO}",
        reverse("web:districts") + year,
    ]


def test_the_selectors_notes_and_the_worst_water_class_are_in_the_english_catalogue():
    with translation.override("en"):
        for note in (COVERAGE_NOTE, CHEMICAL_NOTE, VIA_PIG_EQUIVALENTS_NOTE, "劣V", "；", "、", "："):
            assert not CJK.search(translation.gettext(note)), note


def test_an_agents_pages_are_english_apart_from_the_data(world, farms, login):
    client = english(login(world["agent_cq"]))
    farm = world["farm_a"]
    for url in (
        reverse("web:farms"),
        reverse("web:farms") + "?missing=1",
        reverse("web:farm", args=[farm.code]) + f"?year={YEAR}",
        reverse("web:farm", args=[farms["sheep"].code]) + f"?year={YEAR}",
        reverse("web:farm", args=[farms["pond"].code]) + f"?year={YEAR}",
        reverse("web:visit", args=[farm.code, farms["visit"].pk]),
        reverse("web:record-edit", args=[farm.code, "fertiliser-applications", farms["application"].pk]),
        reverse("web:record-edit", args=[farms["sheep"].code, "manure-facilities", farms["manure"].pk]),
        *dashboard_urls(),
        reverse("web:batches"),
    ):
        assert_english(client, url)
    html = assert_english(
        client,
        reverse("web:farm", args=[farms["sheep"].code]) + f"?year={YEAR}",
    )
    assert "Seepage-proof, Rain-proof" in html  # the manure facility's line, joined in English


def test_every_record_form_with_a_validation_error_is_english(world, farms, login):
    """Each record form posted empty: the error summary ("Label: message") and the messages next to the
    fields are English."""
    client = english(login(world["agent_cq"]))
    farms_by_type = [world["farm_a"], farms["sheep"], farms["pond"]]
    for slug, spec in RECORD_FORMS.items():
        farm = next(f for f in farms_by_type if spec.offered_for(f))
        url = reverse("web:record-new", args=[farm.code, slug])
        assert_english(client, url)
        html = assert_english(client, url, {})
        assert 'id="form-errors"' in html, f"{url}: no error summary"
        assert re.search(r"</a>: \S", html), f"{url}: the summary's label and message are not joined by ': '"


def test_an_operators_page_is_english_apart_from_the_data(world, farms, login):
    client = english(login(world["operator_a"]))
    for url in (
        reverse("web:farms"),
        reverse("web:farm", args=[world["farm_a"].code]),
        reverse("web:farm", args=[world["farm_a"].code]) + f"?year={YEAR}",
    ):
        assert_english(client, url)


def test_the_committees_pages_are_english_apart_from_the_data(world, farms, login):
    client = english(login(world["committee"]))
    for url in (
        *dashboard_urls(),
        reverse("web:farms"),
        reverse("web:farm", args=[world["farm_a"].code]) + f"?year={YEAR}",
        reverse("web:batches"),
    ):
        assert_english(client, url)
    districts = assert_english(client, reverse("web:districts") + f"?year={YEAR}")
    assert "worse than V" in districts
    with translation.override("en"):
        for indicator, scope, note in (
            (Indicator.FERTILISER_INTENSITY, CHENGQIAO, CHEMICAL_NOTE),
            (Indicator.SLOW_RELEASE_COVERAGE, DISTRICT_CODE, COVERAGE_NOTE),
            (Indicator.MANURE_FACILITY_MATCHING, CHENGQIAO, VIA_PIG_EQUIVALENTS_NOTE),
        ):
            url = reverse("web:cell", args=[indicator, scope]) + f"?year={YEAR}"
            assert translation.gettext(note) in client.get(url).content.decode().replace("&#x27;", "'"), url
    response = client.post(
        reverse("web:batches"), {"scope": "town", "town": CHENGQIAO, "year": str(YEAR), "language": "en"}
    )
    batch = ReportBatch.objects.get()
    assert response["Location"] == reverse("web:batch", args=[batch.pk])
    assert_english(client, reverse("web:batch", args=[batch.pk]))
    assert_english(client, reverse("web:batches"))
