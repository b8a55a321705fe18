"""The per-process caches of ``matching.vocabulary_store`` and ``matching.model_store`` under threads (issue 16, load): a gthread web worker serves
several requests at once, and on a cold cache every thread used to build its own skill extractor and load its own
model — 16 builds at once on two cores, and a candidate's first page of scores timed out."""

from __future__ import annotations

import threading
import time

import pytest

from matching import model_store, scoring, vocabulary_store
from matching.extraction import SkillExtractor
from matching.models import StoredMatchingModel

pytestmark = pytest.mark.django_db

THREADS = 8


def _all_at_once(target) -> list:
    """Run ``target`` in ``THREADS`` threads released together; returns their results."""
    barrier, results = threading.Barrier(THREADS), [None] * THREADS

    def run(i):
        barrier.wait()
        results[i] = target()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_threads_on_a_cold_cache_build_the_skill_extractor_once(monkeypatch):
    entries = vocabulary_store.vocabulary_entries()
    built = []

    def slow_extractor(vocabulary):
        built.append(1)
        time.sleep(0.2)  # a real build takes ~2 s: long enough for every thread to arrive meanwhile
        return SkillExtractor(vocabulary)

    monkeypatch.setattr(vocabulary_store, "_vocabulary_digest", lambda: "cold-digest-for-this-test")
    monkeypatch.setattr(vocabulary_store, "vocabulary_entries", lambda: entries)
    monkeypatch.setattr(vocabulary_store, "SkillExtractor", slow_extractor)
    monkeypatch.setattr(vocabulary_store, "_by_digest", {})
    monkeypatch.setattr(vocabulary_store, "_extractors", {})
    results = _all_at_once(vocabulary_store.skill_extractor)
    assert len(built) == 1
    assert all(r[0] is results[0][0] for r in results)


class _Stored:
    """A stored ``StoredMatchingModel`` row, as far as ``model_store.model_load`` reads it."""

    def __init__(self, version, data):
        self.version, self.data = version, data


class _Rows:
    def __init__(self, row):
        self.row = row

    def first(self):
        return self.row


def test_threads_on_a_cold_cache_load_the_model_once(monkeypatch):
    model = model_store.model_load_or_fit()  # fitted and stored once, in this test's database
    row = StoredMatchingModel.objects.get(version=model.version)
    data, loads = bytes(row.data), []
    original = scoring.MatchingModel.from_bytes

    def slow_from_bytes(blob):
        loads.append(1)
        time.sleep(0.2)
        return original(blob)

    # Threads get their own database connections, which cannot see this test's transaction: the two lookups
    # are answered from what was read above.
    monkeypatch.setattr(model_store, "latest_model_version", lambda: model.version)
    monkeypatch.setattr(
        model_store.StoredMatchingModel.objects, "filter", lambda **kw: _Rows(_Stored(model.version, data))
    )
    monkeypatch.setattr(scoring.MatchingModel, "from_bytes", staticmethod(slow_from_bytes))
    monkeypatch.setattr(model_store, "_models", {})
    results = _all_at_once(model_store.model_load_or_fit)
    assert len(loads) == 1
    assert all(r is results[0] for r in results)


def test_warming_the_caches_never_fits_a_model(monkeypatch):
    monkeypatch.setattr(model_store, "_models", {})
    monkeypatch.setattr(
        model_store, "model_fit", lambda *a, **k: pytest.fail("caches_warm must not fit a model")
    )
    StoredMatchingModel.objects.all().delete()
    model_store.caches_warm()  # no stored model: nothing loaded, nothing fitted
    assert model_store._models == {}
