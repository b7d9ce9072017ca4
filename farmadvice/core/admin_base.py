"""The admin asks the same access rules as the API (farmadvice.accounts.access).

Operators never use the admin. Committee staff read everything and edit reference figures and targets;
agents read everything and change farms, districts and records in their assigned towns.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from farmadvice.accounts import access


class RoleAwareAdmin(SimpleHistoryAdmin):
    """Base admin: read access by role; write access through `can_write_object`."""

    #: The path from this model to its town, for the agent's write rule (e.g. "farm__town").
    town_path: str | None = None
    #: Reference data: committee and admins edit it; nobody else.
    reference_data = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return queryset if access.reads_all(request.user) else queryset.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.reads_all(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return access.reads_all(request.user)

    def _town_of(self, obj: Model) -> Any:
        value: Any = obj
        for part in (self.town_path or "").split("__"):
            value = getattr(value, part, None) if part else value
            if value is None:
                return None
        return value

    def can_write_object(self, request: HttpRequest, obj: Model | None) -> bool:
        if self.reference_data:
            return access.can_edit_reference(request.user)
        if self.town_path is None:
            return access.role_of(request.user) == "admin"
        if obj is None:
            return access.role_of(request.user) in ("admin", "agent")
        return access.can_write_in_town(request.user, self._town_of(obj))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.can_write_object(request, None)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.can_write_object(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Deleting records is an admin's act; history keeps what was deleted.
        return access.role_of(request.user) == "admin"

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if (
            self.town_path
            and not self.reference_data
            and not access.can_write_in_town(request.user, self._town_of(obj))
        ):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if hasattr(obj, "created_by_id") and not change:
            obj.created_by = request.user
        if hasattr(obj, "updated_by_id"):
            obj.updated_by = request.user
        super().save_model(request, obj, form, change)


admin.site.site_header = "崇明绿色农业咨询 farmadvice"
admin.site.site_title = "farmadvice"
admin.site.index_title = "管理"
