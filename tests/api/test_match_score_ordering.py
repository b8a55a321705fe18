"""The match-score list across vacancies (``/api/v1/match-scores/``): the ranking's order, its exact reverse, other
orderings made total so pages never repeat or skip a row, and on PostgreSQL an index that gives the ranking's order
without sorting every stored score (at 100,000 × 1,000 the first page took 12.5 s: benchmarks/README.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import MatchScore
from matching.ranking import ranking_key
from tests.factories import CandidateFactory, MatchScoreFactory, VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(world):
    """Scores over three vacancies with equal scores within and across vacancies and one without a score."""
    vacancies = [world.managed_vacancy, VacancyFactory(), VacancyFactory()]
    for i, score in enumerate((80.0, 80.0, 55.0, None, 80.0, 20.0, 55.0)):
        row = MatchScoreFactory(vacancy=vacancies[i % 3], candidate=CandidateFactory())
        if score is None:
            MatchScore.objects.filter(pk=row.pk).update(
                score=None, state=MatchScore.State.INSUFFICIENT_DATA, confidence=""
            )
        else:
            MatchScore.objects.filter(pk=row.pk).update(score=score)
    return sorted(MatchScore.objects.values_list("score", "pk"), key=lambda r: ranking_key(*r))


def ids(client, query: str) -> list[int]:
    """Every id of the list, page by page (2 a page), in the order the pages give them."""
    out, url = [], f"/api/v1/match-scores/?limit=2{query}"
    while url:
        body = client.get(url).json()
        out += [r["id"] for r in body["results"]]
        url = body["next"]
    return out


def test_the_list_is_the_ranking_and_ordering_by_score_gives_it_or_its_exact_reverse(world, spread):
    client = world.client("recruiter")
    ranking = [pk for _, pk in spread]
    assert ids(client, "") == ranking  # best first, no score last, equal scores by id
    assert ids(client, "&ordering=-score") == ranking
    assert ids(client, "&ordering=score") == ranking[::-1]
    first = client.get("/api/v1/match-scores/?ordering=score&limit=1").json()["results"][0]
    assert first["score"] is None  # the reverse starts with the score-less row


def test_ordering_by_computation_time_is_total_so_pages_never_repeat_or_skip(world, spread):
    MatchScore.objects.update(computed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    MatchScore.objects.filter(pk=spread[0][1]).update(computed_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    client = world.client("recruiter")
    every = sorted(pk for _, pk in spread)
    rest = [pk for pk in every if pk != spread[0][1]]
    assert ids(client, "&ordering=computed_at") == [*rest, spread[0][1]]
    assert ids(client, "&ordering=-computed_at") == [spread[0][1], *rest]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plan; SQLite has no NULLS LAST index"
)
@pytest.mark.parametrize(("query", "scan"), [("", "Index Scan"), ("&ordering=score", "Index Scan Backward")])
def test_the_ranking_across_vacancies_is_read_from_an_index_not_sorted(world, spread, query, scan):
    """The page's query, planned with sequential scans and full sorts priced out (a table this small would
    otherwise be read whole): only an index in the ranking's order can serve it without sorting every row."""
    with CaptureQueriesContext(connection) as captured:
        world.client("recruiter").get(f"/api/v1/match-scores/?limit=2{query}")
    (page,) = [
        q["sql"]
        for q in captured
        if 'FROM "matching_matchscore"' in q["sql"] and q["sql"].endswith("LIMIT 2")
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + page)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # the page's own scan (the rank's subqueries read the table under an alias: "on matching_matchscore u0")
    assert f"{scan} using matchscore_ranked on matching_matchscore  (" in plan, plan
