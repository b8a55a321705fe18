"""Ranking-quality metrics for the ``evaluate`` command: precision@k, nDCG@k, average precision, ROC AUC, and
bootstrap confidence intervals.  Pure numpy; no Django imports.

Definitions follow Manning, Raghavan & Schütze, *Introduction to Information Retrieval* (2008), ch. 8:
precision@k is the share of relevant items among the first k; nDCG@k uses binary gains and the
``log2(rank + 1)`` discount (Järvelin & Kekäläinen 2002); average precision is the mean of precision@r over
the ranks r of the relevant items; ROC AUC is the Mann–Whitney probability that a random relevant item
outscores a random negative one, ties counting one half.  A missing score (``None`` or NaN, e.g.
"insufficient data") ranks last, as in ``../shared/tools/rank_metrics.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


def _order(scores: Sequence[float | None], ids: Sequence[str] | None = None) -> np.ndarray:
    values = np.array(
        [-np.inf if s is None or (isinstance(s, float) and math.isnan(s)) else float(s) for s in scores]
    )
    tiebreak = np.array(ids if ids is not None else range(len(values)), dtype=object)
    # Best first; ties broken by id, like the yardstick.
    return np.array(sorted(range(len(values)), key=lambda i: (-values[i], tiebreak[i])), dtype=int)


def precision_at_k(relevant_in_rank_order: Sequence[bool], k: int) -> float:
    """Share of relevant items among the first ``k`` (0–1)."""
    rel = list(relevant_in_rank_order)[:k]
    return sum(rel) / k if k else 0.0


def ndcg_at_k(relevant_in_rank_order: Sequence[bool], k: int) -> float:
    """Binary-gain nDCG of the first ``k`` (0–1); 0 when nothing is relevant."""
    rel = list(relevant_in_rank_order)
    dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rel[:k]))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, sum(rel))))
    return dcg / ideal if ideal else 0.0


def average_precision(relevant_in_rank_order: Sequence[bool]) -> float:
    """Mean of precision@r over the ranks r of the relevant items (0–1); 0 when nothing is relevant."""
    hits, total = 0, 0.0
    for rank, rel in enumerate(relevant_in_rank_order, start=1):
        if rel:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def roc_auc(positive_scores: Sequence[float | None], negative_scores: Sequence[float | None]) -> float:
    """Probability that a positive outscores a negative, ties counting 1/2 (0–1).  Missing scores rank last.

    Raises ``ValueError`` when either group is empty."""
    pos = np.array([-np.inf if s is None else s for s in positive_scores], dtype=float)
    neg = np.array([-np.inf if s is None else s for s in negative_scores], dtype=float)
    if not len(pos) or not len(neg):
        raise ValueError("ROC AUC needs at least one relevant and one negative item")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


@dataclass(frozen=True)
class RankingMetrics:
    """Metrics of one vacancy's ranking."""

    precision: float
    ndcg: float
    average_precision: float
    auc: float | None


def ranking_metrics(
    scores: Sequence[float | None],
    labels: Sequence[str],
    ids: Sequence[str],
    *,
    relevant: str,
    negatives: set[str] | None,
    k: int = 10,
) -> RankingMetrics:
    """Metrics of one ranking: ``scores``, ``labels`` and ``ids`` are parallel, one entry per candidate.

    ``negatives`` are the labels AUC counts as negative (``None``: every label but ``relevant``)."""
    order = _order(scores, ids)
    rel = [labels[i] == relevant for i in order]
    pos = [scores[i] for i in range(len(labels)) if labels[i] == relevant]
    neg = [
        scores[i]
        for i in range(len(labels))
        if labels[i] != relevant and (negatives is None or labels[i] in negatives)
    ]
    auc = roc_auc(pos, neg) if pos and neg else None
    return RankingMetrics(precision_at_k(rel, k), ndcg_at_k(rel, k), average_precision(rel), auc)


@dataclass(frozen=True)
class Estimate:
    """A mean with its bootstrap 95 % interval (percentile method; Efron & Tibshirani 1993, ch. 13)."""

    mean: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}]"


def bootstrap_mean(values: Sequence[float], *, resamples: int = 2000, seed: int = 0) -> Estimate:
    """Mean of ``values`` with a 95 % percentile bootstrap interval over resampled values."""
    arr = np.asarray([v for v in values if v is not None], dtype=float)
    if not len(arr):
        return Estimate(float("nan"), float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, len(arr), size=(resamples, len(arr)))].mean(axis=1)
    return Estimate(float(arr.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5)))


def bootstrap_over_candidates(
    metric: Callable[[np.ndarray], float], n: int, *, resamples: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """95 % interval of ``metric(indices)`` over candidate pools resampled with replacement."""
    rng = np.random.default_rng(seed)
    values = [metric(rng.integers(0, n, size=n)) for _ in range(resamples)]
    values = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))
