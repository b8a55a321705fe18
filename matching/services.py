"""Scoring: candidates against vacancies with the stored model, through the storage policy into ``MatchScore``.

Writes here are idempotent: match scores are upserted on (candidate, vacancy), so a task delivered twice leaves
the same rows.  CV text never reaches a log line.  Where the pieces live: documents in ``matching.selectors``, the
model in ``matching.model_store``, what is stored and how in ``matching.storage``, scoring runs in
``matching.runs``, enqueueing in ``matching.enqueue``, staleness in ``matching.staleness``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from matching import scoring, term_store
from matching.model_store import model_load, model_load_or_fit
from matching.models import MatchScore, ShortlistThreshold
from matching.selectors import (
    candidate_documents,
    documents_from_text,
    scorable_vacancy_ids,
    vacancy_documents,
)
from matching.storage import (
    MATCH_SCORE_UPDATE_FIELDS,
    candidate_thresholds,
    group_scores,
    narrow_rows_values,
    pairs_kept,
    row_object,
    row_values,
    rows_delete_unkept,
    rows_insert_run_table,
    rows_upsert,
    run_table_mirror,
)
from matching.vacancy_cache import CachedVacancies, cached_vacancies
from matching.vocabulary_store import skill_categories, skill_extractor
from recruiting import events
from recruiting.models import Application, Candidate, Vacancy

THRESHOLD_SCAN_CHUNK = 4000  # candidates whose documents the threshold scan holds at once
_SCAN_ROWS = 2000  # candidates one product of the scan scores (scoring.top_k_scan's chunk)


class ModelNotReady(Exception):
    """No fitted model of this engine version is stored yet: a worker fits one (``model_load_or_fit``); a web
    request shows "scoring…" instead of fitting."""


def score_pairs(
    *,
    candidate_ids: Sequence[int] | None = None,
    vacancy_ids: Sequence[int] | None = None,
    model: scoring.MatchingModel | None = None,
    run_id: int | None = None,
    run_table: bool = False,
) -> int:
    """Score the given candidates (default: all) against the given vacancies (default: all not closed) and store
    what the storage policy keeps; returns the number of pairs written.

    Kept: every pair of a candidate who applied and pairs at or above the vacancy's shortlist threshold (its
    K-th best score, ``ShortlistThreshold``) — stored with their full explanation — and each candidate's N best
    vacancies, stored narrow (score and component scores; the explanation is filled when the row is first read,
    see ``match_scores_explain``).  Stored rows of these candidates and vacancies that are no longer kept are
    deleted; any pair can still be computed on demand (``match_score_on_demand``).  Small pools (≤ K
    candidates) keep every pair, explained.  Scoring vacancies against every candidate first sets the
    thresholds they lack (a fast scan), so a new vacancy does not store 100,000 explained rows.

    Work is split into chunks of ``settings.MATCHING_CHUNK_SIZE`` candidates; each chunk is one vectorised
    product and one bulk upsert (PostgreSQL: COPY into a staging table, then one INSERT … ON CONFLICT).  Each CV's
    text comes from its stored term counts; a CV without current counts is read now and its counts stored
    (``term_store.candidates_terms_refresh``).

    ``run_table``: a full rescore's chunk writes the candidates' rows into the run's own table
    (``matching.rescore_table``, swapped in when the run ends) instead of the live one, and sends no event (the
    swap does).  Otherwise, while a run table exists, the pairs written are copied into it as well.
    """
    all_candidates = candidate_ids is None
    if candidate_ids is None:
        candidate_ids = list(Candidate.objects.order_by("pk").values_list("pk", flat=True))
    all_vacancies = vacancy_ids is None
    scorable = scorable_vacancy_ids()
    if vacancy_ids is None:
        vacancy_ids = scorable
    if not candidate_ids or not vacancy_ids:
        return 0
    model = model or model_load_or_fit()
    _, vocab_version = skill_extractor()
    categories = skill_categories(vocab_version)
    side = cached_vacancies(model, vacancy_ids)
    thresholds = dict(ShortlistThreshold.objects.values_list("vacancy_id", "kth_score"))
    thresholds = {v: thresholds[v] for v in side.ids if v in thresholds}
    k = settings.MATCHING_TOP_K_PER_VACANCY
    missing = [v for v in side.ids if v not in thresholds]
    if all_candidates and missing and len(candidate_ids) > k:
        thresholds.update(shortlist_thresholds_update(model=model, vacancy_ids=missing))
    vac_thr = np.array([-np.inf if thresholds.get(v) is None else thresholds[v] for v in side.ids])
    size = max(1, settings.MATCHING_CHUNK_SIZE)
    written = 0
    exact_top_n = all_vacancies or len(side) >= len(scorable)
    for start in range(0, len(candidate_ids), size):
        chunk = candidate_documents(candidate_ids[start : start + size])
        # CVs read on demand (no current stored counts): counted and stored now, read from storage next time
        term_store.candidates_terms_refresh(candidate_ids=[c.pk for c, d, _ in chunk if d.terms is None])
        written += _score_and_store(
            model,
            chunk,
            side,
            categories,
            vocab_version,
            vac_thr=vac_thr,
            exact_top_n=exact_top_n,
            run_table=run_table,
        )
    return written


def _score_and_store(
    model,
    candidates,
    side: CachedVacancies,
    categories,
    vocab_version,
    *,
    vac_thr: np.ndarray,
    exact_top_n: bool,
    run_table: bool = False,
) -> int:
    if not candidates or not len(side):
        return 0
    cdocs = [d for _, d, _ in candidates]
    matrices = scoring.score_matrices(scoring.candidate_matrices(model, cdocs), side.matrices)
    ranking = np.where(matrices.insufficient, -1.0, matrices.score)
    n_c, n_v = ranking.shape
    cand_ids = [c.pk for c, _, _ in candidates]
    vac_ids = side.ids

    top_n = settings.MATCHING_TOP_N_PER_CANDIDATE
    cand_thr = None
    if not exact_top_n:
        own = candidate_thresholds(cand_ids, vac_ids, top_n)
        cand_thr = np.array([own.get(c, -np.inf) for c in cand_ids])
    c_index = {c: i for i, c in enumerate(cand_ids)}
    v_index = {v: j for j, v in enumerate(vac_ids)}
    applied = np.zeros((n_c, n_v), dtype=bool)
    for c, v in Application.objects.filter(candidate_id__in=cand_ids).values_list(
        "candidate_id", "vacancy_id"
    ):
        if v in v_index:
            applied[c_index[c], v_index[v]] = True
    keep, explained = pairs_kept(
        ranking,
        vacancy_thresholds=vac_thr,
        applied=applied,
        insufficient=matrices.insufficient,
        top_n=top_n,
        exact_top_n=exact_top_n,
        candidate_thresholds=cand_thr,
    )

    now = timezone.now()
    groups = group_scores(matrices)
    # Every kept row in the same order as ever (row-major: row ids, and so ties in rankings, are unchanged); the
    # explained ones all at once (what a candidate's pairs share is computed once for the chunk), the narrow ones
    # taken out of the matrices all at once.
    kept_i, kept_j = np.nonzero(keep)
    is_explained = explained[kept_i, kept_j]
    # A narrow row's place stays None: rows_upsert stages those lean, from narrow_rows.
    rows: list[tuple | None] = [None] * len(kept_i)
    narrow = np.flatnonzero(~is_explained)
    narrow_rows = narrow_rows_values(
        cand_ids,
        vac_ids,
        kept_i[narrow],
        kept_j[narrow],
        matrices,
        model,
        vocab_version,
        side.weights_json,
        now,
        groups,
    )
    full = np.flatnonzero(is_explained).tolist()
    pairs = list(zip(kept_i[full].tolist(), kept_j[full].tolist(), strict=True))
    explained_pairs = scoring.explain_pairs_json(
        model, matrices, pairs, cdocs, side.documents, categories, [e for _, _, e in candidates]
    )
    for k, (i, j), pair in zip(full, pairs, explained_pairs, strict=True):
        rows[k] = row_values(
            cand_ids[i], vac_ids[j], pair, model, vocab_version, side.weights_json[j], now, groups, i, j
        )
    if run_table:
        with transaction.atomic(
            savepoint=False
        ):  # a chunk's caller holds the transaction: no savepoint to pay
            rows_insert_run_table(cand_ids, rows, narrow_rows)
        return len(rows)
    with transaction.atomic():
        rows_upsert(rows, narrow_rows)
        # Pairs no longer kept (not rewritten just now) are dropped; they stay computable on demand.
        touched = rows_delete_unkept(cand_ids, vac_ids, now)
        run_table_mirror(cand_ids, vac_ids)
        touched |= {vac_ids[j] for j in np.unique(kept_j).tolist()}
        # One event per vacancy whose stored scores changed, per chunk of candidates (not per pair), sent after
        # commit as one batch (webhooks look up their endpoints once).
        stamp = now.isoformat().replace("+00:00", "Z")
        events.emit_many(
            "match_score.updated",
            [
                {
                    "vacancy_id": v,
                    "candidate_ids": cand_ids,
                    "engine_version": scoring.ENGINE_VERSION,
                    "computed_at": stamp,
                }
                for v in sorted(touched)
            ],
        )
    return len(rows)


def run_scores_announce(*, chunk_bounds: Sequence[Sequence[int]], vacancy_ids: Sequence[int], at) -> int:
    """After a full rescore's table is swapped in (inside its transaction; sent after commit): one
    ``match_score.updated`` event per scored vacancy and chunk of candidates (the chunk's candidates, between its
    ``chunk_bounds``), as chunks written into the live table announce theirs.  Returns the number of events."""
    stamp = at.isoformat().replace("+00:00", "Z")
    payloads = []
    for first, last in chunk_bounds:
        ids = list(
            Candidate.objects.filter(pk__gte=first, pk__lte=last).order_by("pk").values_list("pk", flat=True)
        )
        if not ids:
            continue
        payloads.extend(
            {
                "vacancy_id": v,
                "candidate_ids": ids,
                "engine_version": scoring.ENGINE_VERSION,
                "computed_at": stamp,
            }
            for v in vacancy_ids
        )
    events.emit_many("match_score.updated", payloads)
    return len(payloads)


def _explained_row(model, vocab_version, categories, candidate, cdoc, evidence, vacancy, vdoc) -> MatchScore:
    """The full explained row of one pair, computed now (not saved)."""
    matrices = scoring.score_chunk(model, [cdoc], [vdoc])
    pair = scoring.explain_pair(model, matrices, 0, 0, cdoc, vdoc, categories, evidence)
    values = row_values(
        candidate.pk,
        vacancy.pk,
        pair,
        model,
        vocab_version,
        json.dumps(vdoc.weights.as_dict()),
        timezone.now(),
        group_scores(matrices),
        0,
        0,
    )
    row = row_object(values)
    row.candidate, row.vacancy = candidate, vacancy
    return row


def match_score_on_demand(*, candidate: Candidate, vacancy: Vacancy) -> MatchScore:
    """The explained score of one pair, computed now with the stored model and not saved — for pairs the storage
    policy does not keep.  Equal to what ``score_pairs`` would store for the pair.  Never fits a model: raises
    ``ModelNotReady`` when none is stored (the caller shows "scoring…" and enqueues the candidate's scoring)."""
    model = model_load()
    if model is None:
        raise ModelNotReady
    _, vocab_version = skill_extractor()
    ((_cand, cdoc, evidence),) = candidate_documents([candidate.pk])
    ((_vac, vdoc),) = vacancy_documents([vacancy.pk])
    return _explained_row(
        model, vocab_version, skill_categories(vocab_version), candidate, cdoc, evidence, vacancy, vdoc
    )


def match_scores_explain(rows: Sequence[MatchScore]) -> list[MatchScore]:
    """Fill in, save and set on ``rows`` the explanation of narrow stored rows (``explained=False``): each pair is
    computed now with the stored model, as ``score_pairs`` would explain it, and saved (one bulk update).  Returns
    ``rows``.  Rows whose candidate or vacancy is gone, or every row while no model is stored (never fitted here:
    web requests call this), are left as they are.  The rows must carry ``explained``, ``candidate_id`` and
    ``vacancy_id`` (not deferred).  Selectors that show explanations call this explicitly; reading a queryset
    never writes.

    The rows' distinct candidates are scored against their distinct vacancies in one vectorised chunk (a
    candidate's page of 20 scores is 1 × 20), then each row's pair is explained from it: the vacancy matrices are
    built once per call, not once per row (issue 16, load: 20 narrow rows took 3.7 s one by one)."""
    given = list(rows)
    rows = [r for r in rows if not r.explained]
    if not rows:
        return given
    model = model_load()
    if model is None:
        return given
    _, vocab_version = skill_extractor()
    categories = skill_categories(vocab_version)
    cands = {c.pk: (c, d, ev) for c, d, ev in candidate_documents(sorted({r.candidate_id for r in rows}))}
    vacs = {v.pk: (v, d) for v, d in vacancy_documents(sorted({r.vacancy_id for r in rows}))}
    rows = [r for r in rows if r.candidate_id in cands and r.vacancy_id in vacs]
    if not rows:
        return given
    candidate_ids, vacancy_ids = sorted({r.candidate_id for r in rows}), sorted({r.vacancy_id for r in rows})
    row_of, column_of = (
        {pk: i for i, pk in enumerate(candidate_ids)},
        {pk: j for j, pk in enumerate(vacancy_ids)},
    )
    matrices = scoring.score_chunk(
        model, [cands[pk][1] for pk in candidate_ids], [vacs[pk][1] for pk in vacancy_ids]
    )
    groups = group_scores(matrices)
    weights = {pk: json.dumps(vacs[pk][1].weights.as_dict()) for pk in vacancy_ids}
    now = timezone.now()
    done = []
    for r in rows:
        (c, cdoc, evidence), (v, vdoc) = cands[r.candidate_id], vacs[r.vacancy_id]
        i, j = row_of[r.candidate_id], column_of[r.vacancy_id]
        pair = scoring.explain_pair(model, matrices, i, j, cdoc, vdoc, categories, evidence)
        fresh = row_object(
            row_values(c.pk, v.pk, pair, model, vocab_version, weights[v.pk], now, groups, i, j)
        )
        for name in MATCH_SCORE_UPDATE_FIELDS:
            setattr(r, name, getattr(fresh, name))
        done.append(r)
    if done:
        MatchScore.objects.bulk_update(done, MATCH_SCORE_UPDATE_FIELDS, batch_size=500)
    return given


def shortlist_thresholds_update(
    *,
    model: scoring.MatchingModel | None = None,
    vacancy_ids: Sequence[int] | None = None,
    threads: int = 1,
    candidate_ids: Sequence[int] | None = None,
) -> dict[int, float | None]:
    """Scan every candidate against the vacancies (fast path, no explanations) and store each vacancy's K-th best
    score as its shortlist threshold.  ``candidate_ids``: the pool (default: every candidate), when the caller has
    listed it.  Returns ``{vacancy_id: threshold or None}``.

    One ``shortlist_scan`` over the whole pool, then ``shortlist_thresholds_store``; a scoring run splits the same
    scan over its workers (``matching.runs``) and stores the merged tables the same way."""
    model = model or model_load_or_fit()
    vacancy_ids = list(vacancy_ids if vacancy_ids is not None else scorable_vacancy_ids())
    if not vacancy_ids:
        return {}
    ids = list(
        candidate_ids
        if candidate_ids is not None
        else Candidate.objects.order_by("pk").values_list("pk", flat=True)
    )
    columns, best, scanned = shortlist_scan(
        model=model, vacancy_ids=vacancy_ids, candidate_ids=ids, threads=threads
    )
    return shortlist_thresholds_store(vacancy_ids=columns, tables=[best], scanned=scanned)


def shortlist_scan(
    *,
    model: scoring.MatchingModel,
    vacancy_ids: Sequence[int],
    candidate_ids: Sequence[int],
    threads: int = 1,
) -> tuple[list[int], np.ndarray, int]:
    """The best scores of ``candidate_ids`` for each vacancy (fast path, no explanations; nothing stored):
    ``(columns, table, scanned)``: ``columns`` the ids of the vacancies found, ascending; ``table`` of shape
    ``(min(K, scanned), len(columns))``, float, best first per column; ``scanned`` the candidates found.
    Candidates with insufficient data score -1.

    Streams: the candidates' documents are read ``THRESHOLD_SCAN_CHUNK`` at a time (``candidate_documents``),
    scanned with ``threads`` threads (``scoring.top_k_scan``) and folded into one running table, so memory is one
    chunk and that table, not the pool.  Scores are computed row by row, so the table is that of one scan over the
    whole pool at once, and the tables of disjoint pools merge (``shortlist_thresholds_store``) into the table of
    their union."""
    k = settings.MATCHING_TOP_K_PER_VACANCY
    side = cached_vacancies(model, vacancy_ids)
    ids = list(candidate_ids)
    best = np.full((0, len(side)), -np.inf)

    def scan(docs: list[scoring.CandidateDocument]) -> np.ndarray:
        cm = scoring.candidate_matrices(model, docs)
        return scoring.top_k_scan(cm, side.matrices, k=k, chunk=_SCAN_ROWS, threads=threads)[1]

    scanned = 0
    size = max(1, THRESHOLD_SCAN_CHUNK)
    # The next chunk is read (database, Python) while the last one is vectorised and scanned on a thread (numpy
    # and scipy release the GIL): two chunks of documents in memory at most.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        for start in range(0, len(ids) + size, size):
            docs = [d for _, d, _ in candidate_documents(ids[start : start + size], evidence=False)]
            if pending is not None:
                best = _best_fold([best, pending.result()], k)
            pending = pool.submit(scan, docs) if docs else None
            scanned += len(docs)
    return list(side.ids), best, scanned


def _best_fold(tables: Sequence[np.ndarray], k: int) -> np.ndarray:
    """The ``k`` best values per column of the tables stacked (each ``(rows, n_vacancies)``), best first."""
    best = np.concatenate(list(tables), axis=0)
    return -np.sort(-best, axis=0)[:k] if best.shape[0] > k else best


def shortlist_thresholds_store(
    *, vacancy_ids: Sequence[int], tables: Sequence[np.ndarray], scanned: int
) -> dict[int, float | None]:
    """Store each vacancy's shortlist threshold — its K-th best score — from the ``shortlist_scan`` tables of
    disjoint pools of ``scanned`` candidates in all (``ShortlistThreshold``, one upsert).  ``vacancy_ids``: the
    tables' columns, in order.  Returns ``{vacancy_id: threshold or None}``: ``None`` while fewer than K candidates
    were scanned or the K-th best is insufficient data."""
    k = settings.MATCHING_TOP_K_PER_VACANCY
    ids = list(vacancy_ids)
    best = _best_fold([t.reshape(-1, len(ids)) for t in tables] or [np.zeros((0, len(ids)))], k)
    out: dict[int, float | None] = {}
    for j, vacancy_id in enumerate(ids):
        column = best[:, j]
        kth = float(np.sort(column)[::-1][k - 1]) if scanned >= k and len(column) >= k else None
        out[vacancy_id] = None if kth is not None and kth < 0 else kth
    ShortlistThreshold.objects.bulk_create(  # one upsert, not a round trip per vacancy (1,000 at full scale)
        [
            ShortlistThreshold(vacancy_id=vacancy_id, kth_score=kth, candidates_scored=scanned)
            for vacancy_id, kth in out.items()
        ],
        update_conflicts=True,
        unique_fields=["vacancy"],
        update_fields=["kth_score", "candidates_scored", "updated_at"],
    )
    return out


def score_texts(*, vacancy_text: str, cv_texts: Sequence[str], vacancy_title: str = "") -> list[float | None]:
    """0–100 scores of CV texts for a vacancy text (and title) with the stored model; ``None`` for insufficient
    data."""
    vacancy, candidates = documents_from_text(
        vacancy_text=vacancy_text, cv_texts=cv_texts, vacancy_title=vacancy_title
    )
    if not candidates:
        return []
    matrices = scoring.score_chunk(model_load_or_fit(), candidates, [vacancy])
    return [
        None if matrices.insufficient[i, 0] else float(matrices.score[i, 0]) for i in range(len(candidates))
    ]


def score_details(
    *, matrices: scoring.ScoreMatrices, candidates: Sequence[scoring.CandidateDocument], column: int = 0
) -> list[dict]:
    """Per candidate of ``matrices`` (rows in the order of ``candidates``), for the vacancy in ``column``:
    ``{"score": 0–100 or None, "confidence": "high"|"medium"|"low"|"" (insufficient), "keyword_list": bool,
    "language": ISO 639-1 code or ""}``."""
    out = []
    for i, doc in enumerate(candidates):
        insufficient = bool(matrices.insufficient[i, column])
        out.append(
            {
                "score": None if insufficient else float(matrices.score[i, column]),
                "confidence": matrices.confidence_at(i, column),
                "keyword_list": doc.keyword_list,
                "language": doc.language,
            }
        )
    return out


def score_texts_detailed(
    *, vacancy_text: str, cv_texts: Sequence[str], vacancy_title: str = ""
) -> list[dict]:
    """Like :func:`score_texts`, with the engine's confidence and the CV's keyword-list flag and language: one
    ``{"score", "confidence", "keyword_list", "language"}`` per CV text (see :func:`score_details`)."""
    vacancy, candidates = documents_from_text(
        vacancy_text=vacancy_text, cv_texts=cv_texts, vacancy_title=vacancy_title
    )
    if not candidates:
        return []
    matrices = scoring.score_chunk(model_load_or_fit(), candidates, [vacancy])
    return score_details(matrices=matrices, candidates=candidates)
