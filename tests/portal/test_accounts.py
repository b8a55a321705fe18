"""Accounts (django-allauth) in our layout: sign-up with consent and e-mail verification, log in and out,
rate-limited logins, password reset and change of e-mail."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from recruiting.models import Candidate
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def signup(client, email="grace@example.com", consent=True):
    data = {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    if consent:
        data["consent"] = "on"
    return client.post(reverse("account_signup"), data)


def verified_user(email="ada@example.com"):
    user = UserFactory(email=email, username=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_signup_page_uses_our_layout_and_asks_for_consent(client):
    html = client.get(reverse("account_signup")).content.decode()

    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert "Create your account" in html
    assert re.search(r'<input[^>]+type="checkbox"[^>]+name="consent"[^>]+required', html) or re.search(
        r'<input[^>]+name="consent"[^>]+required', html
    )
    assert '<label for="id_consent">I agree that MatchWork processes my personal data' in html
    assert f'href="{reverse("portal:privacy")}"' in html
    for field in ("email", "password1", "password2", "consent"):
        assert f'for="id_{field}"' in html, field


def test_signup_without_consent_is_refused_beside_the_field(client):
    response = signup(client, consent=False)

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<ul class="field__errors" id="id_consent_error"><li>We can only create your account with your consent'
        in html
    )
    assert re.search(r'<input[^>]+aria-describedby="id_consent_error"', html)
    assert not get_user_model().objects.exists() and not Candidate.objects.exists()


def test_signup_creates_the_candidate_with_the_consent_date_and_sends_a_verification_link(client):
    response = signup(client)

    assert response.status_code == 302 and response.url == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="grace@example.com")
    candidate = Candidate.objects.get(user=user)
    assert (candidate.source, candidate.reference) == ("portal", f"user-{user.pk}")
    assert candidate.consent_given_at is not None and candidate.email == "grace@example.com"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[MatchWork] Confirm your e-mail address"
    assert re.search(r"http://testserver/accounts/confirm-email/[^\s]+/", message.body)


def test_login_before_verification_is_held_until_the_address_is_confirmed(client):
    signup(client)
    client.post(reverse("account_logout"))
    mail.outbox.clear()

    response = client.post(reverse("account_login"), {"login": "grace@example.com", "password": NEW_PASSWORD})

    assert response.status_code == 302 and response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_verification_link_confirms_logs_in_and_leads_to_the_profile(client):
    signup(client)
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body).group(1)

    page = client.get(link)
    assert page.status_code == 200 and "Confirm" in page.content.decode()
    response = client.post(link)

    assert response.status_code == 302 and response.url == "/profile/"
    assert EmailAddress.objects.get(email="grace@example.com").verified
    assert client.get(reverse("portal:profile")).status_code == 200


def test_log_in_and_log_out(client):
    verified_user()

    response = client.post(reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_sixth_failed_login_in_a_row_is_refused_with_a_clear_message(client):
    verified_user()
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": "ada@example.com", "password": "wrong"})
        assert "The email address and/or password you specified are not correct." in response.content.decode()

    # Even the right password is refused now.
    response = client.post(reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="form-errors" role="alert">' in html
    assert "Too many failed login attempts. Try again later." in html
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link(client):
    verified_user()

    page = client.get(reverse("account_reset_password"))
    assert page.status_code == 200 and 'class="site-header"' in page.content.decode()
    response = client.post(reverse("account_reset_password"), {"email": "ada@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body


def test_account_pages_render_in_our_layout(client):
    user = verified_user()
    client.force_login(user)
    for name in ("account_email", "account_change_password", "account_logout"):
        response = client.get(reverse(name))
        html = response.content.decode()
        assert response.status_code == 200, name
        assert 'class="site-header"' in html and "Account settings" in html, name
    assert client.get(reverse("account_login")).status_code == 302  # already signed in


def test_change_of_email_updates_the_candidate(client):
    user = verified_user()
    from portal.services import candidate_create_for_user

    candidate = candidate_create_for_user(user=user)
    client.force_login(user)

    response = client.post(reverse("account_email"), {"action_add": "", "email": "ada.new@example.com"})
    assert response.status_code == 302
    body = mail.outbox[-1].body
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", body).group(1)
    client.post(link)

    user.refresh_from_db()
    candidate.refresh_from_db()
    assert user.email == "ada.new@example.com"
    assert candidate.email == "ada.new@example.com"
