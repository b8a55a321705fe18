"""The hiring reports' numbers (recruiting.hiring_stats) on small literal lists: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from recruiting import hiring_stats as hs
from recruiting.report_charts import BarRow, Layer, hbar_chart, paired_histogram

PIPELINE = ["applied", "screening", "interview", "offer", "hired"]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def test_furthest_stage_keeps_what_a_move_back_or_a_withdrawal_reached():
    assert (
        hs.furthest_stage(
            ["applied", "screening", "interview", "screening", "rejected"], "rejected", PIPELINE
        )
        == 2
    )
    assert hs.furthest_stage(["applied", "screening", "withdrawn"], "withdrawn", PIPELINE) == 1
    assert hs.furthest_stage([], "offer", PIPELINE) == 3  # no history: the current stage
    assert hs.furthest_stage([], "withdrawn", PIPELINE) == 0


def test_funnel_counts_reached_stages_and_conversions():
    # furthest: hired, interview, screening, interview, applied, hired, applied
    steps = hs.funnel([4, 2, 1, 2, 0, 4, 0], PIPELINE)
    assert [s.reached for s in steps] == [7, 5, 4, 2, 2]
    assert steps[0].conversion is None
    assert [round(s.conversion, 4) for s in steps[1:]] == [round(5 / 7, 4), 0.8, 0.5, 1.0]
    assert steps[-1].of_first == pytest.approx(2 / 7)


def test_an_empty_funnel_has_no_conversion_and_a_bad_index_is_refused():
    steps = hs.funnel([], PIPELINE)
    assert [s.reached for s in steps] == [0] * 5 and all(s.conversion is None for s in steps)
    with pytest.raises(ValueError, match="outside the pipeline"):
        hs.funnel([5], PIPELINE)


def test_funnels_by_groups_rows():
    by = hs.funnels_by([("portal", 4), ("api", 1), ("portal", 2)], PIPELINE)
    assert list(by) == ["portal", "api"]
    assert [s.reached for s in by["portal"]] == [2, 2, 2, 1, 1]


def test_summary_median_and_p90_use_linear_interpolation():
    s = hs.summarise([2, 1, 2, 0, 1, 3])
    assert (s.n, s.median, s.p90) == (6, 1.5, 2.5)
    assert hs.summarise([]) == hs.Summary(0, None, None)
    with pytest.raises(ValueError):
        hs.summarise([-1.0])


def test_time_in_stage_counts_each_stay_and_leaves_open_ones_untimed():
    histories = [
        [
            ("applied", at(0)),
            ("screening", at(1)),
            ("interview", at(4)),
            ("screening", at(6)),
            ("rejected", at(8)),
        ],
        [("applied", at(0)), ("screening", at(2)), ("interview", at(5)), ("offer", at(9)), ("hired", at(10))],
        [("applied", at(2)), ("screening", at(2)), ("interview", at(7))],  # still in interview
        [],
    ]
    result = {t.stage: t for t in hs.time_in_stage(histories, PIPELINE[:-1])}
    assert result["applied"].summary == hs.Summary(3, 1.0, 1.8)  # stays 1, 2, 0
    assert result["screening"].summary.n == 4  # 3, 2 (after the move back), 3, 5
    assert result["screening"].summary.median == 3.0
    assert result["interview"].summary.n == 2 and result["interview"].open == 1
    assert result["offer"].summary == hs.Summary(1, 1.0, 1.0)
    assert hs.time_to_hire(histories, "hired") == hs.Summary(1, 10.0, 10.0)


def test_score_bins_include_100_in_the_last_bin_and_refuse_out_of_range():
    bins = hs.score_bins([0, 9.99, 10, 100, 55])
    assert [c for _, _, c in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    with pytest.raises(ValueError):
        hs.score_bins([101])


def test_auc_needs_enough_decisions_of_both_kinds():
    few = hs.roc_auc_with_interval([(True, 80.0)] * 5 + [(False, 20.0)] * 14)
    assert few.auc is None and few.reason == "not enough decisions yet (19 of 20)"
    one_kind = hs.roc_auc_with_interval([(False, float(i)) for i in range(25)])
    assert one_kind.auc is None and "no hired candidate" in one_kind.reason


def test_auc_is_scikit_learns_with_a_reproducible_bootstrap_interval():
    outcomes = [(True, float(s)) for s in range(50, 100, 5)] + [(False, float(s)) for s in range(5, 55, 5)]
    result = hs.roc_auc_with_interval(outcomes)
    assert result.auc == pytest.approx(0.995)  # 100 pairs, one tie at 50
    assert result.auc == roc_auc_score([h for h, _ in outcomes], [s for _, s in outcomes])
    assert 0.9 < result.low <= result.auc <= result.high <= 1.0
    assert hs.roc_auc_with_interval(outcomes) == result  # fixed seed


def test_weighted_auc_equals_roc_auc_score_on_each_resample():
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 2, 40)
    scores = np.round(rng.random(40) * 100)  # ties on purpose
    weights = np.stack([np.bincount(rng.integers(0, 40, 40), minlength=40) for _ in range(30)])
    got = hs.weighted_auc(labels, scores, weights)
    for row, value in zip(weights, got, strict=True):
        y, s = np.repeat(labels, row), np.repeat(scores, row)
        if 0 < y.sum() < y.size:
            assert value == pytest.approx(roc_auc_score(y, s))
        else:
            assert np.isnan(value)


def test_bar_chart_scales_to_the_largest_value():
    chart = hbar_chart(
        [BarRow("Applied", [Layer(10, "main")]), BarRow("Hired", [Layer(5, "main")])],
        width=500,
        label_width=100,
        note_width=100,
    )
    widths = [row["layers"][0]["w"] for row in chart["rows"]]
    assert widths == [300.0, 150.0]


def test_paired_histogram_needs_the_same_bins():
    with pytest.raises(ValueError):
        paired_histogram([(0, 10, 1)], [(0, 5, 1)])
    chart = paired_histogram([(0, 50, 1), (50, 100, 3)], [(0, 50, 2), (50, 100, 2)])
    heights = [[b["h"] for b in bin_["bars"]] for bin_ in chart["bins"]]
    assert heights[1][0] == max(h for pair in heights for h in pair)  # 75 % of the hired is the tallest share
