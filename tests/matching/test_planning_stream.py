"""A full run's planning pass streams the pool (issue 15, memory): the model fitted from the candidates' streamed
(candidate, skill) pairs is the model fitted from their documents, and the shortlist thresholds scanned a few
candidates at a time are those of one scan over the whole pool."""

import numpy as np
import pytest

from matching import model_store, runs, scoring, selectors, services, tasks, term_store
from matching.models import ScoringRun, ShortlistScanSlice, ShortlistThreshold, Skill
from matching.vacancy_cache import cached_vacancies
from recruiting.models import Candidate, CandidateSkill, Vacancy
from recruiting.services import candidate_upsert, vacancy_upsert
from tests.matching.test_storage_policy import VACANCY_2, VACANCY_3
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

pytestmark = pytest.mark.django_db

K = 3


@pytest.fixture
def pool(settings, django_capture_on_commit_callbacks):
    settings.MATCHING_TOP_K_PER_VACANCY = K
    settings.MATCHING_CHUNK_SIZE = 4
    texts = [
        DS_CV,
        SALES_CV,
        DS_CV.replace("NLP", "Spark, Airflow and Kafka"),
        SALES_CV + " Salesforce and Excel.",
        DS_CV.replace("TensorFlow, Keras", "SQL, ETL"),
        SALES_CV.replace("Sales", "Regional sales"),
        DS_CV + " Docker and Kubernetes.",
        SALES_CV + " Leadership of a team of ten.",
        DS_CV.replace("MSc", "PhD"),
        "Too short.",  # insufficient: scores -1 in the scan
        "Gardener for twenty years: hedges, lawns, orchards and greenhouses across the county estates.",  # no skill
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for ref, text in (("mle", VACANCY), ("de", VACANCY_2), ("sales", VACANCY_3)):
            vacancy_upsert(source="t", reference=ref, title=ref, description=text)
        for i, text in enumerate(texts):
            candidate_upsert(source="t", reference=f"cv{i}", cv_text=f"{text} Ref {i}.")
    # a link of strength 0 is no presence, in the fit from documents and in the streamed one alike
    CandidateSkill.objects.filter(
        pk=CandidateSkill.objects.order_by("pk").values_list("pk", flat=True)[0]
    ).update(strength=0.0)
    return list(Candidate.objects.order_by("pk").values_list("pk", flat=True)), list(
        Vacancy.objects.order_by("pk").values_list("pk", flat=True)
    )


def _fit_from_documents() -> scoring.MatchingModel:
    """The fit as the planning pass did it before streaming: every candidate's document in memory at once."""
    rows = selectors.candidate_documents(list(Candidate.objects.values_list("pk", flat=True)), evidence=False)
    skills = list(Skill.objects.values_list("name", "broader"))
    return scoring.MatchingModel.fit_frequencies(
        term_store.frequencies_current(),
        [d.skills for _, d, _ in rows],
        [name for name, _ in skills],
        {name: wide for name, wide in skills if wide},
    )


def test_the_streamed_fit_is_the_fit_from_every_document(pool, monkeypatch):
    candidate_ids, _ = pool
    monkeypatch.setattr(model_store, "_SLICE", 2)  # several skill queries, one candidate split from the next
    expected = _fit_from_documents()
    model = model_store.model_fit(candidate_ids)
    assert model.version == expected.version
    assert model.n_documents == len(candidate_ids)
    assert model.cooccurrence == expected.cooccurrence
    np.testing.assert_array_equal(model.skill_idf, expected.skill_idf)
    assert model_store.model_fit().version == expected.version  # the pool listed by the fit itself


def test_streamed_thresholds_equal_one_scan_over_the_whole_pool(pool, monkeypatch):
    candidate_ids, vacancy_ids = pool
    model = model_store.model_fit()
    side = cached_vacancies(model, vacancy_ids)
    rows = selectors.candidate_documents(candidate_ids, evidence=False)
    cm = scoring.candidate_matrices(model, [d for _, d, _ in rows])
    _, best = scoring.top_k_scan(cm, side.matrices, k=K, chunk=2000)
    expected = {v: float(best[K - 1, j]) if best[K - 1, j] >= 0 else None for j, v in enumerate(side.ids)}
    assert any(t is not None for t in expected.values())

    monkeypatch.setattr(services, "THRESHOLD_SCAN_CHUNK", 2)  # five and a half chunks of documents
    monkeypatch.setattr(services, "_SCAN_ROWS", 1)  # and one candidate per product
    out = services.shortlist_thresholds_update(model=model, vacancy_ids=vacancy_ids, threads=2)
    assert out == expected
    stored = dict(ShortlistThreshold.objects.values_list("vacancy_id", "kth_score"))
    assert stored == expected
    assert set(ShortlistThreshold.objects.values_list("candidates_scored", flat=True)) == {len(candidate_ids)}


def test_a_planned_full_run_stores_the_thresholds_of_the_whole_pool(
    pool, monkeypatch, django_capture_on_commit_callbacks
):
    candidate_ids, vacancy_ids = pool
    monkeypatch.setattr(services, "THRESHOLD_SCAN_CHUNK", 3)
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.scoring_run_start(scope="all")
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE
    model = model_store.model_load(run.params["model_version"])
    assert model.version == _fit_from_documents().version
    side = cached_vacancies(model, vacancy_ids)
    rows = selectors.candidate_documents(candidate_ids, evidence=False)
    _, best = scoring.top_k_scan(
        scoring.candidate_matrices(model, [d for _, d, _ in rows]), side.matrices, k=K
    )
    expected = {v: float(best[K - 1, j]) if best[K - 1, j] >= 0 else None for j, v in enumerate(side.ids)}
    assert dict(ShortlistThreshold.objects.values_list("vacancy_id", "kth_score")) == expected


def _one_scan_thresholds(candidate_ids, vacancy_ids, model) -> dict:
    """The thresholds of one scan over the whole pool at once, in memory."""
    side = cached_vacancies(model, vacancy_ids)
    rows = selectors.candidate_documents(candidate_ids, evidence=False)
    _, best = scoring.top_k_scan(
        scoring.candidate_matrices(model, [d for _, d, _ in rows]), side.matrices, k=K
    )
    return {v: float(best[K - 1, j]) if best[K - 1, j] >= 0 else None for j, v in enumerate(side.ids)}


@pytest.mark.parametrize("slices", [1, 3, 4, 11, 50])
def test_a_scan_split_in_slices_stores_the_thresholds_of_one_scan(
    pool, settings, slices, django_capture_on_commit_callbacks
):
    """However many slices the workers share (some of fewer than K candidates; more slices than candidates), the
    run stores the thresholds of one scan over the whole pool, then scores every chunk."""
    candidate_ids, vacancy_ids = pool
    settings.MATCHING_SCAN_SLICES = slices
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.scoring_run_start(scope="all")
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE
    assert len(run.params["scan_slices"]) == min(slices, len(candidate_ids))
    assert run.chunks_total == 3 and run.done == run.total == len(candidate_ids) * len(vacancy_ids)
    expected = _one_scan_thresholds(
        candidate_ids, vacancy_ids, model_store.model_load(run.params["model_version"])
    )
    assert any(t is not None for t in expected.values())
    assert dict(ShortlistThreshold.objects.values_list("vacancy_id", "kth_score")) == expected
    assert set(ShortlistThreshold.objects.values_list("candidates_scored", flat=True)) == {len(candidate_ids)}
    assert not ShortlistScanSlice.objects.exists()  # the slices' tables are dropped once merged


def _sent_through(monkeypatch, drop):
    """Deliver every enqueued ``matching.scan_slice`` as a worker would (its error stays with the task), except
    those ``drop(index)`` says are lost (a broker restart)."""

    def delay(run_id, index):
        if not drop(index):
            tasks.scan_slice.apply(args=[run_id, index], throw=False)

    monkeypatch.setattr(tasks.scan_slice, "delay", delay)


@pytest.mark.parametrize("then", ["stall sweep", "planning task redelivered"])
def test_a_lost_scan_slice_is_sent_again_and_the_run_finishes(
    pool, settings, monkeypatch, then, django_capture_on_commit_callbacks
):
    candidate_ids, vacancy_ids = pool
    settings.MATCHING_SCAN_SLICES = 3
    lost = {1}
    _sent_through(monkeypatch, lambda index: index in lost and not lost.discard(index))
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.scoring_run_start(scope="all")
    run.refresh_from_db()
    assert (run.status, run.chunks_total) == (ScoringRun.Status.PENDING, 0)  # slice 1 never ran
    assert set(ShortlistScanSlice.objects.values_list("index", flat=True)) == {0, 2}
    fits = {"n": 0}
    real_fit = model_store.model_fit
    monkeypatch.setattr(
        model_store, "model_fit", lambda *a, **kw: fits.update(n=fits["n"] + 1) or real_fit(*a, **kw)
    )
    with django_capture_on_commit_callbacks(execute=True):
        if then == "stall sweep":
            assert runs.scoring_runs_recover(stall_seconds=0) == 1  # only the lost slice
        else:
            tasks.plan_run.apply(args=[run.pk, None, None, True], throw=False)
    assert fits["n"] == 0  # the scan is not planned again
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE
    expected = _one_scan_thresholds(
        candidate_ids, vacancy_ids, model_store.model_load(run.params["model_version"])
    )
    assert dict(ShortlistThreshold.objects.values_list("vacancy_id", "kth_score")) == expected


@pytest.mark.parametrize("dies_in", ["shortlist_scan", "shortlist_thresholds_store"])
def test_a_scan_slice_that_dies_is_resent_at_once_and_the_thresholds_are_those_of_one_scan(
    pool, settings, monkeypatch, dies_in, django_capture_on_commit_callbacks
):
    """A slice task that dies scanning (its slice unstored) or merging (every slice stored, nothing merged) is
    resent at once, as a dead chunk is, and the run finishes as if nothing had happened."""
    candidate_ids, vacancy_ids = pool
    settings.MATCHING_SCAN_SLICES = 2
    _sent_through(monkeypatch, lambda index: False)
    real, calls = getattr(services, dies_in), {"n": 0}

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("a bug in one slice")
        return real(**kwargs)

    monkeypatch.setattr(services, dies_in, dying)
    ShortlistThreshold.objects.all().delete()  # those the pool's own scoring set
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.scoring_run_start(scope="all")
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE and not ShortlistScanSlice.objects.exists()
    (key,) = run.chunk_failures
    assert run.chunk_failures[key] == 1 and key.startswith("scan ")
    assert run.error.startswith(f"scan slice {key.split()[1]}: RuntimeError")
    expected = _one_scan_thresholds(
        candidate_ids, vacancy_ids, model_store.model_load(run.params["model_version"])
    )
    assert dict(ShortlistThreshold.objects.values_list("vacancy_id", "kth_score")) == expected
    assert set(ShortlistThreshold.objects.values_list("candidates_scored", flat=True)) == {len(candidate_ids)}


def test_a_scan_slice_that_keeps_dying_fails_its_run_naming_the_slice(
    pool, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MATCHING_SCAN_SLICES = 2
    settings.MATCHING_CHUNK_RESENDS = 2
    _sent_through(monkeypatch, lambda index: False)
    real = services.shortlist_scan

    def dying(**kwargs):
        if kwargs["candidate_ids"][0] == pool[0][0]:  # slice 0, every time
            raise RuntimeError("always")
        return real(**kwargs)

    monkeypatch.setattr(services, "shortlist_scan", dying)
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.scoring_run_start(scope="all")
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED and run.finished_at is not None
    assert run.chunk_failures == {"scan 0": 3} and run.error.startswith("scan slice 0: RuntimeError")
    assert run.chunks_total == 0  # no chunk was sent
