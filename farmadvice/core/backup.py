"""Backup and restore of everything the service holds: every table (records, their history, reference figures,
users, issued reports' metadata) as Django's portable JSON, and the media files (archived report PDFs).

The JSON form works on SQLite and PostgreSQL alike, so a backup taken on one restores on the other. Restoring
requires a migrated, empty database and happens in one transaction: it loads completely or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import json
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.core import figures
from farmadvice.core.errors import ApplicationError

FORMAT_VERSION = 2  # 2: times to the microsecond (1 cut them to milliseconds); both restore
READABLE_FORMATS = (1, 2)
# Rebuilt by `migrate`, transient, or security counters that must not travel between installations.
EXCLUDED = (
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "django_tasks_db",
    "core.dataversion",  # a cache key, not data: a restore raises it again
)
MSG_NOT_EMPTY = gettext_noop("恢复只能在空数据库上进行：{model} 已有 {count} 条记录。请先新建并迁移数据库。")
MSG_BAD_ARCHIVE = gettext_noop("不是有效的 farmadvice 备份文件：{reason}")


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    objects: int
    media_files: int
    sha256: str


def _data_models() -> list:
    excluded = set(EXCLUDED)
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label not in excluded and m._meta.label_lower not in excluded and m._meta.managed
    ]


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's JSON with times to the microsecond: its default encoder cuts them to milliseconds (fine
    for an API, a silent change for a backup: a record stamped 08.000123 would come back as 08.000)."""

    def default(self, o: object) -> object:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


def _serialise(models: list, stream: io.StringIO | None = None) -> str | None:
    """Rows of `models` as Django's portable JSON (natural foreign keys, full-precision times), in
    dependency order so that loaddata finds what a natural key names, each model's rows in pk order."""
    by_app: dict[Any, list] = {}
    for model in models:
        by_app.setdefault(model._meta.app_config, []).append(model)
    ordered = serializers.sort_dependencies(by_app.items(), allow_cycles=True)
    rows = itertools.chain.from_iterable(m._default_manager.order_by("pk").iterator() for m in ordered)
    return serializers.serialize(
        "json", rows, use_natural_foreign_keys=True, cls=FullPrecisionEncoder, stream=stream
    )


def backup_create(path: Path) -> BackupSummary:
    """Write a .tar.gz with data.json (Django's JSON, natural foreign keys) and media/ (report files)."""
    buffer = io.StringIO()
    _serialise(_data_models(), stream=buffer)
    data = buffer.getvalue().encode()
    objects = len(json.loads(data))
    media_root = Path(settings.MEDIA_ROOT)
    media_files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    manifest = {"format": FORMAT_VERSION, "objects": objects, "media_files": len(media_files)}
    with tarfile.open(path, "w:gz") as tar:
        for name, payload in (("manifest.json", json.dumps(manifest).encode()), ("data.json", data)):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
        for file in media_files:
            tar.add(file, arcname=f"media/{file.relative_to(media_root)}")
    return BackupSummary(path=path, objects=objects, media_files=len(media_files), sha256=_sha256(path))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup_restore(path: Path) -> BackupSummary:
    """Load a backup into an empty, migrated database, and its media files into MEDIA_ROOT."""
    try:
        tar = tarfile.open(path, "r:gz")  # noqa: SIM115 (closed by the `with tar:` below)
    except (tarfile.TarError, OSError) as exc:
        raise ApplicationError(_(MSG_BAD_ARCHIVE).format(reason=exc)) from exc
    with tar:
        names = tar.getnames()
        if "manifest.json" not in names or "data.json" not in names:
            raise ApplicationError(_(MSG_BAD_ARCHIVE).format(reason="manifest.json / data.json missing"))
        manifest = json.load(tar.extractfile("manifest.json"))
        if manifest.get("format") not in READABLE_FORMATS:
            raise ApplicationError(_(MSG_BAD_ARCHIVE).format(reason=f"format {manifest.get('format')}"))
        for model in _data_models():
            # Rows that migrations themselves create (none today) would be compared here too.
            count = model._default_manager.count()
            if count:
                raise ApplicationError(_(MSG_NOT_EMPTY).format(model=model._meta.label, count=count))
        media_root = Path(settings.MEDIA_ROOT).resolve()
        media = []
        for member in tar.getmembers():
            if member.name.startswith("media/") and member.isfile():
                target = (media_root / member.name.removeprefix("media/")).resolve()
                if not target.is_relative_to(media_root):
                    raise ApplicationError(_(MSG_BAD_ARCHIVE).format(reason=f"unsafe path {member.name}"))
                media.append((member, target))
        data = tar.extractfile("data.json").read()
        with tempfile.TemporaryDirectory() as tmp:
            fixture = Path(tmp) / "data.json"
            fixture.write_bytes(data)
            with transaction.atomic():
                call_command("loaddata", str(fixture), verbosity=0)
                figures.data_changed()
        for member, target in media:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())
    return BackupSummary(path=path, objects=manifest["objects"], media_files=len(media), sha256=_sha256(path))


def snapshot() -> dict[str, list]:
    """Every row of every backed-up model, serialised, for comparing two databases."""
    return {
        m._meta.label: sorted(json.dumps(o, sort_keys=True, default=str) for o in json.loads(_serialise([m])))
        for m in _data_models()
    }
