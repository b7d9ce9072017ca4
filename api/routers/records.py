"""The records: crop seasons and what was done on them, herds, manure facilities, water samples, visits.

Every record type gets the same five endpoints, built from one table (RECORD_ROUTES) instead of eleven
copied routers:

    GET    <parent>/<records>     list, filtered and paginated       <parent> is /farms/{code},
    POST   <parent>/<records>     create (201) or replay (200)                   /seasons/{season_id} or
    GET    /<records>/{id}        one record, with its warnings                  /districts/{code}
    PATCH  /<records>/{id}        change some fields
    DELETE /<records>/{id}        delete (204); the history keeps it

Each type keeps its own typed schemas (api/schemas/records.py), so the OpenAPI document is as explicit as
if every route were written out.
"""

import uuid

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from api.schemas import records as schemas
from api.schemas.common import ErrorOut, ValidationErrorOut
from farmadvice.practices import selectors, services
from farmadvice.practices.selectors import RecordKind

router = Router(tags=["records"])

WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


class FarmPath(Schema):
    code: str

    @property
    def key(self) -> str:
        return self.code


class SeasonPath(Schema):
    season_id: uuid.UUID

    @property
    def key(self) -> uuid.UUID:
        return self.season_id


class DistrictPath(Schema):
    code: str

    @property
    def key(self) -> str:
        return self.code


PARENTS = {
    "farm": ("/farms/{code}", FarmPath, "a farm"),
    "season": ("/seasons/{season_id}", SeasonPath, "a crop season"),
    "district": ("/districts/{code}", DistrictPath, "an irrigation district"),
}


def add_record_routes(kind: RecordKind, s: schemas.RecordSchemas) -> None:
    """Add the five endpoints of one record type to the router."""
    parent_path, ParentPath, parent_name = PARENTS[kind.parent]
    collection, item = f"{parent_path}/{kind.slug}", f"/{kind.slug}/{{id}}"
    name, title = kind.slug.replace("-", "_"), kind.slug.replace("-", " ")
    tags = [title]

    @router.get(
        collection,
        response={200: list[s.out], 404: ErrorOut},
        operation_id=f"{name}_list",
        summary=f"List the {title} of {parent_name}",
        tags=tags,
    )
    @paginate(PageNumberPagination, page_size=50, max_page_size=500)
    def list_records(request: HttpRequest, path: Path[ParentPath], filters: Query[s.filters]):
        parent = selectors.record_parent_get(user=request.auth, kind=kind, key=path.key)
        return selectors.record_list(user=request.auth, kind=kind, parent=parent, filters=filters.dict())

    @router.post(
        collection,
        response={200: s.detail, 201: s.detail, **WRITE_ERRORS},
        operation_id=f"{name}_create",
        summary=f"Add to the {title} of {parent_name} (idempotent on the client's id)",
        tags=tags,
    )
    def create_record(request: HttpRequest, path: Path[ParentPath], payload: s.create):
        parent = selectors.record_parent_get(user=request.auth, kind=kind, key=path.key)
        record, created = services.record_create(
            user=request.auth, kind=kind, parent=parent, data=payload.dict(exclude_unset=True)
        )
        return Status(201 if created else 200, record)

    @router.get(
        item,
        response={200: s.detail, 404: ErrorOut},
        operation_id=f"{name}_get",
        summary=f"One of the {title}, with its plausibility warnings",
        tags=tags,
    )
    def get_record(request: HttpRequest, id: uuid.UUID):
        return selectors.record_get(user=request.auth, kind=kind, record_id=id)

    @router.patch(
        item,
        response={200: s.detail, **WRITE_ERRORS},
        operation_id=f"{name}_update",
        summary=f"Change some fields of one of the {title}",
        tags=tags,
    )
    def update_record(request: HttpRequest, id: uuid.UUID, payload: s.patch):
        record = selectors.record_get(user=request.auth, kind=kind, record_id=id)
        return services.record_update(
            user=request.auth, kind=kind, record=record, data=payload.dict(exclude_unset=True)
        )

    @router.delete(
        item,
        response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
        operation_id=f"{name}_delete",
        summary=f"Delete one of the {title} (its history keeps it)",
        tags=tags,
    )
    def delete_record(request: HttpRequest, id: uuid.UUID):
        record = selectors.record_get(user=request.auth, kind=kind, record_id=id)
        services.record_delete(user=request.auth, kind=kind, record=record)
        return Status(204, None)


RECORD_ROUTES: tuple[tuple[RecordKind, schemas.RecordSchemas], ...] = (
    (selectors.SEASONS, schemas.CROP_SEASON),
    (selectors.FERTILISER_APPLICATIONS, schemas.FERTILISER_APPLICATION),
    (selectors.PESTICIDE_APPLICATIONS, schemas.PESTICIDE_APPLICATION),
    (selectors.STRAW_USES, schemas.STRAW_USE),
    (selectors.MULCH_FILMS, schemas.MULCH_FILM),
    (selectors.HERDS, schemas.LIVESTOCK_HERD),
    (selectors.MANURE_FACILITIES, schemas.MANURE_FACILITY),
    (selectors.TAILWATER_SAMPLES, schemas.TAILWATER_SAMPLE),
    (selectors.WATER_SAMPLES, schemas.WATER_SAMPLE),
    (selectors.VISITS, schemas.VISIT),
    (selectors.RUNOFF_OBSERVATIONS, schemas.RUNOFF_OBSERVATION),
)

for _kind, _record_schemas in RECORD_ROUTES:
    add_record_routes(_kind, _record_schemas)
