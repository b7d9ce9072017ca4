from django.contrib import admin

from farmadvice.indicators.models import Baseline, Target
from farmadvice.reference.admin import ReferenceAdmin


@admin.register(Target)
class TargetAdmin(ReferenceAdmin):
    list_display = ("indicator", "scope", "town", "year", "direction", "value", "status", "valid_from")
    list_filter = ("indicator", "scope", "year", "status")
    search_fields = ("source",)


@admin.register(Baseline)
class BaselineAdmin(ReferenceAdmin):
    list_display = ("kind", "scope", "town", "farm", "base_year", "status", "valid_from")
    list_filter = ("kind", "scope", "status")
    search_fields = ("town__name_zh", "farm__code", "farm__name", "source")
    autocomplete_fields = ("farm",)
