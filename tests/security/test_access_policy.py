"""One access policy (issue 13): the recruiter workspace (the admin) and the API give every user the same answer.

Each user below asks both faces for the same thing — a vacancy's ranked candidates and its applications — and
must get in on both or on neither.  Before issue 13 the two faces had their own role checks, and a non-staff
account in "Hiring managers" was a hiring manager to the API (it read the ranking and the applications) while
the workspace refused it at the login.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recruiting import permissions
from recruiting.permissions import HIRING_MANAGERS_GROUP, RECRUITERS_GROUP
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    HiringManagerFactory,
    MatchScoreFactory,
    RecruiterFactory,
    UserFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db


def _in_group(user, name: str):
    user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def vacancy():
    vacancy = VacancyFactory(title="Managed role")
    candidate = CandidateFactory(name="Ada Applicant")
    ApplicationFactory(candidate=candidate, vacancy=vacancy)
    MatchScoreFactory(candidate=candidate, vacancy=vacancy)
    return vacancy


# user -> whether both faces let them read the vacancy's ranking and applications
USERS = {
    "recruiter": (lambda v: RecruiterFactory(), True),
    "superuser": (lambda v: UserFactory(is_staff=True, is_superuser=True), True),
    "staff hiring manager on the vacancy": (lambda v: HiringManagerFactory(vacancies=[v]), True),
    "staff hiring manager of another vacancy": (
        lambda v: HiringManagerFactory(vacancies=[VacancyFactory()]),
        False,
    ),
    "non-staff account in Hiring managers, named on the vacancy": (
        lambda v: _named(_in_group(UserFactory(is_staff=False), HIRING_MANAGERS_GROUP), v),
        False,
    ),
    "non-staff account in Recruiters": (
        lambda v: _in_group(UserFactory(is_staff=False), RECRUITERS_GROUP),
        False,
    ),
    "staff account in no group": (lambda v: UserFactory(is_staff=True), False),
    "candidate": (lambda v: CandidateFactory(user=UserFactory()).user, False),
}


def _named(user, vacancy):
    vacancy.hiring_managers.add(user)
    return user


def _workspace_reads(user, vacancy) -> bool:
    client = Client()
    client.force_login(user)
    shortlist = client.get(reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk]))
    assert shortlist.status_code in (200, 302, 403, 404), shortlist.status_code
    return shortlist.status_code == 200 and "Ada Applicant" in shortlist.content.decode()


def _api_reads(user, vacancy) -> bool:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    scores = client.get(f"/api/v1/vacancies/{vacancy.pk}/match-scores/")
    applications = client.get("/api/v1/applications/", {"vacancy": vacancy.pk})
    assert scores.status_code in (200, 403, 404), scores.status_code
    reads_scores = scores.status_code == 200 and len(scores.json()["results"]) == 1
    reads_applications = applications.status_code == 200 and applications.json()["count"] == 1
    assert reads_scores == reads_applications, (scores.status_code, applications.content[:300])
    return reads_scores


@pytest.mark.parametrize("who", list(USERS))
def test_the_workspace_and_the_api_give_the_same_answer(vacancy, who):
    make, allowed = USERS[who]
    user = make(vacancy)
    assert _workspace_reads(user, vacancy) is allowed, "workspace"
    assert _api_reads(user, vacancy) is allowed, "API"


def test_a_non_staff_account_in_hiring_managers_holds_no_staff_role(vacancy):
    """The rule both faces read: staff roles need ``is_staff``; a portal account added to the group by mistake
    stays what it is (here, a candidate)."""
    user = _named(_in_group(CandidateFactory(user=UserFactory()).user, HIRING_MANAGERS_GROUP), vacancy)
    assert permissions.roles_of(user) == ["candidate"]
    assert not permissions.user_can_use_recruiter_workspace(user)
    assert not permissions.can_view_vacancy(user, vacancy)
    token = APIClient().post(
        "/api/v1/auth/token/", {"email": user.username, "password": "correct-horse-battery"}, format="json"
    )
    assert token.status_code == 200 and token.json()["roles"] == ["candidate"]
