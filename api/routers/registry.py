from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from api.schemas.common import ErrorOut, ValidationErrorOut
from api.schemas.registry import (
    DistrictIn,
    DistrictOut,
    DistrictPatch,
    FarmIn,
    FarmOut,
    FarmPatch,
    MeOut,
    TownOut,
)
from farmadvice.accounts import access
from farmadvice.registry import selectors, services
from farmadvice.registry.models import FarmType, Town

router = Router(tags=["registry"])

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class FarmFilters(Schema):
    town: str | None = None
    farm_type: FarmType | None = None
    district: str | None = None
    q: str | None = None
    active: bool | None = None


class DistrictFilters(Schema):
    town: str | None = None
    monitored: bool | None = None
    q: str | None = None


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    user = request.auth
    return {
        "username": user.get_username(),
        "role": access.role_of(user),
        "towns": sorted(
            Town.objects.filter(id__in=access.assigned_town_ids(user)).values_list("code", flat=True)
        ),
        "farms": list(access.farms_visible_to(user).values_list("code", flat=True)[:1000])
        if access.role_of(user) == "operator"
        else [],
    }


@router.get("/towns", response=list[TownOut])
def town_list(request: HttpRequest):
    return Town.objects.all()


@router.get("/farms", response=list[FarmOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def farm_list(request: HttpRequest, filters: Query[FarmFilters]):
    return selectors.farm_list(user=request.auth, **filters.dict())


@router.post("/farms", response={201: FarmOut, **WRITE_ERRORS})
def farm_create(request: HttpRequest, payload: FarmIn):
    return Status(201, services.farm_create(user=request.auth, data=payload.dict()))


@router.get("/farms/{code}", response={200: FarmOut, 404: ErrorOut})
def farm_detail(request: HttpRequest, code: str):
    return selectors.farm_get(user=request.auth, code=code)


@router.patch("/farms/{code}", response={200: FarmOut, **WRITE_ERRORS})
def farm_update(request: HttpRequest, code: str, payload: FarmPatch):
    farm = selectors.farm_get(user=request.auth, code=code)
    return services.farm_update(user=request.auth, farm=farm, data=payload.dict(exclude_unset=True))


@router.get("/districts", response=list[DistrictOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def district_list(request: HttpRequest, filters: Query[DistrictFilters]):
    return selectors.district_list(user=request.auth, **filters.dict())


@router.post("/districts", response={201: DistrictOut, **WRITE_ERRORS})
def district_create(request: HttpRequest, payload: DistrictIn):
    return Status(201, services.district_create(user=request.auth, data=payload.dict()))


@router.get("/districts/{code}", response={200: DistrictOut, 404: ErrorOut})
def district_detail(request: HttpRequest, code: str):
    return selectors.district_get(user=request.auth, code=code)


@router.patch("/districts/{code}", response={200: DistrictOut, **WRITE_ERRORS})
def district_update(request: HttpRequest, code: str, payload: DistrictPatch):
    district = selectors.district_get(user=request.auth, code=code)
    return services.district_update(
        user=request.auth, district=district, data=payload.dict(exclude_unset=True)
    )
