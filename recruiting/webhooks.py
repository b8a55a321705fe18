"""Webhooks: recruiters' endpoints, signed deliveries, and a log of every delivery attempt.

Flow: a service emits a domain event (``recruiting.events.emit``) → after commit, :func:`on_event_emitted`
creates one ``WebhookDelivery`` per active endpoint subscribed to it and enqueues ``recruiting.deliver_webhook``
(``recruiting/tasks.py``) → the task calls :func:`delivery_attempt` (one signed POST, logged) and retries with
exponential back-off (:func:`retry_countdown`) until the receiver answers 2xx or :data:`MAX_ATTEMPTS` are used.

A delivery is a POST of JSON::

    {"id": "42", "event": "application.created", "created_at": "2026-01-01T12:00:00Z", "data": {…}}

with the headers ``X-MatchWork-Event``, ``X-MatchWork-Delivery`` (the id; the same on every retry),
``X-MatchWork-Timestamp`` (Unix seconds of this attempt) and
``X-MatchWork-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``.
How a receiver verifies it: ``docs/webhooks.md`` (and :func:`signature_verify`, the reference).

Payloads are the events' payloads: ids and public fields, never CV text or e-mail addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from recruiting.events import event_emitted, events_emitted
from recruiting.models import WebhookDelivery, WebhookEndpoint
from recruiting.services import audit_log

logger = logging.getLogger(__name__)

EVENTS: list[str] = list(WebhookEndpoint.Event.values)
#: Attempts per delivery, the first included.
MAX_ATTEMPTS: int = getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 6)
#: Seconds to wait for a receiver (connect and read, each).
TIMEOUT_SECONDS: float = getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 5.0)
#: Wait before retry n (after n failed attempts) is ``BACKOFF_BASE ** n`` seconds: 2, 4, 8, 16, 32.
BACKOFF_BASE: int = getattr(settings, "WEBHOOK_BACKOFF_BASE", 2)
#: A receiver should reject deliveries whose timestamp is older than this (seconds); see docs/webhooks.md.
SIGNATURE_TOLERANCE_SECONDS = 300
USER_AGENT = "MatchWork-Webhooks/1.0"
_RESPONSE_READ_LIMIT = 64 * 1024


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- signing ------------------------------------------------------------------------------------------------
def secret_generate() -> str:
    """A new endpoint secret (256 bits)."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``: the ``X-MatchWork-Signature`` header."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_verify(
    *,
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: a well-formed, fresh timestamp and a constant-time comparison of signatures."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    return hmac.compare_digest(signature(secret=secret, timestamp=timestamp, body=body), header or "")


# --- endpoints ----------------------------------------------------------------------------------------------
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))  # RFC 6052, RFC 8215


def _wrapped_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition form stands for: IPv4-mapped (``::ffff:a.b.c.d``), NAT64
    (``64:ff9b::a.b.c.d``, last 32 bits) or 6to4 (``2002:AABB:CCDD::``); None for any other address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def _not_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        not ip.is_global
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_private
    )


def address_refusal(address) -> str:
    """Why a webhook may not be sent to ``address``, or ``""``: only globally routable unicast is allowed — not
    loopback, private, link-local, shared, reserved, unspecified or multicast.  An IPv6 transition form is judged
    by the IPv4 address it wraps (``[64:ff9b::7f00:1]`` is 127.0.0.1 through NAT64, ``[2002:7f00:1::]`` through
    6to4, ``[::ffff:127.0.0.1]`` IPv4-mapped); Teredo (``2001::/32``) and the deprecated IPv4-compatible
    ``::a.b.c.d`` are not global, so they are refused outright."""
    try:
        ip = ipaddress.ip_address(str(address).split("%")[0])
    except ValueError:
        return f"{address} is not an IP address"
    inner = _wrapped_ipv4(ip) if ip.version == 6 else None
    if _not_public(inner or ip):
        return (
            f"a non-public address ({ip}, which wraps {inner})" if inner else f"a non-public address ({ip})"
        )
    return ""


def _resolve(host: str, port: int) -> list[tuple]:
    """``getaddrinfo`` for a TCP connection (one place, so the check and the connection use the same answer)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def url_refusal(url: str) -> str:
    """Why ``url`` may not receive webhooks, or ``""``: it must be http(s) with a host, and — unless
    ``settings.WEBHOOK_ALLOW_PRIVATE_URLS`` (default: DEBUG) — every address the host resolves to must be globally
    routable unicast (:func:`address_refusal`), so a recruiter account cannot make the server POST into its own
    network (SSRF: loopback, private ranges, link-local cloud metadata, multicast, IPv6 transition forms).
    A host that does not resolve is refused too.  The connection itself checks again (:func:`_public_connection`),
    so a host that resolves differently a moment later (DNS rebinding) is refused as well."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "a webhook URL must be http:// or https:// with a host"
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return ""
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        infos = _resolve(parts.hostname, port)
    except (OSError, ValueError):
        return f"the host {parts.hostname} does not resolve"
    for info in infos:
        refusal = address_refusal(info[4][0])
        if refusal:
            return f"the host {parts.hostname} resolves to {refusal}"
    return ""


