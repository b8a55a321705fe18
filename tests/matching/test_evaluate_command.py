"""The evaluate command on a small labelled pool written for the test."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recruiting.services import candidate_upsert, vacancy_upsert
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

pytestmark = pytest.mark.django_db

HR_CV = (
    "HR generalist: recruitment drives, payroll coordination, onboarding of new staff, employee relations "
    "and training calendars. Strong communication skills and MS Office. Bachelor of Arts in psychology."
)


@pytest.fixture
def pool(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        for i in range(3):
            candidate_upsert(
                source="t", reference=f"ds{i}", cv_text=f"{DS_CV} Project {i}.", source_label="DS"
            )
            candidate_upsert(
                source="t", reference=f"sales{i}", cv_text=f"{SALES_CV} Region {i}.", source_label="Sales"
            )
            candidate_upsert(
                source="t", reference=f"hr{i}", cv_text=f"{HR_CV} Office {i}.", source_label="HR"
            )


def run(*args):
    out = StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


def test_prints_every_metric_with_intervals_for_the_three_rankers(pool):
    out = run("--relevant-label", "DS", "--negative-labels", "Sales,HR", "--k", "3", "--resamples", "50")
    header = next(x for x in out.splitlines() if x.startswith("metric"))
    assert header.split()[1] == "engine" and "plain TF-IDF" in header and header.rstrip().endswith("BM25")
    for metric in ("precision@3", "nDCG@3", "MAP", "ROC AUC (mean)", "ROC AUC (min)"):
        line = next(x for x in out.splitlines() if x.startswith(metric))
        assert line.count("[") == 3  # an interval for each ranker
    engine_p3 = next(x for x in out.splitlines() if x.startswith("precision@3")).split()[1]
    assert float(engine_p3) == 1.0  # the three data scientists rank first


def test_minimums_fail_the_command(pool):
    with pytest.raises(CommandError, match="below the minimum"):
        run("--relevant-label", "DS", "--k", "5", "--resamples", "20", "--min-precision", "0.9")


def test_unknown_labels_are_clear_errors(pool):
    with pytest.raises(CommandError, match="no candidate is labelled 'Nurse'"):
        run("--relevant-label", "Nurse")
    with pytest.raises(CommandError, match="unknown negative labels: Chef"):
        run("--relevant-label", "DS", "--negative-labels", "Chef")


def test_pairwise_mode_reports_the_share_ranked_correctly(pool, tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text(
        "\n".join(json.dumps({"vacancy": VACANCY, "better": DS_CV, "worse": w}) for w in (SALES_CV, HR_CV))
    )
    out = run("--pairwise", str(path))
    assert "2 (vacancy, better CV, worse CV) triples" in out
    engine_line = next(x for x in out.splitlines() if "engine" in x)
    assert "ranked 1.000 of pairs correctly" in engine_line
    assert any(x.strip().startswith("BM25") and "ranked" in x for x in out.splitlines())


def test_pairwise_mode_rejects_a_bad_line(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text('{"vacancy": "x"}\n')
    with pytest.raises(CommandError, match="line 1"):
        run("--pairwise", str(path))


def test_robustness_prints_every_section_for_the_three_rankers(pool):
    out = run("--robustness")
    assert "Robustness: 1 vacancies × 9 candidates" in out
    lines = out.splitlines()
    for section in ("mle:", "Summary over 1 vacancies"):
        start = lines.index(next(x for x in lines if x.startswith(section)))
        header = lines[start + 1].split()
        assert header[1:5] == ["repeated_list", "vacancy_copy", "hidden_block", "sixty_mentions"]
        assert {"hard-neg", "h-ties", "ties"} <= set(header)
        rows = [lines[start + 2 + k].split() for k in range(3)]
        assert [r[0] for r in rows] == ["engine", "plain", "BM25"]
        for row in rows:
            ranks = [int(x) for x in row[-9:-5]]
            assert all(1 <= r <= 10 for r in ranks)  # among the 9 candidates + itself
    assert "engine keyword-list flag: repeated_list" in out
    assert "pool CVs by language:" in out and "engine confidence over all pairs:" in out


def test_robustness_minimums_fail_the_command(pool):
    with pytest.raises(CommandError, match="a stuffing CV ranks"):
        run("--robustness", "--max-stuffing-rank", "10")  # every rank is ≤ 10 in a pool of 9
    with pytest.raises(CommandError, match="hard-negative accuracy"):
        run("--robustness", "--min-hard-negative", "1.01")
    run("--robustness", "--max-stuffing-rank", "0", "--min-hard-negative", "0")
