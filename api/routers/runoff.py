"""The runoff model: versions, fits, activation, diagnostics, and the loads and scenarios it gives.

Fitting and activation are for committee staff and admins; the diagnostics plot for them and the agents;
farm loads and scenarios for whoever may see the farm (operators: their own farms, others are 404); town
and district totals for committee, agents and admins.
"""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from api.figures import figure_response
from api.schemas.common import ErrorOut, ValidationErrorOut
from api.schemas.runoff import (
    AreaLoadQuery,
    AreaLoadsOut,
    FarmLoadsOut,
    FarmScenariosOut,
    FitIn,
    FitJobOut,
    ModelListQuery,
    ModelVersionDetail,
    ModelVersionOut,
    YearQuery,
)
from farmadvice.runoff import selectors, services

router = Router(tags=["runoff"])

READ_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


@router.get("/runoff/models", response={200: list[ModelVersionOut], **READ_ERRORS})
def model_list(request: HttpRequest, filters: Query[ModelListQuery]):
    """Every stored model version, newest first; `is_active` marks the one in use per target."""
    return selectors.runoff_model_list(user=request.auth, target=filters.target)


@router.get("/runoff/models/{int:version_id}", response={200: ModelVersionDetail, **READ_ERRORS})
def model_detail(request: HttpRequest, version_id: int):
    """One version: formula, coefficients with 95 % CI, diagnostics, CV table, training summary."""
    return selectors.runoff_model_get(user=request.auth, version_id=version_id)


@router.get(
    "/runoff/models/{int:version_id}/diagnostics.svg",
    response={403: ErrorOut, 404: ErrorOut},
    openapi_extra={"responses": {200: {"description": "SVG plot", "content": {"image/svg+xml": {}}}}},
)
def model_diagnostics(request: HttpRequest, version_id: int):
    """Observed vs predicted loads and log residuals of the fit (committee, agents, admins)."""
    svg = services.runoff_model_diagnostics_svg(user=request.auth, version_id=version_id)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@router.post("/runoff/models/fit", response={202: FitJobOut, **WRITE_ERRORS})
def model_fit(request: HttpRequest, payload: FitIn):
    """Queue a fit (committee, admins); the stored versions are not active until activated."""
    job = services.runoff_fit_request(
        user=request.auth,
        targets=payload.target,
        method=payload.method,
        k_folds=payload.k_folds,
        seed=payload.seed,
    )
    return Status(202, job)


@router.get("/runoff/fits/{int:job_id}", response={200: FitJobOut, **READ_ERRORS})
def fit_job(request: HttpRequest, job_id: int):
    """A queued fit: its status, the versions it stored, or why it failed (committee, admins)."""
    return services.runoff_fit_job_get(user=request.auth, job_id=job_id)


@router.post("/runoff/models/{int:version_id}/activate", response={200: ModelVersionOut, **WRITE_ERRORS})
def model_activate(request: HttpRequest, version_id: int):
    """Make this version the active one of its target; the previously active one is deactivated."""
    return services.runoff_model_activate(user=request.auth, version_id=version_id)


@router.post("/runoff/models/{int:version_id}/deactivate", response={200: ModelVersionOut, **WRITE_ERRORS})
def model_deactivate(request: HttpRequest, version_id: int):
    """Take this version out of use: its target falls back to the export coefficients."""
    return services.runoff_model_deactivate(user=request.auth, version_id=version_id)


@router.get("/farms/{code}/loads", response={200: FarmLoadsOut, **READ_ERRORS})
def farm_loads(request: HttpRequest, code: str, filters: Query[YearQuery]):
    """TN and TP runoff load of each crop season of the farm in the year, and the farm's totals."""
    return services.farm_loads(user=request.auth, code=code, year=filters.year)


@router.get("/farms/{code}/scenarios", response={200: FarmScenariosOut, **READ_ERRORS})
def farm_scenarios(request: HttpRequest, code: str, filters: Query[YearQuery]):
    """The farm's loads under each advised change, and the expected reduction with its 95 % interval."""
    return services.farm_scenarios(user=request.auth, code=code, year=filters.year)


@router.get("/runoff/loads", response={200: AreaLoadsOut, **READ_ERRORS})
def area_loads(request: HttpRequest, filters: Query[AreaLoadQuery]):
    """Town and district totals of the estimated loads, beside the measured district loads (§8)."""
    loads = services.area_loads(user=request.auth, year=filters.year, town=filters.town)
    return figure_response(request, AreaLoadsOut, loads, filters.year, filters.town)
