"""The access matrix: every API operation and every page × every identity, with its expected status.

The routes are enumerated from the URL configuration (a walk of get_resolver()) and from the NinjaAPI's
OpenAPI document (path + method for /api/v1/), so a route added without a rule in RULES fails
`test_every_route_has_an_access_rule`. The expectations follow farmadvice/accounts/access.py:

- anonymous: 401 on the API, a redirect to the login page (302) on pages;
- an operator asking for another operator's farm: 404 (existence does not leak);
- an operator writing anything, an agent writing outside the assigned towns, the committee writing farm
  records: 403;
- an identity the rules allow: any of ALLOWED (2xx, or 400/409/422 for a body the server refuses on its
  content) — the point of the matrix is the refusals.

Each request runs in a savepoint that is rolled back, so a write by one identity does not change what the
next one sees. Path parameters are filled from the objects of `scene` (farm A's code, a record of farm A…).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from api.api import api
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
from farmadvice.runoff.models import RunoffFitJob, RunoffModelVersion, RunoffObservation
from reports.models import AdvisoryReport, ReportBatch
from reports.services import SHARE_LINK_SALT
from tests.factories.indicators import load_reference
from tests.factories.practices import crop
from tests.factories.registry import IrrigationDistrictFactory

pytestmark = pytest.mark.django_db

IDENTITIES = ("anonymous", "operator_a", "operator_b", "agent_cq", "agent_xh", "committee", "admin")

# What "allowed" means: not refused. 400/409/422 are answers about the body, not about who asks.
ALLOWED = frozenset({200, 201, 202, 204, 400, 409, 422})
OK = frozenset({200})


def rule(anonymous, operator_a, operator_b, agent_cq, agent_xh, committee, admin) -> dict[str, Any]:
    return dict(
        zip(
            IDENTITIES, (anonymous, operator_a, operator_b, agent_cq, agent_xh, committee, admin), strict=True
        )
    )


# ---- Profiles (the columns of the matrix) --------------------------------------------------------------
PUBLIC = rule(OK, OK, OK, OK, OK, OK, OK)
PUBLIC_ANY = rule(ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
# Any signed-in role reads it (the result is filtered to what the identity may see).
SIGNED_IN = rule(401, OK, OK, OK, OK, OK, OK)
# Farm A (Chengqiao) and what belongs to it: its operator, every agent, the committee and admins read it.
FARM_A_READ = rule(401, OK, 404, OK, OK, OK, OK)
# Writes to farm A or its records: the Chengqiao agent and admins only.
FARM_A_WRITE = rule(401, 403, 404, ALLOWED, 403, 403, ALLOWED)
# Creating a farm or a district in Chengqiao (nothing to hide: 403 for every other role).
TOWN_CQ_WRITE = rule(401, 403, 403, ALLOWED, 403, 403, ALLOWED)
# Reads that only those who read every farm get (agents, committee, admins).
READS_ALL = rule(401, 403, 403, OK, OK, OK, OK)
READS_ALL_ANY = rule(401, 403, 403, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
# The runoff model's management: committee and admins.
COMMITTEE_ONLY = rule(401, 403, 403, 403, 403, OK, OK)
COMMITTEE_WRITE = rule(401, 403, 403, 403, 403, ALLOWED, ALLOWED)

# Pages: anonymous → the login page; the same decisions as the API otherwise.
LOGIN = frozenset({302})
PAGE_PUBLIC = rule(OK, OK, OK, OK, OK, OK, OK)
PAGE_SIGNED_IN = rule(LOGIN, OK, OK, OK, OK, OK, OK)
PAGE_FARM_A_READ = rule(LOGIN, OK, 404, OK, OK, OK, OK)
PAGE_FARM_A_WRITE = rule(LOGIN, 403, 404, OK, 403, 403, OK)
PAGE_READS_ALL = rule(LOGIN, 403, 403, OK, OK, OK, OK)
PAGE_DONE = frozenset({200, 302})
# The admin: staff only (agents, committee, admins); others go to the admin login.
ADMIN_STAFF = rule(LOGIN, LOGIN, LOGIN, OK, OK, OK, OK)
ADMIN_ONLY = rule(LOGIN, LOGIN, LOGIN, 403, 403, 403, OK)

# ---- The rules table: one entry per route, "METHOD path" ------------------------------------------------
RULES: dict[str, dict[str, Any]] = {
    # Public documents and the health check
    "GET /api/v1/openapi.json": PUBLIC,
    "GET /api/v1/docs": PUBLIC,
    "GET /api/v1/health": PUBLIC,
    "GET /api/v1/reports/verify/{code}": PUBLIC,
    # Registry
    "GET /api/v1/me": SIGNED_IN,
    "GET /api/v1/towns": SIGNED_IN,
    "GET /api/v1/farms": SIGNED_IN,
    "POST /api/v1/farms": TOWN_CQ_WRITE,
    "GET /api/v1/farms/{code}": FARM_A_READ,
    "PATCH /api/v1/farms/{code}": FARM_A_WRITE,
    "GET /api/v1/districts": SIGNED_IN,
    "POST /api/v1/districts": TOWN_CQ_WRITE,
    "GET /api/v1/districts/{code}": FARM_A_READ,
    "PATCH /api/v1/districts/{code}": FARM_A_WRITE,
    # Indicators, loads, scenarios, advice
    "GET /api/v1/indicators/compliance": READS_ALL,
    "GET /api/v1/indicators/{indicator}": READS_ALL,
    "GET /api/v1/farms/{code}/indicators": FARM_A_READ,
    "GET /api/v1/farms/{code}/loads": FARM_A_READ,
    "GET /api/v1/farms/{code}/scenarios": FARM_A_READ,
    "GET /api/v1/runoff/loads": READS_ALL,
    "GET /api/v1/farms/{code}/advice": FARM_A_READ,
    # Runoff model management
    "GET /api/v1/runoff/models": SIGNED_IN,
    "GET /api/v1/runoff/models/{version_id}": SIGNED_IN,
    "GET /api/v1/runoff/models/{version_id}/diagnostics.svg": READS_ALL,
    "POST /api/v1/runoff/models/fit": COMMITTEE_WRITE,
    "GET /api/v1/runoff/fits/{job_id}": COMMITTEE_ONLY,
    "POST /api/v1/runoff/models/{version_id}/activate": COMMITTEE_WRITE,
    "POST /api/v1/runoff/models/{version_id}/deactivate": COMMITTEE_WRITE,
    # Import and export
    # an empty file is refused (400) before any row is checked against the towns
    "POST /api/v1/imports/{record_type}": rule(401, 403, 403, ALLOWED, frozenset({400, 403}), 403, ALLOWED),
    "GET /api/v1/imports/templates/{record_type}.{fmt}": SIGNED_IN,
    "GET /api/v1/exports/{record_type}.{fmt}": SIGNED_IN,
    # Reports
    "GET /api/v1/farms/{code}/reports": FARM_A_READ,
    # reports are issued by the farm's agent, the committee and admins (reports/services.can_issue_report)
    "POST /api/v1/farms/{code}/reports": rule(401, 403, 404, ALLOWED, 403, ALLOWED, ALLOWED),
    "GET /api/v1/reports/{report_id}": FARM_A_READ,
    "GET /api/v1/reports/{report_id}/download": FARM_A_READ,
    "POST /api/v1/reports/{report_id}/share-link": FARM_A_READ,
    # agents batch their own towns (the body asks for Chengqiao)
    "POST /api/v1/reports/batches": rule(401, 403, 403, ALLOWED, 403, ALLOWED, ALLOWED),
    "GET /api/v1/reports/batches/{batch_id}": rule(401, 404, 404, 404, 404, OK, OK),
    # Audit
    "GET /api/v1/audit": COMMITTEE_ONLY,
    # Pages
    # the home page sends each role to its own start page
    "GET /": rule(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "GET /accounts/login/": rule(OK, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "POST /accounts/logout/": rule(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "GET /farms/": PAGE_SIGNED_IN,
    "GET /farms/<str:code>/": PAGE_FARM_A_READ,
    "GET /farms/<str:code>/visits/<uuid:visit_id>/": PAGE_FARM_A_READ,
    "GET /farms/<str:code>/records/<slug:slug>/new/": PAGE_FARM_A_WRITE,
    "GET /farms/<str:code>/records/<slug:slug>/<uuid:record_id>/": PAGE_FARM_A_WRITE,
    "POST /farms/<str:code>/reports/issue/": rule(LOGIN, 403, 404, PAGE_DONE, 403, PAGE_DONE, PAGE_DONE),
    "GET /farms/<str:code>/reports/<int:report_id>/download/": PAGE_FARM_A_READ,
    "GET /dashboard/": PAGE_READS_ALL,
    "GET /dashboard/cells/<str:indicator>/<str:scope_code>/": PAGE_READS_ALL,
    "GET /dashboard/trend/": PAGE_READS_ALL,
    "GET /dashboard/districts/": PAGE_READS_ALL,
    "GET /report-batches/": PAGE_READS_ALL,
    # the scene's batch is the committee's district-wide one: agents see only theirs and their towns'
    "GET /report-batches/<int:batch_id>/": rule(LOGIN, 404, 404, 404, 404, OK, OK),
    # the farm list export is filtered to the farms the user sees
    "GET /export/<slug:name>.xlsx": PAGE_SIGNED_IN,
    "GET /verify/": PAGE_PUBLIC,
    "GET /verify/<str:code>/": PAGE_PUBLIC,
    "GET /r/<str:token>/": PAGE_PUBLIC,
    "POST /i18n/setlang/": rule(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    # The admin: its index, and a changelist and a change page per app (filled in below)
    "GET /admin/": ADMIN_STAFF,
}

RECORD_SLUGS = {
    "seasons": "season",
    "fertiliser-applications": "fertiliser",
    "pesticide-applications": "pesticide",
    "straw-uses": "straw",
    "mulch-films": "film",
    "herds": "herd",
    "manure-facilities": "facility",
    "tailwater-samples": "tailwater",
    "water-samples": "water",
    "visits": "visit",
    "runoff-observations": "observation",
}
RECORD_PARENTS = {
    "seasons": "/farms/{code}",
    "herds": "/farms/{code}",
    "manure-facilities": "/farms/{code}",
    "tailwater-samples": "/farms/{code}",
    "visits": "/farms/{code}",
    "runoff-observations": "/farms/{code}",
    "water-samples": "/districts/{code}",
}
for _slug in RECORD_SLUGS:
    _parent = RECORD_PARENTS.get(_slug, "/seasons/{season_id}")
    RULES[f"GET /api/v1{_parent}/{_slug}"] = FARM_A_READ
    RULES[f"POST /api/v1{_parent}/{_slug}"] = FARM_A_WRITE
    RULES[f"GET /api/v1/{_slug}/{{id}}"] = FARM_A_READ
    RULES[f"PATCH /api/v1/{_slug}/{{id}}"] = FARM_A_WRITE
    RULES[f"DELETE /api/v1/{_slug}/{{id}}"] = FARM_A_WRITE

# The admin: per app registered in the admin ("model family"), the changelist of its first model, plus the
# change page of farm A. Staff (agents, committee, admins) see the admin; the operational apps are admin-only.
for _app in ("indicators", "practices", "reference", "registry", "reports", "runoff"):
    RULES[f"GET /admin/{_app}/<changelist>"] = ADMIN_STAFF
for _app in ("accounts", "auth", "axes", "django_tasks_database"):
    RULES[f"GET /admin/{_app}/<changelist>"] = ADMIN_ONLY
RULES["GET /admin/registry/farm/<farm_a>/change/"] = ADMIN_STAFF


# ---- Route enumeration ----------------------------------------------------------------------------------
def api_operations() -> set[str]:
    """Every operation of the NinjaAPI, as "METHOD /api/v1/path", plus the schema and docs pages."""
    schema = api.get_openapi_schema()
    keys = {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}
    return keys | {"GET /api/v1/openapi.json", "GET /api/v1/docs"}


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


PAGE_METHODS = {
    "accounts/logout/": "POST",
    "i18n/setlang/": "POST",
    "farms/<str:code>/reports/issue/": "POST",
}
# django_rq's admin pages are its queue dashboard (needs Redis), not a model family
ADMIN_SKIPPED = {"django_rq"}


def page_routes() -> set[str]:
    """Every page of the URL configuration except the API (its operations are listed above), the admin
    (covered by ADMIN_MODELS, not all its internals) and static files."""
    routes = set()
    for route, _entry in _walk(get_resolver().url_patterns):
        if route.startswith(("api/v1/", "admin/", "static/", "media/")):
            continue
        routes.add(f"{PAGE_METHODS.get(route, 'GET')} /{route}")
    return routes


def admin_routes() -> set[str]:
    """The admin index and, per app registered in the admin, the changelist of one of its models."""
    apps = {model._meta.app_label for model in admin.site._registry}
    return {"GET /admin/", "GET /admin/registry/farm/<farm_a>/change/"} | {
        f"GET /admin/{app}/<changelist>" for app in apps - ADMIN_SKIPPED
    }


# ---- The scene -------------------------------------------------------------------------------------------
@pytest.fixture
def scene(world, settings, tmp_path):
    """Farm A (CQ-A, Chengqiao) with a district, one record of every kind, a visit, an issued report, a
    report batch, a runoff model version and a fit job; the world's identities."""
    settings.MEDIA_ROOT = tmp_path / "media"
    farm = world["farm_a"]
    district = IrrigationDistrictFactory(code="CQ-D1", town=world["chengqiao"])
    farm.irrigation_district = district
    farm.save()
    season = CropSeason.objects.create(farm=farm, year=2025, season="summer", crop=crop("rice"), area_mu=10)
    visit = Visit.objects.create(farm=farm, agent=world["agent_cq"], date=dt.date(2025, 6, 18), notes="走访")
    records = {
        "season": season,
        "fertiliser": FertiliserApplication.objects.create(
            season=season, product="尿素", n_pct=46, product_kg=Decimal("100"), area_mu=10
        ),
        "pesticide": PesticideApplication.objects.create(
            season=season,
            product="农药",
            active_ingredient="吡虫啉",
            ai_content_pct=10,
            amount=Decimal("0.5"),
            amount_unit="kg",
            area_mu=10,
        ),
        "straw": StrawUse.objects.create(season=season, use="field_return", straw_kg=3000),
        "film": MulchFilm.objects.create(
            season=season, used_kg=20, thickness_mm=Decimal("0.012"), recovered_kg=18
        ),
        "herd": LivestockHerd.objects.create(farm=farm, year=2025, species="pig", stock_heads=10),
        "facility": ManureFacility.objects.create(farm=farm, year=2025, treatment="compost"),
        "tailwater": TailwaterSample.objects.create(
            farm=farm, date=dt.date(2025, 8, 1), ph=Decimal("7.5"), tn_mg_per_l=Decimal("2")
        ),
        "water": WaterSample.objects.create(
            district=district, date=dt.date(2025, 7, 1), point="outlet", tn_mg_per_l=Decimal("1.8")
        ),
        "visit": visit,
        "observation": RunoffObservation.objects.create(
            farm=farm, year=2025, season="summer", crop=season.crop, rainfall_mm=700, tn_load_kg_per_ha=12
        ),
    }
    report = AdvisoryReport(
        farm=farm,
        year=2025,
        language="zh-hans",
        version=1,
        sha256="0" * 64,
        size_bytes=4,
        page_count=1,
        verification_code="ABCDEFGH2345",
        issued_by=world["agent_cq"],
    )
    report.file.save("report.pdf", ContentFile(b"%PDF"), save=False)
    report.save()
    batch = ReportBatch.objects.create(
        scope="district", year=2025, language="zh-hans", requested_by=world["committee"], total=0
    )
    version = RunoffModelVersion.objects.create(
        target="tn",
        method="log_ols",
        requested_method="log_ols",
        formula="log(tn) ~ n",
        coefficients=[],
        n_obs=0,
        diagnostics={},
        model={},
        training_fingerprint="0" * 64,
        library_versions={},
    )
    job = RunoffFitJob.objects.create(targets="tn", requested_by=world["committee"])
    token = signing.TimestampSigner(salt=SHARE_LINK_SALT).sign_object({"r": report.pk, "d": 7})
    return {
        **world,
        "district": district,
        "records": records,
        "report": report,
        "batch": batch,
        "version": version,
        "job": job,
        "share_token": token,
    }


