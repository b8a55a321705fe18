"""Celery tasks of the recruiting app: webhook deliveries and the chunks of import runs.

Thin, like ``matching/tasks.py``: ids in, the work in ``recruiting.webhooks``.  A delivery is retried with
exponential back-off (2, 4, 8, 16, 32 s: ``webhooks.retry_countdown``) until the receiver answers 2xx or
``webhooks.MAX_ATTEMPTS`` attempts are logged; the database, not the broker, counts the attempts, so a task
delivered twice never sends a delivered webhook again.
"""

from __future__ import annotations

import logging

import psycopg
from celery import Task, shared_task
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from recruiting import import_runs, webhooks

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="recruiting.deliver_webhook",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=webhooks.MAX_ATTEMPTS,
    soft_time_limit=60,
    time_limit=90,
)
def deliver_webhook(self, delivery_id: int) -> str:
    """One attempt at delivery ``delivery_id``; schedules the next one when it failed.  Returns the status."""
    result = webhooks.delivery_attempt(delivery_id=delivery_id)
    if self.request.is_eager:
        # In-process (no broker, e.g. the local demo and the tests): no worker comes back later, so the
        # remaining attempts follow at once; the back-off is computed but not waited for.
        while result is not None and result.retry:
            webhooks.retry_countdown(result.attempts)
            result = webhooks.delivery_attempt(delivery_id=delivery_id)
    if result is None:
        return "missing"
    if result.retry:
        raise self.retry(countdown=webhooks.retry_countdown(result.attempts))
    return result.status


@shared_task(name="recruiting.resend_pending_webhooks", acks_late=True, soft_time_limit=60, time_limit=90)
def resend_pending_webhooks() -> int:
    """Periodic (Celery beat, e.g. every 10 minutes): enqueue deliveries a broker outage left pending."""
    count = webhooks.deliveries_resend_pending()
    if count:
        logger.info("re-enqueued %d pending webhook deliveries", count)
    return count


# Transient database errors (a dropped connection, a deadlock) are retried; the chunk is one transaction, so a
# retry starts from nothing.  psycopg's own classes too, as in matching.tasks.
IMPORT_TRANSIENT = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


class ImportChunkTask(Task):
    """An import-run chunk task: when it dies for good — retries used up, or an error that is not retried (a refused
    row, a bug, the time limit) — its run fails at once and every chunk already written is undone
    (``import_runs.import_run_fail``).  A worker killed outright is covered by ``acks_late`` /
    ``reject_on_worker_lost``: the broker delivers the chunk again and its rolled-back transaction left nothing."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        params = dict(zip(("run_id", "index"), args, strict=False)) | dict(kwargs or {})
        if "run_id" not in params or "index" not in params:
            return
        if isinstance(exc, (DatabaseError, psycopg.Error)) and not connection.in_atomic_block:
            connection.close()  # the connection may be the broken one: record the failure on a fresh one
        error = import_runs.chunk_error(run_id=params["run_id"], index=params["index"], exc=exc)
        import_runs.import_run_fail(run_id=params["run_id"], error=error)
        logger.warning("import run %s failed in chunk %s: %s", params["run_id"], params["index"], error)


@shared_task(
    name="recruiting.import_chunk",
    base=ImportChunkTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=IMPORT_TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def import_chunk(run_id: int, index: int) -> bool:
    """Write chunk ``index`` of import run ``run_id`` (``import_runs.import_chunk_write``).  Returns whether this
    delivery wrote it (``False``: written already, or the run failed meanwhile)."""
    return import_runs.import_chunk_write(run_id=run_id, index=index)
