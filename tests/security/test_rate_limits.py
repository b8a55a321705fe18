"""Login and API rate limits: the 6th failed login in a row is refused at every door — the portal (allauth's
``ACCOUNT_RATE_LIMITS``), the recruiter workspace's admin login and the API token endpoint
(``recruiting.security.LoginRateLimitMiddleware``) — even with the right password; API throttling answers 429 in
the API's error format."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_portal_login_sixth_attempt_is_refused_even_with_the_right_password(world):
    email = world.user("candidate").email
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": email, "password": WRONG})
        assert response.status_code == 200 and not _logged_in(client)
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert not _logged_in(client)
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content


def test_admin_login_sixth_attempt_is_refused_even_with_the_right_password(world):
    username = world.user("recruiter").username
    client = Client()
    for _ in range(5):
        response = client.post("/admin/login/", {"username": username, "password": WRONG})
        assert response.status_code == 200 and not _logged_in(client)
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 429 and not _logged_in(client)
    assert int(response["Retry-After"]) > 0
    assert b"Too many failed login attempts" in response.content


def test_admin_login_limit_is_per_account_too(world, settings):
    """Failures spread over many addresses still lock the account they aim at, once they reach the account's
    ceiling (LOGIN_ACCOUNT_FAILURE_LIMIT, far above the per-IP pair limit)."""
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 8
    username = world.user("recruiter").username
    for n in range(8):
        Client(REMOTE_ADDR=f"10.0.0.{n + 1}").post("/admin/login/", {"username": username, "password": WRONG})
    response = Client(REMOTE_ADDR="10.0.0.99").post(
        "/admin/login/", {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 429


def _lock_out(username: str, ip: str, door: str = "/admin/login/") -> None:
    for _ in range(5):
        Client(REMOTE_ADDR=ip).post(door, {"username": username, "password": WRONG})
    response = Client(REMOTE_ADDR=ip).post(door, {"username": username, "password": PASSWORD})
    assert response.status_code == 429  # the pair is locked out, even with the right password


def test_a_lockout_does_not_block_another_account_from_the_same_ip(world):
    """Issue 16, finding 6: the lockout is per (account, IP) pair, not per IP."""
    _lock_out(world.user("recruiter").username, "10.1.1.1")
    other = world.user("superuser")
    client = Client(REMOTE_ADDR="10.1.1.1")
    response = client.post("/admin/login/", {"username": other.username, "password": PASSWORD})
    assert response.status_code == 302 and _logged_in(client)


def test_a_lockout_does_not_block_the_right_password_from_another_ip(world):
    username = world.user("recruiter").username
    _lock_out(username, "10.1.1.1")
    client = Client(REMOTE_ADDR="10.2.2.2")
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and _logged_in(client)


def test_a_portal_lockout_does_not_block_another_account_from_the_same_ip(world):
    first, second = world.user("candidate").email, world.user("other_candidate").email
    client = Client(REMOTE_ADDR="10.3.3.3")
    for _ in range(5):
        client.post("/accounts/login/", {"login": first, "password": WRONG})
    response = client.post("/accounts/login/", {"login": first, "password": PASSWORD})
    assert b"Too many failed login attempts" in response.content and not _logged_in(client)
    client.post("/accounts/login/", {"login": second, "password": PASSWORD})
    assert _logged_in(client)


def test_the_lockout_ends_after_its_cool_down(world, settings):
    import time

    settings.LOGIN_LOCKOUT_SECONDS = 1
    username = world.user("recruiter").username
    _lock_out(username, "10.4.4.4")
    response = Client(REMOTE_ADDR="10.4.4.4").post(
        "/admin/login/", {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 429 and response["Retry-After"] == "1"
    time.sleep(1.2)
    client = Client(REMOTE_ADDR="10.4.4.4")
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and _logged_in(client)


def test_password_spraying_from_one_ip_is_locked_at_the_ip_ceiling(world, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    for n in range(6):
        Client(REMOTE_ADDR="10.5.5.5").post("/admin/login/", {"username": f"nobody{n}", "password": WRONG})
    response = Client(REMOTE_ADDR="10.5.5.5").post(
        "/admin/login/", {"username": world.user("recruiter").username, "password": PASSWORD}
    )
    assert response.status_code == 429


def test_admin_login_works_below_the_limit(world):
    username = world.user("recruiter").username
    client = Client()
    for _ in range(4):
        client.post("/admin/login/", {"username": username, "password": WRONG})
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and _logged_in(client)


def _assert_api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code
    return body["error"]


def test_api_token_sixth_attempt_is_refused_in_the_error_format(world):
    email = world.user("candidate").email
    client = APIClient()
    for _ in range(5):
        response = client.post("/api/v1/auth/token/", {"email": email, "password": WRONG}, format="json")
        assert response.status_code in (400, 401)
    response = client.post("/api/v1/auth/token/", {"email": email, "password": PASSWORD}, format="json")
    error = _assert_api_error(response, 429, "throttled")
    assert error["details"]["retry_after"] > 0 and int(response["Retry-After"]) > 0


def test_failures_at_one_door_count_at_the_other(world):
    """The counters are shared: guessing through the API then the admin gains nothing."""
    username = world.user("recruiter").username
    client = APIClient()
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"email": username, "password": WRONG}, format="json")
    assert Client().post("/admin/login/", {"username": username, "password": PASSWORD}).status_code == 429


def test_api_throttling_answers_429_in_the_error_format(world, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/min")
    client = APIClient()
    statuses = [client.get("/api/v1/skills/").status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    response = client.get("/api/v1/skills/")
    error = _assert_api_error(response, 429, "throttled")
    assert error["details"]["retry_after"] >= 1 and int(response["Retry-After"]) >= 1
