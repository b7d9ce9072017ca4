"""Reports through /api/v1/: issue, list, download, verify, share links and batches, with the refusals."""

from __future__ import annotations

import hashlib
import re
import time
from unittest import mock

import pytest
from django.core import signing
from ninja.testing.client import NinjaResponse

from reports.models import AdvisoryReport
from reports.services import report_issue
from tests.reports.conftest import YEAR, pdf_flat_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world):
    return report_issue(user=world["agent_cq"], farm=world["farm_a"], year=YEAR, language="zh-hans")


def file_bytes(report: AdvisoryReport) -> bytes:
    with report.file.open("rb") as f:
        return f.read()


def streamed(response) -> bytes:
    """The body of a file response, from ninja's TestClient (already joined) or Django's client."""
    if isinstance(response, NinjaResponse):
        return response.content
    return b"".join(response.streaming_content)


class TestIssue:
    def test_an_agent_issues_a_report_of_their_town(self, world, api_client):
        response = api_client(world["agent_cq"]).post(
            "/farms/CQ-A/reports", json={"year": YEAR, "language": "en"}
        )
        assert response.status_code == 201
        body = response.json()
        assert (body["farm"], body["year"], body["language"], body["version"]) == ("CQ-A", YEAR, "en", 1)
        assert body["issued_by"] == "agent_cq"
        assert body["download_url"] == f"/api/v1/reports/{body['id']}/download"
        assert (
            body["verification_url"] == f"https://farmadvice.example.cn/verify/{body['verification_code']}/"
        )

    def test_an_agent_of_another_town_gets_403(self, world, api_client):
        response = api_client(world["agent_xh"]).post("/farms/CQ-A/reports", json={"year": YEAR})
        assert response.status_code == 403
        assert not AdvisoryReport.objects.exists()

    def test_an_operator_gets_403_for_their_farm_and_404_for_another(self, world, api_client):
        client = api_client(world["operator_a"])
        assert client.post("/farms/CQ-A/reports", json={"year": YEAR}).status_code == 403
        assert client.post("/farms/XH-B/reports", json={"year": YEAR}).status_code == 404

    def test_a_bad_language_is_422_on_its_field(self, world, api_client):
        response = api_client(world["agent_cq"]).post(
            "/farms/CQ-A/reports", json={"year": YEAR, "language": "fr"}
        )
        assert response.status_code == 422


class TestListAndDownload:
    def test_an_operator_lists_and_downloads_their_farms_reports(self, world, api_client, report):
        client = api_client(world["operator_a"])
        listed = client.get("/farms/CQ-A/reports")
        assert listed.status_code == 200
        assert [r["id"] for r in listed.json()] == [report.pk]
        response = client.get(f"/reports/{report.pk}/download")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert f'filename="CQ-A-{YEAR}-zh-hans-v1.pdf"' in response["Content-Disposition"]
        assert hashlib.sha256(streamed(response)).hexdigest() == report.sha256

    def test_an_operator_cannot_download_another_farms_report(self, world, api_client, report):
        """operator_b does not operate CQ-A: 404 for the list, the detail and the file, as if none existed."""
        client = api_client(world["operator_b"])
        assert client.get("/farms/CQ-A/reports").status_code == 404
        assert client.get(f"/reports/{report.pk}").status_code == 404
        response = client.get(f"/reports/{report.pk}/download")
        assert response.status_code == 404
        assert response.json()["detail"] == f"报告不存在：{report.pk}"

    @pytest.mark.parametrize("who", ["agent_xh", "committee", "admin"])
    def test_agents_of_any_town_the_committee_and_admins_download(self, world, api_client, report, who):
        response = api_client(world[who]).get(f"/reports/{report.pk}/download")
        assert response.status_code == 200

    def test_anonymous_downloads_are_refused(self, world, api_client, report):
        assert api_client(None).get(f"/reports/{report.pk}/download").status_code == 401


class TestVerify:
    def test_the_code_in_the_pdf_resolves_to_the_same_sha256(self, world, api_client, report):
        """Read the code off the PDF as a person would, ask the public API, compare with the file's hash."""
        pdf = file_bytes(report)
        printed = re.search(r"验证码：([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})", pdf_flat_text(pdf)).group(1)
        response = api_client(None).get(f"/reports/verify/{printed}")
        assert response.status_code == 200
        body = response.json()
        assert body["sha256"] == hashlib.sha256(pdf).hexdigest()
        assert (body["farm_code"], body["farm_name"], body["year"], body["version"]) == (
            "CQ-A",
            "甲农场",
            YEAR,
            1,
        )
        assert body["language"] == "zh-hans"

    def test_codes_are_read_case_insensitively(self, world, api_client, report):
        response = api_client(None).get(f"/reports/verify/{report.verification_code.lower()}")
        assert response.status_code == 200

    def test_an_unknown_code_is_404(self, world, api_client, report):
        response = api_client(None).get("/reports/verify/AAAAAAAAAAAA")
        assert response.status_code == 404
        assert "AAAAAAAAAAAA" in response.json()["detail"]


