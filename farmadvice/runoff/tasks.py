"""Background work of the runoff model through Django's tasks API (django-tasks; settings.TASKS).

Fitting cross-validates three methods and can take a while on a large training set, so the API queues it
(`services.runoff_fit_request`) and a worker runs it: `manage.py db_worker` (TASK_BACKEND=db) or an RQ
worker (TASK_BACKEND=rq). The argument is the job's id (JSON), never a model instance.
"""

from __future__ import annotations

from django_tasks import task

from farmadvice.runoff import services


@task()
def runoff_fit_run(job_id: int) -> str:
    """Run one queued fit job; returns its status (a refused fit is recorded on the job, not raised)."""
    return services.runoff_fit_job_run(job_id=job_id)
