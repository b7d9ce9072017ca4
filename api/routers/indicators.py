from django.http import HttpRequest
from ninja import Path, Query, Router

from api.figures import figure_response
from api.schemas.common import ErrorOut, ValidationErrorOut
from api.schemas.indicators import (
    ComplianceOut,
    ComplianceQuery,
    FarmIndicatorQuery,
    FarmIndicatorsOut,
    IndicatorOut,
    IndicatorQuery,
)
from farmadvice.indicators import compliance, queries

router = Router(tags=["indicators"])

INDICATOR_KEYS = "One of: " + ", ".join(queries.INDICATORS)
READ_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get("/indicators/compliance", response={200: ComplianceOut, **READ_ERRORS})
def compliance_get(request: HttpRequest, filters: Query[ComplianceQuery]):
    """Every indicator of the year against its target, for the district and each town (committee, agents)."""
    report = compliance.compliance_report(user=request.auth, year=filters.year, town=filters.town)
    return figure_response(request, ComplianceOut, report, filters.year, filters.town)


@router.get("/indicators/{indicator}", response={200: IndicatorOut, **READ_ERRORS})
def indicator_get(
    request: HttpRequest,
    filters: Query[IndicatorQuery],
    indicator: str = Path(..., description=INDICATOR_KEYS),
):
    """One indicator at a scope; operators only at the farm scope, over their own farms."""
    return queries.indicator_get(
        user=request.auth, indicator=indicator, year=filters.year, scope=filters.scope, town=filters.town
    )


@router.get("/farms/{code}/indicators", response={200: FarmIndicatorsOut, **READ_ERRORS})
def farm_indicators(request: HttpRequest, code: str, filters: Query[FarmIndicatorQuery]):
    """A farm's indicators for a year (operators: their own farm only; others are 404)."""
    return queries.farm_indicators(user=request.auth, code=code, year=filters.year)
