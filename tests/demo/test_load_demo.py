"""`manage.py load_demo`: writes the generated population, its logins and history; idempotent; careful."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Sum

from farmadvice.accounts import access
from farmadvice.accounts.models import Role
from farmadvice.demo.generator import AGENT_TOWNS, DemoParams, generate
from farmadvice.demo.loader import DEMO_EMAIL_DOMAIN, demo_password
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
from farmadvice.practices.plausibility import record_warnings
from farmadvice.registry.models import Farm, IrrigationDistrict, Town, Village

PARAMS = DemoParams(seed=7, n_farms=60, years=(2024, 2025))
OPTIONS = {"seed": 7, "farms": 60, "years": "2024-2025", "force": True}
MODELS = {
    "villages": Village,
    "districts": IrrigationDistrict,
    "farms": Farm,
    "visits": Visit,
    "seasons": CropSeason,
    "fertiliser_applications": FertiliserApplication,
    "pesticide_applications": PesticideApplication,
    "straw_uses": StrawUse,
    "mulch_films": MulchFilm,
    "herds": LivestockHerd,
    "manure_facilities": ManureFacility,
    "tailwater_samples": TailwaterSample,
    "water_samples": WaterSample,
}
RECORD_MODELS = [m for name, m in MODELS.items() if name not in ("villages", "districts", "farms")]


@pytest.fixture
def reference(db):
    call_command("load_reference", stdout=io.StringIO())


def load_demo(**options) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **{**OPTIONS, **options})
    return out.getvalue()


@pytest.fixture
def loaded(reference) -> str:
    return load_demo()


def n_kg(applications) -> Decimal:
    """Pure N, kg (INDICATORS.md §1), summed in Python: SQLite divides whole-number decimals as integers."""
    return sum(kg * pct / 100 for kg, pct in applications.values_list("product_kg", "n_pct"))


def total_n_kg() -> Decimal:
    return n_kg(FertiliserApplication.objects.all())


def test_load_demo_writes_the_generated_population(loaded):
    expected = generate(PARAMS).counts()
    assert {name: model.objects.count() for name, model in MODELS.items()} == expected
    assert set(Farm.objects.values_list("town__name_zh", flat=True)) == set(
        Town.objects.values_list("name_zh", flat=True)
    )
    assert "Demo loaded in" in loaded


def test_stored_amounts_equal_the_generated_ones(loaded):
    dataset = generate(PARAMS)
    generated = sum(
        Decimal(str(a.product_kg)) * Decimal(str(a.n_pct)) / 100 for a in dataset.fertiliser_applications
    )
    assert total_n_kg() == pytest.approx(generated, abs=Decimal("0.01"))
    assert set(FertiliserApplication.objects.values_list("id", flat=True)) == {
        a.id for a in dataset.fertiliser_applications
    }


def test_mean_rice_n_rate_in_the_database_is_plausible(loaded):
    """INDICATORS.md §1, §9: rice ~14-20 kg N/mu."""
    rice = CropSeason.objects.filter(crop__code="rice")
    area = rice.aggregate(area=Sum("area_mu"))["area"]
    assert 12 <= n_kg(FertiliserApplication.objects.filter(season__in=rice)) / area <= 22


def test_every_role_has_a_login_with_the_printed_password(loaded):
    User = get_user_model()
    roles = {
        "admin": Role.ADMIN,
        "committee": Role.COMMITTEE,
        "agent": Role.AGENT,
        "agent2": Role.AGENT,
        "operator": Role.OPERATOR,
        "operator2": Role.OPERATOR,
    }
    for username, role in roles.items():
        user = User.objects.get(username=username)
        assert user.profile.role == role
        assert user.check_password(demo_password(username))
        assert user.email == f"{username}@{DEMO_EMAIL_DOMAIN}"
        assert user.is_staff == (role != Role.OPERATOR)
        assert demo_password(username) in loaded
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="committee").is_superuser


def test_agents_write_in_their_towns_and_operators_see_only_their_farms(loaded):
    User = get_user_model()
    agent, agent2 = User.objects.get(username="agent"), User.objects.get(username="agent2")
    operator, operator2 = User.objects.get(username="operator"), User.objects.get(username="operator2")
    assert set(agent.profile.towns.values_list("name_zh", flat=True)) == set(AGENT_TOWNS)
    assert agent2.profile.towns.count() == 18 - len(AGENT_TOWNS)
    chengqiao = Town.objects.get(name_zh="城桥镇")
    assert access.can_write_in_town(agent, chengqiao)
    assert not access.can_write_in_town(agent2, chengqiao)

    farms = access.farms_visible_to(operator)
    assert farms.count() == 2
    assert set(farms.values_list("town", flat=True)) == {chengqiao.pk}
    assert access.districts_visible_to(operator).exists()
    (elsewhere,) = access.farms_visible_to(operator2)
    assert elsewhere.town.name_zh not in AGENT_TOWNS
    assert access.farms_visible_to(agent).count() == Farm.objects.count()


def test_records_are_authored_by_the_towns_agent_with_history(loaded):
    for farm in Farm.objects.select_related("town", "created_by")[:20]:
        expected = "agent" if farm.town.name_zh in AGENT_TOWNS else "agent2"
        assert farm.created_by.username == expected
        assert set(farm.seasons.values_list("created_by__username", flat=True)) <= {expected}
        assert set(farm.visits.values_list("agent__username", flat=True)) == {expected}
    assert set(IrrigationDistrict.objects.values_list("created_by__username", flat=True)) == {"admin"}
    for model in (Farm, *RECORD_MODELS):
        assert model.history.count() == model.objects.count()
        assert not model.history.filter(history_user__isnull=True).exists()


def test_stored_records_pass_model_validation(loaded):
    for model in (Farm, IrrigationDistrict, *RECORD_MODELS):
        for instance in model.objects.all()[:40]:
            instance.full_clean()


def test_stored_records_raise_no_plausibility_warnings(loaded):
    """The demo is off target on purpose, never implausible: no entry a clerk would have to re-check."""
    for model in RECORD_MODELS:
        for instance in model.objects.order_by("pk")[:60]:
            assert record_warnings(instance) == [], instance


def test_running_twice_keeps_the_demo_set(loaded):
    ids = set(FertiliserApplication.objects.values_list("id", flat=True))
    output = load_demo()
    assert "already present" in output
    assert set(FertiliserApplication.objects.values_list("id", flat=True)) == ids
    assert Farm.objects.count() == PARAMS.n_farms
    assert FertiliserApplication.history.count() == len(ids)
    assert get_user_model().objects.filter(username="agent").count() == 1


def test_reset_rebuilds_the_same_records_without_leftover_history(loaded):
    before = (set(Farm.objects.values_list("code", flat=True)), total_n_kg())
    ids = set(CropSeason.objects.values_list("id", flat=True))
    output = load_demo(reset=True)
    assert "after deleting" in output
    assert (set(Farm.objects.values_list("code", flat=True)), total_n_kg()) == before
    assert set(CropSeason.objects.values_list("id", flat=True)) == ids
    for model in (Farm, IrrigationDistrict, Village, *RECORD_MODELS):
        assert model.history.count() == model.objects.count()


def test_reset_with_other_options_replaces_the_demo_set(loaded):
    load_demo(reset=True, farms=30, years="2025")
    assert Farm.objects.count() == 30
    assert set(CropSeason.objects.values_list("year", flat=True)) == {2025}


def test_password_option_sets_every_login(loaded):
    output = load_demo(password="another-Secret-1")
    assert get_user_model().objects.get(username="operator2").check_password("another-Secret-1")
    assert "another-Secret-1" in output


def test_it_refuses_to_run_with_debug_off_unless_forced(reference):
    with pytest.raises(CommandError, match="DEBUG"):
        load_demo(force=False)
    assert not Farm.objects.exists()


def test_it_never_takes_over_an_account_that_is_not_a_demo_one(reference):
    get_user_model().objects.create_user("admin", email="it@example.org", password="x")
    with pytest.raises(CommandError, match="admin"):
        load_demo()
    assert not Farm.objects.exists()
    assert get_user_model().objects.get(username="admin").check_password("x")


def test_it_asks_for_the_reference_data_first(db):
    with pytest.raises(CommandError, match="load_reference"):
        load_demo()


def test_it_refuses_to_overwrite_farms_it_did_not_create(reference):
    Farm.objects.create(
        code="CM-CQ-0001",
        name="真实农场",
        farm_type="crop",
        town=Town.objects.get(name_zh="城桥镇"),
        area_mu=10,
    )
    with pytest.raises(CommandError, match="CM-CQ-0001"):
        load_demo()
    assert Farm.objects.count() == 1


def test_bad_years_are_refused(reference):
    with pytest.raises(CommandError, match="--years"):
        load_demo(years="last four")


def test_every_indicator_with_a_target_has_towns_behind_it(reference):
    """The demo shows the committee a failure for every indicator it has a target for: some town (or, for
    the indicators judged farm by farm, some farm) is below the target in the last year (the years from
    the base year 2022 on, so that the reductions have their base)."""
    load_demo(years="2022-2025")
    from farmadvice.indicators.compliance import ComplianceStatus, compliance_report
    from farmadvice.indicators.queries.common import SYSTEM_READER

    report = compliance_report(user=SYSTEM_READER, year=2025)
    behind = {ComplianceStatus.NOT_MET, ComplianceStatus.WORKING_TOWARD}
    with_target = {row.indicator for row in report.rows if row.target is not None}
    failing = {row.indicator for row in report.rows if row.status in behind or row.failing}
    assert len(with_target) >= 10
    assert with_target - failing == set()