def _url_check(url: str) -> None:
    """Raise ``ValueError`` with the reason when ``url_refusal`` refuses ``url``."""
    refusal = url_refusal(url)
    if refusal:
        raise ValueError(refusal)


@transaction.atomic
def endpoint_create(*, url: str, events: list[str], active: bool = True, actor=None) -> WebhookEndpoint:
    """Register an endpoint with a new secret.  The secret is on the returned object: show it once."""
    unknown = set(events) - set(EVENTS)
    if unknown:
        raise ValueError(f"unknown events: {', '.join(sorted(unknown))}")
    _url_check(url)
    endpoint = WebhookEndpoint.objects.create(
        url=url, events=sorted(set(events)), active=active, secret=secret_generate(), created_by=actor
    )
    if actor is not None:
        audit_log(actor=actor, action="webhook_create", obj=endpoint, detail={"events": endpoint.events})
    return endpoint


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor=None,
    url: str | None = None,
    events: list[str] | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    fields = []
    if url is not None:
        _url_check(url)
        endpoint.url = url
        fields.append("url")
    if events is not None:
        unknown = set(events) - set(EVENTS)
        if unknown:
            raise ValueError(f"unknown events: {', '.join(sorted(unknown))}")
        endpoint.events = sorted(set(events))
        fields.append("events")
    if active is not None:
        endpoint.active = active
        fields.append("active")
    if fields:
        endpoint.save(update_fields=[*fields, "updated_at"])
        if actor is not None:
            audit_log(actor=actor, action="webhook_update", obj=endpoint, detail={"fields": fields})
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor=None) -> WebhookEndpoint:
    """Give the endpoint a new secret (on the returned object; show it once).  Pending retries use the new one."""
    endpoint.secret = secret_generate()
    endpoint.save(update_fields=["secret", "updated_at"])
    if actor is not None:
        audit_log(actor=actor, action="webhook_rotate_secret", obj=endpoint)
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor=None) -> None:
    """Delete an endpoint and its delivery log."""
    if actor is not None:
        audit_log(actor=actor, action="webhook_delete", obj=endpoint, detail={"url": endpoint.url})
    endpoint.delete()


# --- deliveries ---------------------------------------------------------------------------------------------
def deliveries_create(*, event: str, payload: dict) -> list[WebhookDelivery]:
    """One pending delivery per active endpoint subscribed to ``event``; each is enqueued after commit."""
    return deliveries_create_many(event=event, payloads=[payload])


def deliveries_create_many(*, event: str, payloads: list[dict]) -> list[WebhookDelivery]:
    """One pending delivery per payload and active endpoint subscribed to ``event`` (one endpoint query for all
    payloads); each is enqueued after commit."""
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(active=True).only("pk", "events")
        if event in (e.events or [])
    ]
    if not endpoints or not payloads:
        return []
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(endpoint=e, event=event, payload=p) for p in payloads for e in endpoints]
        )
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: _enqueue(ids))
    return deliveries


def _enqueue(delivery_ids: list[int]) -> None:
    # By task name: the task module imports this one, never the other way round (``RecruitingConfig.ready``
    # imports the tasks, which registers them with the Celery app).
    task = current_app.tasks["recruiting.deliver_webhook"]
    for delivery_id in delivery_ids:
        try:
            task.delay(delivery_id)
        except Exception:  # a broker outage must not break the change that emitted the event
            if settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            logger.warning("could not enqueue webhook delivery %s: broker unavailable", delivery_id)


@receiver(event_emitted, dispatch_uid="recruiting.webhooks.on_event_emitted")
def on_event_emitted(sender, event: str, payload: dict, **kwargs) -> None:
    """Receiver of ``recruiting.events.event_emitted`` (connected when ``RecruitingConfig.ready`` imports us)."""
    if event in EVENTS:
        deliveries_create(event=event, payload=payload)


@receiver(events_emitted, dispatch_uid="recruiting.webhooks.on_events_emitted")
def on_events_emitted(sender, event: str, payloads: list[dict], **kwargs) -> None:
    """Receiver of ``recruiting.events.events_emitted``: many events of one kind, one endpoint lookup."""
    if event in EVENTS:
        deliveries_create_many(event=event, payloads=payloads)


