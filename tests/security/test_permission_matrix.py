"""Every URL of the portal, the recruiter workspace (admin) and the API, for every role.

The URLs are enumerated from the resolver (``tests/security/urls.py``), so a new URL is covered the day it is
added.  For each one, filled with the candidate Zelda's objects:

- no role ever gets a 500;
- anonymous visitors get a 200 only on the public pages listed in ``PUBLIC`` and never see Zelda's data;
- candidates never get a 200 on a workspace (admin) URL, except the login form;
- another candidate (Bob) never gets a 200 on a URL of Zelda's objects, never sees her data anywhere, and his
  POSTs to her objects change nothing.
"""

from __future__ import annotations

import pytest
from django.test import Client

from recruiting.models import Application, CandidateSkill, Experience, Qualification
from tests.security.conftest import MARKERS, ROLES
from tests.security.urls import concrete_urls

pytestmark = pytest.mark.django_db

# URL name -> why anyone may read it.  Nothing here shows a candidate's data.
PUBLIC = {
    "healthz": "operational health check: database and broker state only",
    "favicon": "the site's icon (issue 14)",
    "api:v1:root": "the API root: links to the collections, URLs only (issue 14)",
    "portal:vacancy_list": "open vacancies",
    "portal:vacancy_detail": "one open vacancy",
    "portal:privacy": "the privacy notice",
    "admin:login": "the workspace's login form",
    "account_login": "the login form",
    "account_signup": "the sign-up form",
    "account_reset_password": "the password-reset form",
    "account_reset_password_done": "'we sent you an e-mail'",
    "account_reset_password_from_key": "'this link is invalid' for a made-up key",
    "account_reset_password_from_key_done": "'your password is changed'",
    "account_confirm_email": "'this link is invalid' for a made-up key",
    "account_email_verification_sent": "'check your inbox'",
    "account_inactive": "'this account is inactive'",
    "account_confirm_login_code": "the login-code form (not enabled; a notice)",
    "api:v1:skill-list": "the skill vocabulary",
    "api:v1:skill-detail": "one skill",
    "api:v1:vacancy-list": "open vacancies",
    "api:v1:vacancy-detail": "one open vacancy",
    "api:schema": "the OpenAPI schema",
    "api:docs": "Swagger UI for the schema",
}


def _client(world, role: str) -> Client:
    client = Client(raise_request_exception=False)
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def _leaks(response) -> list[str]:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    text = body.decode("utf-8", "replace")
    return [marker for marker in MARKERS if marker in text]


def test_every_url_answers_every_role_without_a_500_or_a_leak(world):
    endpoints = concrete_urls(world.objects)
    assert len(endpoints) > 100, "the resolver walk found too few URLs"
    problems: list[str] = []
    clients = {role: _client(world, role) for role in ROLES}
    for endpoint in endpoints:
        for role in ROLES:
            response = clients[role].get(endpoint.url)
            status = response.status_code
            where = f"GET {endpoint.url} ({endpoint.name}) as {role}: {status}"
            if status >= 500:
                problems.append(f"{where} — server error")
                continue
            leaked = _leaks(response)
            if role == "anonymous":
                if status == 200 and endpoint.name not in PUBLIC:
                    problems.append(f"{where} — not a public page")
                if leaked:
                    problems.append(f"{where} — shows {leaked}")
            if (
                role in ("candidate", "other_candidate")
                and endpoint.area == "admin"
                and status == 200
                and endpoint.name != "admin:login"
            ):
                problems.append(f"{where} — a candidate reached the workspace")
            if role == "other_candidate":
                if endpoint.candidate_owned and status == 200 and endpoint.name not in PUBLIC:
                    problems.append(f"{where} — another candidate's object")
                if leaked:
                    problems.append(f"{where} — shows {leaked}")
    assert not problems, "\n".join(problems)


def _zelda_state(world) -> dict:
    zelda = world.zelda
    zelda.refresh_from_db()
    return {
        "cv_text": zelda.cv_text,
        "cv_file": zelda.cv_file.name,
        "name": zelda.name,
        "user": zelda.user_id,
        "applications": sorted(Application.objects.filter(candidate=zelda).values_list("pk", "stage")),
        "skills": sorted(CandidateSkill.objects.filter(candidate=zelda).values_list("pk", flat=True)),
        "qualifications": sorted(Qualification.objects.filter(candidate=zelda).values_list("pk", flat=True)),
        "experience": sorted(Experience.objects.filter(candidate=zelda).values_list("pk", flat=True)),
    }


