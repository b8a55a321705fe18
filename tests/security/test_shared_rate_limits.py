"""Rate limits hold across web processes (issue 16, finding 6): two gunicorn processes, started with the
production settings module and Redis configured, count API throttles and failed logins in one shared cache.

With the local-memory cache each process counted on its own, so N processes let N times the limit through
(300 anonymous GETs let 238 through against 60/min with 4 workers).  Here every request alternates between the
two processes; the limits must hold as if there were one.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from tests import integration
from tests.factories import PASSWORD, RecruiterFactory

pytestmark = [
    pytest.mark.security,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ANON_RATE = 6


@pytest.fixture(scope="module")
def two_web_processes(django_db_setup, tmp_path_factory):
    """Two gunicorn processes (one worker each) on the test database and the Redis of CELERY_BROKER_URL, which
    the production settings then use as their cache; a fresh key prefix, so no earlier run's counters count.

    Started together and shared by this module's tests (each test counts for client addresses of its own), so
    the suite pays for their start once: they read the database per request, so each test's own rows are seen.
    """
    redis_url = integration.broker_url()  # skips (or fails in CI) without Redis
    tmp_path = tmp_path_factory.mktemp("shared-rate-limits")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recruiting.settings",
        "DATABASE_URL": integration.test_database_url(),
        "CELERY_BROKER_URL": redis_url,
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex[:10]}",
        "SECRET_KEY": "shared-rate-limit-test",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_ANON": f"{ANON_RATE}/min",
        "TRUSTED_PROXY_COUNT": "1",
        "MEDIA_ROOT": str(tmp_path),
    }
    env.pop("CACHE_URL", None)
    procs, logs = [], []
    try:
        for n in range(2):  # both start at once; then wait for each
            logs.append(open(tmp_path / f"web{n}.log", "w+"))  # noqa: SIM115 - closed in finally
            port = integration.free_port()
            procs.append((integration.start_web(port, env, logs[-1]), port))
        for (proc, port), log in zip(procs, logs):
            integration.wait_until_up(proc, port, log)
        yield [f"http://127.0.0.1:{port}" for _, port in procs]
    finally:
        for proc, _ in procs:
            proc.terminate()  # both at once; then each is reaped (killed if it has not stopped)
        for proc, _ in procs:
            integration.stop_process(proc)
        for log in logs:
            log.close()


def _request(url: str, *, ip: str, data: dict | None = None) -> int:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"X-Forwarded-For": ip})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _token(base: str, *, ip: str, email: str, password: str) -> int:
    """POST ``/api/v1/auth/token/`` from ``ip``; the status (200: a token, 400/401: refused, 429: locked out)."""
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/",
        method="POST",
        data=json.dumps({"email": email, "password": password}).encode(),
        headers={"X-Forwarded-For": ip, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_anonymous_api_throttle_is_shared_by_two_processes(two_web_processes):
    statuses = [
        _request(f"{two_web_processes[n % 2]}/api/v1/skills/", ip="198.51.100.7")
        for n in range(2 * ANON_RATE)
    ]
    assert statuses.count(200) == ANON_RATE, statuses
    assert statuses.count(429) == ANON_RATE, statuses
    # another client is counted on its own
    assert _request(f"{two_web_processes[0]}/api/v1/skills/", ip="198.51.100.8") == 200


def test_a_login_lockout_holds_in_every_process_for_its_pair_only(two_web_processes, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # what gunicorn checks
    rita = RecruiterFactory(username="rita.shared@example.org")
    ravi = RecruiterFactory(username="ravi.shared@example.org")
    a, b = two_web_processes
    attacker, elsewhere = "203.0.113.5", "203.0.113.77"
    for n in range(5):  # five failures, alternating between the processes
        assert _token((a, b)[n % 2], ip=attacker, email=rita.email, password="wrong") in (400, 401)
    # locked out in both processes, even with the right password
    assert _token(a, ip=attacker, email=rita.email, password=PASSWORD) == 429
    assert _token(b, ip=attacker, email=rita.email, password=PASSWORD) == 429
    # only that pair: Rita from elsewhere, and Ravi from the attacker's address, get their tokens
    assert _token(b, ip=elsewhere, email=rita.email, password=PASSWORD) == 200
    assert _token(a, ip=attacker, email=ravi.email, password=PASSWORD) == 200
