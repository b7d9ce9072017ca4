"""Bulk issue through real workers: django_tasks_db's `db_worker` and, with Redis, an RQ worker.

Both run in this process against the test database (transaction=True, so the rows the batch writes are
committed and the worker sees them). The batch enqueues one task per farm when it commits;
`db_worker --batch` processes every ready task and exits once a poll finds none; RQ's burst mode likewise.
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.test import override_settings

from reports import context
from reports.models import AdvisoryReport, ItemStatus, ReportBatchItem
from reports.selectors import batch_progress
from reports.services import report_batch_create
from tests.factories.registry import FarmFactory
from tests.reports.conftest import YEAR

BROKEN = "CQ-BROKEN"


@pytest.fixture
def town_with_a_broken_farm(world, monkeypatch):
    """Three Chengqiao farms, one of which fails to render (a bug in a section, say)."""
    from reports import services

    services._BATCH_TOWN_FIGURES.clear()  # batch ids restart with each test database
    FarmFactory(code="CQ-C", name="丙农场", town=world["chengqiao"])
    FarmFactory(code=BROKEN, name="坏农场", town=world["chengqiao"])
    real = context.nutrient_section

    def nutrient_section(farm, year):
        if farm.code == BROKEN:
            raise RuntimeError("section exploded")
        return real(farm, year)

    monkeypatch.setattr(context, "nutrient_section", nutrient_section)
    return world


def assert_batch_finished_with_one_failure(batch):
    progress = batch_progress(batch)
    assert (progress.total, progress.done, progress.failed, progress.pending, progress.running) == (
        3,
        2,
        1,
        0,
        0,
    )
    assert progress.status == "finished"
    [error] = progress.errors
    assert (error.farm_code, error.error) == (BROKEN, "RuntimeError: section exploded")
    issued = ReportBatchItem.objects.filter(batch=batch, status=ItemStatus.DONE).values_list(
        "report__farm__code", flat=True
    )
    assert sorted(issued) == ["CQ-A", "CQ-C"]
    assert AdvisoryReport.objects.filter(issued_by=batch.requested_by).count() == 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_town_batch_runs_on_the_database_worker(town_with_a_broken_farm):
    """The batch is enqueued on commit; the worker issues two reports, records the broken farm's error,
    and does not stop for it."""
    world = town_with_a_broken_farm
    batch = report_batch_create(
        user=world["agent_cq"], scope="town", town="城桥镇", year=YEAR, language="zh-hans"
    )
    assert batch_progress(batch).status == "queued"
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)
    assert_batch_finished_with_one_failure(batch)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: no Redis to run the RQ backend on (CI sets it)",
)
def test_a_town_batch_runs_on_an_rq_worker(town_with_a_broken_farm):
    """The same batch on the RQ backend (TASK_BACKEND=rq) with a burst-mode RQ worker."""
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    world = town_with_a_broken_farm
    rq_settings = {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        "RQ_QUEUES": {"default": {"URL": os.environ["REDIS_URL"]}},
    }
    with override_settings(**rq_settings):
        queue = django_rq.get_queue("default", job_class=Job)
        queue.empty()
        try:
            batch = report_batch_create(
                user=world["agent_cq"], scope="town", town="城桥镇", year=YEAR, language="en"
            )
            assert queue.count == 3  # one task per farm
            # SimpleWorker runs jobs in this process (no fork), so they see the test database.
            SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
        finally:
            queue.empty()
    assert_batch_finished_with_one_failure(batch)