@pytest.mark.parametrize("role", ["anonymous", "other_candidate"])
def test_posts_from_outsiders_change_nothing_of_the_candidate(world, role):
    """Every URL, POSTed with no data (CSRF not enforced here: ``test_csrf`` covers it) by someone who may not
    touch Zelda's objects: never a 500, never a 2xx on a workspace URL or on her objects, her data unchanged."""
    before = _zelda_state(world)
    problems: list[str] = []
    for endpoint in concrete_urls(world.objects):
        client = _client(world, role)  # fresh: a POST to a logout URL must not change the next request's role
        response = client.post(endpoint.url)
        status = response.status_code
        where = f"POST {endpoint.url} ({endpoint.name}) as {role}: {status}"
        if status >= 500:
            problems.append(f"{where} — server error")
        elif (
            200 <= status < 300
            and (endpoint.area == "admin" or endpoint.candidate_owned)
            and endpoint.name not in PUBLIC
        ):  # a public form answers 200 with its errors
            problems.append(f"{where} — accepted")
        if _leaks(response):
            problems.append(f"{where} — shows candidate data")
    assert not problems, "\n".join(problems)
    assert _zelda_state(world) == before


# --- hiring manager × non-applicant (issue 16, finding 1) ----------------------------------------------------
NORA_NAME = "Nora Wombatface"
NORA_EMAIL = "nora.wombatface@example.org"
NORA_CV_MARKER = "WOMBAT-CV-91c2"
NORA_MARKERS = (NORA_NAME, NORA_EMAIL, NORA_CV_MARKER)


def _non_applicant_objects(world, *, applied_elsewhere: bool) -> dict:
    """Zelda's URL table with every candidate-owned object replaced by Nora's: a candidate scored against the
    hiring manager's vacancy who applied only to another vacancy (or never applied at all)."""
    from tests.factories import (
        ApplicationFactory,
        CandidateFactory,
        CandidateSkillFactory,
        MatchScoreFactory,
        NoteFactory,
    )

    nora = CandidateFactory(
        name=NORA_NAME,
        email=NORA_EMAIL,
        source="import",
        cv_text=f"Python engineer. {NORA_CV_MARKER}\nBSc Physics.",
    )
    score = MatchScoreFactory(candidate=nora, vacancy=world.managed_vacancy)
    objects = {
        **world.objects,
        "recruiting.candidate": nora,
        "recruiting.candidateskill": CandidateSkillFactory(
            candidate=nora, skill=world.objects["matching.skill"]
        ),
        "recruiting.qualification": Qualification.objects.create(candidate=nora, level=2, field="physics"),
        "recruiting.experience": Experience.objects.create(
            candidate=nora, title="Analyst", start_date="2020-01-01"
        ),
        "recruiting.note": NoteFactory(candidate=nora, application=None, author=world.user("recruiter")),
        "matching.matchscore": score,
    }
    if applied_elsewhere:
        objects["recruiting.application"] = ApplicationFactory(candidate=nora, vacancy=world.open_vacancy)
    else:  # Nora has no application: point application URLs at Bob's, to a vacancy the manager does not manage
        objects["recruiting.application"] = Application.objects.get(candidate=world.bob)
    return objects


def _nora_leaks(response) -> list[str]:
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    text = body.decode("utf-8", "replace")
    return [marker for marker in NORA_MARKERS if marker in text]


@pytest.mark.parametrize("applied_elsewhere", [True, False], ids=["applied-elsewhere", "never-applied"])
def test_a_hiring_manager_never_sees_a_non_applicant(world, applied_elsewhere):
    """Every URL (workspace, admin change pages, API lists and details, exports), filled with the objects of
    Nora — scored against the hiring manager's vacancy, but no applicant of it: the hiring manager never gets a
    200 on her objects and never sees her name, e-mail or CV anywhere; a recruiter does see her (so the check is
    not vacuous)."""
    objects = _non_applicant_objects(world, applied_elsewhere=applied_elsewhere)
    endpoints = concrete_urls(objects)
    manager, recruiter = _client(world, "hiring_manager"), _client(world, "recruiter")
    problems: list[str] = []
    seen_by_recruiter = 0
    for endpoint in endpoints:
        response = manager.get(endpoint.url)
        where = f"GET {endpoint.url} ({endpoint.name}) as hiring manager: {response.status_code}"
        if response.status_code >= 500:
            problems.append(f"{where} — server error")
        is_list = endpoint.name.endswith(("changelist", "-list", "_add"))  # lists: the leak check holds them
        if (
            endpoint.candidate_owned
            and not is_list
            and response.status_code == 200
            and endpoint.name not in PUBLIC
            and not endpoint.name.startswith("admin:auth")
            and "token" not in endpoint.name
            and "emailaddress" not in endpoint.name
        ):
            problems.append(f"{where} — a non-applicant's object")
        if leaked := _nora_leaks(response):
            problems.append(f"{where} — shows {leaked}")
        seen_by_recruiter += bool(_nora_leaks(recruiter.get(endpoint.url)))
    assert not problems, "\n".join(problems)
    assert seen_by_recruiter >= 3, "the recruiter should see Nora on several pages"
