"""`manage.py advisory_report` and `manage.py issue_reports`."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reports.models import AdvisoryReport, ReportBatch
from tests.reports.conftest import YEAR, pdf_flat_text

pytestmark = pytest.mark.django_db


def test_advisory_report_archives_and_writes_the_same_file(world, tmp_path):
    out = tmp_path / "report.pdf"
    call_command(
        "advisory_report",
        "CQ-A",
        "--year",
        str(YEAR),
        "--lang",
        "en",
        "-o",
        str(out),
        "--user",
        "agent_cq",
        stdout=StringIO(),
    )
    report = AdvisoryReport.objects.get()
    assert (report.language, report.version, report.issued_by.username) == ("en", 1, "agent_cq")
    assert hashlib.sha256(out.read_bytes()).hexdigest() == report.sha256


def test_no_archive_writes_a_draft_and_stores_nothing(world, tmp_path):
    out = tmp_path / "draft.pdf"
    call_command(
        "advisory_report", "CQ-A", "--year", str(YEAR), "-o", str(out), "--no-archive", stdout=StringIO()
    )
    assert "草稿" in pdf_flat_text(out.read_bytes())
    assert not AdvisoryReport.objects.exists()


def test_archiving_needs_a_user_and_the_access_rules_apply(world, tmp_path):
    out = tmp_path / "r.pdf"
    with pytest.raises(CommandError, match="--user"):
        call_command("advisory_report", "CQ-A", "--year", str(YEAR), "-o", str(out))
    with pytest.raises(CommandError, match="无权签发"):
        call_command("advisory_report", "CQ-A", "--year", str(YEAR), "-o", str(out), "--user", "agent_xh")
    with pytest.raises(CommandError, match="No farm"):
        call_command("advisory_report", "NOPE", "-o", str(out), "--no-archive")
    assert not out.exists()


def test_issue_reports_creates_a_batch_for_a_town(world):
    stdout = StringIO()
    call_command(
        "issue_reports",
        "--town",
        "城桥镇",
        "--year",
        str(YEAR),
        "--lang",
        "zh-hans",
        "--user",
        "agent_cq",
        stdout=stdout,
    )
    batch = ReportBatch.objects.get()
    assert (batch.scope, batch.town.code, batch.total) == ("town", "310151100", 1)
    assert f"Batch {batch.pk}: 1 farms enqueued" in stdout.getvalue()


def test_issue_reports_for_the_district_needs_the_committee(world):
    with pytest.raises(CommandError, match="全区"):
        call_command("issue_reports", "--all", "--year", str(YEAR), "--user", "agent_cq", stdout=StringIO())
    call_command("issue_reports", "--all", "--year", str(YEAR), "--user", "committee", stdout=StringIO())
    assert ReportBatch.objects.get().total == 2