def fill(route: str, scene: dict[str, Any]) -> str:
    """The route's path with its parameters taken from the scene."""
    path = route.split(" ", 1)[1]
    slug_match = re.match(r"^/api/v1/([a-z-]+)/\{id\}", path)
    record_id = scene["records"][RECORD_SLUGS[slug_match.group(1)]].pk if slug_match else None
    district_route = path.startswith(("/api/v1/districts/{code}", "/districts/"))
    values = {
        "code": scene["district"].code if district_route else scene["farm_a"].code,
        "id": record_id,
        "season_id": scene["records"]["season"].pk,
        "report_id": scene["report"].pk,
        "batch_id": scene["batch"].pk,
        "version_id": scene["version"].pk,
        "job_id": scene["job"].pk,
        "record_type": "fertiliser-applications",
        "fmt": "csv",
        "indicator": "straw_utilisation_pct",
        "visit_id": scene["records"]["visit"].pk,
        "record_id": scene["records"]["fertiliser"].pk,
        "slug": "fertiliser-applications",
        "scope_code": "310151",
        "name": "farms",
        "token": scene["share_token"],
    }
    if "/verify/" in path:
        values["code"] = scene["report"].verification_code
    path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)


# Minimal, method-appropriate bodies (valid for the allowed identities where that is cheap).
BODIES: dict[str, Any] = {
    "POST /api/v1/farms": {
        "code": "CQ-NEW",
        "name": "新农场",
        "farm_type": "crop",
        "town": "Chengqiao",
        "area_mu": "10",
    },
    "PATCH /api/v1/farms/{code}": {"name": "改名"},
    "POST /api/v1/districts": {"code": "CQ-D9", "name": "新灌区", "town": "Chengqiao", "area_mu": "100"},
    "PATCH /api/v1/districts/{code}": {"name": "改名"},
    "POST /api/v1/runoff/models/fit": {"target": "tn", "method": "log_ols"},
    "POST /api/v1/farms/{code}/reports": {"year": 2025},
    "POST /api/v1/reports/{report_id}/share-link": {"days": 7},
    "POST /api/v1/runoff/models/{version_id}/activate": {},
    "POST /api/v1/runoff/models/{version_id}/deactivate": {},
    "POST /api/v1/reports/batches": {"scope": "town", "town": "Chengqiao", "year": 2025},
}


