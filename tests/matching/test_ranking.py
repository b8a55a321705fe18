"""matching.ranking: the ranking order and competition ranks, with small literal lists and no database; and the
readers of matching.presentation that every page uses for confidence, flags and evidence levels."""

from __future__ import annotations

from types import SimpleNamespace

from matching.presentation import explanation_lines, score_confidence, score_flags, skill_credit
from matching.ranking import Rank, competition_ranks, ordinal, rank_text, ranking_key


def test_equal_scores_share_a_rank_and_the_next_rank_skips():
    ranks = competition_ranks([90.0, 80.0, 80.0, 70.0])
    assert [r.rank for r in ranks] == [1, 2, 2, 4]
    assert [r.tied for r in ranks] == [False, True, True, False]
    assert [r.label for r in ranks] == ["1", "=2", "=2", "4"]


def test_ranks_do_not_depend_on_the_input_order_and_no_score_has_no_rank():
    assert competition_ranks([None, 70.0, 90.0, 70.0]) == [
        Rank(None, False),
        Rank(2, True),
        Rank(1, False),
        Rank(2, True),
    ]
    assert competition_ranks([]) == []
    assert competition_ranks([None, None]) == [Rank(None, False), Rank(None, False)]
    assert Rank(None, False).label == ""


def test_a_three_way_tie_at_the_top():
    assert [r.label for r in competition_ranks([50.0, 50.0, 50.0, 10.0])] == ["=1", "=1", "=1", "4"]


def test_ranking_key_is_score_descending_no_score_last_then_id():
    rows = [(None, 1), (70.0, 5), (90.0, 9), (70.0, 2)]
    assert sorted(rows, key=lambda r: ranking_key(*r)) == [(90.0, 9), (70.0, 2), (70.0, 5), (None, 1)]


def test_ordinals_and_rank_text():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 102, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "102nd",
        "111th",
    ]
    assert rank_text(3, False, 166) == "ranked 3rd of 166"
    assert rank_text(3, True, 166) == "ranked joint 3rd of 166"
    assert rank_text(None, False, 166) == ""
    assert rank_text(1, False, None) == "ranked 1st"


def _score(**fields):
    base = {
        "score": 63.2,
        "engine_version": "2.0.0",
        "vocabulary_version": "v",
        "model_version": "m",
        "confidence": "",
        "explanation": {},
        "matched_skills": [],
        "missing_skills": [],
    }
    return SimpleNamespace(**{**base, **fields})


def test_related_credit_reads_naturally_and_levels_pass_through():
    related = {"skill": "TensorFlow", "evidence_level": "related", "related_to": "PyTorch", "credit": 0.6}
    assert skill_credit(related) == {
        "level": "related",
        "related_to": "PyTorch",
        "credit_pct": 60,
        "text": "credited 60 % through PyTorch (related)",
    }
    assert skill_credit({"skill": "Python", "evidence_level": "used"})["text"] == "used"
    # Old rows and unknown values: nothing extra.
    assert skill_credit({"skill": "Python"}) == {
        "level": "",
        "related_to": "",
        "credit_pct": None,
        "text": "",
    }
    assert skill_credit({"skill": "Python", "evidence_level": "vibes"})["level"] == ""
    assert skill_credit({"skill": "X", "related_to": "Y"})["text"] == "credited through Y (related)"


def test_confidence_and_flags_of_new_and_old_rows():
    new = _score(
        confidence="low",
        explanation={
            "confidence": "low",
            "confidence_reason": "few skills recognised",
            "flags": [
                {"code": "keyword_list", "message": "keyword list: little evidence of use"},
                "junk",
                {"code": "x"},
            ],
        },
    )
    assert score_confidence(new) == ("low", "few skills recognised")
    assert score_flags(new) == [{"code": "keyword_list", "message": "keyword list: little evidence of use"}]
    old = _score()
    assert score_confidence(old) == ("", "") and score_flags(old) == []
    assert score_flags(_score(explanation={"flags": "not a list"})) == []


def test_explanation_lines_name_confidence_flags_and_how_skills_counted():
    score = _score(
        confidence="medium",
        explanation={
            "confidence": "medium",
            "confidence_reason": "text only",
            "flags": [{"code": "language", "message": "CV in German"}],
        },
        matched_skills=[
            {
                "skill": "TensorFlow",
                "importance": "desirable",
                "contribution": 1.0,
                "evidence_level": "related",
                "related_to": "PyTorch",
                "credit": 0.6,
            }
        ],
    )
    lines = explanation_lines(score)
    assert "Confidence: medium — text only" in lines and "Note: CV in German" in lines
    assert "+ TensorFlow (desirable, credited 60 % through PyTorch (related)): 1.0 points" in lines
    old = _score(matched_skills=[{"skill": "Python", "importance": "required", "contribution": 4.1}])
    assert explanation_lines(old)[1:] == ["+ Python (required): 4.1 points"]