class TestShareLink:
    def share(self, api_client, user, report, days=3):
        return api_client(user).post(f"/reports/{report.pk}/share-link", json={"days": days})

    def test_a_link_serves_the_file_without_login_until_it_expires(self, world, api_client, report, client):
        """Valid for 3 days: served at 3 days less a second, gone (410) at 3 days and a second."""
        issued = time.time()
        with mock.patch.object(signing.time, "time", return_value=issued):
            response = self.share(api_client, world["operator_a"], report)
        assert response.status_code == 200
        path = response.json()["url"].removeprefix("https://farmadvice.example.cn")
        with mock.patch.object(signing.time, "time", return_value=issued + 3 * 86400 - 1):
            served = client.get(path)
        assert served.status_code == 200
        assert hashlib.sha256(streamed(served)).hexdigest() == report.sha256
        with mock.patch.object(signing.time, "time", return_value=issued + 3 * 86400 + 1):
            expired = client.get(path)
        assert expired.status_code == 410
        assert "分享链接已过期" in expired.content.decode()

    def test_a_tampered_link_is_404(self, world, api_client, report, client):
        url = self.share(api_client, world["agent_cq"], report).json()["url"]
        token = url.rstrip("/").rsplit("/", 1)[1]
        forged = signing.TimestampSigner(salt="reports.share-link").sign_object({"r": report.pk, "d": 365})
        assert client.get(f"/r/{token[:-2]}xx/").status_code == 404
        assert client.get(f"/r/{forged[:-5]}{token[-5:]}/").status_code == 404

    def test_a_link_cannot_outlive_30_days(self, world, api_client, report):
        assert self.share(api_client, world["agent_cq"], report, days=31).status_code == 422

    def test_only_readers_of_the_report_may_share_it(self, world, api_client, report):
        assert self.share(api_client, world["operator_b"], report).status_code == 404


class TestBatches:
    def test_an_agent_starts_a_batch_for_their_town_and_reads_its_progress(self, world, api_client):
        client = api_client(world["agent_cq"])
        response = client.post("/reports/batches", json={"scope": "town", "town": "310151100", "year": YEAR})
        assert response.status_code == 201
        body = response.json()
        assert (body["total"], body["pending"], body["done"], body["failed"]) == (1, 1, 0, 0)
        assert body["status"] == "queued" and body["town"] == "310151100"
        progress = client.get(f"/reports/batches/{body['id']}")
        assert progress.status_code == 200 and progress.json()["total"] == 1

    def test_an_agent_may_not_batch_the_district_or_another_town(self, world, api_client):
        client = api_client(world["agent_cq"])
        assert client.post("/reports/batches", json={"scope": "district", "year": YEAR}).status_code == 403
        assert (
            client.post(
                "/reports/batches", json={"scope": "town", "town": "新河镇", "year": YEAR}
            ).status_code
            == 403
        )

    def test_the_committee_batches_the_district(self, world, api_client):
        response = api_client(world["committee"]).post(
            "/reports/batches", json={"scope": "district", "year": YEAR}
        )
        assert response.status_code == 201 and response.json()["total"] == 2

    def test_a_batch_of_another_town_is_not_visible_to_its_agents(self, world, api_client):
        created = api_client(world["agent_cq"]).post(
            "/reports/batches", json={"scope": "town", "town": "城桥镇", "year": YEAR}
        )
        batch_id = created.json()["id"]
        assert api_client(world["agent_xh"]).get(f"/reports/batches/{batch_id}").status_code == 404
        assert api_client(world["operator_a"]).get(f"/reports/batches/{batch_id}").status_code == 404
        assert api_client(world["committee"]).get(f"/reports/batches/{batch_id}").status_code == 200

    def test_a_town_batch_without_a_town_is_422(self, world, api_client):
        response = api_client(world["admin"]).post("/reports/batches", json={"scope": "town", "year": YEAR})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "payload", "town"]
