"""A real ``celery worker`` delivers a webhook to a loopback receiver that fails twice: the retries wait out
the back-off (2 s, then 4 s) and the delivery log shows every attempt."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

import pytest

from recruiting import tasks, webhooks
from recruiting.models import WebhookDelivery
from tests.api.test_webhooks import Receiver
from tests.integration import celery_queue, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_worker_retries_with_back_off_until_the_receiver_recovers():
    with Receiver(statuses=[500, 500, 200]) as receiver, celery_queue() as queue:
        worker = start_worker(queue, concurrency=1)
        try:
            endpoint = webhooks.endpoint_create(url=receiver.url, events=webhooks.EVENTS)
            receiver.secret = endpoint.secret
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint, event="vacancy.published", payload={"vacancy_id": 1}
            )
            tasks.deliver_webhook.delay(delivery.pk)
            assert wait_for(
                lambda: WebhookDelivery.objects.get(pk=delivery.pk).status != "pending", timeout=60
            )
        finally:
            stop_worker(worker)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert [a["status_code"] for a in delivery.attempts_log] == [500, 500, 200]
    assert receiver.verdicts == ["ok", "ok", "ok"]
    times = [datetime.fromisoformat(a["at"]) for a in delivery.attempts_log]
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(times)]
    assert gaps[0] >= 1.9 and gaps[1] >= 3.9, gaps
