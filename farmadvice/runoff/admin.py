"""Admin of the runoff model on the shared access rules (farmadvice.core.admin_base).

Observations are records: agents change those of farms in their towns. Season rainfall is reference data:
committee staff and admins. Model versions are written only by a fit and never edited; committee staff and
admins activate or deactivate them with the actions below, which call the same services as the command and
the API (`runoff_model_activate` / `runoff_model_deactivate`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from farmadvice.accounts import access
from farmadvice.core.admin_base import RoleAwareAdmin
from farmadvice.core.errors import ApplicationError
from farmadvice.runoff import services
from farmadvice.runoff.models import RunoffFitJob, RunoffModelVersion, RunoffObservation, SeasonRainfall


@admin.register(RunoffObservation)
class RunoffObservationAdmin(RoleAwareAdmin):
    town_path = "farm__town"
    list_display = (
        "farm",
        "plot_code",
        "year",
        "season",
        "crop",
        "n_rate_kg_per_ha",
        "tn_load_kg_per_ha",
        "p_rate_kg_per_ha",
        "tp_load_kg_per_ha",
        "data_source",
    )
    list_filter = ("year", "season", "crop", "data_source")
    search_fields = ("farm__code", "farm__name", "plot_code")
    autocomplete_fields = ("farm",)
    raw_id_fields = ("visit",)
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by")


@admin.register(SeasonRainfall)
class SeasonRainfallAdmin(RoleAwareAdmin):
    reference_data = True
    list_display = ("season", "year", "months", "rainfall_mm", "status", "valid_from")
    list_filter = ("season", "year", "status")
    search_fields = ("months", "source")


class _ReadOnly(RoleAwareAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(RunoffModelVersion)
class RunoffModelVersionAdmin(_ReadOnly):
    list_display = (
        "id",
        "target",
        "method",
        "n_obs",
        "n_synthetic",
        "is_active",
        "created_at",
        "created_by",
        "activated_at",
        "activated_by",
    )
    list_filter = ("target", "method", "is_active")
    search_fields = ("formula", "training_fingerprint", "created_by__username")
    readonly_fields = (
        "target",
        "method",
        "requested_method",
        "formula",
        "coefficients",
        "n_obs",
        "n_synthetic",
        "diagnostics",
        "training",
        "training_fingerprint",
        "library_versions",
        "k_folds",
        "seed",
        "created_at",
        "created_by",
        "is_active",
        "activated_at",
        "activated_by",
    )
    exclude = ("model", "fit_points")
    actions = ("activate_version", "deactivate_version")

    def has_activate_permission(self, request: HttpRequest) -> bool:
        return access.can_edit_reference(request.user)

    @admin.action(description=_("启用所选版本（同一指标原启用版本随之停用）"), permissions=["activate"])
    def activate_version(self, request: HttpRequest, queryset: QuerySet[RunoffModelVersion]) -> None:
        if queryset.values("target").distinct().count() != queryset.values("target").count():
            self.message_user(
                request, _("每个指标只能启用一个版本：请只选一个 TN 和/或一个 TP 版本。"), messages.ERROR
            )
            return
        for version in queryset:  # at most one per target
            try:
                services.runoff_model_activate(user=request.user, version_id=version.pk)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
        self.message_user(request, _("已启用：%s") % "、".join(v.label for v in queryset), messages.SUCCESS)

    @admin.action(description=_("停用所选版本（改按输出系数估算）"), permissions=["activate"])
    def deactivate_version(self, request: HttpRequest, queryset: QuerySet[RunoffModelVersion]) -> None:
        for version in queryset.filter(is_active=True):
            services.runoff_model_deactivate(user=request.user, version_id=version.pk)
        self.message_user(request, _("已停用所选版本。"), messages.SUCCESS)


@admin.register(RunoffFitJob)
class RunoffFitJobAdmin(_ReadOnly):
    list_display = ("id", "targets", "method", "status", "requested_by", "requested_at", "finished_at")
    list_filter = ("status", "targets")
    search_fields = ("requested_by__username", "error")
    readonly_fields = (
        "targets",
        "method",
        "k_folds",
        "seed",
        "status",
        "requested_by",
        "requested_at",
        "started_at",
        "finished_at",
        "versions",
        "error",
    )
