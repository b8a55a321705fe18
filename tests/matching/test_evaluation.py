"""Ranking metrics against hand-computed values."""

import math

import pytest

from matching import evaluation as ev


def test_precision_and_ndcg_at_k():
    rel = [True, False, True, False]
    assert ev.precision_at_k(rel, 2) == 0.5
    assert ev.precision_at_k(rel, 4) == 0.5
    ideal = 1 + 1 / math.log2(3)
    assert ev.ndcg_at_k(rel, 4) == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    assert ev.ndcg_at_k([False, False], 2) == 0.0


def test_average_precision():
    assert ev.average_precision([True, False, True]) == pytest.approx((1 + 2 / 3) / 2)
    assert ev.average_precision([False]) == 0.0


def test_roc_auc_counts_ties_as_half_and_missing_scores_last():
    assert ev.roc_auc([3, 2], [1, 0]) == 1.0
    assert ev.roc_auc([1], [1]) == 0.5
    assert ev.roc_auc([None], [0.0]) == 0.0
    with pytest.raises(ValueError):
        ev.roc_auc([], [1])


def test_ranking_metrics_uses_only_the_named_negatives():
    scores = [0.9, 0.8, 0.7, 0.1]
    labels = ["DS", "Java", "DS", "HR"]
    m = ev.ranking_metrics(scores, labels, ["a", "b", "c", "d"], relevant="DS", negatives={"HR"}, k=2)
    assert m.precision == 0.5
    assert m.auc == 1.0  # Java is neither relevant nor a named negative


def test_bootstrap_interval_contains_the_mean():
    est = ev.bootstrap_mean([0.6, 0.8, 0.9, 0.7, 1.0])
    assert est.low <= est.mean <= est.high
    assert est.mean == pytest.approx(0.8)
