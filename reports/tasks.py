"""Background work through Django's tasks API (django-tasks): the configured backend runs it.

TASK_BACKEND=db: `manage.py db_worker` processes; TASK_BACKEND=rq: `manage.py rqworker --job-class
django_tasks_rq.Job`. A batch is one task per farm, so any number of workers share it.
Arguments are ids (JSON), never model instances.
"""

from __future__ import annotations

from django_tasks import task

from reports import services


@task()
def report_batch_item_issue(item_id: int) -> str:
    """Issue one farm's report of a batch; returns the item's status (a failure is recorded, not raised)."""
    return services.report_batch_item_run(item_id=item_id)
