"""The shortlist page cache (recruiting/shortlist_cache.py): a recruiter's second read of a vacancy's ranked page
comes from the cache, and every write a recruiter would see on that page — a new score, a renamed or erased
candidate, a closed vacancy, stale marks — shows on the very next read.

These tests commit for real (transactional tests): the generation is replaced by each write's own commit, as in
production, not by a harness that runs commit callbacks.  The cache wraps the page PostgreSQL builds
(recruiting/api/ranked.py), so they need PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching import bulk_rows, model_store, services, staleness, storage
from matching.models import MatchScore
from portal.privacy import candidate_account_delete
from recruiting import shortlist_cache
from recruiting.models import Candidate
from tests.factories import CandidateFactory, MatchScoreFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the page cache wraps the page PostgreSQL builds (ranked.py)",
    ),
]


@pytest.fixture(autouse=True)
def page_cache(settings, world):  # after the world is built: its rows are older than any page
    settings.SHORTLIST_PAGE_CACHE_SECONDS = 120
    cache.clear()
    yield
    cache.clear()


def page_url(vacancy, query: str = "") -> str:
    return f"/api/v1/vacancies/{vacancy.pk}/match-scores/{query}"


def read(client, url: str):
    """GET ``url``; returns (JSON body, whether the page query ran)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    built = any("json_agg" in q["sql"] for q in queries.captured_queries)
    return response.json(), built


def names(body) -> list[str]:
    return [row["candidate"]["name"] for row in body["results"]]


def test_a_recruiters_second_read_comes_from_the_cache_unchanged(world):
    client, v = world.client("recruiter"), world.managed_vacancy
    MatchScoreFactory(vacancy=v, candidate=CandidateFactory(name="Grace"), skills_score=90.0)
    first, built_first = read(client, page_url(v))
    second, built_second = read(client, page_url(v))
    assert built_first and not built_second
    assert second == first and len(first["results"]) == 2
    # another page of the same ranking, or another filter, is another entry
    one, built = read(client, page_url(v, "?limit=1"))
    assert built and len(one["results"]) == 1 and one["next"]
    # another recruiter shares the page (a recruiter sees every row)
    other = world.client("recruiter")
    assert read(other, page_url(v)) == (first, False)


def test_a_new_score_shows_on_the_next_read(world):
    client, v = world.client("recruiter"), world.managed_vacancy
    grace = CandidateFactory(
        name="Grace", cv_text="Python, PyTorch, Kubernetes and SQL.\nPhD Machine Learning."
    )
    read(client, page_url(v))  # cached without Grace
    model_store.model_fit()
    services.score_pairs(candidate_ids=[grace.pk])
    body, built = read(client, page_url(v))
    assert built and "Grace" in names(body)
    stored = MatchScore.objects.get(candidate=grace, vacancy=v)
    assert [r["score"] for r in body["results"] if r["candidate"]["name"] == "Grace"] == [stored.score]


def test_a_renamed_candidate_shows_on_the_next_read(world):
    client, v = world.client("recruiter"), world.managed_vacancy
    assert "Ada" in names(read(client, page_url(v))[0])
    response = client.patch(f"/api/v1/candidates/{world.candidate.pk}/", {"name": "Ada L."}, format="json")
    assert response.status_code == 200
    assert names(read(client, page_url(v))[0]) == ["Ada L."]


def test_an_erased_candidate_is_gone_from_the_next_read(world):
    client, v = world.client("recruiter"), world.managed_vacancy
    assert names(read(client, page_url(v))[0]) == ["Ada"]
    candidate_account_delete(user=world.candidate_user)
    body, built = read(client, page_url(v))
    assert built and body["count"] == 0 and "Ada" not in str(body)


def test_a_closed_vacancy_and_stale_marks_show_on_the_next_read(world):
    client, v = world.client("recruiter"), world.managed_vacancy
    body = read(client, page_url(v))[0]
    assert body["results"][0]["vacancy"]["status"] == "open" and not body["results"][0]["stale"]
    assert client.post(f"/api/v1/vacancies/{v.pk}/close/").status_code == 200
    assert read(client, page_url(v))[0]["results"][0]["vacancy"]["status"] == "closed"
    Candidate.objects.filter(pk=world.candidate.pk).update(cv_text="Go and Rust.")
    staleness.scores_mark_stale()
    assert read(client, page_url(v))[0]["results"][0]["stale"]


def test_writes_that_bypass_the_orm_replace_the_generation(world):
    """The bulk writers (COPY, ``UPDATE … FROM``, raw ``DELETE``) call the replacement themselves."""
    ada = world.candidate

    def replaced(write) -> bool:
        before = shortlist_cache.current_generation()
        write()
        return shortlist_cache.current_generation() != before

    ada.name = "Ada B."
    assert replaced(lambda: bulk_rows.rows_update(Candidate, [ada], ["name"]))
    assert replaced(
        lambda: storage.rows_delete_unkept(
            [ada.pk], [world.managed_vacancy.pk], timezone.now() + dt.timedelta(seconds=1)
        )
    )
    assert not replaced(lambda: None)  # no write, no replacement: the cache is not thrown away for nothing
    assert not replaced(lambda: storage.rows_upsert([]))  # an empty chunk writes nothing


