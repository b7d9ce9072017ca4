from django.contrib import admin

from farmadvice.core.admin_base import RoleAwareAdmin
from farmadvice.reference.models import (
    Crop,
    CropCoefficient,
    LivestockThreshold,
    PigEquivalent,
    ReferenceValue,
    StandardLimit,
    WastewaterCoefficient,
)

SOURCED = ("status", "valid_from")


class ReferenceAdmin(RoleAwareAdmin):
    """A changed figure is added as a new row with a later valid_from; past rows are kept as they are."""

    reference_data = True
    readonly_fields = ("created_at",)

    def has_change_permission(self, request, obj=None):
        # Editing a row in place would change past reports; only rows not yet in force may be corrected.
        if obj is not None:
            from django.utils import timezone

            if obj.valid_from <= timezone.localdate():
                return False
        return super().has_change_permission(request, obj)


@admin.register(Crop)
class CropAdmin(RoleAwareAdmin):
    list_display = ("code", "name_zh", "name_en", "category")
    list_filter = ("category",)
    search_fields = ("code", "name_zh", "name_en")
    reference_data = True


@admin.register(CropCoefficient)
class CropCoefficientAdmin(ReferenceAdmin):
    list_display = ("crop", "kind", "value", "status", "valid_from", "source")
    list_filter = ("kind", "status", "crop")
    search_fields = ("crop__name_zh", "crop__code", "source")


@admin.register(StandardLimit)
class StandardLimitAdmin(ReferenceAdmin):
    list_display = ("standard", "use", "level", "parameter", "min_value", "max_value", "status", "valid_from")
    list_filter = ("use", "standard", "level", "parameter", "status")
    search_fields = ("standard", "source")


@admin.register(LivestockThreshold)
class LivestockThresholdAdmin(ReferenceAdmin):
    list_display = ("species", "basis", "min_heads", "status", "valid_from")
    list_filter = ("species", "basis", "status")
    search_fields = ("species", "source")


@admin.register(PigEquivalent)
class PigEquivalentAdmin(ReferenceAdmin):
    list_display = ("species", "heads", "pig_equivalents", "status", "valid_from")
    list_filter = ("species", "status")
    search_fields = ("species", "source")


@admin.register(WastewaterCoefficient)
class WastewaterCoefficientAdmin(ReferenceAdmin):
    list_display = (
        "group",
        "method",
        "summer_m3_per_day",
        "winter_m3_per_day",
        "per_heads",
        "status",
        "valid_from",
    )
    list_filter = ("group", "method", "status")
    search_fields = ("group", "source")


@admin.register(ReferenceValue)
class ReferenceValueAdmin(ReferenceAdmin):
    list_display = ("key", "value", "unit", "status", "valid_from", "description")
    list_filter = ("status",)
    search_fields = ("key", "description", "source")
