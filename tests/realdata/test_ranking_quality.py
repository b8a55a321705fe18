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
from tests.conftest import ensure_vocabulary

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]

NONTECH = {"HR", "Advocate", "Arts", "Sales", "Civil Engineer", "Mechanical Engineer", "Electrical Engineering",
           "Health and fitness", "Operations Manager", "PMO", "Business Analyst"}
ML_TITLE = re.compile(r"machine learning|deep learning|\bML\b", re.I)


def metrics_for(vacancies) -> dict[str, list[float]]:
    candidates = list(Candidate.objects.values_list("pk", "reference", "source_label"))
    out = {"p10": [], "ndcg": [], "auc": []}
    for v in vacancies:
        stored = dict(MatchScore.objects.filter(vacancy=v, score__isnull=False).values_list("candidate_id", "score"))
        scores = [stored.get(pk) for pk, _, _ in candidates]
        m = evaluation.ranking_metrics(scores, [lab for _, _, lab in candidates], [ref for _, ref, _ in candidates],
                                       relevant="Data Science", negatives=NONTECH, k=10)
        out["p10"].append(m.precision)
        out["ndcg"].append(m.ndcg)
        out["auc"].append(m.auc)
    return out


@pytest.fixture
def imported(shared_dir, django_capture_on_commit_callbacks):
    ensure_vocabulary()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_vacancies", *sorted(str(p) for p in (shared_dir / "seeds").glob("*.txt")),
                     stdout=StringIO())
        out = StringIO()
        call_command("import_candidates", str(shared_dir / "data" / "resumes" / "UpdatedResumeDataSet.csv"),
                     "--text-column", "Resume", "--label-column", "Category", stdout=out)
    assert "166 candidates" in out.getvalue() and "796" in out.getvalue()
    return shared_dir


def test_seed_vacancies_rank_data_scientists_first(imported, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("score", "--all", stdout=StringIO(), stderr=StringIO())
    seeds = Vacancy.objects.filter(source="import")
    assert seeds.count() == 5 and Candidate.objects.count() == 166
    m = metrics_for(seeds)
    print(f"seeds: mean P@10 {np.mean(m['p10']):.2f}, mean nDCG@10 {np.mean(m['ndcg']):.2f}, min AUC {min(m['auc']):.3f}")
    assert np.mean(m["p10"]) >= 0.8        # issue 3 (issue 2 asked ≥ 0.7)
    assert np.mean(m["ndcg"]) >= 0.85
    assert min(m["auc"]) >= 0.98           # issue 3 (issue 2 asked ≥ 0.95)


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
        call_command("import_vacancies", str(jobs), "--text-column", "text", "--title-column", "title",
                     "--id-column", "id", "--source", "linkedin", stdout=StringIO())
        call_command("score", "--all", stdout=StringIO(), stderr=StringIO())
    postings = Vacancy.objects.filter(source="linkedin")
    assert 45 <= postings.count() <= 55
    m = metrics_for(postings)
    print(f"LinkedIn ML postings: mean P@10 {np.mean(m['p10']):.2f} over {postings.count()}")
    assert np.mean(m["p10"]) >= 0.7
