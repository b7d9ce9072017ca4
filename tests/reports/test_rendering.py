"""Real PDFs read back: Chinese text and fonts, English headings, page numbers, missing-data blocks,
the sections fed by the indicators, and the refusals (no CJK font, remote resources)."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.utils import translation

from reports import rendering
from reports.context import manure_section, report_context, tailwater_section
from reports.models import AdvisoryReport
from reports.services import report_issue, report_render_draft
from tests.reports.conftest import YEAR, pdf_flat_text, pdf_font_names, pdf_page_count, pdf_text

pytestmark = pytest.mark.django_db

CJK_FONT = re.compile(r"Noto.?(Sans|Serif).?CJK", re.IGNORECASE)


@pytest.fixture
def chinese_report(records, world):
    report = report_issue(user=world["agent_cq"], farm=records, year=YEAR, language="zh-hans")
    with report.file.open("rb") as f:
        return report, f.read()


class TestChineseReport:
    def test_chinese_text_extracts_as_written(self, chinese_report):
        """The farm's Chinese name, the title and the section titles come back out of the PDF."""
        _report, pdf = chinese_report
        text = pdf_flat_text(pdf)
        for phrase in (
            "甲农场",
            "农业面源污染防治咨询报告",
            "农场概况与报告期",
            "绿色生产指标：目标与全镇对比",
            "养分平衡：施氮量与推荐施氮量",
            "径流氮磷负荷估算",
            "数据来源与说明",
            "报告验证",
        ):
            assert phrase in text

    def test_a_cjk_font_is_embedded(self, chinese_report):
        """The PDF embeds (a subset of) Noto Sans/Serif CJK: the text is not boxes or a fallback font."""
        _report, pdf = chinese_report
        assert any(CJK_FONT.search(name) for name in pdf_font_names(pdf))

    def test_page_count_is_sane_and_every_page_is_numbered(self, chinese_report):
        """2 to 8 pages, each with "第 X 页 / 共 Y 页", and the archive records the same count."""
        report, pdf = chinese_report
        pages = pdf_page_count(pdf)
        assert 2 <= pages <= 8
        assert report.page_count == pages
        flat = pdf_flat_text(pdf)
        for page in range(1, pages + 1):
            assert f"第{page}页/共{pages}页" in flat

    def test_nutrient_balance_against_the_recommended_rate(self, chinese_report):
        """Hand-computed figures of the `records` fixture: wheat 14.5 kg N/mu vs 13 (+1.5), rice 11.8 vs 17
        (−5.2); 1,316.0 kg N on 100 mu = 13.2 kg N/mu; excess 1.52 × 50 = 76.0 kg N."""
        _report, pdf = chinese_report
        text = pdf_flat_text(pdf)
        assert "+1.5" in text and "−5.2" in text
        assert "施氮1,316.0kgN，施氮强度13.2kgN/亩" in text
        assert "超出推荐施氮量合计76.0kgN" in text

    def test_provisional_figures_are_marked(self, chinese_report):
        """Rice's recommended rate is provisional: the report says so and the archive flags it."""
        report, pdf = chinese_report
        assert "标注*的数字依据“暂定”参考值" in pdf_flat_text(pdf)
        assert report.provisional_figures is True

    def test_the_verification_code_is_printed_with_its_url(self, chinese_report):
        report, pdf = chinese_report
        text = pdf_flat_text(pdf)
        code = report.verification_code
        assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in text
        assert f"https://farmadvice.example.cn/verify/{code}/" in text


def test_the_english_report_has_english_headings(records, world):
    """language="en": headings, labels and the page counter in English; the farm's name stays as entered."""
    report = report_issue(user=world["agent_cq"], farm=records, year=YEAR, language="en")
    with report.file.open("rb") as f:
        pdf = f.read()
    text = " ".join(pdf_text(pdf).split())
    for phrase in (
        "Advisory report on agricultural non-point-source pollution",
        "Farm and period",
        "Nutrient balance: N applied against the recommended rate",
        "Data sources and notes",
        "Verifying this report",
        "Page 1 of",
        "Wheat",
    ):
        assert phrase in text
    assert "甲农场" in text
    assert "养分平衡" not in text