def test_a_hiring_manager_never_gets_a_recruiters_page(world):
    v = world.managed_vacancy
    MatchScoreFactory(vacancy=v, candidate=CandidateFactory(name="Not an applicant"))
    assert len(read(world.client("recruiter"), page_url(v))[0]["results"]) == 2
    body, built = read(world.client("hiring_manager"), page_url(v))
    assert built and names(body) == ["Ada"]  # only the people who applied to this vacancy


class FailingCache:
    """The cache with some of its calls raising, as an unreachable Redis makes them."""

    def __init__(self, real, failing: set[str]):
        self.real, self.failing = real, failing

    def __getattr__(self, name):
        if name in self.failing:

            def down(*args, **kwargs):
                raise ConnectionError("cache down")

            return down
        return getattr(self.real, name)


def test_the_page_is_built_from_the_database_when_the_cache_fails(world, monkeypatch):
    client, v = world.client("recruiter"), world.managed_vacancy
    expected = read(client, page_url(v))[0]
    cache.clear()
    monkeypatch.setattr(shortlist_cache, "cache", FailingCache(cache, {"get_many", "get", "set", "add"}))
    assert read(client, page_url(v)) == (expected, True)
    monkeypatch.setattr(shortlist_cache, "cache", FailingCache(cache, {"set"}))  # reads answer, writes fail
    assert read(client, page_url(v)) == (expected, True)
    assert read(client, page_url(v)) == (expected, True)  # so nothing was cached
    monkeypatch.undo()
    assert read(client, page_url(v)) == (expected, True)
    assert read(client, page_url(v)) == (expected, False)


def test_off_when_the_setting_is_zero(world, settings):
    settings.SHORTLIST_PAGE_CACHE_SECONDS = 0
    client, v = world.client("recruiter"), world.managed_vacancy
    assert read(client, page_url(v))[1] and read(client, page_url(v))[1]


def test_a_deleted_vacancys_cached_page_is_a_404(world):
    """The cache is read before the vacancy: its delete must end the page, or a recruiter would read it on."""
    client, v = world.client("recruiter"), world.open_vacancy
    assert read(client, page_url(v))[0]["count"] == 1
    url = page_url(v)
    v.delete()
    assert client.get(url).status_code == 404


def test_one_replacement_per_transaction_however_many_writes(world, monkeypatch):
    """A save writes a candidate, its profile and its scores: one Redis write at its commit, not one per write —
    unless a savepoint that queued it was rolled back, which undid its writes too."""
    replaced = []
    real = shortlist_cache._replace_generation
    monkeypatch.setattr(shortlist_cache, "_replace_generation", lambda: replaced.append(1) or real())
    with transaction.atomic():
        Candidate.objects.filter(pk=world.candidate.pk).update(name="A")
        world.candidate.save()
        MatchScore.objects.filter(pk=world.score.pk).update(stale=True)
    assert len(replaced) == 1
    with transaction.atomic():
        try:
            with transaction.atomic():
                world.candidate.save()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        world.open_vacancy.save()
    assert len(replaced) == 2  # the vacancy's, queued anew after the rolled-back savepoint dropped the first


def test_what_a_page_shows_is_what_replaces_the_generation(world):
    """A write of what no page shows — a new candidate or vacancy (on no page until scored), a candidate's
    profile date, a vacancy's description — keeps every cached page; a write of a shown field does not."""
    page = read(world.client("recruiter"), page_url(world.managed_vacancy))[0]["results"][0]
    shown = shortlist_cache.SHOWN_FIELDS
    assert set(page["candidate"]) - {"id"} == shown["recruiting.candidate"]
    assert set(page["vacancy"]) - {"id"} == shown["recruiting.vacancy"]

    def replaced(write) -> bool:
        before = shortlist_cache.current_generation()
        write()
        return shortlist_cache.current_generation() != before

    ada, v = world.candidate, world.managed_vacancy
    assert not replaced(lambda: CandidateFactory(name="New"))
    assert not replaced(lambda: bulk_rows.rows_insert(Candidate, [Candidate(reference="copy-1", source="t")]))
    assert not replaced(lambda: Candidate.objects.filter(pk=ada.pk).update(updated_at=timezone.now()))
    v.description += "\nAlso Rust."
    assert not replaced(lambda: v.save(update_fields=["description"]))
    assert replaced(lambda: v.save(update_fields=["title"]))
    assert replaced(lambda: v.save())  # a whole save may change anything
    assert replaced(lambda: Candidate.objects.filter(pk=ada.pk).update(name="Ada C."))
    assert replaced(lambda: MatchScore.objects.filter(pk=world.score.pk).update(stale=True))
