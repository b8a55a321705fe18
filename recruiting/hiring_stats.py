"""The hiring reports' numbers, computed from plain rows: no Django, no database (tested with literal lists).

The selectors (``recruiting.selectors``, "hiring reports") fetch the rows; ``recruiting.reports`` renders them.
The pipeline's stage names and order are passed in (``recruiting.services.PIPELINE_ORDER``), never repeated here.

Definitions, as the report pages state them
-------------------------------------------
- **Reached a stage**: an application reached a pipeline stage when its history holds a move to that stage *or to
  a later one* (a sourced candidate created at "applied" and moved to "screening" reached both).  A move back
  (interview → screening) does not undo "reached interview"; a withdrawn or rejected application keeps the
  stages it reached before it left.  An application with no history counts at its current stage.
- **Conversion** of a stage: reached this stage ÷ reached the previous one; "of applied": ÷ reached "applied".
- **Time in stage**: each completed stay, in days, from the move into a stage to the next move out of it; a move
  back starts a new stay.  Stays still open (the application is there now) are counted apart, not timed.
- **Time to hire**: days from the application's first history row to its move to "hired".
- **Median** and **p90**: ``numpy.percentile`` with linear interpolation.
- **ROC AUC** of the match score as a predictor of hired (1) vs rejected (0), with scikit-learn's
  ``roc_auc_score``, once there are ``MIN_DECISIONS`` decisions of both kinds; its interval is a percentile
  bootstrap (``BOOTSTRAP_SAMPLES`` resamples of the decisions with replacement, fixed seed ``BOOTSTRAP_SEED``,
  resamples holding one class only are redrawn).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

MIN_DECISIONS = 20
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20261129
CONFIDENCE_LEVEL = 0.95
SECONDS_PER_DAY = 86_400.0
BOOTSTRAP_CELLS = 2_000_000  # resamples × decisions held in memory at once


# --- funnel -------------------------------------------------------------------------------------------------
def furthest_stage(history: Sequence[str], current: str, pipeline: Sequence[str]) -> int:
    """Index in ``pipeline`` of the furthest stage an application reached.

    ``history`` is the ``to_stage`` of each of its stage changes (any order); ``current`` its stage now, used when
    the history is empty or names no pipeline stage.  Stages outside the pipeline (rejected, withdrawn) are
    ignored.  Returns 0 ("applied") at least: every application entered the pipeline.
    """
    order = {stage: i for i, stage in enumerate(pipeline)}
    reached = [order[s] for s in history if s in order]
    if not reached and current in order:
        reached = [order[current]]
    return max(reached, default=0)


@dataclass(frozen=True)
class FunnelStep:
    """One stage of a funnel: how many applications reached it, and the conversion (0–1, None when the stage
    before had none) from the previous stage and from the first one."""

    stage: str
    reached: int
    conversion: float | None
    of_first: float | None


def funnel(furthest: Iterable[int], pipeline: Sequence[str]) -> list[FunnelStep]:
    """The funnel of applications whose furthest stage indices (``furthest_stage``) are ``furthest``.

    Returns one ``FunnelStep`` per stage of ``pipeline``, in order.  Raises ``ValueError`` for an index outside
    the pipeline.
    """
    counts = [0] * len(pipeline)
    for index in furthest:
        if not 0 <= index < len(pipeline):
            raise ValueError(f"stage index {index} is outside the pipeline of {len(pipeline)} stages")
        counts[index] += 1
    # Reached stage i = furthest stage at i or later.
    reached = [int(n) for n in np.cumsum(counts[::-1])[::-1]] if counts else []
    steps = []
    for i, stage in enumerate(pipeline):
        before = reached[i - 1] if i else None
        steps.append(
            FunnelStep(
                stage=stage,
                reached=reached[i],
                conversion=None if i == 0 or not before else reached[i] / before,
                of_first=(reached[i] / reached[0]) if reached[0] else None,
            )
        )
    return steps


def funnels_by(
    rows: Iterable[tuple[Hashable, int]], pipeline: Sequence[str]
) -> dict[Hashable, list[FunnelStep]]:
    """``funnel`` per key of ``rows`` (``(key, furthest stage index)`` pairs), keys in first-seen order."""
    grouped: dict[Hashable, list[int]] = defaultdict(list)
    for key, index in rows:
        grouped[key].append(index)
    return {key: funnel(indices, pipeline) for key, indices in grouped.items()}


# --- durations ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Summary:
    """Count, median and 90th percentile of some durations in days (median and p90 None when there are none)."""

    n: int
    median: float | None
    p90: float | None


def summarise(days: Sequence[float]) -> Summary:
    """``Summary`` of ``days``.  Raises ``ValueError`` for a negative or non-finite duration."""
    values = np.asarray(list(days), dtype=float)
    if values.size and (not np.all(np.isfinite(values)) or np.any(values < 0)):
        raise ValueError("durations must be finite and not negative")
    if not values.size:
        return Summary(0, None, None)
    return Summary(int(values.size), float(np.percentile(values, 50)), float(np.percentile(values, 90)))


def _days(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0.0) / SECONDS_PER_DAY


def stage_stays(history: Sequence[tuple[str, datetime]]) -> tuple[list[tuple[str, float]], str | None]:
    """The completed stays of one application and the stage it is in now.

    ``history`` is its stage changes as ``(to_stage, at)`` in time order (the first row is the creation).
    Returns ``([(stage, days), …], current_stage)``: one pair per move out of a stage, and the stage of the last
    row (None for an empty history).
    """
    stays = [(stage, _days(at, history[i + 1][1])) for i, (stage, at) in enumerate(history[:-1])]
    return stays, (history[-1][0] if history else None)


@dataclass(frozen=True)
class StageTime:
    """Time spent in one stage: ``summary`` of its completed stays; ``open`` applications in it now."""

    stage: str
    summary: Summary
    open: int


def time_in_stage(
    histories: Iterable[Sequence[tuple[str, datetime]]], stages: Sequence[str]
) -> list[StageTime]:
    """Median and p90 of the completed stays in each of ``stages`` over every application's history
    (``stage_stays``), with how many applications are in that stage now.  Stays in other stages are ignored."""
    stays: dict[str, list[float]] = {stage: [] for stage in stages}
    open_now: dict[str, int] = dict.fromkeys(stages, 0)
    for history in histories:
        done, current = stage_stays(history)
        for stage, days in done:
            if stage in stays:
                stays[stage].append(days)
        if current in open_now:
            open_now[current] += 1
    return [StageTime(stage, summarise(stays[stage]), open_now[stage]) for stage in stages]


def time_to_hire(histories: Iterable[Sequence[tuple[str, datetime]]], hired: str) -> Summary:
    """Days from each application's first history row to its first move to ``hired`` (applications never hired
    are left out)."""
    days = []
    for history in histories:
        at = next((when for stage, when in history if stage == hired), None)
        if history and at is not None:
            days.append(_days(history[0][1], at))
    return summarise(days)


# --- score distribution and ROC AUC -------------------------------------------------------------------------
def score_bins(scores: Iterable[float], *, bins: int = 10) -> list[tuple[float, float, int]]:
    """Counts of ``scores`` (0–100) in ``bins`` bins of equal width; the last bin includes 100.
    Returns ``[(low, high, count), …]``.  Raises ``ValueError`` for a score outside 0–100."""
    values = np.asarray(list(scores), dtype=float)
    if values.size and (np.any(values < 0) or np.any(values > 100) or not np.all(np.isfinite(values))):
        raise ValueError("scores must lie between 0 and 100")
    edges = np.linspace(0.0, 100.0, bins + 1)
    counts, _ = np.histogram(values, bins=edges)
    return [(float(edges[i]), float(edges[i + 1]), int(counts[i])) for i in range(bins)]


@dataclass(frozen=True)
class AucResult:
    """How well the score predicts the decisions: ``auc`` (0–1) with its bootstrap interval ``low``–``high``,
    or None with ``reason`` saying why not (too few decisions, or only one kind)."""

    decisions: int
    hired: int
    rejected: int
    auc: float | None
    low: float | None
    high: float | None
    reason: str


def roc_auc_with_interval(
    outcomes: Sequence[tuple[bool, float]],
    *,
    min_decisions: int = MIN_DECISIONS,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = CONFIDENCE_LEVEL,
) -> AucResult:
    """ROC AUC of the score for ``outcomes`` (``(hired, score)`` per decision) and its percentile bootstrap
    interval at ``level``.

    Below ``min_decisions`` decisions, or with only hired or only rejected ones, ``auc`` is None and ``reason``
    says "not enough decisions yet" or which kind is missing.  Deterministic for a given ``seed``.
    """
    from sklearn.metrics import roc_auc_score

    labels = np.asarray([1 if hired else 0 for hired, _ in outcomes], dtype=int)
    scores = np.asarray([score for _, score in outcomes], dtype=float)
    hired = int(labels.sum())
    rejected = int(labels.size - hired)
    base = {"decisions": int(labels.size), "hired": hired, "rejected": rejected}
    if labels.size < min_decisions:
        return AucResult(
            **base,
            auc=None,
            low=None,
            high=None,
            reason=f"not enough decisions yet ({labels.size} of {min_decisions})",
        )
    if not hired or not rejected:
        missing = "hired" if not hired else "rejected"
        return AucResult(
            **base,
            auc=None,
            low=None,
            high=None,
            reason=f"no {missing} candidate among the decisions yet, so the score cannot be compared",
        )
    auc = float(roc_auc_score(labels, scores))
    low, high = _bootstrap_interval(labels, scores, samples=samples, seed=seed, level=level)
    return AucResult(**base, auc=auc, low=low, high=high, reason="")


def weighted_auc(labels: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC AUC of the decisions ``labels`` (0/1) / ``scores`` (1-D, length n) for each row of ``weights``
    (shape (b, n): how many times each decision is drawn), ties counted half: the value ``roc_auc_score`` gives
    on the resample the row describes.  Rows whose resample holds one class only give NaN.

    Each row costs O(n): decisions are sorted by score once, and per distinct score the drawn positives meet the
    drawn negatives below it (all of them) and at it (half)."""
    order = np.argsort(scores, kind="stable")
    labels, scores, weights = labels[order], scores[order], weights[:, order]
    starts = np.flatnonzero(np.r_[True, scores[1:] != scores[:-1]])
    positives = np.add.reduceat(weights * labels, starts, axis=1).astype(float)
    negatives = np.add.reduceat(weights * (1 - labels), starts, axis=1).astype(float)
    below = np.cumsum(negatives, axis=1) - negatives
    pairs = positives.sum(axis=1) * negatives.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pairs > 0, (positives * (below + negatives / 2)).sum(axis=1) / pairs, np.nan)


def _bootstrap_interval(
    labels: np.ndarray, scores: np.ndarray, *, samples: int, seed: int, level: float
) -> tuple[float, float]:
    """Percentile interval of the AUC over ``samples`` resamples with replacement that hold both classes."""
    rng = np.random.default_rng(seed)
    n = labels.size
    batch = max(1, min(samples, BOOTSTRAP_CELLS // n))  # bounds the memory of one batch of resamples
    found: list[np.ndarray] = []
    kept = 0
    for _ in range(100 * (samples // batch + 1)):  # resamples with one class only are redrawn
        pick = rng.integers(0, n, size=(batch, n)) + np.arange(batch)[:, None] * n
        weights = np.bincount(pick.ravel(), minlength=batch * n).reshape(batch, n)
        values = weighted_auc(labels, scores, weights)
        found.append(values[~np.isnan(values)])
        kept += found[-1].size
        if kept >= samples:
            break
    estimates = np.concatenate(found)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(estimates[:samples], [tail, 100 - tail])
    return float(low), float(high)
