"""Signed webhook deliveries to a test receiver on loopback, retries with back-off, and the delivery log.

The receiver is a tiny ``http.server`` in a thread on 127.0.0.1; it verifies every delivery with the code
published in docs/webhooks.md (extracted from the Markdown and executed here, so the docs stay right).
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from recruiting import tasks, webhooks
from recruiting.models import WebhookDelivery, WebhookEndpoint
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def docs_receiver_code() -> dict:
    """The Python block of docs/webhooks.md, executed: ``verify_matchwork_webhook`` and ``Rejected``."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    namespace: dict = {}
    exec(compile(blocks[0], str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


class Receiver:
    """A webhook receiver on 127.0.0.1:<free port> answering with ``statuses`` in turn (then the last one)."""

    def __init__(self, statuses=(200,), delay: float = 0.0):
        self.statuses = list(statuses)
        self.delay = delay
        self.requests: list[dict] = []
        self.secret = ""
        self.verdicts: list[str] = []
        self.seen: set[str] = set()
        verify = docs_receiver_code()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "path": self.path,
                    }
                )
                try:
                    verify["verify_matchwork_webhook"](self.headers, body, receiver.secret, receiver.seen)
                    receiver.verdicts.append("ok")
                except verify["Rejected"] as exc:
                    receiver.verdicts.append(str(exc))
                if receiver.delay:
                    time.sleep(receiver.delay)
                index = min(len(receiver.requests), len(receiver.statuses)) - 1
                status = receiver.statuses[index]
                if status >= 300:
                    # not accepted, so not remembered: a retry of this delivery is processed
                    receiver.seen.discard(self.headers["X-MatchWork-Delivery"])
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/matchwork"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def register(client, url: str, events=("application.created", "application.stage_changed")) -> dict:
    response = client.post("/api/v1/webhooks/endpoints/", {"url": url, "events": list(events)}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


# --- signing (pure) -----------------------------------------------------------------------------------------
def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    import hashlib
    import hmac

    body = b'{"a":1}'
    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.signature(secret="whsec_x", timestamp=1700000000, body=body) == f"sha256={expected}"


def test_signature_verify_rejects_tampering_and_stale_timestamps():
    body = b'{"a":1}'
    header = webhooks.signature(secret="s", timestamp=1000, body=body)
    assert webhooks.signature_verify(secret="s", timestamp="1000", body=body, header=header, now=1100)
    assert not webhooks.signature_verify(
        secret="s", timestamp="1000", body=body + b" ", header=header, now=1100
    )
    assert not webhooks.signature_verify(secret="t", timestamp="1000", body=body, header=header, now=1100)
    assert not webhooks.signature_verify(
        secret="s", timestamp="1000", body=body, header=header, now=1000 + 301
    )
    assert not webhooks.signature_verify(secret="s", timestamp="x", body=body, header=header, now=1100)


def test_back_off_is_exponential():
    assert [webhooks.retry_countdown(n) for n in range(1, 6)] == [2, 4, 8, 16, 32]
    assert webhooks.MAX_ATTEMPTS == 6


def test_the_documented_receiver_rejects_replays_and_old_timestamps():
    verify = docs_receiver_code()
    body = b'{"id":"1"}'
    now = 1_800_000_000
    headers = {
        "X-MatchWork-Timestamp": str(now),
        "X-MatchWork-Delivery": "1",
        "X-MatchWork-Signature": webhooks.signature(secret="s", timestamp=now, body=body),
    }
    seen: set = set()
    assert verify["verify_matchwork_webhook"](headers, body, "s", seen, now=now + 10) == "1"
    with pytest.raises(verify["Rejected"], match="already processed"):
        verify["verify_matchwork_webhook"](headers, body, "s", seen, now=now + 20)
    with pytest.raises(verify["Rejected"], match="too old"):
        verify["verify_matchwork_webhook"](headers, body, "s", set(), now=now + 301)
    with pytest.raises(verify["Rejected"], match="bad signature"):
        verify["verify_matchwork_webhook"](headers, body + b"x", "s", set(), now=now)


# --- endpoints ----------------------------------------------------------------------------------------------
def test_the_secret_is_generated_and_shown_once(world):
    client = world.client("recruiter")
    created = register(client, "https://hooks.example.com/in")
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["events"] == ["application.created", "application.stage_changed"]
    listed = client.get("/api/v1/webhooks/endpoints/").json()["results"][0]
    assert (
        "secret" not in listed
        and "secret" not in client.get(f"/api/v1/webhooks/endpoints/{created['id']}/").json()
    )
    rotated = client.post(f"/api/v1/webhooks/endpoints/{created['id']}/rotate-secret/").json()
    assert rotated["secret"] != created["secret"]
    assert WebhookEndpoint.objects.get(pk=created["id"]).secret == rotated["secret"]


def test_endpoint_validation(world):
    client = world.client("recruiter")
    error = assert_error(
        client.post(
            "/api/v1/webhooks/endpoints/", {"url": "ftp://x.example.com/", "events": []}, format="json"
        ),
        400,
        "invalid",
    )
    assert set(error["details"]) == {"url", "events"}
    error = assert_error(
        client.post(
            "/api/v1/webhooks/endpoints/",
            {"url": "https://x.example.com/", "events": ["vacancy.deleted"]},
            format="json",
        ),
        400,
        "invalid",
    )
    assert "events" in error["details"]


# --- deliveries ---------------------------------------------------------------------------------------------
def test_events_create_one_delivery_per_subscribed_active_endpoint(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks.deliver_webhook, "delay", lambda delivery_id: None)
    subscribed = webhooks.endpoint_create(url="https://a.example.com/", events=["vacancy.published"])
    webhooks.endpoint_create(url="https://b.example.com/", events=["application.created"])
    webhooks.endpoint_create(url="https://c.example.com/", events=["vacancy.published"], active=False)

    with django_capture_on_commit_callbacks(execute=True):
        world.client("recruiter").post(f"/api/v1/vacancies/{world.draft_vacancy.pk}/publish/")

    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == subscribed and delivery.event == "vacancy.published"
    assert delivery.payload == {
        "vacancy_id": world.draft_vacancy.pk,
        "reference": world.draft_vacancy.reference,
        "title": "Draft role",
    }
    assert delivery.status == "pending" and delivery.attempts == 0


def test_a_receiver_on_loopback_gets_signed_deliveries(world, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        endpoint = register(world.client("recruiter"), receiver.url)
        receiver.secret = endpoint["secret"]
        with django_capture_on_commit_callbacks(execute=True):
            applied = (
                world.client("candidate")
                .post("/api/v1/applications/", {"vacancy": world.open_vacancy.pk}, format="json")
                .json()
            )

    assert receiver.verdicts == ["ok"]
    request = receiver.requests[0]
    headers = request["headers"]
    delivery = WebhookDelivery.objects.get()
    assert headers["x-matchwork-event"] == "application.created"
    assert headers["x-matchwork-delivery"] == str(delivery.pk)
    assert headers["content-type"] == "application/json"
    assert abs(int(headers["x-matchwork-timestamp"]) - time.time()) < 60
    assert headers["x-matchwork-signature"].startswith("sha256=")
    body = json.loads(request["body"])
    assert body["event"] == "application.created" and body["id"] == str(delivery.pk)
    assert body["data"] == {
        "application_id": applied["id"],
        "candidate_id": world.candidate.pk,
        "vacancy_id": world.open_vacancy.pk,
        "stage": "applied",
    }
    assert "cv_text" not in request["body"].decode() and "@example.com" not in request["body"].decode()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert delivery.attempts_log[0]["status_code"] == 200 and delivery.attempts_log[0]["error"] == ""


def test_a_wrong_secret_fails_verification(world):
    with Receiver() as receiver:
        endpoint = webhooks.endpoint_create(url=receiver.url, events=webhooks.EVENTS)
        receiver.secret = "whsec_not-the-right-one"
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="vacancy.published", payload={})
        webhooks.delivery_attempt(delivery_id=delivery.pk)
    assert receiver.verdicts == ["bad signature"]


def test_a_receiver_answering_500_is_retried_with_back_off_and_every_attempt_is_logged(world, monkeypatch):
    countdowns = []
    real_countdown = webhooks.retry_countdown
    monkeypatch.setattr(
        webhooks, "retry_countdown", lambda n: countdowns.append(real_countdown(n)) or countdowns[-1]
    )
    with Receiver(statuses=[500]) as receiver:
        endpoint = webhooks.endpoint_create(url=receiver.url, events=webhooks.EVENTS)
        receiver.secret = endpoint.secret
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event="vacancy.published", payload={"x": 1}
        )
        started = time.monotonic()
        tasks.deliver_webhook.delay(delivery.pk)  # eager in the tests: retries run at once, without the waits
        elapsed = time.monotonic() - started

    delivery.refresh_from_db()
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS == 6
    assert receiver.verdicts == ["ok"] * 6  # every attempt is freshly signed
    assert {r["headers"]["x-matchwork-delivery"] for r in receiver.requests} == {str(delivery.pk)}
    assert countdowns == [2, 4, 8, 16, 32]
    assert elapsed < 10
    assert (delivery.status, delivery.attempts) == ("failed", 6)
    assert [a["status_code"] for a in delivery.attempts_log] == [500] * 6
    assert all(
        a["error"] == "HTTP 500" and a["at"].endswith("Z") and a["duration_ms"] >= 0
        for a in delivery.attempts_log
    )

    log = (
        world.client("recruiter")
        .get(f"/api/v1/webhooks/deliveries/?endpoint={endpoint.pk}")
        .json()["results"]
    )
    assert log[0]["id"] == delivery.pk and log[0]["status"] == "failed"
    assert [a["status_code"] for a in log[0]["attempts_log"]] == [500] * 6
    assert world.client("recruiter").get("/api/v1/webhooks/deliveries/?status=failed").json()["count"] == 1


