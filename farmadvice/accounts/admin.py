from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from farmadvice.accounts import access
from farmadvice.accounts.models import ApiToken, Profile

User = get_user_model()


class AdminOnly:
    """Users, roles and tokens are managed by admins only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.role_of(request.user) == "admin"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.role_of(request.user) == "admin"

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ("towns",)
    verbose_name_plural = _("角色与负责乡镇")


admin.site.unregister(User)


@admin.register(User)
class FarmadviceUserAdmin(AdminOnly, UserAdmin):
    inlines = (ProfileInline,)
    list_display = ("username", "first_name", "last_name", "role", "is_staff", "is_active")
    list_filter = ("profile__role", "is_staff", "is_active")

    @admin.display(description=_("角色"))
    def role(self, obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "-"


@admin.register(ApiToken)
class ApiTokenAdmin(AdminOnly, admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    fields = ("user", "name", "expires_at", "revoked_at")
    autocomplete_fields = ("user",)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if not change:
            key = ApiToken.new_key()
            obj.set_key(key)
            messages.warning(request, _("新令牌（只显示这一次，请妥善保存）：%(key)s") % {"key": key})
        super().save_model(request, obj, form, change)
