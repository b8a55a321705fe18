"""Tokens (POST /api/v1/auth/token/), session authentication, and throttling per scope."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.api.conftest import assert_error, client_for
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_a_token_for_email_and_password_works_as_authorization(world):
    response = APIClient().post(TOKEN_URL, {"email": "rita@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["roles"] == ["recruiter"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/v1/candidates/").status_code == 200
    # the same token again, until it is revoked
    again = APIClient().post(TOKEN_URL, {"email": "rita@example.com", "password": PASSWORD}, format="json")
    assert again.json()["token"] == body["token"]


def test_an_expired_token_is_refused_and_logging_in_again_issues_a_new_one(world, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.API_TOKEN_TTL_SECONDS = 3600
    old = (
        APIClient().post(TOKEN_URL, {"email": "rita@example.com", "password": PASSWORD}, format="json").json()
    )
    Token.objects.filter(key=old["token"]).update(created=timezone.now() - timedelta(seconds=3601))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old['token']}")
    refused = client.get("/api/v1/candidates/")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    assert "expired" in refused.json()["error"]["message"]
    new = (
        APIClient().post(TOKEN_URL, {"email": "rita@example.com", "password": PASSWORD}, format="json").json()
    )
    assert new["token"] != old["token"] and not Token.objects.filter(key=old["token"]).exists()
    client.credentials(HTTP_AUTHORIZATION=f"Token {new['token']}")
    assert client.get("/api/v1/candidates/").status_code == 200


def test_roles_are_reported(world):
    for email, roles in [("ada@example.com", ["candidate"]), ("hank@example.com", ["hiring_manager"])]:
        response = APIClient().post(TOKEN_URL, {"email": email, "password": PASSWORD}, format="json")
        assert response.json()["roles"] == roles


def test_wrong_password_and_unknown_email_are_401(world):
    for email, password in [("rita@example.com", "nope"), ("nobody@example.com", PASSWORD)]:
        error = assert_error(
            APIClient().post(TOKEN_URL, {"email": email, "password": password}, format="json"),
            401,
            "authentication_failed",
        )
        assert error["message"] == "Unknown e-mail address or wrong password."


def test_missing_fields_are_a_validation_error(db):
    error = assert_error(
        APIClient().post(TOKEN_URL, {"email": "not-an-email"}, format="json"), 400, "invalid"
    )
    assert set(error["details"]) == {"email", "password"}


def test_an_unconfirmed_portal_account_gets_no_token(db):
    user = UserFactory(username="new@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    error = assert_error(
        APIClient().post(TOKEN_URL, {"email": user.email, "password": PASSWORD}, format="json"),
        401,
        "authentication_failed",
    )
    assert "Confirm your e-mail" in error["message"]


def test_an_inactive_user_gets_no_token(db):
    user = UserFactory(username="gone@example.com", is_active=False)
    assert_error(APIClient().post(TOKEN_URL, {"email": user.email, "password": PASSWORD}, format="json"), 401)


def test_revoking_the_token_logs_out(world):
    client = world.client("candidate")
    assert client.delete(TOKEN_URL).status_code == 204
    assert not Token.objects.filter(user=world.candidate_user).exists()
    assert_error(client.get("/api/v1/me/"), 401, "authentication_failed")


def test_a_bad_token_is_401_with_a_challenge(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/skills/")
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_session_authentication_works_too(world, client):
    client.force_login(world.candidate_user)
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["id"] == world.candidate.pk


def test_session_writes_need_the_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.candidate_user)
    error = assert_error(
        client.patch("/api/v1/me/", {"headline": "x"}, format="json"), 403, "permission_denied"
    )
    assert "CSRF" in error["message"]


def test_applications_have_their_own_throttle_scope(world, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "applications": "2/min"}
    )
    client = world.client("other_candidate")
    for _ in range(2):
        assert client.post("/api/v1/applications/", {"vacancy": 999999}, format="json").status_code == 400
    response = client.post("/api/v1/applications/", {"vacancy": 999999}, format="json")
    error = assert_error(response, 429, "throttled")
    assert error["details"]["retry_after"] > 0
    assert int(response["Retry-After"]) > 0
    # reads are not in that scope
    assert client.get("/api/v1/applications/").status_code == 200


def test_scoring_runs_have_their_own_throttle_scope(world, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "scoring": "1/min"}
    )
    client = world.client("recruiter")
    body = {"scope": "vacancy", "vacancy": world.open_vacancy.pk}
    assert client.post("/api/v1/scoring-runs/", body, format="json").status_code == 202
    assert_error(client.post("/api/v1/scoring-runs/", body, format="json"), 429, "throttled")


def test_anonymous_requests_are_throttled(db, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "anon": "3/min"}
    )
    client = APIClient()
    for _ in range(3):
        assert client.get("/api/v1/skills/").status_code == 200
    assert_error(client.get("/api/v1/skills/"), 429, "throttled")
    # a user has their own budget
    assert client_for(UserFactory()).get("/api/v1/skills/").status_code == 200


def test_a_token_its_user_and_their_roles_are_read_in_one_query(world, django_assert_num_queries):
    from recruiting import permissions
    from recruiting.api.authentication import ExpiringTokenAuthentication

    expected = {
        world.recruiter: (True, False),
        world.hiring_manager: (False, True),
        world.candidate_user: (False, False),
    }
    for account, (recruiter, hiring_manager) in expected.items():
        key = Token.objects.create(user=account).key
        with django_assert_num_queries(1):
            user, token = ExpiringTokenAuthentication().authenticate_credentials(key)
            assert (permissions.is_recruiter(user), permissions.is_hiring_manager(user)) == (
                recruiter,
                hiring_manager,
            )
        assert user == account and token.key == key


def test_a_recruiter_removed_from_the_group_loses_the_api_at_the_next_request(world):
    from django.contrib.auth.models import Group

    from recruiting.permissions import RECRUITERS_GROUP

    client = world.client("recruiter")
    assert client.get("/api/v1/scoring-runs/").status_code == 200
    world.recruiter.groups.remove(Group.objects.get(name=RECRUITERS_GROUP))
    assert_error(client.get("/api/v1/scoring-runs/"), 403, "permission_denied")


def test_a_deactivated_users_token_stops_working_at_once(world):
    client = world.client("recruiter")
    assert client.get("/api/v1/scoring-runs/").status_code == 200
    world.recruiter.is_active = False
    world.recruiter.save(update_fields=["is_active"])
    assert_error(client.get("/api/v1/scoring-runs/"), 401, "authentication_failed")
