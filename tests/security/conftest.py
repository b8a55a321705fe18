"""Fixtures of the security tests: one user per role and a small world in which every URL of the project can be
filled with concrete ids (``urls.py`` in this folder walks them).

Roles: anonymous, candidate (Zelda, who owns the objects the URLs point at), another candidate (Bob), recruiter
(staff in "Recruiters"), hiring manager (staff in "Hiring managers", named on the vacancy Zelda applied to) and
superuser.  Zelda's personal data carries markers (``MARKERS``) that must never appear in a response to anyone
who may not see her.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile

from recruiting.models import (
    AuditLogEntry,
    Experience,
    Qualification,
    Vacancy,
    WebhookDelivery,
    WebhookEndpoint,
)
from recruiting.permissions import HIRING_MANAGERS_GROUP, RECRUITERS_GROUP
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CandidateSkillFactory,
    MatchScoreFactory,
    NoteFactory,
    RecruiterFactory,
    ScoringRunFactory,
    SkillFactory,
    StageEmailTemplateFactory,
    UserFactory,
    VacancyFactory,
)

ROLES = ("anonymous", "candidate", "other_candidate", "recruiter", "hiring_manager", "superuser")

# Zelda's personal data: none of these may reach anonymous visitors or another candidate.
ZELDA_NAME = "Zelda Quokkaface"
ZELDA_EMAIL = "zelda.quokkaface@example.org"
ZELDA_CV_MARKER = "QUOKKA-CV-7f3e"
MARKERS = (ZELDA_NAME, ZELDA_EMAIL, ZELDA_CV_MARKER)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit and throttle counters live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def production_storage(settings):
    """The default file storage of the production settings module (tests/settings.py swaps it for a plain one)."""
    import recruiting.settings as production

    settings.STORAGES = {**settings.STORAGES, "default": production.STORAGES["default"]}
    return production.STORAGES["default"]["BACKEND"]


@dataclass
class World:
    users: dict
    zelda: object
    bob: object
    managed_vacancy: Vacancy
    open_vacancy: Vacancy
    draft_vacancy: Vacancy
    objects: dict = field(default_factory=dict)  # model label -> the instance URLs are filled with

    def user(self, role: str):
        return self.users.get(role)


def _group(name: str) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    return group


@pytest.fixture
def world(db) -> World:
    from allauth.account.models import EmailAddress
    from rest_framework.authtoken.models import Token

    zelda_user = UserFactory(username=ZELDA_EMAIL, email=ZELDA_EMAIL)
    bob_user = UserFactory(username="bob.other@example.org", email="bob.other@example.org")
    recruiter = RecruiterFactory(username="rita.recruiter@example.org")
    hiring_manager = UserFactory(username="hank.manager@example.org", is_staff=True)
    hiring_manager.groups.add(_group(HIRING_MANAGERS_GROUP))
    superuser = UserFactory(username="sue.super@example.org", is_staff=True, is_superuser=True)
    _group(RECRUITERS_GROUP)
    for user in (zelda_user, bob_user):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    zelda = CandidateFactory(
        user=zelda_user,
        name=ZELDA_NAME,
        email=ZELDA_EMAIL,
        source="portal",
        reference=f"user-{zelda_user.pk}",
        cv_text=f"Python and PyTorch engineer. {ZELDA_CV_MARKER}\nMSc Computer Science.",
    )
    zelda.cv_file.save("zelda.txt", ContentFile(zelda.cv_text.encode()), save=True)
    bob = CandidateFactory(
        user=bob_user,
        name="Bob Other",
        email=bob_user.email,
        source="portal",
        reference=f"user-{bob_user.pk}",
    )

    managed = VacancyFactory(title="Managed ML role")
    managed.hiring_managers.add(hiring_manager)
    open_vacancy = VacancyFactory(title="Open ML role")
    draft = VacancyFactory(title="Draft ML role", status=Vacancy.Status.DRAFT)

    skill = SkillFactory(name="PyTorch")
    application = ApplicationFactory(candidate=zelda, vacancy=managed)
    ApplicationFactory(candidate=bob, vacancy=open_vacancy)
    score = MatchScoreFactory(candidate=zelda, vacancy=managed)
    MatchScoreFactory(candidate=bob, vacancy=open_vacancy)
    candidate_skill = CandidateSkillFactory(candidate=zelda, skill=skill)
    qualification = Qualification.objects.create(candidate=zelda, level=3, field="computer science")
    experience = Experience.objects.create(candidate=zelda, title="ML engineer", start_date="2019-01-01")
    note = NoteFactory(candidate=zelda, application=application, author=recruiter)
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.org/in",
        secret="s" * 32,
        events=["application.created"],
        created_by=recruiter,
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="application.created", payload={"application": application.pk}
    )
    audit = AuditLogEntry.objects.create(
        actor=recruiter, action="view_cv", object_type="candidate", object_id=str(zelda.pk)
    )
    template = StageEmailTemplateFactory()
    run = ScoringRunFactory()
    token, _ = Token.objects.get_or_create(user=zelda_user)

    objects = {
        "recruiting.vacancy": managed,
        "recruiting.candidate": zelda,
        "recruiting.application": application,
        "recruiting.candidateskill": candidate_skill,
        "recruiting.qualification": qualification,
        "recruiting.experience": experience,
        "recruiting.note": note,
        "recruiting.auditlogentry": audit,
        "recruiting.stageemailtemplate": template,
        "recruiting.webhookendpoint": endpoint,
        "recruiting.webhookdelivery": delivery,
        "matching.matchscore": score,
        "matching.skill": skill,
        "matching.scoringrun": run,
        "auth.user": zelda_user,
        "auth.group": _group(RECRUITERS_GROUP),
        "authtoken.tokenproxy": zelda_user,  # DRF's token admin is keyed by the user
        "authtoken.token": token,
        "account.emailaddress": EmailAddress.objects.get(user=zelda_user),
    }
    users = {
        "anonymous": None,
        "candidate": zelda_user,
        "other_candidate": bob_user,
        "recruiter": recruiter,
        "hiring_manager": hiring_manager,
        "superuser": superuser,
    }
    return World(
        users=users,
        zelda=zelda,
        bob=bob,
        managed_vacancy=managed,
        open_vacancy=open_vacancy,
        draft_vacancy=draft,
        objects=objects,
    )


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.security)
