import datetime as dt

from ninja import Field, Schema


class AuditQuery(Schema):
    model: str | None = Field(
        None,
        description=(
            "farms, districts, a record type (e.g. fertiliser-applications), or a reference table "
            "(crops, crop-coefficients, standard-limits, livestock-thresholds, pig-equivalents, "
            "wastewater-coefficients, reference-values, targets, baselines, season-rainfall, "
            "runoff-model-versions)"
        ),
    )
    since: dt.datetime | None = Field(None, description="Only entries at or after this time")
    farm: str | None = Field(None, description="Only entries of this farm (farm code)")
    limit: int = Field(100, ge=1, le=500)


class AuditEntryOut(Schema):
    model: str
    object_id: str
    action: str = Field(..., description="created, changed or deleted")
    user: str | None
    at: dt.datetime
    object: str
    changed_fields: list[str]