def api_call(client: Any, route: str, scene: dict[str, Any]):
    method, template = route.split(" ", 1)
    path = fill(route, scene)[len("/api/v1") :]
    kwargs: dict[str, Any] = {}
    if method in ("POST", "PATCH", "PUT"):
        if template.startswith("/api/v1/imports/"):
            from django.core.files.uploadedfile import SimpleUploadedFile

            kwargs["FILES"] = {"file": SimpleUploadedFile("empty.csv", b"", content_type="text/csv")}
        else:
            kwargs["json"] = body_for(route, scene)
    elif method == "GET":
        path += "?year=2025"  # the routes that need a year get one; the others ignore it
    return getattr(client, method.lower())(path, **kwargs)


# Valid create bodies per record type (as in tests/api/test_records.py), so that a refusal is about who asks.
RECORD_BODIES = {
    "seasons": {"year": 2025, "season": "winter", "crop": "rice", "area_mu": "5"},
    "fertiliser-applications": {
        "date": "2025-06-20",
        "product": "尿素",
        "n_pct": "46",
        "product_kg": "10",
        "area_mu": "10",
    },
    "pesticide-applications": {
        "date": "2025-07-02",
        "product": "吡虫啉",
        "active_ingredient": "吡虫啉",
        "ai_content_pct": "10",
        "amount": "0.5",
        "amount_unit": "kg",
        "area_mu": "8",
    },
    "straw-uses": {"use": "field_return", "straw_kg": "3000"},
    "mulch-films": {"used_kg": "20", "thickness_mm": "0.012", "recovered_kg": "18"},
    "herds": {"year": 2024, "species": "pig", "stock_heads": 600, "annual_output_heads": 1100},
    "manure-facilities": {
        "year": 2024,
        "liquid_storage_m3": "800",
        "seepage_proof": True,
        "treatment": "compost",
    },
    "tailwater-samples": {"date": "2025-08-02", "ph": "7.6", "tn_mg_per_l": "2.1"},
    "water-samples": {"date": "2025-07-11", "point": "outlet", "tn_mg_per_l": "1.8", "volume_m3": "5000"},
    "visits": {"date": "2025-06-19", "notes": "走访"},
    "runoff-observations": {
        "plot_code": "P2",
        "year": 2025,
        "season": "summer",
        "crop": "rice",
        "rainfall_mm": "700",
        "tp_load_kg_per_ha": "0.6",
    },
}


