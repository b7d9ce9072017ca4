"""The public verification page: the archive record of a code, and comparing an uploaded copy."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.services import report_issue
from tests.reports.conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world):
    return report_issue(user=world["agent_cq"], farm=world["farm_a"], year=YEAR, language="zh-hans")


def test_the_page_shows_the_archive_record(client, report):
    response = client.get(f"/verify/{report.verification_code}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("甲农场", "CQ-A", str(YEAR), "v1", report.sha256, "验证码有效"):
        assert shown in page


def test_an_uploaded_copy_is_compared_with_the_archived_file(client, report):
    """The very file matches; one changed byte does not."""
    with report.file.open("rb") as f:
        original = f.read()
    url = f"/verify/{report.verification_code}/"
    same = client.post(url, {"file": SimpleUploadedFile("r.pdf", original)}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "上传的文件与存档原件完全一致" in same.content.decode()
    altered = original[:-10] + bytes([original[-10] ^ 0x01]) + original[-9:]  # one byte really changed
    other = client.post(url, {"file": SimpleUploadedFile("r.pdf", altered)}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "上传的文件与存档原件不一致" in other.content.decode()


def test_an_unknown_code_is_404_with_a_form_to_try_again(client, report):
    response = client.get("/verify/AAAABBBBCCCC/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "没有验证码为 AAAABBBBCCCC 的报告" in response.content.decode()


def test_the_lookup_form_goes_to_the_codes_page(client, report):
    code = report.verification_code
    response = client.get("/verify/", {"code": f"{code[:4].lower()}-{code[4:8]} {code[8:]}"})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{code}/"


def test_the_page_speaks_english_to_an_english_browser(client, report):
    response = client.get(f"/verify/{report.verification_code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "The code is valid: this is the archived report." in response.content.decode()