def test_a_receiver_that_recovers_gets_the_delivery(world):
    with Receiver(statuses=[500, 503, 200]) as receiver:
        endpoint = webhooks.endpoint_create(url=receiver.url, events=webhooks.EVENTS)
        receiver.secret = endpoint.secret
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="vacancy.published", payload={})
        tasks.deliver_webhook.delay(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert [a["status_code"] for a in delivery.attempts_log] == [500, 503, 200]
    assert delivery.delivered_at is not None


def test_attempts_driven_one_by_one(world):
    """What the worker does between the waits, step by step: each attempt says whether to retry and when."""
    with Receiver(statuses=[500]) as receiver:
        endpoint = webhooks.endpoint_create(url=receiver.url, events=webhooks.EVENTS)
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="vacancy.published", payload={})
        results = [webhooks.delivery_attempt(delivery_id=delivery.pk) for _ in range(7)]
    assert [r.retry for r in results[:6]] == [True] * 5 + [False]
    assert [webhooks.retry_countdown(r.attempts) for r in results[:5]] == [2, 4, 8, 16, 32]
    assert results[5].status == results[6].status == "failed"
    assert results[6].attempts == 6  # a delivery that is no longer pending is not sent again
    assert len(receiver.requests) == 6


def test_timeouts_refusals_and_redirects_are_failed_attempts(world, monkeypatch):
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.3)
    with Receiver(statuses=[200], delay=1.0) as slow, Receiver(statuses=[302]) as redirecting:
        cases = {"slow": slow.url, "redirect": redirecting.url, "refused": "http://127.0.0.1:9/nothing"}
        errors = {}
        for name, url in cases.items():
            endpoint = webhooks.endpoint_create(url=url, events=webhooks.EVENTS)
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint, event="vacancy.published", payload={}
            )
            result = webhooks.delivery_attempt(delivery_id=delivery.pk)
            assert result.retry and result.status == "pending"
            errors[name] = WebhookDelivery.objects.get(pk=delivery.pk).attempts_log[0]
    assert errors["slow"]["error"] == "timed out after 0.3 s" and errors["slow"]["status_code"] is None
    assert errors["redirect"]["status_code"] == 302 and "not followed" in errors["redirect"]["error"]
    assert errors["refused"]["status_code"] is None and "refused" in errors["refused"]["error"].lower()