def body_for(route: str, scene: dict[str, Any]) -> dict[str, Any]:
    method, template = route.split(" ", 1)
    town = scene["chengqiao"].code
    if route in BODIES:
        body = dict(BODIES[route])
        if "town" in body:
            body["town"] = town
        return body
    if method == "PATCH":
        return {"note": "改"} if "/visits/" not in template else {"notes": "改"}
    return RECORD_BODIES[template.rsplit("/", 1)[1]]


def page_call(client: Client, route: str, scene: dict[str, Any]):
    method, _template = route.split(" ", 1)
    path = fill(route, scene)
    return getattr(client, method.lower())(path)


def admin_url(route: str, scene: dict[str, Any]) -> str:
    if route == "GET /admin/":
        return "/admin/"
    if "<farm_a>" in route:
        return f"/admin/registry/farm/{scene['farm_a'].pk}/change/"
    app = route.split("/")[2]
    model = next(m for m in admin.site._registry if m._meta.app_label == app)
    return f"/admin/{app}/{model._meta.model_name}/"


# ---- The tests ------------------------------------------------------------------------------------------
@functools.cache
def all_routes() -> frozenset[str]:
    return frozenset(api_operations() | page_routes() | admin_routes())


def test_every_route_has_an_access_rule():
    """A route (API operation, page or admin app) without a rule in RULES fails here."""
    missing = sorted(route for route in all_routes() if route not in RULES)
    assert not missing, "new route without an access rule: " + ", ".join(missing)
    stale = sorted(route for route in RULES if route not in all_routes())
    assert not stale, "access rule for a route that no longer exists: " + ", ".join(stale)


