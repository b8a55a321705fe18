"""``manage.py create_recruiter``: a staff login in the Recruiters group, with a password printed once."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from recruiting.permissions import RECRUITERS_GROUP

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^Recruiter login: (?P<email>\S+) / (?P<password>\S+) at /admin/$", re.MULTILINE)


def _run(*args) -> re.Match:
    out = StringIO()
    call_command("create_recruiter", *args, stdout=out, stderr=StringIO())
    match = LINE.search(out.getvalue())
    assert match, out.getvalue()
    return match


def test_creates_staff_user_in_group_with_random_password_that_logs_in(client):
    match = _run("ada@example.com")

    user = get_user_model().objects.get(username="ada@example.com")
    assert user.email == "ada@example.com"
    assert user.is_staff and user.is_active and not user.is_superuser
    assert user.groups.filter(name=RECRUITERS_GROUP).exists()
    assert len(match["password"]) >= 16  # token_urlsafe(12)
    assert client.login(username="ada@example.com", password=match["password"])
    assert client.get(reverse("admin:index")).status_code == 200


def test_is_idempotent_and_resets_the_password(client):
    first = _run("ada@example.com")
    second = _run("ada@example.com")

    assert get_user_model().objects.filter(username="ada@example.com").count() == 1
    assert first["password"] != second["password"]
    assert not client.login(username="ada@example.com", password=first["password"])
    assert client.login(username="ada@example.com", password=second["password"])


def test_explicit_password_and_existing_staff_user_joins_group(client):
    get_user_model().objects.create_user(username="bob@example.com", password="old", is_staff=False)

    match = _run("bob@example.com", "--password", "a-chosen-password-42")

    assert match["password"] == "a-chosen-password-42"
    user = get_user_model().objects.get(username="bob@example.com")
    assert user.is_staff and user.groups.filter(name=RECRUITERS_GROUP).exists()
    assert client.login(username="bob@example.com", password="a-chosen-password-42")


def test_rejects_something_that_is_not_an_email():
    with pytest.raises(CommandError):
        call_command("create_recruiter", "not-an-email", stdout=StringIO(), stderr=StringIO())