def test_an_inactive_endpoint_gets_nothing_more(world):
    endpoint = webhooks.endpoint_create(url="http://127.0.0.1:9/x", events=webhooks.EVENTS, active=False)
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="vacancy.published", payload={})
    result = webhooks.delivery_attempt(delivery_id=delivery.pk)
    assert result.status == "failed" and not result.retry
    assert WebhookDelivery.objects.get(pk=delivery.pk).attempts_log[0]["error"] == "endpoint is inactive"


def test_match_score_updates_are_one_event_per_vacancy_batch(world, django_capture_on_commit_callbacks):
    from matching import services as matching_services
    from recruiting.events import events_emitted

    received = []

    def listen(sender, event, payloads, **kwargs):
        received.append((event, payloads))

    events_emitted.connect(listen, dispatch_uid="test-match-score-updated")
    endpoint = webhooks.endpoint_create(url="http://127.0.0.1:9/x", events=["match_score.updated"])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            matching_services.score_pairs(
                candidate_ids=[world.candidate.pk, world.other_candidate.pk],
                vacancy_ids=[world.open_vacancy.pk, world.managed_vacancy.pk],
            )
    finally:
        events_emitted.disconnect(dispatch_uid="test-match-score-updated")
    # one batch for the chunk, holding one event per vacancy
    assert [e for e, _ in received] == ["match_score.updated"]
    updates = received[0][1]
    assert sorted(p["vacancy_id"] for p in updates) == sorted(
        [world.open_vacancy.pk, world.managed_vacancy.pk]
    )
    assert all(
        sorted(p["candidate_ids"]) == sorted([world.candidate.pk, world.other_candidate.pk]) for p in updates
    )
    # and the subscribed endpoint gets one delivery per vacancy
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint, event="match_score.updated")
    assert sorted(d.payload["vacancy_id"] for d in deliveries) == sorted(p["vacancy_id"] for p in updates)


