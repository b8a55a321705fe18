"""Ranked, explained match scores per vacancy and per candidate; scoring runs; the skill vocabulary."""

from __future__ import annotations

import pytest

from matching.models import ScoringRun
from matching.scoring import COMPONENTS
from tests.api.conftest import assert_error
from tests.factories import ApplicationFactory, CandidateFactory, MatchScoreFactory, SkillFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(world):
    """The managed vacancy's scores: Ada 73, three more, one insufficient-data — all applicants, so its hiring
    manager sees them too (a hiring manager sees applicants only: tests/security/test_hiring_manager_scope.py)."""
    candidates = [CandidateFactory() for _ in range(4)]
    for candidate in candidates:
        ApplicationFactory(candidate=candidate, vacancy=world.managed_vacancy)
    scores = [
        MatchScoreFactory(vacancy=world.managed_vacancy, candidate=c, skills_score=s)
        for c, s in zip(candidates, (95.0, 40.0, 10.0))
    ]
    MatchScoreFactory(vacancy=world.managed_vacancy, candidate=candidates[3], insufficient=True)
    return scores


def test_a_vacancys_scores_are_ranked_best_first_with_insufficient_data_last(world, ranked):
    body = world.client("recruiter").get(f"/api/v1/vacancies/{world.managed_vacancy.pk}/match-scores/").json()
    scores = [r["score"] for r in body["results"]]
    assert body["count"] == 5
    assert scores[:4] == sorted(scores[:4], reverse=True)
    assert scores[4] is None and body["results"][4]["state"] == "insufficient_data"


def test_min_score_and_limit(world, ranked):
    client = world.client("hiring_manager")
    body = client.get(
        f"/api/v1/vacancies/{world.managed_vacancy.pk}/match-scores/?min_score=50&limit=2"
    ).json()
    assert body["count"] == 2 and [r["score"] for r in body["results"]] == [
        ranked[0].score,
        world.score.score,
    ]
    assert body["next"] is None
    top = client.get(f"/api/v1/vacancies/{world.managed_vacancy.pk}/match-scores/?limit=1").json()
    assert len(top["results"]) == 1 and top["results"][0]["score"] == ranked[0].score and top["next"]


def test_each_score_carries_its_components_and_explanation(world):
    body = world.client("recruiter").get(f"/api/v1/match-scores/{world.score.pk}/").json()
    assert [c["name"] for c in body["components"]] == list(COMPONENTS)  # the engine's components
    assert round(sum(c["points"] for c in body["components"]), 2) == round(body["score"], 2)
    assert body["explanation"]["state"] == "scored"
    assert body["matched_skills"][0]["evidence"]
    assert body["missing_skills"][0]["gain"] == 2.1
    assert body["candidate"]["name"] == "Ada" and body["vacancy"]["title"] == "Managed role"
    assert body["computed_at"].endswith("Z")


def test_a_candidates_scores(world):
    MatchScoreFactory(candidate=world.candidate, vacancy=world.open_vacancy, skills_score=99.0)
    body = world.client("recruiter").get(f"/api/v1/candidates/{world.candidate.pk}/match-scores/").json()
    assert [r["vacancy"]["title"] for r in body["results"]] == ["Open role", "Managed role"]


def test_a_candidate_reads_only_their_own_scores(world):
    body = world.client("candidate").get("/api/v1/match-scores/").json()
    assert {r["candidate"]["id"] for r in body["results"]} == {world.candidate.pk}
    assert_error(world.client("candidate").get(f"/api/v1/candidates/{world.candidate.pk}/match-scores/"), 403)


def test_shortlist_queries_do_not_grow_with_its_length(world, ranked, django_assert_max_num_queries):
    client = world.client("recruiter")
    url = f"/api/v1/vacancies/{world.managed_vacancy.pk}/match-scores/"
    with django_assert_max_num_queries(7):
        client.get(url)
    for _ in range(20):
        MatchScoreFactory(vacancy=world.managed_vacancy, candidate=CandidateFactory())
    with django_assert_max_num_queries(7):
        assert client.get(url).json()["count"] == 25


# --- scoring runs -------------------------------------------------------------------------------------------
def test_start_a_scoring_run_and_read_its_status(world, django_capture_on_commit_callbacks):
    client = world.client("recruiter")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/scoring-runs/", {"scope": "vacancy", "vacancy": world.managed_vacancy.pk}, format="json"
        )
    assert response.status_code == 202
    run = response.json()
    assert run["scope"] == "vacancy" and run["target"] == str(world.managed_vacancy.pk)
    status = client.get(f"/api/v1/scoring-runs/{run['id']}/").json()
    assert status["status"] == ScoringRun.Status.DONE  # tasks run in-process in the tests
    assert status["done"] == status["total"] == 2
    assert client.get("/api/v1/scoring-runs/?status=done").json()["count"] == 1


def test_a_full_run_and_validation(world):
    client = world.client("recruiter")
    assert client.post("/api/v1/scoring-runs/", {}, format="json").json()["scope"] == "all"
    error = assert_error(client.post("/api/v1/scoring-runs/", {"scope": "candidate"}, format="json"), 400)
    assert "candidate" in error["details"]


# --- skills -------------------------------------------------------------------------------------------------
def test_the_skill_vocabulary_is_searchable(world):
    SkillFactory(name="Zyxwv Library", category="library")
    client = world.client("anonymous")
    body = client.get("/api/v1/skills/?search=zyxwv").json()
    assert [s["name"] for s in body["results"]] == ["Zyxwv Library"]
    assert client.get("/api/v1/skills/?category=library&search=zyxwv").json()["count"] == 1
    assert client.get("/api/v1/skills/?category=soft&search=zyxwv").json()["count"] == 0
