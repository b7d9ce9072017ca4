"""Issued advisory reports and the batches that issue them (DESIGN.md, "Reports").

An `AdvisoryReport` is an archived PDF: once issued it is never edited or overwritten. Issuing the same
farm, period and language again makes a new version beside the old one, so what a farm operator holds
in their hand can always be checked against the archive by its verification code and SHA-256.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from farmadvice.registry.models import Farm, Town

#: Verification codes: 12 characters of the RFC 4648 base32 alphabet (60 random bits).
VERIFICATION_CODE_LENGTH = 12
VERIFICATION_CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("简体中文")
    EN = "en", _("English")


def report_upload_to(report: AdvisoryReport, filename: str) -> str:
    return f"reports/{report.farm.code}/{report.year}/{filename}"


class AdvisoryReport(models.Model):
    """One issued report: the archived file, its SHA-256 and who issued it when. Immutable."""

    farm = models.ForeignKey(
        Farm, verbose_name=_("农场"), on_delete=models.PROTECT, related_name="advisory_reports"
    )
    year = models.PositiveSmallIntegerField(
        _("报告期（年）"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    language = models.CharField(_("语言"), max_length=8, choices=Language.choices)
    version = models.PositiveIntegerField(
        _("版本"), validators=[MinValueValidator(1)], help_text=_("同一农场、报告期和语言的第几次签发。")
    )
    model_version = models.CharField(
        _("径流模型版本"),
        max_length=64,
        blank=True,
        help_text=_("报告所用径流模型的版本标签；空白表示未使用模型（输出系数法或无估算）。"),
    )
    file = models.FileField(_("文件"), upload_to=report_upload_to, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveIntegerField(_("文件大小（字节）"))
    page_count = models.PositiveSmallIntegerField(_("页数"))
    verification_code = models.CharField(_("验证码"), max_length=VERIFICATION_CODE_LENGTH, unique=True)
    provisional_figures = models.BooleanField(
        _("含暂定数据"), default=False, help_text=_("报告使用了状态为“暂定”的参考值。")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        related_name="issued_reports",
    )
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)

    class Meta:
        verbose_name = _("咨询报告")
        verbose_name_plural = _("咨询报告")
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["farm", "year", "language"])]
        constraints = [
            models.UniqueConstraint(
                fields=["farm", "year", "language", "version"], name="report_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_positive"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="report_sha256_hex"),
            models.CheckConstraint(
                condition=Q(verification_code__regex=r"^[A-Z2-7]{12}$"),
                name="report_verification_code_base32",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.farm.code} {self.year} {self.language} v{self.version}"

    @property
    def download_name(self) -> str:
        return f"{self.farm.code}-{self.year}-{self.language}-v{self.version}.pdf"


class BatchScope(models.TextChoices):
    TOWN = "town", _("乡镇")
    DISTRICT = "district", _("全区")


class ReportBatch(models.Model):
    """A request to issue the reports of a town or of the whole district; its items carry the progress."""

    scope = models.CharField(_("范围"), max_length=8, choices=BatchScope.choices)
    town = models.ForeignKey(
        Town, verbose_name=_("乡镇"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("报告期（年）"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    language = models.CharField(_("语言"), max_length=8, choices=Language.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="report_batches",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    total = models.PositiveIntegerField(_("农场数"))

    class Meta:
        verbose_name = _("批量签发")
        verbose_name_plural = _("批量签发")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="town") & Q(town__isnull=False))
                | (Q(scope="district") & Q(town__isnull=True)),
                name="report_batch_scope_matches_town",
            ),
        ]

    def __str__(self) -> str:
        where = self.town or _("全区")
        return f"{where} {self.year} {self.language} ({self.total})"


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已签发")
    FAILED = "failed", _("失败")


class ReportBatchItem(models.Model):
    """One farm of a batch: pending until a worker issues its report or records why it could not."""

    batch = models.ForeignKey(
        ReportBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="items"
    )
    farm = models.ForeignKey(Farm, verbose_name=_("农场"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    report = models.ForeignKey(
        AdvisoryReport,
        verbose_name=_("报告"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    error = models.TextField(_("错误"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量签发明细")
        verbose_name_plural = _("批量签发明细")
        ordering = ["batch", "farm__code"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "farm"], name="report_batch_item_unique"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(report__isnull=False), name="report_batch_done_has_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.farm_id} {self.status}"
