"""Each text read once (issue 15): term counts stored on save, document frequencies kept as counts, rescoring from
stored counts (``matching.term_store``, ``matching.selectors``, ``matching.runs``)."""

import dataclasses
from unittest import mock

import numpy as np
import pytest

from matching import model_store, runs, scoring, selectors, services, term_store
from matching.fairness import neutralise
from matching.models import (
    CandidateTerms,
    FrequencyChange,
    MatchScore,
    ScoringRun,
    StoredMatchingModel,
    VacancyTerms,
)
from matching.terms import DocumentFrequencies, text_terms
from recruiting.models import Candidate
from recruiting.services import candidate_upsert, vacancy_upsert
from tests.matching.test_storage_policy import VACANCY_2, VACANCY_3
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

pytestmark = pytest.mark.django_db


def _upsert_pool(n: int = 6):
    for ref, text in (("mle", VACANCY), ("de", VACANCY_2), ("sales", VACANCY_3)):
        vacancy_upsert(source="t", reference=ref, title=ref, description=text)
    for i in range(n):
        base = DS_CV if i % 2 else SALES_CV
        candidate_upsert(source="t", reference=f"cv{i}", cv_text=f"{base} Reference {i}.", name=f"Person {i}")
    return list(Candidate.objects.order_by("pk"))


def _from_scratch() -> DocumentFrequencies:
    """Frequencies counted from the raw CV texts now, not from anything stored."""
    texts = [
        neutralise(t, names=[n]) for t, n in Candidate.objects.order_by("pk").values_list("cv_text", "name")
    ]
    return DocumentFrequencies.from_terms(text_terms(texts))


def test_saving_a_cv_or_vacancy_stores_its_term_counts_once(django_capture_on_commit_callbacks):
    candidates = _upsert_pool(4)
    assert CandidateTerms.objects.count() == 4 and VacancyTerms.objects.count() == 3
    with mock.patch("matching.selectors.neutralise") as read_again:
        rows = selectors.candidate_documents([c.pk for c in candidates])
        vacs = selectors.vacancy_documents(list(VacancyTerms.objects.values_list("vacancy_id", flat=True)))
    read_again.assert_not_called()  # documents come from stored counts: no text is neutralised or tokenised
    assert all(d.terms is not None and d.text == "" for _, d, _ in rows)
    assert all(d.terms is not None for _, d in vacs)


def test_scores_from_stored_counts_equal_scores_from_the_raw_text():
    candidates = _upsert_pool(6)
    model = model_store.model_fit()
    rows = selectors.candidate_documents([c.pk for c in candidates])
    vacs = [
        d
        for _, d in selectors.vacancy_documents(
            list(VacancyTerms.objects.values_list("vacancy_id", flat=True))
        )
    ]
    stored = scoring.score_chunk(model, [d for _, d, _ in rows], vacs)
    raw = {c.pk: neutralise(c.cv_text, names=[c.name]) for c in candidates}
    from_text = scoring.score_chunk(
        model,
        [dataclasses.replace(d, text=raw[c.pk], terms=None) for c, d, _ in rows],
        [
            dataclasses.replace(v, text=neutralise(v_row.description), terms=None)
            for v, v_row in _vacancy_rows(vacs)
        ],
    )
    np.testing.assert_allclose(stored.score, from_text.score, rtol=0, atol=1e-9)
    assert (stored.components["text"] > 0).any()


def _vacancy_rows(docs):
    from recruiting.models import Vacancy

    return zip(
        docs,
        Vacancy.objects.filter(pk__in=VacancyTerms.objects.values("vacancy_id")).order_by("pk"),
        strict=True,
    )


