"""Issuing reports: who may, versions, the archived file and its SHA-256, immutability."""

from __future__ import annotations

import hashlib

import pytest

from farmadvice.core.errors import NotFound, PermissionDenied, ValidationFailed
from reports.models import AdvisoryReport, ReportBatch, ReportBatchItem
from reports.services import (
    MSG_BAD_LANGUAGE,
    MSG_MAY_NOT_BATCH_DISTRICT,
    MSG_MAY_NOT_BATCH_TOWN,
    MSG_MAY_NOT_ISSUE,
    MSG_TOWN_REQUIRED,
    report_batch_create,
    report_issue,
)
from tests.reports.conftest import YEAR

pytestmark = pytest.mark.django_db


def issue(world, who="agent_cq", farm="farm_a", language="zh-hans"):
    return report_issue(user=world[who], farm=world[farm], year=YEAR, language=language)


class TestWhoMayIssue:
    @pytest.mark.parametrize("who", ["agent_cq", "committee", "admin"])
    def test_agents_of_the_town_the_committee_and_admins_issue(self, world, who):
        report = issue(world, who)
        assert report.issued_by == world[who]

    def test_an_agent_of_another_town_is_refused_with_403(self, world):
        with pytest.raises(PermissionDenied) as refused:
            issue(world, "agent_xh")
        assert refused.value.message == MSG_MAY_NOT_ISSUE

    def test_an_operator_may_not_issue_even_for_their_own_farm(self, world):
        with pytest.raises(PermissionDenied):
            issue(world, "operator_a")

    def test_an_operator_asking_for_another_farm_is_told_it_does_not_exist(self, world):
        with pytest.raises(NotFound):
            issue(world, "operator_b")

    def test_a_refused_issue_writes_nothing(self, world, media_root):
        with pytest.raises(PermissionDenied):
            issue(world, "agent_xh")
        assert not AdvisoryReport.objects.exists()
        assert not media_root.exists() or not any(media_root.rglob("*.pdf"))

    def test_an_unknown_language_is_refused_with_its_field(self, world):
        with pytest.raises(ValidationFailed) as refused:
            issue(world, language="fr")
        assert refused.value.errors == {"language": [MSG_BAD_LANGUAGE]}


class TestArchive:
    def test_the_file_is_stored_with_its_sha256(self, world):
        report = issue(world)
        with report.file.open("rb") as f:
            pdf = f.read()
        assert pdf.startswith(b"%PDF-")
        assert report.sha256 == hashlib.sha256(pdf).hexdigest()
        assert report.size_bytes == len(pdf)
        assert report.file.name.startswith(f"reports/CQ-A/{YEAR}/CQ-A-{YEAR}-zh-hans-v1-")

    def test_issuing_again_makes_a_new_version_and_keeps_the_old_file(self, world):
        """v1 stays as it was (same bytes, same hash); v2 is another file with another code."""
        first = issue(world)
        with first.file.open("rb") as f:
            first_bytes = f.read()
        second = issue(world)
        first.refresh_from_db()
        assert (first.version, second.version) == (1, 2)
        assert second.file.name != first.file.name
        assert second.verification_code != first.verification_code
        with first.file.open("rb") as f:
            assert f.read() == first_bytes
        assert hashlib.sha256(first_bytes).hexdigest() == first.sha256

    def test_versions_count_per_language(self, world):
        issue(world)
        english = issue(world, language="en")
        assert english.version == 1

    def test_verification_codes_are_12_characters_of_base32(self, world):
        codes = {issue(world).verification_code for _ in range(3)}
        assert len(codes) == 3
        assert all(len(code) == 12 and set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for code in codes)

    def test_a_version_taken_meanwhile_is_rendered_again_with_the_next(self, world, monkeypatch, media_root):
        """Two workers issuing the same farm at once: the loser re-renders as v2, no file is left over."""
        from reports import services

        real_next = services._next_version
        calls = []

        def stale_next_version(**kwargs):
            calls.append(1)
            if len(calls) == 1:
                stale = real_next(**kwargs)
                # Another worker archives v1 between our version lookup and our insert.
                monkeypatch.setattr(services, "_next_version", real_next)
                report_issue(user=world["agent_cq"], farm=world["farm_a"], year=YEAR, language="zh-hans")
                return stale
            return real_next(**kwargs)

        monkeypatch.setattr(services, "_next_version", stale_next_version)
        report = issue(world)
        assert report.version == 2
        assert sorted(AdvisoryReport.objects.values_list("version", flat=True)) == [1, 2]
        stored = {r.file.name for r in AdvisoryReport.objects.all()}
        on_disk = {path.relative_to(media_root).as_posix() for path in media_root.rglob("*.pdf")}
        assert on_disk == stored


class TestBatchCreate:
    def test_an_agent_batches_their_town(self, world):
        batch = report_batch_create(
            user=world["agent_cq"], scope="town", town="城桥镇", year=YEAR, language="zh-hans"
        )
        assert batch.total == 1
        assert list(ReportBatchItem.objects.filter(batch=batch).values_list("farm__code", "status")) == [
            ("CQ-A", "pending")
        ]

    def test_an_agent_may_not_batch_another_town(self, world):
        with pytest.raises(PermissionDenied) as refused:
            report_batch_create(user=world["agent_cq"], scope="town", town="Xinhe", year=YEAR, language="en")
        assert refused.value.message == MSG_MAY_NOT_BATCH_TOWN

    def test_only_the_committee_and_admins_batch_the_district(self, world):
        with pytest.raises(PermissionDenied) as refused:
            report_batch_create(user=world["agent_cq"], scope="district", town=None, year=YEAR, language="en")
        assert refused.value.message == MSG_MAY_NOT_BATCH_DISTRICT
        batch = report_batch_create(
            user=world["committee"], scope="district", town=None, year=YEAR, language="en"
        )
        assert batch.total == 2

    def test_operators_may_not_batch(self, world):
        with pytest.raises(PermissionDenied):
            report_batch_create(
                user=world["operator_a"], scope="town", town="城桥镇", year=YEAR, language="en"
            )
        assert not ReportBatch.objects.exists()

    def test_a_town_batch_needs_its_town(self, world):
        with pytest.raises(ValidationFailed) as refused:
            report_batch_create(user=world["admin"], scope="town", town=None, year=YEAR, language="en")
        assert refused.value.errors == {"town": [MSG_TOWN_REQUIRED]}
