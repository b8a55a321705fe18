"""Every endpoint under every role: anonymous, candidate, another candidate, recruiter, hiring manager.

One row per operation: how to call it and the status each role gets.  Objects another user owns answer 404
(their existence is not revealed); operations a role may never do answer 403 (401 when anonymous).
"""

from __future__ import annotations

import re

import pytest

from recruiting import webhooks
from recruiting.models import WebhookDelivery
from tests.api.conftest import ROLES, assert_error
from tests.factories import PASSWORD, SkillFactory

pytestmark = pytest.mark.django_db

ANON, CAND, OTHER, REC, HM = ROLES
V1 = "/api/v1"

# expected statuses in ROLES order: anonymous, candidate, other candidate, recruiter, hiring manager
ONLY_RECRUITER_READ = (401, 403, 403, 200, 403)
PUBLIC = (200, 200, 200, 200, 200)
CREDENTIALS = object()


def _endpoint(w):
    if not hasattr(w, "_endpoint"):
        w._endpoint = webhooks.endpoint_create(
            url="https://hooks.example.com/in", events=webhooks.EVENTS, actor=w.recruiter
        )
    return w._endpoint


def _delivery(w):
    return WebhookDelivery.objects.create(
        endpoint=_endpoint(w), event="vacancy.published", payload={"vacancy_id": w.open_vacancy.pk}
    )


def _skill(w):
    return SkillFactory(name="PyTorch")