def test_a_farm_without_records_renders_and_says_what_is_missing(world):
    """Farm XH-B has no records: the report renders, and each section says what to provide instead."""
    report = report_issue(user=world["agent_xh"], farm=world["farm_b"], year=YEAR, language="zh-hans")
    with report.file.open("rb") as f:
        text = pdf_flat_text(f.read())
    assert "乙农场" in text
    assert "缺少数据：未找到2024年的作物茬口记录。" in text
    assert "如何补充：请农技人员录入本场各茬作物" in text
    assert "缺少数据：2024年的生产记录不足以计算任何指标。" in text
    assert "缺少数据：本年度没有作物茬口记录，无法估算径流负荷。" in text
    assert "本场不涉及水产养殖尾水排放或畜禽养殖" in text


def test_a_draft_has_no_verification_code_and_is_marked_on_every_page(records):
    """report_render_draft: nothing archived, "草稿" in the footer, no code or verification URL."""
    rendered = report_render_draft(farm=records, year=YEAR, language="zh-hans")
    text = pdf_flat_text(rendered.pdf)
    for page in range(1, rendered.page_count + 1):
        assert f"草稿第{page}页/共{rendered.page_count}页" in text  # the footer of every page
    assert "本文件为未存档的草稿" in text
    assert "/verify/" not in text
    assert not AdvisoryReport.objects.exists()


class TestIndicatorSection:
    @pytest.fixture
    def town_peer(self, records, world):
        """A second Chengqiao farm: 10 mu rice, 300 kg of 18-15-12 = 135 kg nutrient = 13.5 kg/mu."""
        from farmadvice.practices.models import CropSeason, FertiliserApplication
        from tests.factories.practices import crop
        from tests.factories.registry import FarmFactory

        peer = FarmFactory(code="CQ-C", name="丙农场", town=world["chengqiao"])
        season = CropSeason.objects.create(
            farm=peer, year=YEAR, season="summer", crop=crop("rice"), area_mu=10
        )
        FertiliserApplication.objects.create(
            season=season, product="复合肥", n_pct=18, p2o5_pct=15, k2o_pct=12, product_kg=300, area_mu=10
        )
        return peer

    @pytest.fixture
    def intensity_target(self):
        """District target for 2022 (still standing in 2024): fertiliser intensity at most 20 kg/mu."""
        import datetime as dt

        from farmadvice.indicators.models import Target

        return Target.objects.create(
            indicator="fertiliser_intensity_kg_per_mu",
            scope="district",
            year=2022,
            value=20,
            direction="at_most",
            source="test target",
            status="provisional",
            valid_from=dt.date(2020, 1, 1),
        )

    def test_farm_value_against_target_and_town_median(self, records, town_peer, intensity_target):
        """Farm CQ-A: (4500 kg × 45 % + 1100 kg × 46 %) / 100 mu = (2025 + 506) / 100 = 25.31 kg/mu, above
        the 20 kg/mu target (missed); town median of 25.31 and 13.5 = 19.405."""
        context = report_context(farm=records, year=YEAR, language="zh-hans")
        row = next(r for r in context.indicators.rows if r.key == "fertiliser_intensity_kg_per_mu")
        assert row.farm_value == pytest.approx(25.31)
        assert row.town_median == pytest.approx(19.405)
        assert (row.target_value, row.direction, row.met) == (20.0, "at_most", False)
        assert "indicators" in context.charts

    def test_the_pdf_carries_the_indicator_table_and_chart(self, records, town_peer, intensity_target, world):
        report = report_issue(user=world["agent_cq"], farm=records, year=YEAR, language="zh-hans")
        with report.file.open("rb") as f:
            text = pdf_flat_text(f.read())
        assert "化肥施用强度（kg/亩）kg/亩25.3≤20.019.4未达标" in text
        assert "城桥镇中位数" in text
        assert "本场（绿：达标，红：未达标）" in text  # the chart's legend, set as text


