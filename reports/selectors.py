"""Reads of issued reports and batches, always through the access rules (operators: own farms only)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.accounts.models import Role
from farmadvice.core.errors import ApplicationError, NotFound
from farmadvice.registry.selectors import farm_get
from reports.models import AdvisoryReport, ItemStatus, ReportBatch, ReportBatchItem
from reports.services import MSG_REPORT_NOT_FOUND, SHARE_LINK_SALT

MSG_CODE_NOT_FOUND = gettext_noop("没有验证码为 {code} 的报告：请核对验证码（12 位字母和数字）。")
MSG_BATCH_NOT_FOUND = gettext_noop("批次不存在：{id}")
MSG_LINK_INVALID = gettext_noop("分享链接无效。")
MSG_LINK_EXPIRED = gettext_noop("分享链接已过期：请向农技人员索取新的链接。")


class LinkExpired(ApplicationError):
    """A share link whose lifetime has passed: it existed, and is gone (HTTP 410)."""

    status_code = 410


def report_list(*, user: Any, farm_code: str) -> QuerySet[AdvisoryReport]:
    """The reports of a farm the user may see, newest first; a farm they may not see is NotFound."""
    farm = farm_get(user=user, code=farm_code)
    return (
        AdvisoryReport.objects.filter(farm=farm)
        .select_related("farm", "issued_by")
        .order_by("-year", "language", "-version")
    )


def report_get(*, user: Any, report_id: int) -> AdvisoryReport:
    report = (
        AdvisoryReport.objects.filter(pk=report_id, farm__in=access.farms_visible_to(user))
        .select_related("farm", "issued_by")
        .first()
    )
    if report is None:
        raise NotFound(_(MSG_REPORT_NOT_FOUND).format(id=report_id))
    return report


def normalise_code(code: str) -> str:
    """What a person types or reads out (lower case, dashes, spaces) to the stored code."""
    return re.sub(r"[\s-]", "", code).upper()


def report_verify(*, code: str) -> AdvisoryReport:
    """The archived report a verification code belongs to. Public: anyone holding a copy may check it."""
    report = (
        AdvisoryReport.objects.filter(verification_code=normalise_code(code))
        .select_related("farm__town", "issued_by")
        .first()
    )
    if report is None:
        raise NotFound(_(MSG_CODE_NOT_FOUND).format(code=code))
    return report


def shared_report_get(*, token: str) -> AdvisoryReport:
    """The report behind a share link: NotFound when tampered with, LinkExpired after its lifetime."""
    signer = signing.TimestampSigner(salt=SHARE_LINK_SALT)
    try:
        payload = signer.unsign_object(token)
        signer.unsign_object(token, max_age=int(payload["d"]) * 86400)
    except signing.SignatureExpired as exc:
        raise LinkExpired(_(MSG_LINK_EXPIRED)) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise NotFound(_(MSG_LINK_INVALID)) from exc
    report = AdvisoryReport.objects.filter(pk=payload["r"]).select_related("farm").first()
    if report is None:
        raise NotFound(_(MSG_LINK_INVALID))
    return report


def batches_visible_to(user: Any) -> QuerySet[ReportBatch]:
    """Committee and admins see every batch; agents theirs and those of their towns; operators none."""
    role = access.role_of(user)
    if role in (Role.ADMIN, Role.COMMITTEE):
        return ReportBatch.objects.all()
    if role == Role.AGENT:
        return ReportBatch.objects.filter(
            Q(requested_by=user) | Q(town_id__in=access.assigned_town_ids(user))
        )
    return ReportBatch.objects.none()


@dataclass(frozen=True, slots=True)
class BatchError:
    farm_code: str
    farm_name: str
    error: str


@dataclass(frozen=True, slots=True)
class BatchProgress:
    batch: ReportBatch
    total: int
    pending: int
    running: int
    done: int
    failed: int
    errors: tuple[BatchError, ...]

    @property
    def finished(self) -> bool:
        return self.pending == 0 and self.running == 0

    @property
    def status(self) -> str:
        if self.finished:
            return "finished"
        return "running" if self.done or self.failed or self.running else "queued"


def batch_progress(batch: ReportBatch) -> BatchProgress:
    """Counts by status in one aggregate query, and the failed farms with their errors."""
    counts = ReportBatchItem.objects.filter(batch=batch).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in ItemStatus.values}
    )
    errors = tuple(
        BatchError(farm_code=code, farm_name=name, error=error)
        for code, name, error in ReportBatchItem.objects.filter(batch=batch, status=ItemStatus.FAILED)
        .order_by("farm__code")
        .values_list("farm__code", "farm__name", "error")
    )
    return BatchProgress(
        batch=batch,
        total=batch.total,
        pending=counts[ItemStatus.PENDING],
        running=counts[ItemStatus.RUNNING],
        done=counts[ItemStatus.DONE],
        failed=counts[ItemStatus.FAILED],
        errors=errors,
    )


def batch_get(*, user: Any, batch_id: int) -> BatchProgress:
    batch = batches_visible_to(user).select_related("town", "requested_by").filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_(MSG_BATCH_NOT_FOUND).format(id=batch_id))
    return batch_progress(batch)
