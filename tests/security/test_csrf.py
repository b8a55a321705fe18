"""CSRF everywhere: every view that accepts a POST refuses one without a CSRF token from a signed-in user.

The URLs are enumerated from the resolver (``tests/security/urls.py``).  Each is POSTed by a user who may use it
(a superuser for the workspace, the candidate elsewhere) with ``enforce_csrf_checks=True`` and no token: the
answer must be 403.  A 405 means the view takes no POST.  The API is included: its views are CSRF-exempt for
token clients (a token is not sent by a browser on its own, so there is nothing to forge), but DRF's
``SessionAuthentication`` enforces CSRF for a browser session — tested here with a session, and the token
exemption in ``test_api_token_clients_need_no_csrf_token``.  See docs/security.md.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.security.urls import concrete_urls

pytestmark = pytest.mark.django_db

# URL name -> why a POST without a token may get something other than 403.
NOT_CSRF_PROTECTED = {
    "api:not-found": "answers 404 to every method and touches nothing (no authentication at all)",
}


def _user_for(world, endpoint):
    return world.user("superuser") if endpoint.area == "admin" else world.user("candidate")


def test_every_post_without_a_csrf_token_is_refused(world):
    problems, checked = [], 0
    for endpoint in concrete_urls(world.objects):
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        client.force_login(_user_for(world, endpoint))
        response = client.post(endpoint.url, {"anything": "x"})
        status = response.status_code
        if status == 405:
            continue  # takes no POST
        checked += 1
        if status != 403 and endpoint.name not in NOT_CSRF_PROTECTED:
            problems.append(f"POST {endpoint.url} ({endpoint.name}) without a CSRF token: {status}")
    assert not problems, "\n".join(problems)
    assert checked > 50


def test_the_same_post_with_the_token_gets_through_the_csrf_check(world):
    """Control: the refusals above are CSRF refusals — with the token, the portal's skill form is processed."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("candidate"))
    client.get("/profile/")
    token = client.cookies["csrftoken"].value
    response = client.post("/profile/skills/", {"skills": "PyTorch", "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)


def test_api_token_clients_need_no_csrf_token(world):
    """Token-authenticated API calls are CSRF-exempt by design; the same call over a session is refused."""
    from rest_framework.authtoken.models import Token

    url = f"/api/v1/applications/{world.objects['recruiting.application'].pk}/withdraw/"
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(world.user("candidate"))
    assert session.post(url).status_code == 403

    token, _ = Token.objects.get_or_create(user=world.user("candidate"))
    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.post(url).status_code != 403
