"""The shortlist page PostgreSQL builds (recruiting/api/ranked.py) is the serializer's response, field for field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from rest_framework.renderers import JSONRenderer

from matching import model_store
from matching.models import MatchScore
from recruiting.api import ranked
from recruiting.api.serializers.scores import MatchScoreSerializer
from recruiting.selectors import with_vacancy_rank
from tests.factories import CandidateFactory, MatchScoreFactory

pytestmark = pytest.mark.django_db


def serializer_page(vacancy, *, limit, offset):
    rows = (
        with_vacancy_rank(MatchScore.objects.filter(vacancy=vacancy), among=True)
        .select_related("candidate", "vacancy")
        .order_by("-score", "pk")
    )
    rows = sorted(rows, key=lambda r: (r.score is None, -(r.score or 0), r.pk))[offset : offset + limit]
    return json.loads(JSONRenderer().render(MatchScoreSerializer(rows, many=True).data))


def test_the_database_built_page_equals_the_serializers(world, monkeypatch):
    v = world.managed_vacancy
    MatchScoreFactory(
        vacancy=v, candidate=CandidateFactory(name="Zoë “Ünïcode” 李"), skills_score=95.0, stale=True
    )
    MatchScoreFactory(
        vacancy=v,
        candidate=CandidateFactory(),
        skills_score=40.0,
        computed_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    )  # no fraction of a second
    MatchScoreFactory(vacancy=v, candidate=CandidateFactory(), insufficient=True)
    narrow = MatchScoreFactory(vacancy=v, candidate=CandidateFactory(), skills_score=10.0)
    MatchScore.objects.filter(pk=narrow.pk).update(
        explained=False, matched_skills=[], missing_skills=[], explanation={}
    )
    # Narrow rows are written by a scoring pass, which stores its model; a web request never fits one.
    model_store.model_fit()
    used = []
    real = ranked.ranked_page_response

    def spy(*args, **kwargs):
        response = real(*args, **kwargs)
        used.append(response is not None)
        return response

    monkeypatch.setattr("recruiting.api.views.vacancies.ranked_page_response", spy)
    client = world.client("recruiter")
    # A page holding a narrow row explains it first (recomputed with the engine: this factory row's made-up score
    # becomes the engine's verdict on its 7-word CV), so compare the pages read after that.
    client.get(f"/api/v1/vacancies/{v.pk}/match-scores/")
    assert MatchScore.objects.get(pk=narrow.pk).explained
    first = client.get(f"/api/v1/vacancies/{v.pk}/match-scores/?limit=3")
    rest = client.get(f"/api/v1/vacancies/{v.pk}/match-scores/?limit=3&offset=3")
    assert first.status_code == rest.status_code == 200 and first["Content-Type"] == "application/json"
    assert used == [connection.vendor == "postgresql"] * 3  # the fast path runs on PostgreSQL only
    body, tail = first.json(), rest.json()
    assert body["count"] == tail["count"] == 5
    assert body["previous"] is None and "offset=3" in body["next"] and tail["next"] is None
    assert body["results"] == serializer_page(v, limit=3, offset=0)
    assert tail["results"] == serializer_page(v, limit=3, offset=3)
    assert tail["results"][-1]["score"] is None  # insufficient data last


def test_the_browsable_api_still_goes_through_the_serializer(world):
    response = world.client("recruiter").get(
        f"/api/v1/vacancies/{world.managed_vacancy.pk}/match-scores/", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert b"Ada" in response.content and b"<html" in response.content.lower()


def test_ranks_confidence_and_flags_are_equal_on_both_paths(world):
    """Issue 12's fields (rank, tied, candidates_ranked, confidence, confidence_reason, flags) field for field:
    ties, new-shape rows, old rows and malformed explanations."""
    from tests.factories import ContractMatchScoreFactory, EngineMatchScoreFactory

    v = world.managed_vacancy
    ContractMatchScoreFactory(vacancy=v, candidate=CandidateFactory(), score=88.0, confidence="high")
    ContractMatchScoreFactory(vacancy=v, candidate=CandidateFactory(), score=88.0, flags=())
    EngineMatchScoreFactory(
        vacancy=v, candidate=CandidateFactory(), score=73.0
    )  # ties with Ada's old row (73)
    odd = EngineMatchScoreFactory(vacancy=v, candidate=CandidateFactory(), score=12.5)
    MatchScore.objects.filter(pk=odd.pk).update(
        explanation={**odd.explanation, "flags": "not a list", "confidence_reason": 7}
    )
    MatchScoreFactory(vacancy=v, candidate=CandidateFactory(), insufficient=True)
    client = world.client("recruiter")
    for query in ("", "?limit=2&offset=1", "?confidence=high"):
        body = client.get(f"/api/v1/vacancies/{v.pk}/match-scores/{query}").json()
        expected = serializer_page(v, limit=50, offset=0)
        if query == "?confidence=high":
            expected = [r for r in expected if r["confidence"] == "high"]
        elif query:
            expected = expected[1:3]
        assert body["results"] == expected
    full = serializer_page(v, limit=50, offset=0)
    assert [(r["rank"], r["tied"]) for r in full] == [
        (1, True),
        (1, True),
        (3, True),
        (3, True),
        (5, False),
        (None, False),
    ]
    assert full[4]["flags"] == [] and full[4]["confidence_reason"] == ""


def test_odd_stored_values_and_a_page_past_the_end_are_equal_on_both_paths(world):
    """Malformed stored explanations read alike on both paths (an explanation that is not an object, components
    stored as an object rather than a list: no components), quotes, backslashes and a tab in a reference and a name
    come back intact, and a page past the ranking's end still gives the count."""
    from tests.factories import EngineMatchScoreFactory

    v = world.managed_vacancy
    odd = EngineMatchScoreFactory(
        vacancy=v,
        candidate=CandidateFactory(name='Ann "Q" \\ O\'Neil\ttab', reference='ref "1" \\'),
        score=64.0,
    )
    other = EngineMatchScoreFactory(vacancy=v, candidate=CandidateFactory(), score=31.0)
    MatchScore.objects.filter(pk=odd.pk).update(explanation=["not", "an", "object"])
    MatchScore.objects.filter(pk=other.pk).update(
        explanation={**other.explanation, "components": {"skills": 1}, "flags": None}
    )
    client = world.client("recruiter")
    body = client.get(f"/api/v1/vacancies/{v.pk}/match-scores/").json()
    assert body["results"] == serializer_page(v, limit=50, offset=0)
    rows = {r["id"]: r for r in body["results"]}
    assert rows[odd.pk]["candidate"]["name"] == 'Ann "Q" \\ O\'Neil\ttab'
    assert rows[odd.pk]["components"] == rows[other.pk]["flags"] == rows[other.pk]["components"] == []
    past = client.get(f"/api/v1/vacancies/{v.pk}/match-scores/?limit=2&offset=40").json()
    assert past["results"] == [] and past["count"] == body["count"] > 0
    assert past["next"] is None and "offset=" in past["previous"]
