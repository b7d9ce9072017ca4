"""A backup restores every record, its history and the archived files, exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from farmadvice.core.backup import MSG_NOT_EMPTY, backup_create, backup_restore, snapshot
from farmadvice.core.errors import ApplicationError
from farmadvice.core.services import validate_and_save
from farmadvice.practices.models import CropSeason, FertiliserApplication
from farmadvice.reference.models import Crop


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = settings.MEDIA_ROOT / "reports" / "CQ-A" / "2025-zh-hans-v1.pdf"
    report.parent.mkdir(parents=True)
    report.write_bytes(b"%PDF-1.7 fake report bytes")
    return report


@pytest.mark.django_db(transaction=True)
def test_round_trip_compares_every_record(world, media, tmp_path):
    call_command("load_reference", verbosity=0)
    season = validate_and_save(
        CropSeason(
            farm=world["farm_a"], year=2025, season="summer", crop=Crop.objects.get(code="rice"), area_mu=50
        ),
        user=world["agent_cq"],
    )
    application = validate_and_save(
        FertiliserApplication(
            season=season,
            product="尿素",
            n_pct=46,
            product_kg=Decimal("300"),
            area_mu=50,
            date=dt.date(2025, 6, 20),
        ),
        user=world["agent_cq"],
    )
    application.product_kg = Decimal("280")
    validate_and_save(application, user=world["agent_cq"])  # a second history row
    # A time whose milliseconds are 000: Django's JSON for APIs would write it as 08.000 and read it back
    # as 08, a different time; the backup keeps every microsecond.
    stamp = dt.datetime(2025, 6, 20, 8, 0, 8, 123, tzinfo=dt.UTC)
    FertiliserApplication.objects.filter(pk=application.pk).update(created_at=stamp)
    before = snapshot()
    assert before["practices.HistoricalFertiliserApplication"], "history must be part of the backup"

    archive = tmp_path / "backup.tar.gz"
    summary = backup_create(archive)
    assert summary.objects == sum(len(rows) for rows in before.values())
    assert summary.media_files == 1

    call_command("flush", interactive=False, verbosity=0)
    media.unlink()
    assert not FertiliserApplication.objects.exists()

    backup_restore(archive)
    assert FertiliserApplication.objects.get().created_at == stamp
    after = snapshot()
    differing = {
        label: next(
            (pair for pair in zip(rows, after.get(label, []), strict=False) if pair[0] != pair[1]),
            (len(rows), len(after.get(label, []))),
        )
        for label, rows in before.items()
        if after.get(label) != rows
    }
    assert not differing, differing  # per model: the first row that differs, or the row counts
    assert after == before
    assert media.read_bytes() == b"%PDF-1.7 fake report bytes"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(world, tmp_path, media):
    archive = tmp_path / "backup.tar.gz"
    backup_create(archive)
    with pytest.raises(ApplicationError) as caught:
        backup_restore(archive)
    assert caught.value.message.startswith(MSG_NOT_EMPTY.split("：")[0])


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "not-a-backup.tar.gz"
    bogus.write_bytes(b"hello")
    with pytest.raises(CommandError, match="不是有效的 farmadvice 备份文件"):
        call_command("restore_data", str(bogus))


@pytest.mark.django_db
def test_a_path_escaping_media_root_is_refused_before_anything_is_written(settings, tmp_path):
    import io
    import json
    import tarfile

    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, payload in (
            ("manifest.json", json.dumps({"format": 1, "objects": 0, "media_files": 1}).encode()),
            ("data.json", b"[]"),
            ("media/../../escaped.txt", b"x"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    with pytest.raises(ApplicationError, match="unsafe path"):
        backup_restore(archive)
    assert not (tmp_path / "escaped.txt").exists()
