"""Match bands (matching.bands): cut-offs from the score distribution with floors, and the required-skill cap.
Pure: small literal arrays, no database."""

from __future__ import annotations

import pytest

from matching.bands import (
    DEFAULT_BANDS,
    MIN_SCORES,
    Bands,
    band,
    bands_from_scores,
    label,
    percentile_from_counts,
    required_counts,
)


def test_47_with_6_of_38_required_skills_is_not_a_good_match():
    assert band(47.0, DEFAULT_BANDS, required_met=6, required_total=38) == "weak"
    assert label(band(47.0, DEFAULT_BANDS, required_met=6, required_total=38)) == "Weak match"
    assert band(47.0, DEFAULT_BANDS) == "good"  # the score alone would have said "Good match"


@pytest.mark.parametrize(
    "met, total, expected",
    [
        (10, 10, "strong"),
        (5, 10, "strong"),
        (4, 10, "partial"),
        (3, 10, "partial"),
        (2, 10, "weak"),
        (0, 10, "weak"),
    ],
)
def test_required_skill_coverage_caps_the_band(met, total, expected):
    assert band(90.0, DEFAULT_BANDS, required_met=met, required_total=total) == expected


def test_no_score_is_none_and_no_requirements_do_not_cap():
    assert band(None) == "none" and label("none") == "Not scored"
    assert band(80.0, required_met=0, required_total=0) == "strong"


def test_cut_offs_come_from_the_distribution_above_the_floors():
    scores = list(range(100)) * 2  # uniform 0–99, 200 scores
    bands = bands_from_scores(scores)
    assert bands.from_distribution and bands.scores == 200
    assert (bands.strong, bands.good, bands.partial) == (89.0, 74.0, 49.0)
    assert band(80.0, bands) == "good" and band(95.0, bands) == "strong" and band(30.0, bands) == "weak"


def test_a_pool_of_low_scores_keeps_the_floors():
    bands = bands_from_scores([10 + i % 20 for i in range(300)])  # every score below 30
    assert (bands.strong, bands.good, bands.partial) == (60.0, 45.0, 25.0)
    assert band(29.0, bands) == "partial"


def test_too_few_scores_use_the_floors_and_say_so():
    bands = bands_from_scores([90.0] * (MIN_SCORES - 1))
    assert bands == Bands(scores=MIN_SCORES - 1) and not bands.from_distribution
    assert "fixed floors" in bands.describe()


def test_percentiles_reject_bad_input():
    with pytest.raises(ValueError):
        percentile_from_counts({}, 50)
    with pytest.raises(ValueError):
        percentile_from_counts({1: 1}, 101)


def test_required_counts_read_stored_skill_lists():
    matched = [{"skill": "Python", "importance": "required"}, {"skill": "Docker", "importance": "desirable"}]
    missing = [{"skill": "Kafka", "importance": "required"}, "not a dict"]
    assert required_counts(matched, missing) == (1, 2)
    assert required_counts(None, None) == (0, 0)
