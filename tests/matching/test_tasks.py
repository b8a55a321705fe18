"""Enqueue-after-commit and idempotent task behaviour (tasks run eagerly here)."""

from unittest import mock

import pytest

from matching import enqueue, model_store, runs, services, tasks
from matching.models import MatchScore, ScoringRun
from recruiting.services import candidate_upsert, vacancy_upsert

DS_CV = (
    "Data scientist with five years of experience in machine learning, deep learning and NLP. "
    "Skills: Python, SQL, TensorFlow, Keras, scikit-learn, pandas, NumPy. Built classification and "
    "regression models, clustering of customers, and computer vision pipelines with OpenCV. "
    "Education: MSc in Computer Science."
)
SALES_CV = (
    "Sales executive with strong communication and negotiation skills. Managed key accounts, "
    "met quarterly targets, trained new staff and reported weekly to the regional manager on "
    "customer visits, orders and pipeline. Education: Bachelor of Commerce."
)
VACANCY = (
    "Machine learning engineer. You must have Python, TensorFlow and SQL, and experience of "
    "machine learning, deep learning and NLP. Kafka is a plus. A master's degree in computer science."
)


@pytest.mark.django_db
def test_saving_a_candidate_enqueues_scoring_only_after_commit(django_capture_on_commit_callbacks):
    vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
    with mock.patch.object(tasks.score_candidates, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            candidate, _ = candidate_upsert(source="t", reference="cv1", cv_text=DS_CV)
        delay.assert_not_called()  # nothing is sent while the transaction is open
        for callback in callbacks:
            callback()
        delay.assert_called_once_with([candidate.pk])


@pytest.mark.django_db
def test_saving_a_vacancy_enqueues_its_scoring_after_commit(django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.score_vacancies, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        delay.assert_called_once_with([vacancy.pk])


@pytest.mark.django_db
def test_a_batch_of_saves_makes_one_task(django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.score_candidates, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True), enqueue.enqueue_scoring_batched():
            a, _ = candidate_upsert(source="t", reference="a", cv_text=DS_CV)
            b, _ = candidate_upsert(source="t", reference="b", cv_text=SALES_CV)
        delay.assert_called_once_with(sorted([a.pk, b.pk]))


@pytest.mark.django_db
def test_scores_are_stored_ranked_and_explained(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        ds, _ = candidate_upsert(source="t", reference="ds", cv_text=DS_CV)
        sales, _ = candidate_upsert(source="t", reference="sales", cv_text=SALES_CV)
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.scoring_run_start(scope="all")
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE and run.done == run.total == 2
    good = MatchScore.objects.get(candidate=ds, vacancy=vacancy)
    bad = MatchScore.objects.get(candidate=sales, vacancy=vacancy)
    assert good.score > bad.score + 20
    names = {s["skill"] for s in good.matched_skills}
    assert {"Python", "TensorFlow", "SQL"} <= names
    assert "Kafka" in {s["skill"] for s in good.missing_skills}
    assert sum(c["points"] for c in good.explanation["components"]) == pytest.approx(good.score, abs=0.5)
    assert good.engine_version and good.model_version and good.vocabulary_version


@pytest.mark.django_db
def test_a_redelivered_task_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        ds, _ = candidate_upsert(source="t", reference="ds", cv_text=DS_CV)
    tasks.score_candidates([ds.pk])
    first = list(MatchScore.objects.values_list("candidate_id", "vacancy_id", "score"))
    tasks.score_candidates([ds.pk])
    assert list(MatchScore.objects.values_list("candidate_id", "vacancy_id", "score")) == first
    assert MatchScore.objects.count() == 1


@pytest.mark.django_db
def test_a_redelivered_chunk_does_not_advance_progress_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        ds, _ = candidate_upsert(source="t", reference="ds", cv_text=DS_CV)
        sales, _ = candidate_upsert(source="t", reference="sales", cv_text=SALES_CV)
    model = model_store.model_fit()
    run = ScoringRun.objects.create(total=2, chunks_total=2)
    for _ in range(2):
        runs.scoring_run_chunk(
            run_id=run.pk,
            index=0,
            candidate_ids=[ds.pk],
            vacancy_ids=[vacancy.pk],
            model_version=model.version,
        )
    run.refresh_from_db()
    assert (run.done, run.chunks_done, run.status) == (1, 1, ScoringRun.Status.RUNNING)
    runs.scoring_run_chunk(
        run_id=run.pk,
        index=1,
        candidate_ids=[sales.pk],
        vacancy_ids=[vacancy.pk],
        model_version=model.version,
    )
    run.refresh_from_db()
    assert (run.done, run.chunks_done, run.status) == (2, 2, ScoringRun.Status.DONE)


def _one_chunk_run(vacancy, candidates):
    """A planned run of one chunk (``candidates`` × ``vacancy``) with the current model, not yet scored."""
    model = model_store.model_fit()
    ids = sorted(c.pk for c in candidates)
    run = ScoringRun.objects.create(
        total=len(ids),
        chunks_total=1,
        chunk_bounds=[[ids[0], ids[-1]]],
        status=ScoringRun.Status.RUNNING,
        params={"candidate_ids": None, "vacancy_ids": [vacancy.pk], "model_version": model.version},
    )
    return run, [run.pk, 0, ids, [vacancy.pk], model.version]


def _failing_first(monkeypatch, exc, times=1):
    """``services.score_pairs`` raises ``exc`` on its first ``times`` calls, then scores as usual."""
    real, calls = services.score_pairs, {"n": 0}

    def score_pairs(**kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise exc
        return real(**kwargs)

    monkeypatch.setattr(services, "score_pairs", score_pairs)
    return calls


@pytest.mark.django_db
def test_a_raw_psycopg_error_from_copy_is_retried_and_the_chunk_is_stored(
    monkeypatch, django_capture_on_commit_callbacks
):
    """psycopg's own OperationalError (what COPY raises on a dropped connection) is not Django's: it is retried
    all the same, and the run finishes."""
    import psycopg

    with django_capture_on_commit_callbacks(execute=True):
        vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        ds, _ = candidate_upsert(source="t", reference="ds", cv_text=DS_CV)
    MatchScore.objects.all().delete()
    run, args = _one_chunk_run(vacancy, [ds])
    calls = _failing_first(monkeypatch, psycopg.OperationalError("sending copy data failed"))
    result = tasks.score_chunk.apply(args=args, throw=False)
    assert result.successful() and calls["n"] == 2
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE and run.chunk_failures == {}
    assert MatchScore.objects.filter(candidate=ds, vacancy=vacancy).exists()


@pytest.mark.django_db
def test_a_chunk_that_dies_is_resent_at_once_and_the_run_finishes(
    monkeypatch, django_capture_on_commit_callbacks
):
    """An error that is not retried kills the chunk task; its run records it and resends the chunk at once — no
    stall sweep needed."""
    with django_capture_on_commit_callbacks(execute=True):
        vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        ds, _ = candidate_upsert(source="t", reference="ds", cv_text=DS_CV)
        sales, _ = candidate_upsert(source="t", reference="sales", cv_text=SALES_CV)
    MatchScore.objects.all().delete()
    run, args = _one_chunk_run(vacancy, [ds, sales])
    calls = _failing_first(monkeypatch, RuntimeError("a bug in one chunk"))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.score_chunk.apply(args=args, throw=False).failed()
    assert calls["n"] == 2  # died once, resent once
    run.refresh_from_db()
    assert (run.status, run.done, run.chunks_done) == (ScoringRun.Status.DONE, 2, 1)
    assert run.chunk_failures == {"0": 1} and "chunk 0: RuntimeError" in run.error
    assert MatchScore.objects.filter(vacancy=vacancy).count() == 2


@pytest.mark.django_db
def test_a_chunk_that_keeps_dying_fails_its_run_naming_the_chunk(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.MATCHING_CHUNK_RESENDS = 2
    with django_capture_on_commit_callbacks(execute=True):
        vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        ds, _ = candidate_upsert(source="t", reference="ds", cv_text=DS_CV)
    run, args = _one_chunk_run(vacancy, [ds])
    calls = _failing_first(monkeypatch, RuntimeError("always"), times=100)
    # Each resend is delivered as a worker would run it: the error stays with the task (eager mode would raise it
    # to the sender instead of calling on_failure).
    monkeypatch.setattr(tasks.score_chunk, "delay", lambda *a: tasks.score_chunk.apply(args=a, throw=False))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.score_chunk.apply(args=args, throw=False)
    assert calls["n"] == 3  # the first delivery and two resends
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED and run.finished_at is not None
    assert run.chunk_failures == {"0": 3} and run.error.startswith("chunk 0: RuntimeError")
