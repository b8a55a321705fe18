"""Ranking quality on the real data in ../shared (skipped where absent; fails under CI=true).

The five seed vacancies and the 50 LinkedIn machine-learning postings against the 166 unique CVs, measured as
``../shared/tools/rank_metrics.py`` measures them: Data Science CVs are relevant, the non-technical categories
are the negatives of ROC AUC, a missing score ranks last.
"""

from __future__ import annotations

import csv
import re
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from matching import evaluation
from matching.models import MatchScore
from recruiting.models import Candidate, Vacancy

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]

NONTECH = {
    "HR",
    "Advocate",
    "Arts",
    "Sales",
    "Civil Engineer",
    "Mechanical Engineer",
    "Electrical Engineering",
    "Health and fitness",
    "Operations Manager",
    "PMO",
    "Business Analyst",
}
ML_TITLE = re.compile(r"machine learning|deep learning|\bML\b", re.IGNORECASE)


def metrics_for(vacancies) -> dict[str, list[float]]:
    candidates = list(Candidate.objects.values_list("pk", "reference", "source_label"))
    columns = []
    for v in vacancies:
        stored = dict(
            MatchScore.objects.filter(vacancy=v, score__isnull=False).values_list("candidate_id", "score")
        )
        columns.append([stored.get(pk) for pk, _, _ in candidates])
    return _metrics(columns, candidates)


def _metrics(columns, candidates) -> dict[str, list[float]]:
    out = {"p10": [], "ndcg": [], "auc": []}
    for scores in columns:
        m = evaluation.ranking_metrics(
            scores,
            [lab for _, _, lab in candidates],
            [ref for _, ref, _ in candidates],
            relevant="Data Science",
            negatives=NONTECH,
            k=10,
        )
        out["p10"].append(m.precision)
        out["ndcg"].append(m.ndcg)
        out["auc"].append(m.auc)
    return out


def baselines_for(vacancies) -> dict[str, dict[str, list[float]]]:
    """Plain TF-IDF and BM25 over the raw texts (``evaluate``'s baselines), measured the same way."""
    from matching.rankers import bm25_scores, plain_tfidf_scores

    candidates = list(Candidate.objects.values_list("pk", "reference", "source_label"))
    texts = list(Candidate.objects.values_list("cv_text", flat=True))
    out = {}
    for name, ranker in (("plain TF-IDF", plain_tfidf_scores), ("BM25", bm25_scores)):
        matrix = ranker(texts, [v.description for v in vacancies])
        out[name] = _metrics([list(matrix[:, j]) for j in range(matrix.shape[1])], candidates)
    return out


def assert_engine_ahead(engine: dict[str, list[float]], vacancies) -> None:
    """Issue 12: the engine ahead of both baselines on every measure (mean P@10, mean nDCG@10, min ROC AUC)."""
    for name, base in baselines_for(vacancies).items():
        print(
            f"  {name}: mean P@10 {np.mean(base['p10']):.2f}, mean nDCG@10 {np.mean(base['ndcg']):.2f}, "
            f"min AUC {min(base['auc']):.3f}"
        )
        assert np.mean(engine["p10"]) > np.mean(base["p10"]), name
        assert np.mean(engine["ndcg"]) > np.mean(base["ndcg"]), name
        assert min(engine["auc"]) > min(base["auc"]), name


def test_seed_vacancies_rank_data_scientists_first(imported, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("score", "--all", stdout=StringIO(), stderr=StringIO())
    seeds = Vacancy.objects.filter(source="import")
    assert seeds.count() == 5 and Candidate.objects.count() == 166
    m = metrics_for(seeds)
    print(
        f"seeds: mean P@10 {np.mean(m['p10']):.2f}, mean nDCG@10 {np.mean(m['ndcg']):.2f}, min AUC {min(m['auc']):.3f}"
    )
    assert np.mean(m["p10"]) >= 0.85  # issue 12 (issue 3 asked ≥ 0.8, issue 2 ≥ 0.7)
    assert np.mean(m["ndcg"]) >= 0.90  # issue 12 (issue 3 asked ≥ 0.85)
    assert min(m["auc"]) >= 0.98  # issue 3 (issue 2 asked ≥ 0.95); issue 12 keeps ≥ 0.98
    assert_engine_ahead(m, list(seeds))


def test_linkedin_machine_learning_postings(imported, tmp_path, django_capture_on_commit_callbacks):
    source = imported / "data" / "jobs" / "linkedin_DataScientist_CA_2018.csv"
    seen, rows = set(), []
    with open(source, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            d = (r.get("description") or "").strip()
            if ML_TITLE.search(r.get("title") or "") and len(d) > 200 and d not in seen:
                seen.add(d)
                rows.append((f"li{len(rows):03d}", r["title"].strip(), d))
    jobs = tmp_path / "jobs.csv"
    with open(jobs, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "text"])
        w.writerows(rows)
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import_vacancies",
            str(jobs),
            "--text-column",
            "text",
            "--title-column",
            "title",
            "--id-column",
            "id",
            "--source",
            "linkedin",
            stdout=StringIO(),
        )
        call_command("score", "--all", stdout=StringIO(), stderr=StringIO())
    postings = Vacancy.objects.filter(source="linkedin")
    assert 45 <= postings.count() <= 55
    m = metrics_for(postings)
    print(
        f"LinkedIn ML postings: mean P@10 {np.mean(m['p10']):.2f}, mean nDCG@10 {np.mean(m['ndcg']):.2f}, "
        f"min AUC {min(m['auc']):.3f} over {postings.count()}"
    )
    assert np.mean(m["p10"]) >= 0.80  # issue 12 (0.71 with engine 1.x)
    assert_engine_ahead(m, list(postings))
