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


# --- hiring managers ----------------------------------------------------------------------------------------

HM_LINE = re.compile(r"^Hiring manager login: (?P<email>\S+) / (?P<password>\S+) at /admin/$", re.MULTILINE)


def _run_hm(*args) -> tuple[re.Match, str]:
    out, err = StringIO(), StringIO()
    call_command("create_recruiter", *args, stdout=out, stderr=err)
    match = HM_LINE.search(out.getvalue())
    assert match, out.getvalue()
    return match, err.getvalue()


def test_hiring_manager_of_vacancies_sees_only_them(client):
    from recruiting.permissions import HIRING_MANAGERS_GROUP
    from tests.factories import VacancyFactory

    mine = VacancyFactory(reference="MLE-1", title="Managed role")
    also = VacancyFactory(reference="MLE-2", source="board")
    VacancyFactory(reference="MLE-3", title="Not theirs")

    match, err = _run_hm(
        "hm@example.com", "--hiring-manager", "--vacancy", "MLE-1", "--vacancy", "board:MLE-2"
    )

    user = get_user_model().objects.get(username="hm@example.com")
    assert user.is_staff and user.groups.filter(name=HIRING_MANAGERS_GROUP).exists()
    assert not user.groups.filter(name=RECRUITERS_GROUP).exists()
    assert set(user.managed_vacancies.all()) == {mine, also}
    assert "vacancies: MLE-1, MLE-2" in err
    assert client.login(username="hm@example.com", password=match["password"])
    html = client.get(reverse("admin:recruiting_vacancy_changelist")).content.decode()
    assert "Managed role" in html and "Not theirs" not in html


def test_switching_roles_moves_the_user_between_groups():
    from recruiting.permissions import HIRING_MANAGERS_GROUP

    _run("pat@example.com")
    _run_hm("pat@example.com", "--hiring-manager")
    user = get_user_model().objects.get(username="pat@example.com")
    assert list(user.groups.values_list("name", flat=True)) == [HIRING_MANAGERS_GROUP]
    _run("pat@example.com")
    assert list(user.groups.values_list("name", flat=True)) == [RECRUITERS_GROUP]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--vacancy", "MLE-1"], "--vacancy needs --hiring-manager"),
        (["--hiring-manager", "--vacancy", "NOPE"], "No vacancy with reference 'NOPE'"),
        (["--hiring-manager", "--vacancy", "DUP"], "give it as SOURCE:REFERENCE"),
    ],
)
def test_vacancy_option_errors(args, message):
    from tests.factories import VacancyFactory

    VacancyFactory(reference="MLE-1")
    VacancyFactory(reference="DUP", source="a")
    VacancyFactory(reference="DUP", source="b")
    with pytest.raises(CommandError, match=message):
        call_command("create_recruiter", "x@example.com", *args, stdout=StringIO(), stderr=StringIO())
    assert not get_user_model().objects.filter(username="x@example.com").exists()
