"""Issue 12 in the API: rank / tied / candidates_ranked, confidence, confidence_reason and flags on match-score
resources, the evidence level and related credit in matched_skills, and the ?confidence= filter — on the vacancy's
shortlist (both the serializer and the PostgreSQL fast path), the candidate's own list and one score."""

from __future__ import annotations

import pytest

from tests.factories import (
    KEYWORD_LIST_FLAG,
    LANGUAGE_FLAG,
    TEXT_ONLY_REASON,
    CandidateFactory,
    ContractMatchScoreFactory,
    EngineMatchScoreFactory,
    MatchScoreFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tied(world):
    """The managed vacancy: Ada's old-shape 73 (world.score), two new-shape rows tied at 90, one low at 20."""
    v = world.managed_vacancy
    a = ContractMatchScoreFactory(vacancy=v, candidate=CandidateFactory(), score=90.0, confidence="high")
    b = ContractMatchScoreFactory(
        vacancy=v, candidate=CandidateFactory(), score=90.0, confidence="medium", flags=(KEYWORD_LIST_FLAG,)
    )
    c = ContractMatchScoreFactory(vacancy=v, candidate=CandidateFactory(), score=20.0, confidence="low")
    MatchScoreFactory(vacancy=v, candidate=CandidateFactory(), insufficient=True)
    return a, b, c


def shortlist(world, query=""):
    response = world.client("recruiter").get(
        f"/api/v1/vacancies/{world.managed_vacancy.pk}/match-scores/{query}"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_ties_share_a_rank_and_every_row_says_so(world, tied):
    a, b, c = tied
    results = shortlist(world)["results"]
    assert [(r["id"], r["rank"], r["tied"]) for r in results] == [
        (a.pk, 1, True),
        (b.pk, 1, True),
        (world.score.pk, 3, False),
        (c.pk, 4, False),
        (results[4]["id"], None, False),
    ]
    assert {r["candidates_ranked"] for r in results} == {4}
    # Page 2 keeps the ranks of the whole vacancy.
    page = shortlist(world, "?limit=2&offset=2")["results"]
    assert [(r["rank"], r["tied"]) for r in page] == [(3, False), (4, False)]


def test_confidence_reason_flags_and_evidence_levels_are_in_the_resource(world, tied):
    a, b, _ = tied
    results = {r["id"]: r for r in shortlist(world)["results"]}
    top = results[a.pk]
    assert top["confidence"] == "high" and top["confidence_reason"] == TEXT_ONLY_REASON
    assert top["flags"] == [KEYWORD_LIST_FLAG, LANGUAGE_FLAG]
    assert results[b.pk]["flags"] == [KEYWORD_LIST_FLAG]
    related = next(s for s in top["matched_skills"] if s["skill"] == "TensorFlow")
    assert (
        related["evidence_level"] == "related"
        and related["related_to"] == "PyTorch"
        and related["credit"] == 0.6
    )
    assert top["explanation"]["confidence"] == "high"
    # The old-shape row: empty values, no error.
    old = results[world.score.pk]
    assert (old["confidence"], old["confidence_reason"], old["flags"]) == ("", "", [])
    assert "evidence_level" not in old["matched_skills"][0]


def test_confidence_filter_on_the_shortlist_and_the_list(world, tied):
    a, _b, c = tied
    body = shortlist(world, "?confidence=high")
    assert body["count"] == 1 and [r["id"] for r in body["results"]] == [a.pk]
    assert body["results"][0]["rank"] == 1 and body["results"][0]["tied"]  # still tied with b, filtered away
    listed = (
        world.client("recruiter")
        .get(f"/api/v1/match-scores/?vacancy={world.managed_vacancy.pk}&confidence=low")
        .json()
    )
    assert [r["id"] for r in listed["results"]] == [c.pk]
    bad = world.client("recruiter").get(
        f"/api/v1/vacancies/{world.managed_vacancy.pk}/match-scores/?confidence=certain"
    )
    assert bad.status_code == 400


def test_a_candidate_reads_their_rank_among_the_vacancys_candidates(world, tied):
    body = world.client("candidate").get("/api/v1/match-scores/").json()
    mine = {r["vacancy"]["id"]: r for r in body["results"]}
    ranked = mine[world.managed_vacancy.pk]
    assert (ranked["rank"], ranked["tied"], ranked["candidates_ranked"]) == (3, False, 4)
    one = world.client("candidate").get(f"/api/v1/match-scores/{world.score.pk}/").json()
    assert (one["rank"], one["candidates_ranked"]) == (3, 4)


def test_the_shortlist_stays_a_constant_number_of_queries_with_ranks(
    world, tied, django_assert_max_num_queries
):
    client = world.client("recruiter")
    url = f"/api/v1/vacancies/{world.managed_vacancy.pk}/match-scores/"
    with django_assert_max_num_queries(7):
        client.get(url)
    for i in range(20):
        EngineMatchScoreFactory(
            vacancy=world.managed_vacancy, candidate=CandidateFactory(), score=float(i % 5)
        )
    with django_assert_max_num_queries(7):
        assert client.get(url).json()["count"] == 25
