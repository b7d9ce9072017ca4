from django.contrib import admin

from farmadvice.core.admin_base import RoleAwareAdmin
from farmadvice.practices.models import (
    CropSeason,
    FertiliserApplication,
    LivestockHerd,
    ManureFacility,
    MulchFilm,
    PesticideApplication,
    StrawUse,
    TailwaterSample,
    Visit,
    WaterSample,
)

AUDIT_FIELDS = ("id", "created_at", "created_by", "updated_at", "updated_by")


class RecordAdmin(RoleAwareAdmin):
    readonly_fields = AUDIT_FIELDS
    town_path = "farm__town"


class SeasonRecordAdmin(RecordAdmin):
    town_path = "season__farm__town"
    autocomplete_fields = ("season",)
    list_select_related = ("season__farm", "season__crop")


@admin.register(Visit)
class VisitAdmin(RecordAdmin):
    list_display = ("farm", "date", "agent")
    list_filter = ("date", "farm__town")
    search_fields = ("farm__code", "farm__name", "notes")
    autocomplete_fields = ("farm",)
    date_hierarchy = "date"


class FertiliserInline(admin.TabularInline):
    model = FertiliserApplication
    extra = 0
    fields = (
        "date",
        "product",
        "n_pct",
        "p2o5_pct",
        "k2o_pct",
        "product_kg",
        "area_mu",
        "method",
        "slow_release",
    )
    show_change_link = True


@admin.register(CropSeason)
class CropSeasonAdmin(RecordAdmin):
    list_display = ("farm", "year", "season", "crop", "area_mu", "yield_kg")
    list_filter = ("year", "season", "crop", "farm__town")
    search_fields = ("farm__code", "farm__name")
    autocomplete_fields = ("farm",)
    list_select_related = ("farm", "crop")
    inlines = (FertiliserInline,)


@admin.register(FertiliserApplication)
class FertiliserApplicationAdmin(SeasonRecordAdmin):
    list_display = (
        "season",
        "product",
        "n_pct",
        "p2o5_pct",
        "k2o_pct",
        "product_kg",
        "area_mu",
        "method",
        "slow_release",
    )
    list_filter = ("method", "slow_release", "soil_test_formula", "season__year", "season__farm__town")
    search_fields = ("product", "season__farm__code")


@admin.register(PesticideApplication)
class PesticideApplicationAdmin(SeasonRecordAdmin):
    list_display = (
        "season",
        "product",
        "active_ingredient",
        "ai_content_pct",
        "amount",
        "amount_unit",
        "area_mu",
    )
    list_filter = ("amount_unit", "season__year", "season__farm__town")
    search_fields = ("product", "active_ingredient", "season__farm__code")


@admin.register(StrawUse)
class StrawUseAdmin(SeasonRecordAdmin):
    list_display = ("season", "use", "straw_kg", "off_field", "destination")
    list_filter = ("use", "off_field", "season__year", "season__farm__town")
    search_fields = ("season__farm__code", "destination")


@admin.register(MulchFilm)
class MulchFilmAdmin(SeasonRecordAdmin):
    list_display = ("season", "used_kg", "thickness_mm", "recovered_kg", "biodegradable")
    list_filter = ("biodegradable", "season__year", "season__farm__town")
    search_fields = ("season__farm__code",)


@admin.register(LivestockHerd)
class LivestockHerdAdmin(RecordAdmin):
    list_display = ("farm", "year", "species", "stock_heads", "annual_output_heads", "collection_method")
    list_filter = ("year", "species", "collection_method", "farm__town")
    search_fields = ("farm__code", "farm__name")
    autocomplete_fields = ("farm",)


@admin.register(ManureFacility)
class ManureFacilityAdmin(RecordAdmin):
    list_display = (
        "farm",
        "year",
        "liquid_storage_m3",
        "solid_storage_m3",
        "treatment",
        "land_for_application_mu",
    )
    list_filter = ("year", "treatment", "treatment_in_operation", "seepage_proof", "farm__town")
    search_fields = ("farm__code", "farm__name")
    autocomplete_fields = ("farm",)


@admin.register(TailwaterSample)
class TailwaterSampleAdmin(RecordAdmin):
    list_display = ("farm", "date", "ph", "ss_mg_per_l", "codmn_mg_per_l", "tn_mg_per_l", "tp_mg_per_l")
    list_filter = ("farm__town", "is_discharge")
    search_fields = ("farm__code", "farm__name", "laboratory")
    autocomplete_fields = ("farm",)
    date_hierarchy = "date"


@admin.register(WaterSample)
class WaterSampleAdmin(RecordAdmin):
    list_display = ("district", "date", "point", "volume_m3", "tn_mg_per_l", "tp_mg_per_l", "nh3n_mg_per_l")
    list_filter = ("point", "district__town")
    search_fields = ("district__code", "district__name")
    autocomplete_fields = ("district",)
    town_path = "district__town"
    date_hierarchy = "date"
