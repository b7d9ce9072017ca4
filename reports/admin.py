"""Issued reports and batches in the admin: read-only. A report is never edited or deleted there;
issuing again makes a new version (reports/services.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from farmadvice.core.admin_base import RoleAwareAdmin
from reports.models import AdvisoryReport, ReportBatch, ReportBatchItem


class ReadOnlyRoleAwareAdmin(RoleAwareAdmin):
    """Readers by role (RoleAwareAdmin); nobody adds, changes or deletes. These models keep no
    django-simple-history table (an archived report cannot change), so the plain history view is used."""

    object_history_template = "admin/object_history.html"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]


@admin.register(AdvisoryReport)
class AdvisoryReportAdmin(ReadOnlyRoleAwareAdmin):
    list_display = (
        "farm",
        "year",
        "language",
        "version",
        "verification_code",
        "issued_by",
        "issued_at",
        "pdf",
    )
    list_filter = ("year", "language", "farm__town", "provisional_figures")
    search_fields = ("farm__code", "farm__name", "verification_code", "sha256")
    list_select_related = ("farm", "issued_by")
    date_hierarchy = "issued_at"
    town_path = "farm__town"

    @admin.display(description=_("文件"))
    def pdf(self, obj: AdvisoryReport) -> str:
        # Through the API's download, which applies the access rules; media files are not served.
        return format_html(
            '<a href="{}">PDF</a>', reverse("api-v1:report_download", kwargs={"report_id": obj.pk})
        )


class ReportBatchItemInline(admin.TabularInline):
    model = ReportBatchItem
    fields = ("farm", "status", "report", "error", "finished_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(ReportBatch)
class ReportBatchAdmin(ReadOnlyRoleAwareAdmin):
    list_display = ("id", "scope", "town", "year", "language", "total", "requested_by", "created_at")
    list_filter = ("scope", "year", "language", "town")
    search_fields = ("town__name_zh", "requested_by__username")
    list_select_related = ("town", "requested_by")
    inlines = [ReportBatchItemInline]
    town_path = "town"
