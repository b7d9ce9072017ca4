"""Concurrent writes of the same record (same client UUID) from several threads make one record and one
history entry: the primary key refuses the duplicates and record_create answers them as replays."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections

from farmadvice.practices import selectors, services
from farmadvice.practices.models import CropSeason, FertiliserApplication
from tests.factories.practices import crop

THREADS = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (real concurrent transactions); SQLite serialises writers",
    ),
]


def test_same_client_id_from_eight_threads_makes_one_record(world):
    """8 threads post the same fertiliser application (same id, same content) at once: one record, one
    history row; every thread gets the record back, exactly one of them as created."""
    season = CropSeason.objects.create(
        farm=world["farm_a"], year=2025, season="summer", crop=crop("rice"), area_mu=Decimal("10")
    )
    agent = world["agent_cq"]
    record_id = uuid.uuid4()
    data = {
        "id": record_id,
        "date": "2025-06-20",
        "product": "尿素",
        "n_pct": Decimal("46"),
        "product_kg": Decimal("40"),
        "area_mu": Decimal("10"),
    }
    barrier = threading.Barrier(THREADS)
    created: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def post() -> None:
        try:
            barrier.wait(timeout=30)
            _record, was_created = services.record_create(
                user=agent, kind=selectors.FERTILISER_APPLICATIONS, parent=season, data=data
            )
            with lock:
                created.append(was_created)
        except BaseException as exc:  # reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(created) == [False] * (THREADS - 1) + [True]
    assert FertiliserApplication.objects.filter(pk=record_id).count() == 1
    assert FertiliserApplication.history.filter(id=record_id).count() == 1
