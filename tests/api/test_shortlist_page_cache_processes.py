"""The shortlist page cache across processes (recruiting/shortlist_cache.py): a gunicorn web process caches a
recruiter's ranked page in Redis; a Celery worker — another process, the production settings, the same Redis —
stores a new candidate's score, and the web's next reads show it within seconds, not after the cache's
``SHORTLIST_PAGE_CACHE_SECONDS`` (120 s).  This test process writes nothing the web could see through its own
cache: its settings keep the page cache off, so only the worker's commit can end the cached page.
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid

import pytest
import redis
from django.db import connection
from rest_framework.authtoken.models import Token

from matching.models import MatchScore
from recruiting.services import candidate_upsert, vacancy_upsert
from tests import integration
from tests.conftest import ensure_vocabulary
from tests.factories import RecruiterFactory
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the page cache wraps the page PostgreSQL builds (ranked.py)",
    ),
]


def _page(base: str, vacancy_id: int, token: str) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1/vacancies/{vacancy_id}/match-scores/",
        headers={"Authorization": f"Token {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_workers_stored_score_ends_the_webs_cached_page(tmp_path):
    redis_url = integration.broker_url()  # skips (or fails in CI) without Redis
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    ensure_vocabulary()
    vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
    candidate_upsert(source="t", reference="sales", cv_text=SALES_CV, name="Sam Sales")  # scored in-process
    assert MatchScore.objects.filter(vacancy=vacancy).count() == 1
    token = Token.objects.create(user=RecruiterFactory()).key
    shared = {"CACHE_KEY_PREFIX": prefix, "SHORTLIST_PAGE_CACHE_SECONDS": "120"}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recruiting.settings",
        "DATABASE_URL": integration.test_database_url(),
        "CELERY_BROKER_URL": redis_url,
        "SECRET_KEY": "page-cache-test",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(tmp_path),
        **shared,
    }
    env.pop("CACHE_URL", None)
    store = redis.Redis.from_url(redis_url)
    log = open(tmp_path / "web.log", "w+")  # noqa: SIM115 - closed in finally
    port = integration.free_port()
    web = integration.start_web(port, env, log)
    try:
        integration.wait_until_up(web, port, log)
        base = f"http://127.0.0.1:{port}"
        first = _page(base, vacancy.pk, token)
        assert [r["candidate"]["name"] for r in first["results"]] == ["Sam Sales"]
        assert store.keys(f"{prefix}:*shortlist:page:*"), "the web process should have cached the page"
        assert _page(base, vacancy.pk, token) == first

        with integration.celery_queue() as queue:
            worker = integration.start_worker(queue, concurrency=1, name="pagecache", extra_env=shared)
            try:
                ds, _ = candidate_upsert(source="t", reference="ds", cv_text=DS_CV, name="Dana Data")
                assert integration.wait_for(
                    lambda: MatchScore.objects.filter(candidate=ds, vacancy=vacancy).exists(), timeout=90
                ), "the worker did not store the new candidate's score"
                # The worker replaces the generation right after its commit: the web shows the score at once.
                assert integration.wait_for(
                    lambda: len(_page(base, vacancy.pk, token)["results"]) == 2, timeout=10
                ), "the web kept serving the page cached before the worker's write"
            finally:
                integration.stop_worker(worker)
        page = _page(base, vacancy.pk, token)
        assert [r["candidate"]["name"] for r in page["results"]] == ["Dana Data", "Sam Sales"]
        assert page["results"][0]["score"] == MatchScore.objects.get(candidate=ds, vacancy=vacancy).score
    finally:
        integration.stop_process(web)
        log.close()
        for key in store.scan_iter(match=f"{prefix}:*"):
            store.delete(key)
