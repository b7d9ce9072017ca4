from django.contrib import admin

from farmadvice.core.admin_base import RoleAwareAdmin
from farmadvice.registry.models import Farm, IrrigationDistrict, Town, Village

AUDIT_FIELDS = ("created_at", "created_by", "updated_at", "updated_by")


@admin.register(Town)
class TownAdmin(RoleAwareAdmin):
    list_display = ("code", "name_zh", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name_zh", "name_en")
    reference_data = True


@admin.register(Village)
class VillageAdmin(RoleAwareAdmin):
    list_display = ("name", "town")
    list_filter = ("town",)
    search_fields = ("name", "town__name_zh")
    town_path = "town"
    readonly_fields = AUDIT_FIELDS


@admin.register(IrrigationDistrict)
class IrrigationDistrictAdmin(RoleAwareAdmin):
    list_display = ("code", "name", "town", "area_mu", "updated_at")
    list_filter = ("town",)
    search_fields = ("code", "name")
    town_path = "town"
    readonly_fields = AUDIT_FIELDS


@admin.register(Farm)
class FarmAdmin(RoleAwareAdmin):
    list_display = ("code", "name", "farm_type", "operator_kind", "town", "village", "area_mu", "active")
    list_filter = ("farm_type", "operator_kind", "town", "active", "tailwater_class")
    search_fields = ("code", "name", "contact_name", "village__name")
    autocomplete_fields = ("village", "irrigation_district")
    filter_horizontal = ("operators",)
    list_select_related = ("town", "village")
    town_path = "town"
    readonly_fields = AUDIT_FIELDS
