"""`manage.py check` reports a missing CJK font (fontconfig), so nobody discovers it from a PDF of boxes."""

from __future__ import annotations

import subprocess
from unittest import mock

import pytest
from django.core import checks

from reports import checks as report_checks


@pytest.fixture(autouse=True)
def fresh_font_cache():
    report_checks.cjk_font_families.cache_clear()
    yield
    report_checks.cjk_font_families.cache_clear()


def fc_list(stdout: str):
    return mock.patch.object(
        report_checks.subprocess,
        "run",
        return_value=subprocess.CompletedProcess(args=[], returncode=0, stdout=stdout, stderr=""),
    )


def test_this_machine_has_a_cjk_font():
    """The real fontconfig: fonts-noto-cjk is a system dependency (scripts/system-deps.sh)."""
    assert "Noto Sans CJK SC" in report_checks.cjk_font_families()
    assert report_checks.check_cjk_font() == []


def test_no_font_for_chinese_is_an_error_with_a_hint():
    with fc_list(""):
        messages = report_checks.check_cjk_font()
    assert [(m.level, m.id, m.msg) for m in messages] == [
        (checks.ERROR, "reports.E001", report_checks.MSG_NO_CJK_FONT)
    ]
    assert "fonts-noto-cjk" in messages[0].hint


def test_families_are_read_from_fc_list():
    with fc_list("Noto Sans CJK SC,Noto Sans CJK JP\nWenQuanYi Micro Hei\n"):
        assert report_checks.cjk_font_families() == (
            "Noto Sans CJK JP",
            "Noto Sans CJK SC",
            "WenQuanYi Micro Hei",
        )


def test_without_fontconfig_the_check_says_so():
    with mock.patch.object(report_checks.shutil, "which", return_value=None):
        messages = report_checks.check_cjk_font()
    assert [m.id for m in messages] == ["reports.E002"]


def test_the_check_is_registered_with_django():
    with fc_list(""):
        found = checks.run_checks(tags=["reports"])
    assert [m.id for m in found] == ["reports.E001"]