def test_pending_deliveries_left_by_a_broker_outage_are_sent_again(world, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.deliver_webhook, "delay", lambda delivery_id: sent.append(delivery_id))
    endpoint = webhooks.endpoint_create(url="http://127.0.0.1:9/x", events=webhooks.EVENTS)
    old = WebhookDelivery.objects.create(endpoint=endpoint, event="vacancy.published", payload={})
    WebhookDelivery.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2020))
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="vacancy.published", payload={}
    )  # recent: in flight
    assert tasks.resend_pending_webhooks() == 1
    assert sent == [old.pk]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/",
        "http://192.168.0.7/",
        "http://does-not-resolve.invalid/hook",
    ],
)
def test_webhook_urls_into_the_servers_own_network_are_refused(world, settings, url):
    """SSRF: with private URLs not allowed (production default) a recruiter cannot point a webhook inward."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = world.client("recruiter").post(
        "/api/v1/webhooks/endpoints/", {"url": url, "events": ["vacancy.published"]}, format="json"
    )
    assert response.status_code == 400 and "url" in json.dumps(response.json())
    assert not WebhookEndpoint.objects.filter(url=url).exists()
    with pytest.raises(ValueError):
        webhooks.endpoint_create(url=url, events=["vacancy.published"])


def test_a_delivery_to_an_address_that_became_private_is_refused_not_sent(world, settings):
    endpoint = webhooks.endpoint_create(
        url="http://127.0.0.1:9/x", events=webhooks.EVENTS
    )  # allowed in tests
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="vacancy.published", payload={})
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    result = webhooks.delivery_attempt(delivery_id=delivery.pk)
    assert result.status == "failed" and not result.retry
    assert "non-public address" in WebhookDelivery.objects.get(pk=delivery.pk).attempts_log[0]["error"]
