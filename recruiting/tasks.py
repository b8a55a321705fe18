"""Celery tasks of the recruiting app: webhook deliveries.

Thin, like ``matching/tasks.py``: ids in, the work in ``recruiting.webhooks``.  A delivery is retried with
exponential back-off (2, 4, 8, 16, 32 s: ``webhooks.retry_countdown``) until the receiver answers 2xx or
``webhooks.MAX_ATTEMPTS`` attempts are logged; the database, not the broker, counts the attempts, so a task
delivered twice never sends a delivered webhook again.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from recruiting import webhooks

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
