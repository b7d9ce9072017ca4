"""Write the demo population to the database (`manage.py load_demo`).

The demo set is whatever the demo users created: every village, district and farm whose
`created_by` is one of them, and every record on those farms and districts. Demo users are the six
accounts of `DEMO_USERS`, recognised by their e-mail domain, so a real account that happens to be
called "admin" is never touched.

Loading is idempotent: when the demo set is present, `demo_load` only re-sets the demo logins,
unless `reset=True`, which deletes the demo set (with its history) and writes it afresh. The same
params give the same records, ids included (see `farmadvice.demo.generator`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import ProtectedError
from django.test.utils import override_settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from farmadvice.accounts.models import Profile, Role
from farmadvice.core import figures
from farmadvice.core.errors import ApplicationError
from farmadvice.demo import generator as g
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
from farmadvice.reference.models import Crop
from farmadvice.registry.models import Farm, IrrigationDistrict, Town, Village
from farmadvice.runoff.demo import demo_training_delete, load_demo_training

DEMO_EMAIL_DOMAIN = "demo.farmadvice.invalid"
BATCH_SIZE = 1000

MSG_REFERENCE_MISSING = gettext_noop("缺少参考数据（{missing}）：请先运行 manage.py load_reference。")
MSG_USER_NOT_DEMO = gettext_noop(
    "用户“{username}”已存在且不是演示账号（邮箱不是 @{domain}），load_demo 不会修改它。"
)
MSG_CODES_TAKEN = gettext_noop("以下编号已被非演示数据占用，无法写入演示数据：{codes}")
MSG_DEMO_PROTECTED = gettext_noop(
    "演示数据被其他记录引用（{models}），无法重建：请先在后台删除这些记录，或换一个空数据库。"
)


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    role: str
    last_name: str
    first_name: str
    is_staff: bool
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser(g.ADMIN, Role.ADMIN, "系统", "管理员", is_staff=True, is_superuser=True),
    DemoUser(g.COMMITTEE, Role.COMMITTEE, "顾", "明华", is_staff=True),
    DemoUser(g.AGENT, Role.AGENT, "施", "建国", is_staff=True),
    DemoUser(g.AGENT2, Role.AGENT, "陆", "晓燕", is_staff=True),
    DemoUser(g.OPERATOR, Role.OPERATOR, "黄", "国平", is_staff=False),
    DemoUser(g.OPERATOR2, Role.OPERATOR, "沈", "美英", is_staff=False),
)


def demo_password(username: str) -> str:
    """The published demo password of a demo user, e.g. "demo-agent-2026"."""
    return f"demo-{username}-2026"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: str
    sees: str


@dataclass(frozen=True, slots=True)
class DemoLoadResult:
    created: bool  # False when the demo set was present and kept
    counts: Mapping[str, int]  # rows of the demo set, per collection
    deleted: int  # rows deleted by a reset
    logins: tuple[DemoLogin, ...]
    seconds: float


def demo_load(
    *, params: g.DemoParams | None = None, reset: bool = False, password: str | None = None
) -> DemoLoadResult:
    """Create the demo logins and, unless it is there already (or `reset`), the demo population."""
    started = time.perf_counter()
    params = params or g.DemoParams()
    with transaction.atomic():
        users = _ensure_users(password)
        present = _demo_farms(users).exists()
        deleted = 0
        if present and not reset:
            counts = _present_counts(users)
        else:
            if present:
                # Runoff observations sit on demo farms and protect them: they go first.
                deleted = demo_training_delete() + demo_delete(users=users)
            dataset = g.generate(params)
            counts = _write(dataset, users)
            counts["runoff observations (synthetic)"] = load_demo_training(user=users["admin"]).created
            figures.data_changed()  # bulk writes send no signals
        logins = _logins(users, password)
    return DemoLoadResult(
        created=not present or reset,
        counts=counts,
        deleted=deleted,
        logins=logins,
        seconds=time.perf_counter() - started,
    )


# --- Users -----------------------------------------------------------------------------------


def _is_demo_user(user: Any) -> bool:
    return user.email.lower().endswith("@" + DEMO_EMAIL_DOMAIN)


def demo_users() -> dict[str, Any]:
    """The demo accounts that exist, by username."""
    User = get_user_model()
    found = User.objects.filter(
        username__in=[u.username for u in DEMO_USERS], email__iendswith="@" + DEMO_EMAIL_DOMAIN
    )
    return {user.username: user for user in found}


def _ensure_users(password: str | None) -> dict[str, Any]:
    """Create or re-set the six demo accounts: role, towns, and the demo (or given) password."""
    User = get_user_model()
    towns = {t.name_zh: t for t in Town.objects.all()}
    agent_towns = {
        g.AGENT: g.AGENT_TOWNS,
        g.AGENT2: tuple(t.name_zh for t in g.TOWNS if t.name_zh not in g.AGENT_TOWNS),
    }
    missing = [name for names in agent_towns.values() for name in names if name not in towns]
    if missing:
        raise ApplicationError(_(MSG_REFERENCE_MISSING).format(missing="乡镇 " + "、".join(missing)))
    users: dict[str, Any] = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(username=spec.username)
        elif not _is_demo_user(user):
            raise ApplicationError(
                _(MSG_USER_NOT_DEMO).format(username=spec.username, domain=DEMO_EMAIL_DOMAIN)
            )
        user.email = f"{spec.username}@{DEMO_EMAIL_DOMAIN}"
        user.last_name, user.first_name = spec.last_name, spec.first_name
        user.is_staff, user.is_superuser, user.is_active = spec.is_staff, spec.is_superuser, True
        user.set_password(password or demo_password(spec.username))
        user.save()
        profile, _created = Profile.objects.update_or_create(user=user, defaults={"role": spec.role})
        profile.towns.set([towns[name] for name in agent_towns.get(spec.username, ())])
        users[spec.username] = user
    return users


def _logins(users: Mapping[str, Any], password: str | None) -> tuple[DemoLogin, ...]:
    operated = {
        username: sorted(user.operated_farms.values_list("code", flat=True))
        for username, user in users.items()
    }
    towns = {
        username: list(user.profile.towns.order_by("code").values_list("name_zh", flat=True))
        for username, user in users.items()
    }
    sees = {
        g.ADMIN: "everything, and the Django admin",
        g.COMMITTEE: "all farms, districts and indicators; edits reference figures and targets",
        g.AGENT: "all farms and districts; writes in " + "、".join(towns[g.AGENT]),
        g.AGENT2: f"all farms and districts; writes in the other {len(towns[g.AGENT2])} towns",
        g.OPERATOR: "only " + ", ".join(operated[g.OPERATOR]) + " and their district",
        g.OPERATOR2: "only " + ", ".join(operated[g.OPERATOR2]),
    }
    return tuple(
        DemoLogin(
            username=spec.username,
            password=password or demo_password(spec.username),
            role=spec.role,
            sees=sees[spec.username],
        )
        for spec in DEMO_USERS
    )


# --- The demo set ----------------------------------------------------------------------------


def _demo_farms(users: Mapping[str, Any]) -> models.QuerySet[Farm]:
    return Farm.objects.filter(created_by__in=list(users.values()))


def _demo_querysets(users: Mapping[str, Any]) -> list[tuple[str, models.QuerySet]]:
    """The demo set, children before parents (the order to delete in)."""
    creators = list(users.values())
    farms = Farm.objects.filter(created_by__in=creators)
    districts = IrrigationDistrict.objects.filter(created_by__in=creators)
    return [
        ("water_samples", WaterSample.objects.filter(district__in=districts)),
        ("tailwater_samples", TailwaterSample.objects.filter(farm__in=farms)),
        ("manure_facilities", ManureFacility.objects.filter(farm__in=farms)),
        ("herds", LivestockHerd.objects.filter(farm__in=farms)),
        ("mulch_films", MulchFilm.objects.filter(season__farm__in=farms)),
        ("straw_uses", StrawUse.objects.filter(season__farm__in=farms)),
        ("pesticide_applications", PesticideApplication.objects.filter(season__farm__in=farms)),
        ("fertiliser_applications", FertiliserApplication.objects.filter(season__farm__in=farms)),
        ("seasons", CropSeason.objects.filter(farm__in=farms)),
        ("visits", Visit.objects.filter(farm__in=farms)),
        ("farms", farms),
        ("districts", districts),
        ("villages", Village.objects.filter(created_by__in=creators)),
    ]


def _present_counts(users: Mapping[str, Any]) -> dict[str, int]:
    return {name: qs.count() for name, qs in reversed(_demo_querysets(users))}


@contextmanager
def _history_off() -> Iterator[None]:
    # django-simple-history writes a "-" row per deleted object, one INSERT each; the demo set's
    # history is deleted with it, so switch recording off (its documented setting) meanwhile.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        yield


@transaction.atomic
def demo_delete(*, users: Mapping[str, Any] | None = None) -> int:
    """Delete the demo set and its history; return the number of rows deleted (history not counted)."""
    users = demo_users() if users is None else users
    deleted = 0
    with _history_off():
        for name, queryset in _demo_querysets(users):
            if name == "villages":
                queryset = queryset.filter(farms__isnull=True)
            history = queryset.model.history.model
            history.objects.filter(id__in=queryset.values("pk")).delete()
            if name == "farms":
                Farm.operators.through.objects.filter(farm__in=queryset).delete()
            try:
                deleted += queryset.delete()[1].get(queryset.model._meta.label, 0)
            except ProtectedError as exc:
                # E.g. advisory reports issued for demo farms: archived, so not ours to delete.
                blocking = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
                raise ApplicationError(_(MSG_DEMO_PROTECTED).format(models="、".join(blocking))) from exc
    return deleted


# --- Writing ---------------------------------------------------------------------------------

_DECIMALS: dict[type[models.Model], frozenset[str]] = {}


def _decimal_fields(model: type[models.Model]) -> frozenset[str]:
    if model not in _DECIMALS:
        _DECIMALS[model] = frozenset(
            f.attname for f in model._meta.concrete_fields if isinstance(f, models.DecimalField)
        )
    return _DECIMALS[model]


def _instance(
    model: type[models.Model], spec: Any, *, user: Any, skip: Iterable[str] = (), **extra: Any
) -> models.Model:
    """A model instance from a spec: same-named fields copied, floats made Decimals, author set."""
    skipped = set(skip)
    values = {f.name: getattr(spec, f.name) for f in fields(spec) if f.name not in skipped}
    values.update(extra)
    for name in _decimal_fields(model):
        value = values.get(name)
        if value is not None and not isinstance(value, Decimal):
            values[name] = Decimal(str(value))
    instance = model(**values, created_by=user, updated_by=user)
    instance._history_user = user  # read by simple_history's bulk_history_create
    return instance


def _create(model: type[models.Model], instances: list[models.Model]) -> list[models.Model]:
    return bulk_create_with_history(instances, model, batch_size=BATCH_SIZE)


def _write(dataset: g.DemoDataset, users: Mapping[str, Any]) -> dict[str, int]:
    towns = {t.name_zh: t for t in Town.objects.all()}
    crops = {c.code: c for c in Crop.objects.all()}
    needed_crops = {s.crop for s in dataset.seasons}
    missing = sorted({f.town for f in dataset.farms} - set(towns)) + sorted(needed_crops - set(crops))
    if missing:
        raise ApplicationError(_(MSG_REFERENCE_MISSING).format(missing="、".join(missing)))
    farm_codes = [f.code for f in dataset.farms]
    district_codes = [d.code for d in dataset.districts]
    taken = list(Farm.objects.filter(code__in=farm_codes).values_list("code", flat=True))
    taken += IrrigationDistrict.objects.filter(code__in=district_codes).values_list("code", flat=True)
    if taken:
        raise ApplicationError(_(MSG_CODES_TAKEN).format(codes=", ".join(sorted(taken)[:10])))
    admin = users[g.ADMIN]

    villages = {(v.town_id, v.name): v for v in Village.objects.filter(town__in=towns.values())}
    new_villages = [
        Village(town=towns[v.town], name=v.name, created_by=admin, updated_by=admin)
        for v in dataset.villages
        if (towns[v.town].pk, v.name) not in villages
    ]
    for village in new_villages:
        village._history_user = admin
    for village in _create(Village, new_villages):
        villages[(village.town_id, village.name)] = village

    districts = {
        d.code: d
        for d in _create(
            IrrigationDistrict,
            [
                _instance(IrrigationDistrict, spec, user=admin, skip=("town",), town=towns[spec.town])
                for spec in dataset.districts
            ],
        )
    }
    farms = {
        f.code: f
        for f in _create(
            Farm,
            [
                _instance(
                    Farm,
                    spec,
                    user=users[spec.created_by_username],
                    skip=("kind", "town", "village", "district_code", "created_by_username"),
                    town=towns[spec.town],
                    village=villages[(towns[spec.town].pk, spec.village)],
                    irrigation_district=districts[spec.district_code] if spec.district_code else None,
                )
                for spec in dataset.farms
            ],
        )
    }
    Farm.operators.through.objects.bulk_create(
        [
            Farm.operators.through(farm_id=farms[code].pk, user_id=users[username].pk)
            for username, codes in dataset.operator_farms
            for code in codes
        ]
    )

    farm_ids = {code: farm.pk for code, farm in farms.items()}
    agent_of_farm = {spec.code: users[spec.created_by_username] for spec in dataset.farms}
    visits = [
        _instance(
            Visit,
            spec,
            user=users[spec.agent_username],
            skip=("farm_code", "agent_username"),
            farm_id=farm_ids[spec.farm_code],
            agent=users[spec.agent_username],
        )
        for spec in dataset.visits
    ]
    _create(Visit, visits)

    season_author = {s.id: agent_of_farm[s.farm_code] for s in dataset.seasons}
    _create(
        CropSeason,
        [
            _instance(
                CropSeason,
                spec,
                user=agent_of_farm[spec.farm_code],
                skip=("farm_code", "crop"),
                farm_id=farm_ids[spec.farm_code],
                crop=crops[spec.crop],
            )
            for spec in dataset.seasons
        ],
    )
    for model, specs in (
        (FertiliserApplication, dataset.fertiliser_applications),
        (PesticideApplication, dataset.pesticide_applications),
        (StrawUse, dataset.straw_uses),
        (MulchFilm, dataset.mulch_films),
    ):
        _create(model, [_instance(model, spec, user=season_author[spec.season_id]) for spec in specs])
    for model, specs in (
        (LivestockHerd, dataset.herds),
        (ManureFacility, dataset.manure_facilities),
        (TailwaterSample, dataset.tailwater_samples),
    ):
        _create(
            model,
            [
                _instance(
                    model,
                    spec,
                    user=agent_of_farm[spec.farm_code],
                    skip=("farm_code",),
                    farm_id=farm_ids[spec.farm_code],
                )
                for spec in specs
            ],
        )
    _create(
        WaterSample,
        [
            _instance(
                WaterSample,
                spec,
                user=users[spec.created_by_username],
                skip=("district_code", "created_by_username"),
                district=districts[spec.district_code],
            )
            for spec in dataset.water_samples
        ],
    )
    counts = dataset.counts()
    counts["villages"] = Village.objects.filter(created_by__in=list(users.values())).count()
    return counts
