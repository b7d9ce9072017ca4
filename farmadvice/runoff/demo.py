"""The runoff model's demo training set in the database: data/runoff_training_demo.csv as
`RunoffObservation` records marked `data_source = synthetic` (how the file is made: its generator,
data/generate_runoff_training_demo.py, and data/README.md).

`load_demo_training()` is called by the demo loader after the demo population exists: the simulated
irrigation districts D01-D12 are mapped, in order, onto the irrigation districts (sorted by code) that have
crop farms, and each simulated plot onto one of those farms, so that the plots lie in real districts (the
random intercept's groups). Without districts, plots are spread over the crop farms. Record ids are derived
from the file's row numbers, so loading twice adds nothing; `demo_training_delete()` removes the rows again
(a demo reset must call it before it deletes the demo farms, which the observations protect).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from farmadvice.core import figures
from farmadvice.core.errors import ApplicationError
from farmadvice.reference.models import Crop
from farmadvice.registry.models import Farm, FarmType
from farmadvice.runoff.models import DataSource, RunoffObservation
from farmadvice.runoff.services import season_rainfall_load

DEMO_FILE = "runoff_training_demo.csv"
DEMO_NAMESPACE = uuid.UUID("5d1b3a52-9a43-4f0e-9a55-2f7c1e0d6b11")

MSG_NO_FARMS = gettext_noop("没有种植类农场：请先运行 load_demo 生成演示农场，再载入径流演示训练数据。")
MSG_NO_CROPS = gettext_noop("缺少作物（{codes}）：请先运行 load_reference。")


@dataclass(frozen=True, slots=True)
class DemoTrainingReport:
    rows: int
    created: int
    existing: int
    farms: int
    districts: int


def demo_path() -> Path:
    return Path(settings.REFERENCE_DATA_DIR) / DEMO_FILE


def demo_ids(frame: pd.DataFrame) -> list[uuid.UUID]:
    """The record id of each row of the file: derived from its row number (the header is row 1)."""
    return [uuid.uuid5(DEMO_NAMESPACE, f"runoff-demo/{number}") for number in range(2, len(frame) + 2)]


def _decimal(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def load_demo_training(*, user: Any | None = None, path: Path | None = None) -> DemoTrainingReport:
    """Write the demo training set as observations on the demo's crop farms (module docstring);
    `user` is recorded as their author. Loads data/rainfall.csv too (the predictions need it)."""
    frame = pd.read_csv(path or demo_path())
    season_rainfall_load()
    codes = sorted(set(frame["crop"]))
    crops = {crop.code: crop for crop in Crop.objects.filter(code__in=codes)}
    if len(crops) != len(codes):
        raise ApplicationError(_(MSG_NO_CROPS).format(codes=", ".join(sorted(set(codes) - set(crops)))))
    farms = list(
        Farm.objects.filter(farm_type__in=(FarmType.CROP, FarmType.MIXED), active=True)
        .select_related("irrigation_district")
        .order_by("irrigation_district__code", "code")
    )
    if not farms:
        raise ApplicationError(_(MSG_NO_FARMS))
    by_district: dict[str, list[Farm]] = {}
    for farm in farms:
        if farm.irrigation_district is not None:
            by_district.setdefault(farm.irrigation_district.code, []).append(farm)
    simulated = sorted(set(frame["district"]))
    plots = sorted(set(frame["plot_code"]))
    plot_farm: dict[str, Farm] = {}
    for plot in plots:
        district_index = simulated.index(plot.split("-")[1])
        plot_number = int(plot.rsplit("P", 1)[1]) - 1
        if by_district:
            district_codes = sorted(by_district)
            in_district = by_district[district_codes[district_index % len(district_codes)]]
            plot_farm[plot] = in_district[plot_number % len(in_district)]
        else:
            plot_farm[plot] = farms[(district_index * 4 + plot_number) % len(farms)]
    ids = demo_ids(frame)
    existing = set(RunoffObservation.objects.filter(pk__in=ids).values_list("pk", flat=True))
    author = user if user is not None and getattr(user, "pk", None) is not None else None
    new = [
        RunoffObservation(
            id=record_id,
            farm=plot_farm[row.plot_code],
            plot_code=row.plot_code,
            year=int(row.year),
            season=row.season,
            crop=crops[row.crop],
            rainfall_mm=_decimal(row.rainfall_mm, 1),
            n_rate_kg_per_ha=_decimal(row.n_rate_kg_per_ha, 2),
            p_rate_kg_per_ha=_decimal(row.p_rate_kg_per_ha, 2),
            slow_release_share=_decimal(row.slow_release_share, 4),
            side_deep_share=_decimal(row.side_deep, 4),
            fertigation_share=_decimal(row.fertigation, 4),
            straw_return_share=_decimal(row.straw_return, 4),
            tn_load_kg_per_ha=_decimal(row.tn_load_kg_per_ha, 4),
            tp_load_kg_per_ha=_decimal(row.tp_load_kg_per_ha, 4),
            data_source=DataSource.SYNTHETIC,
            note="模拟数据（仅供演示），见 data/README.md",
            created_by=author,
            updated_by=author,
        )
        for record_id, row in zip(ids, frame.itertuples(index=False), strict=True)
        if record_id not in existing
    ]
    with transaction.atomic():
        bulk_create_with_history(new, RunoffObservation, batch_size=500, default_user=author)
        figures.data_changed()  # bulk writes send no signals
    return DemoTrainingReport(
        rows=len(frame),
        created=len(new),
        existing=len(existing),
        farms=len(set(plot_farm.values())),
        districts=min(len(simulated), len(by_district)),
    )


def demo_training_delete(*, path: Path | None = None) -> int:
    """Delete the demo training observations (by their derived ids); returns how many were deleted."""
    frame = pd.read_csv(path or demo_path())
    deleted, _by_model = RunoffObservation.objects.filter(pk__in=demo_ids(frame)).delete()
    return deleted
