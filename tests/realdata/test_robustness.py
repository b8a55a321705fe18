"""Robustness on the real data in ../shared (issue 12 item 9; skipped where absent, fails under CI=true).

The acceptance of the issue, measured on the engine with ``evaluate``'s robustness report: the 166 unique CVs
are the pool; the five seed vacancies and the 50 LinkedIn machine-learning postings (selected as in
``test_ranking_quality.py``) are the vacancies.

(a) each generated keyword-stuffed CV ranks below 20th among the 166 + itself, and the engine flags each as a
    keyword list (the weak real CV with a hidden block appended included);
(b) for every (vacancy, CV meeting ≥ 1 required skill) pair the CV with its skill sentences removed scores
    strictly lower: 100 %, no ties.

Engine 1.0.0 failed both (no keyword-list flag; every stuffing shape ranked first); engine 2.0.0 passes.  The data is imported and the report computed once for the module, inside a transaction
that is rolled back, so nothing is left in the test database.
"""

from __future__ import annotations

import csv
import os
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from matching import robustness, selectors
from matching.rankers import ENGINE, robustness_report
from recruiting.models import Candidate, Vacancy
from tests.conftest import SHARED_DIR, ensure_vocabulary

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.django_db,
]  # the marker makes pytest-django create the test database

ML_TITLE = re.compile(
    r"machine learning|deep learning|\bML\b", re.IGNORECASE
)  # as in test_ranking_quality.py
TOP = 20
FLAGGED_SHAPES = robustness.SHAPES  # every shape, the hidden keyword block included


def _shared():
    if not (SHARED_DIR / "data").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the real data folder {SHARED_DIR} is missing")
        pytest.skip(f"real data folder {SHARED_DIR} is absent (a fresh clone without ../shared)")
    return SHARED_DIR


def _linkedin_ml_postings(shared, out_path) -> None:
    """The LinkedIn machine-learning postings as a CSV (the same 50 as ``test_ranking_quality.py``)."""
    seen, rows = set(), []
    with open(
        shared / "data" / "jobs" / "linkedin_DataScientist_CA_2018.csv", encoding="utf-8", newline=""
    ) as f:
        for r in csv.DictReader(f):
            d = (r.get("description") or "").strip()
            if ML_TITLE.search(r.get("title") or "") and len(d) > 200 and d not in seen:
                seen.add(d)
                rows.append((f"li{len(rows):03d}", r["title"].strip(), d))
    with open(out_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "text"])
        w.writerows(rows)


@pytest.fixture(scope="module")
def reports(django_db_setup, django_db_blocker, tmp_path_factory):
    """``{"seeds": [VacancyRobustness…], "linkedin": […]}``; the data lives only inside a rolled-back transaction."""
    shared = _shared()
    jobs = tmp_path_factory.mktemp("robustness") / "jobs.csv"
    _linkedin_ml_postings(shared, jobs)
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_vocabulary()
        call_command(
            "import_vacancies", *sorted(str(p) for p in (shared / "seeds").glob("*.txt")), stdout=StringIO()
        )
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
        out = StringIO()
        call_command(
            "import_candidates",
            str(shared / "data" / "resumes" / "UpdatedResumeDataSet.csv"),
            "--text-column",
            "Resume",
            "--label-column",
            "Category",
            stdout=out,
        )
        assert "166 candidates" in out.getvalue()
        texts = list(Candidate.objects.order_by("pk").values_list("cv_text", flat=True))
        chosen = list(
            Vacancy.objects.order_by("reference").values_list("pk", "reference", "description", "source")
        )
        docs = {v.pk: d for v, d in selectors.vacancy_documents([pk for pk, _, _, _ in chosen])}
        report = robustness_report(
            texts, [(ref, text, docs[pk]) for pk, ref, text, _ in chosen], baselines=False
        )
        transaction.set_rollback(True)
    source = {ref: src for _, ref, _, src in chosen}
    seeds = [v for v in report.vacancies if source[v.reference] == "import"]
    linkedin = [v for v in report.vacancies if source[v.reference] == "linkedin"]
    assert len(seeds) == 5 and 45 <= len(linkedin) <= 55 and report.pool_size == 166
    return {"seeds": seeds, "linkedin": linkedin}


def _stuffing_failures(vacancies) -> list[str]:
    failures = []
    for v in vacancies:
        for shape in robustness.SHAPES:
            rank = v.stuffing_rank[ENGINE][shape]
            if rank <= TOP:
                failures.append(f"{v.reference} {shape}: rank {rank} of {v.pool_size + 1}")
            if shape in FLAGGED_SHAPES and not v.stuffing_flag[shape]:
                failures.append(f"{v.reference} {shape}: not flagged as a keyword list")
    return failures


def _hard_negative_failures(vacancies) -> list[str]:
    failures = []
    for v in vacancies:
        pairs, higher, ties = v.hard_negative[ENGINE]
        if higher != pairs or ties:
            failures.append(f"{v.reference}: {higher} of {pairs} originals strictly higher, {ties} ties")
    return failures


def _summary(failures: list[str]) -> str:
    return (
        f"{len(failures)} failures:\n  "
        + "\n  ".join(failures[:25])
        + ("\n  …" if len(failures) > 25 else "")
    )


@pytest.mark.parametrize("pool", ["seeds", "linkedin"])
def test_stuffed_cvs_rank_below_20th_and_are_flagged(reports, pool):
    vacancies = reports[pool]
    for shape in robustness.SHAPES:
        best = min(v.stuffing_rank[ENGINE][shape] for v in vacancies)
        flagged = sum(v.stuffing_flag[shape] for v in vacancies)
        print(f"{pool}: {shape} best rank {best} of 167, flagged on {flagged} of {len(vacancies)} vacancies")
    failures = _stuffing_failures(vacancies)
    assert not failures, _summary(failures)


@pytest.mark.parametrize("pool", ["seeds", "linkedin"])
def test_stripped_cvs_score_strictly_lower(reports, pool):
    vacancies = reports[pool]
    pairs = sum(v.hard_negative[ENGINE][0] for v in vacancies)
    higher = sum(v.hard_negative[ENGINE][1] for v in vacancies)
    ties = sum(v.hard_negative[ENGINE][2] for v in vacancies)
    print(
        f"{pool}: hard negatives {higher}/{pairs} strictly lower ({higher / max(pairs, 1):.3f}), {ties} ties"
    )
    assert pairs > 0
    failures = _hard_negative_failures(vacancies)
    assert not failures, _summary(failures)
