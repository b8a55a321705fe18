"""A full run's planning pass streams the pool (issue 15, memory): the model fitted from the candidates' streamed
(candidate, skill) pairs is the model fitted from their documents, and the shortlist thresholds scanned a few
candidates at a time are those of one scan over the whole pool."""

import numpy as np
import pytest

from matching import model_store, runs, scoring, selectors, services, term_store
from matching.models import ScoringRun, ShortlistThreshold, Skill
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
