"""gunicorn settings for production: `gunicorn -c python:farmadvice.gunicorn_conf farmadvice.wsgi`.

- Threaded workers (gthread): a request that computes for a while (the committee's first compliance
  table after a change, a report rendered on a visit) holds one thread, not a whole worker, so the
  agents' and operators' short requests do not queue behind it.
- The application is loaded once in the master (`preload_app`) and its objects are frozen out of the
  garbage collector's reach before the workers fork (`gc.freeze`): the workers share those pages and a
  full collection walks only what requests create.

Environment: GUNICORN_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (worker processes, default the CPU
count), GUNICORN_THREADS (threads per worker, default 4), GUNICORN_TIMEOUT (seconds, default 120: a report
rendered in a request takes one or two).
"""

from __future__ import annotations

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None


def when_ready(server: object) -> None:
    """In the master, after the application is loaded and before the workers fork."""
    from django.db import connections

    connections.close_all()  # a connection opened while loading must not be shared by the workers
    gc.collect()
    gc.freeze()
