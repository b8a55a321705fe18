"""The storage policy on literal arrays (``matching.storage.pairs_kept``): which pairs of a chunk are stored, and
which of those are stored explained.  No database."""

from __future__ import annotations

import numpy as np

from matching.storage import pairs_kept

INF = np.inf
# 3 candidates × 4 vacancies; -1 marks insufficient data.
RANKING = np.array(
    [
        [90.0, 40.0, 10.0, -1.0],
        [50.0, 80.0, 20.0, 30.0],
        [10.0, 20.0, 30.0, 5.0],
    ]
)
INSUFFICIENT = RANKING < 0
NOBODY_APPLIED = np.zeros_like(RANKING, dtype=bool)


def test_pairs_on_a_shortlist_are_kept_explained_and_each_candidates_best_are_kept_narrow():
    thresholds = np.array([85.0, 75.0, INF, INF])  # vacancies 2 and 3 have no shortlist threshold reached
    keep, explained = pairs_kept(
        RANKING,
        vacancy_thresholds=thresholds,
        applied=NOBODY_APPLIED,
        insufficient=INSUFFICIENT,
        top_n=1,
        exact_top_n=True,
    )
    assert keep.tolist() == [
        [True, False, False, False],
        [False, True, False, False],
        [False, False, True, False],  # candidate 3's best vacancy, kept narrow
    ]
    assert explained.tolist() == [
        [True, False, False, False],
        [False, True, False, False],
        [False, False, False, False],
    ]


def test_an_applied_pair_is_always_kept_and_explained():
    applied = NOBODY_APPLIED.copy()
    applied[2, 3] = True
    keep, explained = pairs_kept(
        RANKING,
        vacancy_thresholds=np.full(4, INF),
        applied=applied,
        insufficient=INSUFFICIENT,
        top_n=1,
        exact_top_n=True,
    )
    assert keep[2, 3] and explained[2, 3]
    assert keep.sum() == 4  # each candidate's best, plus the applied pair


def test_the_threshold_from_the_float32_scan_has_a_thousandth_of_slack():
    keep, explained = pairs_kept(
        RANKING,
        vacancy_thresholds=np.array([90.0005, INF, INF, INF]),
        applied=NOBODY_APPLIED,
        insufficient=INSUFFICIENT,
        top_n=1,
        exact_top_n=False,
        candidate_thresholds=np.full(3, INF),
    )
    assert explained[0, 0] and keep.sum() == 1


def test_without_every_vacancy_a_candidate_keeps_pairs_at_or_above_their_stored_nth_best():
    keep, explained = pairs_kept(
        RANKING,
        vacancy_thresholds=np.full(4, INF),
        applied=NOBODY_APPLIED,
        insufficient=INSUFFICIENT,
        top_n=1,
        exact_top_n=False,
        candidate_thresholds=np.array([95.0, 25.0, -INF]),  # candidate 3 has fewer than N stored elsewhere
    )
    assert keep.tolist() == [
        [False, False, False, False],
        [True, True, False, True],
        [True, True, True, True],
    ]
    assert not explained.any()


def test_a_small_pool_keeps_every_pair_and_explains_the_insufficient_ones():
    keep, explained = pairs_kept(
        RANKING,
        vacancy_thresholds=np.full(4, INF),
        applied=NOBODY_APPLIED,
        insufficient=INSUFFICIENT,
        top_n=10,
        exact_top_n=True,
    )
    assert keep.all()
    assert explained.tolist() == INSUFFICIENT.tolist()