def expected_matches(expected: Any, status: int) -> bool:
    return status in expected if isinstance(expected, frozenset) else status == expected


def observe(route: str, identity: str, scene: dict[str, Any], api_client: Any) -> int:
    """The status `identity` gets for `route`, in a savepoint rolled back afterwards."""
    user = None if identity == "anonymous" else scene[identity]
    with transaction.atomic():
        if route.startswith(("GET /api/", "POST /api/", "PATCH /api/", "PUT /api/", "DELETE /api/")):
            if route in ("GET /api/v1/openapi.json", "GET /api/v1/docs"):
                client = Client()
                if user is not None:
                    client.force_login(user)
                status = client.get(route.split(" ", 1)[1]).status_code
            else:
                status = api_call(api_client(user), route, scene).status_code
        else:
            client = Client()
            if user is not None:
                client.force_login(user)
            if route.startswith("GET /admin/"):
                status = client.get(admin_url(route, scene)).status_code
            else:
                status = page_call(client, route, scene).status_code
        transaction.set_rollback(True)
    return status


@pytest.mark.parametrize("route", sorted(all_routes()))
def test_access(route, scene, api_client):
    """Every identity gets the status its rule says for the route."""
    if route not in RULES:
        pytest.fail(f"new route without an access rule: {route}")
    load_reference()  # the dashboard and the farm pages compute indicators from the reference figures
    wrong = []
    for identity in IDENTITIES:
        expected = RULES[route][identity]
        status = observe(route, identity, scene, api_client)
        if not expected_matches(expected, status):
            wrong.append(
                f"{identity}: got {status}, expected {sorted(expected) if isinstance(expected, frozenset) else expected}"
            )
    assert not wrong, f"{route}: " + "; ".join(wrong)
