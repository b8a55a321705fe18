"""Fixtures of the API tests: one user per role, each with a token, and a small world of data.

Roles: anonymous, candidate (Ada), another candidate (Bob), recruiter, hiring manager (named on one vacancy).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recruiting.models import Application, Vacancy
from recruiting.permissions import HIRING_MANAGERS_GROUP
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    MatchScoreFactory,
    RecruiterFactory,
    ScoringRunFactory,
    UserFactory,
    VacancyFactory,
)

ROLES = ["anonymous", "candidate", "other_candidate", "recruiter", "hiring_manager"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@dataclass
class World:
    """Users and data every role test needs."""

    recruiter: object
    hiring_manager: object
    candidate_user: object
    other_user: object
    candidate: object
    other_candidate: object
    open_vacancy: Vacancy
    managed_vacancy: Vacancy  # open, with the hiring manager on it
    draft_vacancy: Vacancy
    application: Application  # the candidate's, to the managed vacancy
    other_application: Application  # the other candidate's, to the open vacancy
    score: object  # candidate × managed vacancy
    other_score: object  # other candidate × open vacancy
    run: object

    def user(self, role: str):
        return {
            "anonymous": None,
            "candidate": self.candidate_user,
            "other_candidate": self.other_user,
            "recruiter": self.recruiter,
            "hiring_manager": self.hiring_manager,
        }[role]

    def client(self, role: str) -> APIClient:
        return client_for(self.user(role))


def make_hiring_manager(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    group, _ = Group.objects.get_or_create(name=HIRING_MANAGERS_GROUP)
    user.groups.add(group)
    return user


@pytest.fixture
def world(db) -> World:
    recruiter = RecruiterFactory(username="rita@example.com")
    hiring_manager = make_hiring_manager(username="hank@example.com")
    candidate_user = UserFactory(username="ada@example.com")
    other_user = UserFactory(username="bob@example.com")
    candidate = CandidateFactory(user=candidate_user, name="Ada", email="ada@example.com")
    other_candidate = CandidateFactory(user=other_user, name="Bob", email="bob@example.com")
    open_vacancy = VacancyFactory(title="Open role")
    managed_vacancy = VacancyFactory(title="Managed role")
    managed_vacancy.hiring_managers.add(hiring_manager)
    draft_vacancy = VacancyFactory(title="Draft role", status=Vacancy.Status.DRAFT)
    application = ApplicationFactory(candidate=candidate, vacancy=managed_vacancy)
    other_application = ApplicationFactory(candidate=other_candidate, vacancy=open_vacancy)
    # a row stored before confidence existed (tests/api/test_match_score_confidence.py reads it as such)
    score = MatchScoreFactory(candidate=candidate, vacancy=managed_vacancy, old_shape=True)
    other_score = MatchScoreFactory(candidate=other_candidate, vacancy=open_vacancy, text_score=10.0)
    return World(
        recruiter=recruiter,
        hiring_manager=hiring_manager,
        candidate_user=candidate_user,
        other_user=other_user,
        candidate=candidate,
        other_candidate=other_candidate,
        open_vacancy=open_vacancy,
        managed_vacancy=managed_vacancy,
        draft_vacancy=draft_vacancy,
        application=application,
        other_application=other_application,
        score=score,
        other_score=other_score,
        run=ScoringRunFactory(),
    )


def assert_error(response, status_code: int, code: str | None = None) -> dict:
    """The response is an error in the standard format."""
    assert response.status_code == status_code, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]
