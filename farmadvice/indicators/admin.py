from django.contrib import admin

from farmadvice.core.admin_base import RoleAwareAdmin
from farmadvice.indicators.models import Baseline, Target
from farmadvice.reference.admin import ReferenceAdmin


@admin.register(Target)
class TargetAdmin(ReferenceAdmin):
    list_display = ("indicator", "scope", "town", "year", "direction", "value", "status", "valid_from")
    list_filter = ("indicator", "scope", "year", "status")
    search_fields = ("source",)


@admin.register(Baseline)
class BaselineAdmin(RoleAwareAdmin):
    list_display = ("kind", "scope", "town", "farm", "base_year")
    list_filter = ("kind", "scope")
    autocomplete_fields = ("farm",)
    reference_data = True
