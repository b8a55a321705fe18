"""The Celery app of the fault tests' workers (``tests/matching/test_faults.py``): the project's own app plus fault
injection read from the environment, so no production module carries a test hook (issue 13).  Started by
``tests.integration.start_worker(..., faults=...)`` as ``celery -A tests.fault_worker worker``.

- ``FAULT_SCORING_DELAY`` (seconds): every scoring pass of this worker (``matching.services.score_pairs``: a run's
  chunk after the run is marked running, or a candidate's or vacancy's rescoring) waits this long before it
  scores and stores, long enough to kill the worker, drop its database connection or restart the broker.
- ``FAULT_COPY_DELAY`` (seconds): each COPY into a staging table (``matching.storage.rows_upsert``) stays open this
  long after its last row (psycopg's ``Copy.finish`` waits first), so a test can terminate the backend mid-COPY.
"""

from __future__ import annotations

import functools
import os
import time

from celery.signals import worker_process_init

from recruiting.celery import app

__all__ = ["app"]


def _delayed(function, seconds: float):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        time.sleep(seconds)
        return function(*args, **kwargs)

    return wrapper


@worker_process_init.connect
def inject_faults(**_) -> None:
    """In each pool process (Django is set up by then), wrap what the environment asks to slow down."""
    scoring_delay = float(os.environ.get("FAULT_SCORING_DELAY") or 0)
    copy_delay = float(os.environ.get("FAULT_COPY_DELAY") or 0)
    if scoring_delay:
        from matching import services

        services.score_pairs = _delayed(services.score_pairs, scoring_delay)
    if copy_delay:
        import psycopg

        psycopg.Copy.finish = _delayed(psycopg.Copy.finish, copy_delay)
