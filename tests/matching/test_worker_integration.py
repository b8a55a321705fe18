"""A real ``celery worker`` process, the real broker (Redis in CI) and the test database (PostgreSQL in CI)."""

import pytest

from matching import runs
from matching.models import MatchScore, ScoringRun
from recruiting.models import Candidate
from recruiting.services import candidate_upsert, vacancy_upsert
from tests.conftest import ensure_vocabulary
from tests.integration import celery_queue, start_worker, stop_worker, wait_for
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_worker_stores_match_scores_for_saved_candidates_and_a_full_rescore():
    ensure_vocabulary()
    with celery_queue() as queue:
        worker = start_worker(queue)
        try:
            vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
            for i in range(6):
                candidate_upsert(
                    source="t", reference=f"cv{i}", cv_text=(DS_CV if i % 2 else SALES_CV) + f" #{i}"
                )
            pairs = Candidate.objects.count()
            assert wait_for(
                lambda: MatchScore.objects.filter(vacancy=vacancy).count() == pairs, timeout=60
            ), f"only {MatchScore.objects.count()} of {pairs} scores appeared"

            run = runs.scoring_run_start(scope="all")
            assert wait_for(
                lambda: ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.DONE, timeout=60
            )
            run.refresh_from_db()
            assert run.done == run.total == pairs
            best = MatchScore.objects.filter(vacancy=vacancy, score__isnull=False).order_by("-score").first()
            assert best.candidate.cv_text.startswith("Data scientist")
            assert MatchScore.objects.count() == pairs  # upserts: still one row per pair
        finally:
            stop_worker(worker)
