"""Reports on the pages: an agent issues one for a farm of their town, whoever may see the farm downloads
it, nobody else; batches are started from a form and their progress is polled until done."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import AdvisoryReport, ItemStatus, ReportBatch, ReportBatchItem
from reports.services import MSG_MAY_NOT_ISSUE

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world, rice, login):
    """CQ-A's 2025 report in Chinese, issued by its town's agent through the page."""
    response = login(world["agent_cq"]).post(
        reverse("web:report-issue", args=["CQ-A"]), {"year": "2025", "language": "zh-hans"}
    )
    assert response.status_code == 302
    return AdvisoryReport.objects.get()


def test_an_agent_issues_a_report_and_finds_it_on_the_farm_page(world, issued, login):
    """Issuing again makes version 2 beside version 1; the page says so and lists both."""
    assert (issued.farm, issued.year, issued.language, issued.version) == (
        world["farm_a"],
        2025,
        "zh-hans",
        1,
    )
    assert issued.issued_by == world["agent_cq"]
    response = login(world["agent_cq"]).post(
        reverse("web:report-issue", args=["CQ-A"]), {"year": "2025", "language": "zh-hans"}, follow=True
    )
    html = response.content.decode()
    assert "已签发 2025 年报告（简体中文，第 2 版）" in html
    for report in AdvisoryReport.objects.all():
        assert reverse("web:report-download", args=["CQ-A", report.pk]) in html


def test_the_operator_downloads_their_report(world, issued, login):
    response = login(world["operator_a"]).get(reverse("web:report-download", args=["CQ-A", issued.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{issued.download_name}"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == issued.sha256


def test_the_operator_page_offers_the_latest_report_per_language(world, issued, login):
    html = login(world["operator_a"]).get(reverse("web:farm", args=["CQ-A"])).content.decode()
    assert reverse("web:report-download", args=["CQ-A", issued.pk]) in html
    assert "尚未签发" in html  # no English report yet


def test_another_operator_cannot_download_it_even_under_their_own_farm(world, issued, login):
    client = login(world["operator_b"])
    assert client.get(reverse("web:report-download", args=["CQ-A", issued.pk])).status_code == 404
    assert client.get(reverse("web:report-download", args=["XH-B", issued.pk])).status_code == 404


def test_an_agent_of_another_town_may_not_issue(world, rice, login):
    response = login(world["agent_xh"]).post(
        reverse("web:report-issue", args=["CQ-A"]), {"year": "2025", "language": "en"}
    )
    assert response.status_code == 403
    assert MSG_MAY_NOT_ISSUE in response.content.decode()
    assert not AdvisoryReport.objects.exists()


def test_a_batch_is_started_and_its_progress_polled_until_done(world, login):
    client = login(world["committee"])
    response = client.post(
        reverse("web:batches"),
        {"scope": "town", "town": world["chengqiao"].code, "year": "2025", "language": "zh-hans"},
    )
    batch = ReportBatch.objects.get()
    assert response["Location"] == reverse("web:batch", args=[batch.pk])
    progress = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in progress
    assert "已签发 0 / 1" in progress
    ReportBatchItem.objects.filter(batch=batch).update(
        status=ItemStatus.FAILED, error="测试", finished_at=timezone.now()
    )
    finished = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in finished
    assert "已完成" in finished and "CQ-A" in finished


def test_an_agent_batches_only_their_own_towns(world, login):
    """Neither another town nor the whole district is offered to agent_cq; posting them is refused."""
    client = login(world["agent_cq"])
    form = client.get(reverse("web:batches")).content.decode()
    assert world["xinhe"].code not in form and 'value="district"' not in form
    for data in ({"scope": "town", "town": world["xinhe"].code}, {"scope": "district"}):
        response = client.post(reverse("web:batches"), {**data, "year": "2025", "language": "en"})
        assert response.status_code == 200
        assert 'class="errorlist"' in response.content.decode()
    assert not ReportBatch.objects.exists()


def test_a_batch_of_a_town_without_farms_shows_the_services_reason(world, login):
    from tests.factories.registry import town

    empty = town("Baozhen")
    response = login(world["committee"]).post(
        reverse("web:batches"), {"scope": "town", "town": empty.code, "year": "2025", "language": "en"}
    )
    assert "该范围内没有在营农场，无需签发。" in response.content.decode()
    assert not ReportBatch.objects.exists()