def test_kept_document_frequencies_equal_a_recount_after_inserts_updates_and_deletes(monkeypatch):
    monkeypatch.setattr(term_store, "_FOLD_ENTRIES", 40)  # fold in several steps, as at 100,000 CVs
    candidates = _upsert_pool(6)
    assert term_store.frequencies_current() == _from_scratch()
    # updates: a new text, the same text again (no change), a blank-ish text
    candidate_upsert(source="t", reference="cv0", cv_text=DS_CV + " Kafka, Airflow and Spark streaming.")
    candidate_upsert(source="t", reference="cv1", cv_text=Candidate.objects.get(reference="cv1").cv_text)
    candidate_upsert(source="t", reference="cv2", cv_text="short")
    kept_between = term_store.frequencies_current()  # folds the changes so far; later ones are appended again
    assert kept_between == _from_scratch()
    # deletes: one candidate, a queryset of two (cascades to their counts), and one CV's counts alone
    candidates[3].delete()
    Candidate.objects.filter(pk__in=[candidates[4].pk, candidates[5].pk]).delete()
    candidate_upsert(source="t", reference="cv9", cv_text=SALES_CV + " Salesforce.")
    assert FrequencyChange.objects.exists()
    kept = term_store.frequencies_current()
    assert not FrequencyChange.objects.exists()  # folded
    assert kept == _from_scratch() == term_store.frequencies_recount()
    assert kept.n_documents == Candidate.objects.count() == 4


def test_a_cv_without_stored_counts_is_read_on_demand_and_counted_once(django_capture_on_commit_callbacks):
    candidates = _upsert_pool(4)
    legacy = candidates[1]
    CandidateTerms.objects.filter(pk=legacy.pk).delete()  # a row from before issue 15
    ((_, doc, _),) = selectors.candidate_documents([legacy.pk])
    assert doc.terms is None and doc.text == neutralise(legacy.cv_text, names=[legacy.name])  # not skipped
    assert term_store.candidates_without_terms() == [legacy.pk]
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.scoring_run_start(scope="all")
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE
    assert MatchScore.objects.filter(candidate=legacy).count() == 3  # scored with the rest
    assert term_store.candidates_without_terms() == []  # the full run counted it, once
    assert term_store.frequencies_current() == _from_scratch()


def test_a_cv_whose_text_changed_behind_the_store_is_read_again():
    candidates = _upsert_pool(2)
    changed = candidates[0]
    Candidate.objects.filter(pk=changed.pk).update(cv_text=DS_CV + " Now also Rust and Go.")
    ((_, doc, _),) = selectors.candidate_documents([changed.pk])
    assert doc.terms is None and "Rust" in doc.text  # the stale counts are not used
    model_store.model_fit()
    assert (
        services.score_pairs(candidate_ids=[changed.pk]) > 0
    )  # scored from the text, whose counts it stores
    ((_, doc, _),) = selectors.candidate_documents([changed.pk])
    assert doc.terms is not None and term_store.frequencies_current() == _from_scratch()


def test_a_stored_score_names_a_model_that_reproduces_it(django_capture_on_commit_callbacks):
    _upsert_pool(6)
    with django_capture_on_commit_callbacks(execute=True):
        runs.scoring_run_start(scope="all")
    row = MatchScore.objects.filter(explained=True, score__isnull=False).order_by("-score").first()
    stored_model = StoredMatchingModel.objects.get(version=row.model_version)
    assert stored_model.frequencies_digest == term_store.frequencies_current().digest()
    model = scoring.MatchingModel.from_bytes(stored_model.data)
    assert model.version == row.model_version
    ((_, cdoc, _),) = selectors.candidate_documents([row.candidate_id])
    ((_, vdoc),) = selectors.vacancy_documents([row.vacancy_id])
    assert float(scoring.score_chunk(model, [cdoc], [vdoc]).score[0, 0]) == pytest.approx(
        row.score, abs=0.005
    )
    # a new CV changes the frequencies: the next fit is a new model version, the old one still loads
    candidate_upsert(source="t", reference="new", cv_text=DS_CV + " Spark and Kafka in production.")
    assert model_store.model_fit().version != row.model_version
    assert model_store.model_load(row.model_version).version == row.model_version
    assert services.score_pairs() > 0


def test_benchmark_data_is_written_with_its_term_counts():
    from io import StringIO

    from django.core.management import call_command

    call_command("generate_benchmark_data", "--candidates", "30", "--vacancies", "2", stdout=StringIO())
    assert term_store.candidates_without_terms() == [] and VacancyTerms.objects.count() == 2
    assert term_store.frequencies_current() == _from_scratch()