class TestChecks:
    @pytest.fixture
    def reference(self):
        from django.core.management import call_command

        call_command("load_reference", verbosity=0)

    def test_tailwater_samples_are_judged_against_the_farms_class(self, reference, world):
        """Class 2 (SC/T 9101: TN ≤ 5.0 mg/L): a sample with TN 6.2 fails, so the year fails; a sample
        without TP is "not measured", never a pass."""
        import datetime as dt

        from farmadvice.practices.models import TailwaterSample
        from tests.factories.registry import FarmFactory

        farm = FarmFactory(code="CQ-FISH", name="蟹塘合作社", farm_type="aquaculture", tailwater_class="2")
        TailwaterSample.objects.create(
            farm=farm,
            date=dt.date(YEAR, 6, 1),
            ph=7.5,
            ss_mg_per_l=40,
            codmn_mg_per_l=12,
            tn_mg_per_l=6.2,
            tp_mg_per_l=0.4,
        )
        TailwaterSample.objects.create(
            farm=farm, date=dt.date(YEAR, 9, 1), ph=7.2, ss_mg_per_l=30, codmn_mg_per_l=10, tn_mg_per_l=2.0
        )
        with translation.override("zh-hans"):
            section = tailwater_section(farm, YEAR)
        assert section.applies and section.farm_complies is False
        first, second = section.samples
        assert first.complies is False and first.exceedances == ("总氮 TN 6.2 mg/L > 5 mg/L",)
        assert second.complies is None and second.not_measured == ("总磷 TP",)

    def test_manure_facility_failures_say_by_how_much(self, reference, world):
        """In 2025 (the national thresholds apply from 2025-09-01, so to the whole year): 600 pigs a year
        (≥ 500: large-scale), 300 in stock, dry collection: liquid storage needs
        1.8 m3 / 100 pigs / day × 300 × 90 days = 486 m3; 400 m3 is short by 86 m3. Solid 300 × 0.002 × 90
        = 54 m3 (has 60) and land 300 / 1.4 = 214.3 mu (has 250) pass."""
        from farmadvice.practices.models import LivestockHerd, ManureFacility
        from tests.factories.registry import FarmFactory

        farm = FarmFactory(code="CQ-PIG", name="生猪养殖场", farm_type="livestock")
        LivestockHerd.objects.create(
            farm=farm,
            year=2025,
            species="pig",
            stock_heads=300,
            annual_output_heads=600,
            collection_method="dry",
        )
        ManureFacility.objects.create(
            farm=farm,
            year=2025,
            liquid_storage_m3=400,
            solid_storage_m3=60,
            seepage_proof=True,
            rain_proof=True,
            overflow_proof=True,
            treatment="compost",
            treatment_in_operation=True,
            land_for_application_mu=250,
        )
        with translation.override("zh-hans"):
            section = manure_section(farm, 2025)
        assert (section.applies, section.large_scale, section.matched) == (True, True, False)
        assert section.failures == ("液体贮存容积缺 86.0 m3（需 486，现有 400）",)
        with translation.override("en"):
            english = manure_section(farm, 2025)
        assert english.failures == ("Liquid storage short by 86.0 m3 (needs 486, has 400)",)


class TestRefusals:
    def test_rendering_refuses_without_a_cjk_font_and_archives_nothing(self, records, world):
        """No font with Chinese glyphs: an error that says what to install, never a PDF of empty boxes."""
        with (
            mock.patch.object(rendering, "cjk_font_families", return_value=()),
            pytest.raises(rendering.ReportRenderingError) as refused,
        ):
            report_issue(user=world["agent_cq"], farm=records, year=YEAR, language="zh-hans")
        assert refused.value.message == rendering.MSG_NO_CJK_FONT
        assert not AdvisoryReport.objects.exists()

    @pytest.mark.parametrize(
        "url",
        [
            "https://example.com/tracker.png",
            "file:///etc/passwd",
            f"{rendering.BASE_URL}static/../../etc/passwd",
            f"{rendering.BASE_URL}media/secret.pdf",
        ],
    )
    def test_templates_may_load_only_local_static_files(self, url):
        """A remote, file: or out-of-static URL stops the rendering instead of being fetched."""
        html = f'<html><body><img src="{url}"><p>崇明</p></body></html>'
        with pytest.raises(rendering.ReportRenderingError, match=r"不允许的资源|disallowed"):
            rendering.render_pdf(html)

    def test_the_print_stylesheet_is_read_from_the_static_folder(self):
        fetched = rendering.LocalStaticFetcher().fetch(f"{rendering.BASE_URL}static/reports/print.css")
        assert b"@page" in fetched.read()


def test_page_counter_css_follows_the_language():
    with translation.override("zh-hans"):
        assert rendering.page_counter_css() == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'
    with translation.override("en"):
        assert rendering.page_counter_css() == '"Page " counter(page) " of " counter(pages)'


def test_css_strings_cannot_break_out_of_the_style_element():
    assert rendering.css_string('a"b\\c</style>') == '"a\\"b\\\\c\\3C /style>"'