def delivery_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON, keys sorted."""
    document = {
        "id": str(delivery.pk),
        "event": delivery.event,
        "created_at": _utc_iso(delivery.created_at),
        "data": delivery.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")


def delivery_headers(
    delivery: WebhookDelivery, *, secret: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-MatchWork-Event": delivery.event,
        "X-MatchWork-Delivery": str(delivery.pk),
        "X-MatchWork-Timestamp": str(timestamp),
        "X-MatchWork-Signature": signature(secret=secret, timestamp=timestamp, body=body),
    }


def retry_countdown(attempts: int) -> int:
    """Seconds to wait before the next attempt, after ``attempts`` failed ones: 2, 4, 8, 16, 32 …"""
    return BACKOFF_BASE ** max(1, attempts)


@dataclass(frozen=True)
class AttemptResult:
    delivery_id: int
    status: str  # the delivery's status after this attempt
    attempts: int  # attempts made so far
    status_code: int | None
    error: str

    @property
    def retry(self) -> bool:
        """Whether another attempt should follow (after ``retry_countdown(attempts)`` seconds)."""
        return self.status == WebhookDelivery.Status.PENDING


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A delivery goes to the registered URL only: a redirect is a failed attempt."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class RefusedAddress(OSError):
    """The host resolved, at connection time, to an address :func:`address_refusal` refuses."""


def _public_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
    """``socket.create_connection`` that resolves the host once, refuses it unless every address is globally
    routable unicast, and connects to the checked addresses themselves — so the address checked is the address
    connected to, and a DNS answer that changes after :func:`url_refusal` (rebinding) cannot reach inside."""
    host, port = address[0], address[1]
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return socket.create_connection(address, timeout, source_address)
    infos = _resolve(host, port)
    for info in infos:
        refusal = address_refusal(info[4][0])
        if refusal:
            raise RefusedAddress(f"refused at connection: the host {host} resolves to {refusal}")
    error: OSError | None = None
    for family, _type, _proto, _name, sockaddr in infos:
        try:
            return socket.create_connection((sockaddr[0], port), timeout, source_address)
        except OSError as exc:
            error = exc
    raise error or OSError(f"the host {host} does not resolve")


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    # TLS still verifies the certificate against the URL's host name (server_hostname is self.host).
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        options = {"context": self._context}
        if hasattr(self, "_check_hostname"):  # Python < 3.12
            options["check_hostname"] = self._check_hostname
        return self.do_open(_PublicHTTPSConnection, req, **options)


_opener = urllib.request.build_opener(_NoRedirects, _PublicHTTPHandler, _PublicHTTPSHandler)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST and return ``(status code or None, error text or "")``; never raises for network trouble."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(_RESPONSE_READ_LIMIT)
            code = response.status
            return code, "" if 200 <= code < 300 else f"HTTP {code}"
    except urllib.error.HTTPError as exc:
        exc.close()
        note = " (redirects are not followed)" if 300 <= exc.code < 400 else ""
        return exc.code, f"HTTP {exc.code}{note}"
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return None, f"timed out after {TIMEOUT_SECONDS:g} s"
        return None, f"{type(reason).__name__}: {reason}" if isinstance(reason, BaseException) else str(
            reason
        )
    except TimeoutError:
        return None, f"timed out after {TIMEOUT_SECONDS:g} s"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def delivery_attempt(*, delivery_id: int) -> AttemptResult | None:
    """Make one attempt at a delivery: sign, POST with a timeout, append the attempt to ``attempts_log``.

    The delivery becomes ``delivered`` on a 2xx answer, ``failed`` after :data:`MAX_ATTEMPTS` attempts (or when
    its endpoint is inactive or gone), and stays ``pending`` otherwise (``result.retry``).  A delivery that is
    no longer pending is not sent again, so a task delivered twice is harmless.  Returns None when the delivery
    no longer exists.
    """
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    if delivery.status != WebhookDelivery.Status.PENDING:
        return AttemptResult(delivery.pk, delivery.status, delivery.attempts, None, "")
    endpoint = delivery.endpoint
    if not endpoint.active:
        return _record(delivery_id, status_code=None, error="endpoint is inactive", duration_ms=0, final=True)
    refusal = url_refusal(endpoint.url)  # again at sending time: the host's addresses may have changed
    if refusal:
        return _record(delivery_id, status_code=None, error=f"refused: {refusal}", duration_ms=0, final=True)
    timestamp = int(time.time())
    body = delivery_body(delivery)
    headers = delivery_headers(delivery, secret=endpoint.secret, timestamp=timestamp, body=body)
    started = time.monotonic()
    status_code, error = _post(endpoint.url, body, headers)
    duration_ms = round((time.monotonic() - started) * 1000)
    result = _record(delivery_id, status_code=status_code, error=error, duration_ms=duration_ms)
    if result is not None and result.status != WebhookDelivery.Status.DELIVERED:
        logger.info(
            "webhook delivery %s (%s) attempt %d failed: %s",
            delivery_id,
            delivery.event,
            result.attempts,
            error,
        )
    return result


def _record(
    delivery_id: int, *, status_code: int | None, error: str, duration_ms: int, final: bool = False
) -> AttemptResult | None:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return None
        now = timezone.now()
        delivery.attempts += 1
        delivery.attempts_log = [
            *(delivery.attempts_log or []),
            {"at": _utc_iso(now), "status_code": status_code, "error": error, "duration_ms": duration_ms},
        ]
        if status_code is not None and 200 <= status_code < 300 and not error:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
        elif final or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        delivery.save(update_fields=["attempts", "attempts_log", "status", "delivered_at"])
    return AttemptResult(delivery.pk, delivery.status, delivery.attempts, status_code, error)


def deliveries_resend_pending(*, older_than_seconds: int = 600) -> int:
    """Enqueue pending deliveries created more than ``older_than_seconds`` ago (lost to a broker outage or a
    worker crash).  Returns how many were enqueued."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    _enqueue(ids)
    return len(ids)