CASES = [
    # name, method, url(world), body(world) or None, expected per role
    ("skills list", "get", lambda w: f"{V1}/skills/?search=py", None, PUBLIC),
    ("skill detail", "get", lambda w: f"{V1}/skills/{_skill(w).pk}/", None, PUBLIC),
    ("vacancies list", "get", lambda w: f"{V1}/vacancies/", None, PUBLIC),
    ("open vacancy", "get", lambda w: f"{V1}/vacancies/{w.open_vacancy.pk}/", None, PUBLIC),
    (
        "draft vacancy",
        "get",
        lambda w: f"{V1}/vacancies/{w.draft_vacancy.pk}/",
        None,
        (404, 404, 404, 200, 404),
    ),
    ("managed vacancy", "get", lambda w: f"{V1}/vacancies/{w.managed_vacancy.pk}/", None, PUBLIC),
    (
        "create vacancy",
        "post",
        lambda w: f"{V1}/vacancies/",
        lambda w: {"reference": "API-1", "title": "ML engineer", "description": "Python and PyTorch."},
        (401, 403, 403, 201, 403),
    ),
    (
        "edit vacancy",
        "patch",
        lambda w: f"{V1}/vacancies/{w.open_vacancy.pk}/",
        lambda w: {"title": "New title"},
        (401, 403, 403, 200, 403),
    ),
    (
        "delete draft vacancy",
        "delete",
        lambda w: f"{V1}/vacancies/{w.draft_vacancy.pk}/",
        None,
        (401, 403, 403, 204, 403),
    ),
    (
        "delete vacancy with applications",
        "delete",
        lambda w: f"{V1}/vacancies/{w.managed_vacancy.pk}/",
        None,
        (401, 403, 403, 409, 403),
    ),
    (
        "publish draft",
        "post",
        lambda w: f"{V1}/vacancies/{w.draft_vacancy.pk}/publish/",
        None,
        (401, 403, 403, 200, 403),
    ),
    (
        "close vacancy",
        "post",
        lambda w: f"{V1}/vacancies/{w.open_vacancy.pk}/close/",
        None,
        (401, 403, 403, 200, 403),
    ),
    (
        "managed vacancy's scores",
        "get",
        lambda w: f"{V1}/vacancies/{w.managed_vacancy.pk}/match-scores/",
        None,
        (401, 403, 403, 200, 200),
    ),
    (
        "other vacancy's scores",
        "get",
        lambda w: f"{V1}/vacancies/{w.open_vacancy.pk}/match-scores/",
        None,
        (401, 403, 403, 200, 403),
    ),
    (
        "draft vacancy's scores",
        "get",
        lambda w: f"{V1}/vacancies/{w.draft_vacancy.pk}/match-scores/",
        None,
        (401, 404, 404, 200, 404),
    ),
    ("candidates list", "get", lambda w: f"{V1}/candidates/", None, ONLY_RECRUITER_READ),
    ("candidate detail", "get", lambda w: f"{V1}/candidates/{w.candidate.pk}/", None, ONLY_RECRUITER_READ),
    (
        "create candidate",
        "post",
        lambda w: f"{V1}/candidates/",
        lambda w: {"reference": "ext-1", "cv_text": "Python and SQL for five years."},
        (401, 403, 403, 201, 403),
    ),
    (
        "edit candidate",
        "patch",
        lambda w: f"{V1}/candidates/{w.candidate.pk}/",
        lambda w: {"source_label": "x"},
        ONLY_RECRUITER_READ,
    ),
    (
        "candidate's scores",
        "get",
        lambda w: f"{V1}/candidates/{w.candidate.pk}/match-scores/",
        None,
        ONLY_RECRUITER_READ,
    ),
    ("me", "get", lambda w: f"{V1}/me/", None, (401, 200, 200, 403, 403)),
    (
        "edit me",
        "patch",
        lambda w: f"{V1}/me/",
        lambda w: {"headline": "ML engineer"},
        (401, 200, 200, 403, 403),
    ),
    ("applications list", "get", lambda w: f"{V1}/applications/", None, (401, 200, 200, 200, 200)),
    (
        "candidate's application",
        "get",
        lambda w: f"{V1}/applications/{w.application.pk}/",
        None,
        (401, 200, 404, 200, 200),
    ),
    (
        "other candidate's application",
        "get",
        lambda w: f"{V1}/applications/{w.other_application.pk}/",
        None,
        (401, 404, 200, 200, 404),
    ),
    (
        "apply",
        "post",
        lambda w: f"{V1}/applications/",
        lambda w: {"vacancy": w.open_vacancy.pk},
        (401, 201, 409, 403, 403),
    ),
    (
        "apply to a draft",
        "post",
        lambda w: f"{V1}/applications/",
        lambda w: {"vacancy": w.draft_vacancy.pk},
        (401, 400, 400, 403, 403),
    ),
    (
        "move application",
        "post",
        lambda w: f"{V1}/applications/{w.application.pk}/move/",
        lambda w: {"stage": "screening", "reason": "strong CV"},
        (401, 403, 403, 200, 403),
    ),
    (
        "withdraw application",
        "post",
        lambda w: f"{V1}/applications/{w.application.pk}/withdraw/",
        None,
        (401, 200, 404, 403, 403),
    ),
    ("match scores list", "get", lambda w: f"{V1}/match-scores/", None, (401, 200, 200, 200, 200)),
    (
        "candidate's score",
        "get",
        lambda w: f"{V1}/match-scores/{w.score.pk}/",
        None,
        (401, 200, 404, 200, 200),
    ),
    (
        "other candidate's score",
        "get",
        lambda w: f"{V1}/match-scores/{w.other_score.pk}/",
        None,
        (401, 404, 200, 200, 404),
    ),
    ("scoring runs list", "get", lambda w: f"{V1}/scoring-runs/", None, ONLY_RECRUITER_READ),
    ("scoring run", "get", lambda w: f"{V1}/scoring-runs/{w.run.pk}/", None, ONLY_RECRUITER_READ),
    (
        "start scoring run",
        "post",
        lambda w: f"{V1}/scoring-runs/",
        lambda w: {"scope": "vacancy", "vacancy": w.managed_vacancy.pk},
        (401, 403, 403, 202, 403),
    ),
    (
        "import candidates",
        "post",
        lambda w: f"{V1}/imports/candidates/",
        lambda w: {"candidates": [{"reference": "imp-1", "cv_text": "Python and Spark."}]},
        ONLY_RECRUITER_READ,
    ),
    ("webhook endpoints", "get", lambda w: f"{V1}/webhooks/endpoints/", None, ONLY_RECRUITER_READ),
    (
        "webhook endpoint",
        "get",
        lambda w: f"{V1}/webhooks/endpoints/{_endpoint(w).pk}/",
        None,
        ONLY_RECRUITER_READ,
    ),
    (
        "register webhook",
        "post",
        lambda w: f"{V1}/webhooks/endpoints/",
        lambda w: {"url": "https://hooks.example.com/x", "events": ["application.created"]},
        (401, 403, 403, 201, 403),
    ),
    (
        "edit webhook",
        "patch",
        lambda w: f"{V1}/webhooks/endpoints/{_endpoint(w).pk}/",
        lambda w: {"active": False},
        ONLY_RECRUITER_READ,
    ),
    (
        "rotate webhook secret",
        "post",
        lambda w: f"{V1}/webhooks/endpoints/{_endpoint(w).pk}/rotate-secret/",
        None,
        ONLY_RECRUITER_READ,
    ),
    (
        "delete webhook",
        "delete",
        lambda w: f"{V1}/webhooks/endpoints/{_endpoint(w).pk}/",
        None,
        (401, 403, 403, 204, 403),
    ),
    ("webhook deliveries", "get", lambda w: f"{V1}/webhooks/deliveries/", None, ONLY_RECRUITER_READ),
    (
        "webhook delivery",
        "get",
        lambda w: f"{V1}/webhooks/deliveries/{_delivery(w).pk}/",
        None,
        ONLY_RECRUITER_READ,
    ),
    ("unknown URL", "get", lambda w: f"{V1}/nothing-here/", None, (404, 404, 404, 404, 404)),
    ("get token", "post", lambda w: f"{V1}/auth/token/", lambda w: CREDENTIALS, (401, 200, 200, 200, 200)),
    ("revoke token", "delete", lambda w: f"{V1}/auth/token/", None, (401, 204, 204, 204, 204)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_endpoint_under_every_role(world, case, role):
    name, method, url, body, expected = case
    client = world.client(role)
    kwargs = {"format": "json"}
    if body is not None:
        kwargs["data"] = body(world)
        if kwargs["data"] is CREDENTIALS:  # the role's own e-mail and password; anonymous: a wrong password
            user = world.user(role)
            kwargs["data"] = (
                {"email": user.email, "password": PASSWORD}
                if user is not None
                else {"email": world.candidate_user.email, "password": "wrong"}
            )
    response = getattr(client, method)(url(world), **kwargs)
    want = expected[ROLES.index(role)]
    if want >= 400:
        assert_error(response, want)
    else:
        assert response.status_code == want, (name, role, response.status_code, response.content[:300])


def test_cases_cover_every_operation_in_the_schema(world, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    covered = {
        (method, re.sub(r"/[0-9]+/", "/{id}/", url(world).split("?")[0])) for _, method, url, _, _ in CASES
    }
    missing = sorted(operations - covered)
    assert not missing, missing


def test_candidates_never_see_each_others_objects(world):
    ada = world.client(CAND)
    applications = ada.get(f"{V1}/applications/").json()["results"]
    assert [a["id"] for a in applications] == [world.application.pk]
    scores = ada.get(f"{V1}/match-scores/").json()["results"]
    assert [s["id"] for s in scores] == [world.score.pk]
    assert ada.get(f"{V1}/me/").json()["id"] == world.candidate.pk
    # filtering by someone else's id finds nothing
    assert ada.get(f"{V1}/applications/?candidate={world.other_candidate.pk}").json()["count"] == 0
    assert ada.get(f"{V1}/match-scores/?candidate={world.other_candidate.pk}").json()["count"] == 0
    # and nothing of theirs can be changed
    assert_error(ada.post(f"{V1}/applications/{world.other_application.pk}/withdraw/"), 404, "not_found")
    world.other_application.refresh_from_db()
    assert world.other_application.stage == "applied"


def test_hiring_manager_sees_only_their_vacancies(world):
    hank = world.client(HM)
    applications = hank.get(f"{V1}/applications/").json()["results"]
    assert {a["vacancy"]["id"] for a in applications} == {world.managed_vacancy.pk}
    scores = hank.get(f"{V1}/match-scores/").json()["results"]
    assert {s["vacancy"]["id"] for s in scores} == {world.managed_vacancy.pk}


def test_a_candidate_sees_scores_for_open_vacancies_only(world):
    world.managed_vacancy.status = "closed"
    world.managed_vacancy.save()
    assert world.client(CAND).get(f"{V1}/match-scores/").json()["count"] == 0
