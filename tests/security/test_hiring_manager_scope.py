"""A hiring manager sees the candidates who applied to a vacancy they manage, and no one else (issue 16,
finding 1): the rule is ``recruiting.permissions.hiring_manager_match_scores`` / ``hiring_manager_candidates``,
and every face that shows match scores or candidates goes through it.

Zelda applied to the managed vacancy (she must be visible); Nora is scored against it but applied only to
another vacancy, Nell is scored against it and never applied (neither may be visible).  The permission matrix
(``test_permission_matrix.py``) walks every URL with Nora's objects; these tests pin each face positively too.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from recruiting import permissions
from tests.factories import ApplicationFactory, CandidateFactory, MatchScoreFactory
from tests.security.conftest import ZELDA_NAME

pytestmark = pytest.mark.django_db

NORA, NELL = "Nora Applied-Elsewhere", "Nell Never-Applied"


@pytest.fixture
def scope(world):
    nora = CandidateFactory(name=NORA, email="nora@example.org")
    ApplicationFactory(candidate=nora, vacancy=world.open_vacancy)
    nell = CandidateFactory(name=NELL, email="nell@example.org")
    scores = {
        "zelda": world.objects["matching.matchscore"],
        "nora": MatchScoreFactory(candidate=nora, vacancy=world.managed_vacancy, text_score=90.0),
        "nell": MatchScoreFactory(candidate=nell, vacancy=world.managed_vacancy, text_score=95.0),
    }
    client = Client(raise_request_exception=False)
    client.force_login(world.user("hiring_manager"))
    recruiter = Client(raise_request_exception=False)
    recruiter.force_login(world.user("recruiter"))
    return {"nora": nora, "nell": nell, "scores": scores, "manager": client, "recruiter": recruiter}


def _names(body) -> set[str]:
    return {row["candidate"]["name"] for row in body["results"]}


def test_the_rule_narrows_scores_and_candidates_to_applicants(world, scope):
    manager = world.user("hiring_manager")
    assert set(permissions.visible_match_scores(manager).values_list("candidate__name", flat=True)) == {
        ZELDA_NAME
    }
    assert list(permissions.visible_candidates(manager).values_list("name", flat=True)) == [ZELDA_NAME]
    recruiter = world.user("recruiter")
    assert permissions.visible_match_scores(recruiter).filter(vacancy=world.managed_vacancy).count() == 3


@pytest.mark.parametrize("limit", ["", "?limit=500"])
def test_api_vacancy_match_scores_lists_only_applicants(world, scope, limit):
    url = f"/api/v1/vacancies/{world.managed_vacancy.pk}/match-scores/{limit}"
    response = scope["manager"].get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert _names(body) == {ZELDA_NAME} and body["count"] == 1
    assert _names(scope["recruiter"].get(url, HTTP_ACCEPT="application/json").json()) == {
        ZELDA_NAME,
        NORA,
        NELL,
    }


def test_api_match_scores_list_and_detail_hold_only_applicants(world, scope):
    response = scope["manager"].get("/api/v1/match-scores/?limit=500", HTTP_ACCEPT="application/json")
    assert _names(response.json()) == {ZELDA_NAME}
    for who in ("nora", "nell"):
        assert scope["manager"].get(f"/api/v1/match-scores/{scope['scores'][who].pk}/").status_code == 404
    assert scope["manager"].get(f"/api/v1/match-scores/{scope['scores']['zelda'].pk}/").status_code == 200


def test_workspace_shortlist_shows_only_applicants(world, scope):
    url = reverse("admin:recruiting_vacancy_shortlist", args=[world.managed_vacancy.pk])
    html = scope["manager"].get(url).content.decode()
    assert ZELDA_NAME in html and NORA not in html and NELL not in html
    html = scope["recruiter"].get(url).content.decode()
    assert ZELDA_NAME in html and NORA in html and NELL in html


def test_workspace_candidate_page_opens_only_applicants(world, scope):
    for who in ("nora", "nell"):
        url = reverse("admin:recruiting_candidate_change", args=[scope[who].pk])
        assert scope["manager"].get(url).status_code in (302, 403, 404)
        assert scope["recruiter"].get(url).status_code == 200
    url = reverse("admin:recruiting_candidate_change", args=[world.zelda.pk])
    assert scope["manager"].get(url).status_code == 200


def test_admin_match_score_changelist_and_change_pages_hold_only_applicants(world, scope):
    html = scope["manager"].get(reverse("admin:matching_matchscore_changelist")).content.decode()
    assert ZELDA_NAME in html and NORA not in html and NELL not in html
    for who in ("nora", "nell"):
        url = reverse("admin:matching_matchscore_change", args=[scope["scores"][who].pk])
        assert scope["manager"].get(url).status_code in (302, 403, 404)
        assert scope["recruiter"].get(url).status_code == 200
    url = reverse("admin:matching_matchscore_change", args=[scope["scores"]["zelda"].pk])
    assert scope["manager"].get(url).status_code == 200


def test_admin_candidate_changelist_holds_only_applicants(world, scope):
    html = scope["manager"].get(reverse("admin:recruiting_candidate_changelist")).content.decode()
    assert ZELDA_NAME in html and NORA not in html and NELL not in html


def test_recruiter_export_still_has_every_row(world, scope):
    url = reverse("admin:recruiting_vacancy_shortlist", args=[world.managed_vacancy.pk])
    response = scope["recruiter"].post(url, {"action": "export"})
    text = response.content.decode()
    assert response.status_code == 200 and NORA in text and NELL in text
    assert scope["manager"].post(url, {"action": "export"}).status_code == 403
