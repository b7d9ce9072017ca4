"""Issuing advisory reports, sharing them by signed link, and issuing them in batches.

An issued report is never changed: there is no update service, and issuing again makes a new version.
The PDF is rendered outside any transaction (it takes most of a second and must not hold the database's
write lock, which on SQLite would serialise the workers); the version is then claimed in a short
transaction, and if another worker claimed the same version in the meantime the report is rendered again
with the next one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from farmadvice.accounts import access
from farmadvice.accounts.models import Role
from farmadvice.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from farmadvice.core.services import validate_and_save
from farmadvice.registry.models import Farm, Town
from farmadvice.registry.selectors import MSG_FARM_NOT_FOUND
from reports.models import (
    VERIFICATION_CODE_ALPHABET,
    VERIFICATION_CODE_LENGTH,
    AdvisoryReport,
    BatchScope,
    ItemStatus,
    Language,
    ReportBatch,
    ReportBatchItem,
)
from reports.sections import IssueRecord

if TYPE_CHECKING:
    from reports.rendering import RenderedPdf

logger = logging.getLogger(__name__)

MSG_MAY_NOT_ISSUE = gettext_noop("无权签发该农场的报告：只有农委、管理员和负责该乡镇的农技人员可以签发。")
MSG_MAY_NOT_BATCH_DISTRICT = gettext_noop("无权批量签发全区报告：只有农委和管理员可以。")
MSG_MAY_NOT_BATCH_TOWN = gettext_noop(
    "无权批量签发该乡镇的报告：只有农委、管理员和负责该乡镇的农技人员可以。"
)
MSG_BAD_LANGUAGE = gettext_noop("报告语言只能是 zh-hans 或 en。")
MSG_BAD_YEAR = gettext_noop("报告期必须在 2000 至 {max_year} 年之间。")
MSG_TOWN_REQUIRED = gettext_noop("按乡镇批量签发时必须指定乡镇。")
MSG_TOWN_NOT_ALLOWED = gettext_noop("全区批量签发时不应指定乡镇。")
MSG_UNKNOWN_TOWN = gettext_noop("没有乡镇“{town}”：请填写乡镇代码（如 310151100）、中文名或英文名。")
MSG_NO_FARMS = gettext_noop("该范围内没有在营农场，无需签发。")
MSG_LINK_DAYS = gettext_noop("分享链接有效期须为 1 至 {max_days} 天。")
MSG_VERSION_RACE = gettext_noop("多次尝试后仍无法为报告分配版本号，请稍后重试。")
MSG_REPORT_NOT_FOUND = gettext_noop("报告不存在：{id}")

#: Signed share links: how long one may live, and the salt that keeps them apart from other signatures.
SHARE_LINK_MAX_DAYS = 30
SHARE_LINK_SALT = "reports.share-link"
_VERSION_ATTEMPTS = 3


def public_base_url() -> str:
    """Where verification and share links point: settings.PUBLIC_BASE_URL, e.g. https://farmadvice.example."""
    return str(getattr(settings, "PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def verification_url(code: str) -> str:
    return public_base_url() + reverse("reports:verify", args=[code])


def new_verification_code() -> str:
    """12 characters of base32: 60 random bits, unguessable, short enough to read out over the phone."""
    return "".join(secrets.choice(VERIFICATION_CODE_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH))


def can_issue_report(user: Any, farm: Farm) -> bool:
    """Committee and admins for every farm, agents for the farms of their assigned towns.

    The committee issues district-wide batches, so it may issue single reports too; operators never issue.
    """
    return access.role_of(user) == Role.COMMITTEE or access.can_write_farm(user, farm)


def _check_period(*, year: int, language: str) -> None:
    errors: dict[str, list[str]] = {}
    max_year = timezone.localdate().year
    if not 2000 <= year <= max_year:
        errors["year"] = [_(MSG_BAD_YEAR).format(max_year=max_year)]
    if language not in Language.values:
        errors["language"] = [_(MSG_BAD_LANGUAGE)]
    if errors:
        raise ValidationFailed(errors)


def _check_may_issue(user: Any, farm: Farm) -> None:
    if can_issue_report(user, farm):
        return
    if not access.can_read_farm(user, farm):
        raise NotFound(_(MSG_FARM_NOT_FOUND).format(code=farm.code))
    raise PermissionDenied(_(MSG_MAY_NOT_ISSUE))


def _issuer_name(user: Any) -> str:
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full_name or user.get_username()


def _next_version(*, farm: Farm, year: int, language: str) -> int:
    latest = AdvisoryReport.objects.filter(farm=farm, year=year, language=language).aggregate(
        latest=Max("version")
    )["latest"]
    return (latest or 0) + 1


def _renderer() -> tuple[Any, Any]:
    """The context builder and the renderer, imported when a report is rendered: they load weasyprint and
    matplotlib (about a second and 60 MB), which the web and API processes that never render should not."""
    from reports.context import report_context
    from reports.rendering import render_report

    return report_context, render_report


def report_render_draft(*, farm: Farm, year: int, language: str, issued_by: str = "") -> RenderedPdf:
    """A report that is not archived: no version, no verification code, marked as a draft on every page."""
    _check_period(year=year, language=language)
    report_context, render_report = _renderer()
    return render_report(report_context(farm=farm, year=year, language=language, issued_by=issued_by))


def report_issue(
    *, user: Any, farm: Farm, year: int, language: str, town_figures: Any | None = None
) -> AdvisoryReport:
    """Render the farm's report for the year, archive the file with its SHA-256, and return the record.

    The record and the file are written together: if the record cannot be stored, the file is removed.
    `town_figures` (a `context.town_selection`) lets a batch compute its town's indicators once.
    """
    _check_period(year=year, language=language)
    _check_may_issue(user, farm)
    report_context, render_report = _renderer()
    for _attempt in range(_VERSION_ATTEMPTS):
        code = new_verification_code()
        issue = IssueRecord(
            version=_next_version(farm=farm, year=year, language=language),
            issued_at=timezone.now(),
            issued_by=_issuer_name(user),
            verification_code=code,
            verification_url=verification_url(code),
        )
        context = report_context(farm=farm, year=year, language=language, issue=issue, town=town_figures)
        rendered = render_report(context)
        report = AdvisoryReport(
            farm=farm,
            year=year,
            language=language,
            version=issue.version,
            model_version=context.model_version,
            sha256=hashlib.sha256(rendered.pdf).hexdigest(),
            size_bytes=len(rendered.pdf),
            page_count=rendered.page_count,
            verification_code=code,
            provisional_figures=context.provisional,
            issued_by=user,
            issued_at=issue.issued_at,
        )
        if _archive(report, pdf=rendered.pdf, user=user):
            return report
        logger.info("Version %s of %s was taken meanwhile; rendering again", issue.version, report)
    raise ApplicationError(_(MSG_VERSION_RACE))


def _archive(report: AdvisoryReport, *, pdf: bytes, user: Any) -> bool:
    """Store the file, then its record; False (and no file left behind) when another worker took the
    same version meanwhile. The storage never overwrites: a clashing name gets a suffix."""
    report.file.save(
        f"{report.farm.code}-{report.year}-{report.language}-v{report.version}-{report.verification_code}.pdf",
        ContentFile(pdf),
        save=False,
    )
    try:
        with transaction.atomic():
            validate_and_save(report, user=user)
    except (ValidationFailed, IntegrityError):
        report.file.delete(save=False)
        taken = (
            AdvisoryReport.objects.filter(
                farm=report.farm, year=report.year, language=report.language, version=report.version
            ).exists()
            or AdvisoryReport.objects.filter(verification_code=report.verification_code).exists()
        )
        if taken:
            report.pk = None
            return False
        raise
    except BaseException:
        report.file.delete(save=False)
        raise
    return True


# --- Share links ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShareLink:
    url: str
    expires_at: dt.datetime


def report_share_link_create(*, user: Any, report: AdvisoryReport, days: int) -> ShareLink:
    """A link that serves the report's file without login until it expires, e.g. for an operator's phone.

    Anyone who may read the report may share it. The link is signed (TimestampSigner), carries the
    report id and its lifetime in days, and cannot be widened: changing either breaks the signature.
    """
    if not access.can_read_farm(user, report.farm):
        raise NotFound(_(MSG_REPORT_NOT_FOUND).format(id=report.pk))
    if not 1 <= days <= SHARE_LINK_MAX_DAYS:
        raise ValidationFailed({"days": [_(MSG_LINK_DAYS).format(max_days=SHARE_LINK_MAX_DAYS)]})
    token = signing.TimestampSigner(salt=SHARE_LINK_SALT).sign_object({"r": report.pk, "d": days})
    return ShareLink(
        url=public_base_url() + reverse("reports:shared", args=[token]),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )


# --- Batches --------------------------------------------------------------------------------------


def _town(code_or_name: str) -> Town:
    town = Town.objects.filter(
        Q(code=code_or_name) | Q(name_zh=code_or_name) | Q(name_en__iexact=code_or_name)
    ).first()
    if town is None:
        raise ValidationFailed({"town": [_(MSG_UNKNOWN_TOWN).format(town=code_or_name)]})
    return town


def _check_may_batch(user: Any, *, scope: str, town: Town | None) -> None:
    role = access.role_of(user)
    if role in (Role.ADMIN, Role.COMMITTEE):
        return
    if scope == BatchScope.DISTRICT:
        raise PermissionDenied(_(MSG_MAY_NOT_BATCH_DISTRICT))
    if not access.can_write_in_town(user, town):
        raise PermissionDenied(_(MSG_MAY_NOT_BATCH_TOWN))


def report_batch_create(*, user: Any, scope: str, town: str | None, year: int, language: str) -> ReportBatch:
    """Create a batch with one item per active farm in scope, and enqueue its work once committed.

    `town` is a town code, Chinese or English name (scope "town"), None for the district. Committee and admins
    may batch the district or any town; agents only their assigned towns.
    """
    _check_period(year=year, language=language)
    if scope == BatchScope.TOWN and not town:
        raise ValidationFailed({"town": [_(MSG_TOWN_REQUIRED)]})
    if scope == BatchScope.DISTRICT and town:
        raise ValidationFailed({"town": [_(MSG_TOWN_NOT_ALLOWED)]})
    town_obj = _town(town) if town else None
    _check_may_batch(user, scope=scope, town=town_obj)
    farms = Farm.objects.filter(active=True)
    if town_obj is not None:
        farms = farms.filter(town=town_obj)
    farm_ids = list(farms.order_by("code").values_list("pk", flat=True))
    if not farm_ids:
        raise ValidationFailed({"town" if town else "scope": [_(MSG_NO_FARMS)]})

    with transaction.atomic():
        batch = validate_and_save(
            ReportBatch(
                scope=scope,
                town=town_obj,
                year=year,
                language=language,
                requested_by=user,
                total=len(farm_ids),
            ),
            user=user,
        )
        ReportBatchItem.objects.bulk_create(ReportBatchItem(batch=batch, farm_id=pk) for pk in farm_ids)
        # Workers must see the items before they see the tasks.
        transaction.on_commit(lambda: _enqueue_items(batch.pk))
    return batch


def _enqueue_items(batch_id: int) -> None:
    """One task per farm, so that any number of workers share the batch; in one transaction, so that the
    database backend writes them at once (the district has thousands of farms)."""
    from reports.tasks import report_batch_item_issue

    item_ids = ReportBatchItem.objects.filter(batch_id=batch_id, status=ItemStatus.PENDING).values_list(
        "pk", flat=True
    )
    with transaction.atomic():
        for item_id in item_ids:
            report_batch_item_issue.enqueue(item_id)


# A worker keeps the town figures of the batches it is working on (a few, most recent last): the reports
# of one batch then share one computation of their town's indicators, and read the records as they were
# when the worker reached the batch, as a batch is meant to. Never shared across batches.
_BATCH_TOWN_FIGURES: OrderedDict[tuple[int, int], Any] = OrderedDict()
_BATCH_TOWN_FIGURES_KEPT = 4


def _batch_town_figures(batch: ReportBatch, farm: Farm) -> Any:
    from reports.context import town_selection

    key = (batch.pk, farm.town_id)
    if key not in _BATCH_TOWN_FIGURES:
        _BATCH_TOWN_FIGURES[key] = town_selection(farm, batch.year)
        while len(_BATCH_TOWN_FIGURES) > _BATCH_TOWN_FIGURES_KEPT:
            _BATCH_TOWN_FIGURES.popitem(last=False)
    _BATCH_TOWN_FIGURES.move_to_end(key)
    return _BATCH_TOWN_FIGURES[key]


def report_batch_item_run(*, item_id: int) -> str:
    """Issue one farm's report of a batch; a failure is recorded on the item and does not stop the batch.

    Issued on behalf of the user who requested the batch, under the same access rule as a single report.
    """
    claimed = ReportBatchItem.objects.filter(pk=item_id, status=ItemStatus.PENDING).update(
        status=ItemStatus.RUNNING
    )
    if not claimed:
        # Already run (a retried task); never issue twice.
        return ReportBatchItem.objects.values_list("status", flat=True).get(pk=item_id)
    item = ReportBatchItem.objects.select_related("batch__requested_by", "farm__town").get(pk=item_id)
    batch = item.batch
    try:
        report = report_issue(
            user=batch.requested_by,
            farm=item.farm,
            year=batch.year,
            language=batch.language,
            town_figures=_batch_town_figures(batch, item.farm),
        )
    except Exception as exc:
        message = exc.message if isinstance(exc, ApplicationError) else f"{type(exc).__name__}: {exc}"
        logger.exception("Batch %s: the report of %s failed", batch.pk, item.farm.code)
        ReportBatchItem.objects.filter(pk=item_id).update(
            status=ItemStatus.FAILED, error=message, finished_at=timezone.now()
        )
        return ItemStatus.FAILED
    ReportBatchItem.objects.filter(pk=item_id).update(
        status=ItemStatus.DONE, report=report, finished_at=timezone.now()
    )
    return ItemStatus.DONE
