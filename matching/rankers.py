"""The rankers ``manage.py evaluate`` compares — the engine (stored model, scores computed now, nothing saved), plain
TF-IDF and BM25 over the raw text — and the robustness report over them (issue 12 item 9; the generated texts and
measures are ``matching.robustness``).  Read-only: loads (or fits) the model and reads documents, writes no score.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

import bm25s
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matching import model_store, robustness, scoring, selectors, services, vocabulary_store

logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its logger to DEBUG: a line per index built


ENGINE = f"engine {scoring.ENGINE_VERSION}"
PLAIN = "plain TF-IDF"
BM25 = "BM25"
RANKERS = (ENGINE, PLAIN, BM25)


def plain_tfidf_scores(cv_texts: list[str], vacancy_texts: list[str]) -> np.ndarray:
    """The baseline: cosine similarity of TF-IDF over raw text (English stop words, uni- and bigrams, sublinear
    tf), fitted on CVs and vacancies together; shape ``(n_cvs, n_vacancies)``, 0–100."""
    matrix = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True).fit_transform(
        list(cv_texts) + list(vacancy_texts)
    )
    n = len(cv_texts)
    return 100.0 * (matrix[:n] @ matrix[n:].T).toarray()


def bm25_scores(cv_texts: list[str], vacancy_texts: list[str]) -> np.ndarray:
    """The second baseline: Okapi BM25 (k1 = 1.5, b = 0.75) with the CVs as the corpus and each vacancy text as a
    query (English stop words, each distinct query term counted once).  bm25s's ``lucene`` variant: Okapi's
    term weighting with the non-negative idf ``log(1 + (N − n + 0.5) / (n + 0.5))``, so no score is below 0.
    Scaled per vacancy to 0–100 by dividing by the vacancy's highest score (all 0 when no term matches), so the
    figures print beside the others; shape ``(n_cvs, n_vacancies)``."""
    out = np.zeros((len(cv_texts), len(vacancy_texts)))
    if not len(cv_texts) or not len(vacancy_texts):
        return out
    retriever = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    retriever.index(bm25s.tokenize(list(cv_texts), stopwords="en", show_progress=False), show_progress=False)
    queries = bm25s.tokenize(list(vacancy_texts), stopwords="en", return_ids=False, show_progress=False)
    for j, terms in enumerate(queries):
        terms = sorted(set(terms))
        if not terms:
            continue
        scores = np.asarray(retriever.get_scores(terms), dtype=float)
        top = scores.max()
        if top > 0:
            out[:, j] = 100.0 * scores / top
    return out


def engine_scores(candidate_ids: list[int], vacancy_ids: list[int]) -> np.ndarray:
    """The engine's scores with the stored model, computed now (not read from stored rows); ``NaN`` where data
    is insufficient.  Shape ``(n_candidates, n_vacancies)`` in the order of the ids given."""
    model = model_store.model_load_or_fit()
    cands = selectors.candidate_documents(candidate_ids)
    vacs = selectors.vacancy_documents(vacancy_ids)
    c_order = {c.pk: i for i, (c, _, _) in enumerate(cands)}
    v_order = {v.pk: j for j, (v, _) in enumerate(vacs)}
    m = scoring.score_chunk(model, [d for _, d, _ in cands], [d for _, d in vacs])
    scores = np.where(m.insufficient, np.nan, m.score)
    return scores[[c_order[i] for i in candidate_ids]][:, [v_order[j] for j in vacancy_ids]]


# --- robustness ------------------------------------------------------------------------------------------------
WEAK_CV_MIN_WORDS = 150


@dataclass
class VacancyRobustness:
    """Robustness figures of one vacancy; dicts keyed by ranker name (``RANKERS``) unless said otherwise.

    ``stuffing_rank[ranker][shape]`` is the competition rank of the generated CV among the pool plus itself
    (1 = best, ``pool_size + 1`` = last); ``stuffing_flag[shape]`` the engine's keyword-list flag on it;
    ``hard_negative[ranker]`` is ``(pairs, original strictly higher, ties)``; ``rewrite[ranker]`` the absolute
    rank changes of the CVs a synonym rewrite changed; ``confidence`` counts the engine's confidence over the
    pool ("" = insufficient data); ``ties[ranker]`` the number of pool CVs whose score equals another's."""

    reference: str
    pool_size: int
    stuffing_rank: dict[str, dict[str, int]] = field(default_factory=dict)
    stuffing_flag: dict[str, bool] = field(default_factory=dict)
    hard_negative: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    rewrite: dict[str, list[int]] = field(default_factory=dict)
    confidence: Counter = field(default_factory=Counter)
    ties: dict[str, int] = field(default_factory=dict)


@dataclass
class RobustnessReport:
    """Per-vacancy figures and the pool's engine flags (language code → CVs; CVs flagged as keyword lists)."""

    vacancies: list[VacancyRobustness]
    pool_size: int
    languages: Counter
    keyword_lists: int
    stuffing: dict[str, list[str]]  # vacancy reference → the four generated texts, in SHAPES order


def _column(values: list[dict]) -> list[float | None]:
    return [v["score"] for v in values]


def robustness_report(
    pool_texts: list[str],
    vacancies: list[tuple[str, str, scoring.VacancyDocument]],
    *,
    seed: int = 0,
    baselines: bool = True,
) -> RobustnessReport:
    """Robustness of the engine, plain TF-IDF and BM25 for each ``(reference, description, document)`` vacancy,
    with ``pool_texts`` (real CV texts) as the candidate pool.

    The engine scores every text from its words with the stored model (``selectors.documents_from_text``; nothing
    is saved): the pool, its stripped and rewritten versions in one vectorised call over all vacancies, the
    generated stuffing CVs in a second.  The baselines are fitted per vacancy on the pool plus that vacancy's
    generated texts.  The weak CV of ``hidden_block`` is the pool CV of at least 150 words with the lowest
    engine score for the vacancy (any CV when none is that long).  ``baselines=False`` measures the engine
    only (the real-data tests: 55 vacancies without 110 baseline fits)."""
    extractor, _ = vocabulary_store.skill_extractor()
    entries = vocabulary_store.vocabulary_entries()
    vocabulary = [e.name for e in entries if e.category != "soft"]
    model = model_store.model_load_or_fit()
    n = len(pool_texts)
    stripped = [robustness.strip_skill_sentences(t, extractor) for t in pool_texts]
    rewritten = [robustness.synonym_rewrite(t, extractor, entries) for t in pool_texts]
    changed = [i for i in range(n) if rewritten[i] != pool_texts[i]]
    vdocs = [doc for _, _, doc in vacancies]

    # 1. the pool and its variants, all vacancies at once
    texts = list(pool_texts) + stripped + [rewritten[i] for i in changed]
    _, cdocs = selectors.documents_from_text(vacancy_text=vacancies[0][1], cv_texts=texts)
    matrices = scoring.score_chunk(model, cdocs, vdocs)
    pool_docs = cdocs[:n]
    languages = Counter(d.language for d in pool_docs)
    keyword_lists = sum(d.keyword_list for d in pool_docs)

    # 2. stuffing CVs, aimed at each vacancy
    stuffing: dict[str, list[str]] = {}
    for j, (ref, _, vdoc) in enumerate(vacancies):
        column = _column(services.score_details(matrices=matrices, candidates=pool_docs, column=j))
        long_enough = [i for i in range(n) if len(pool_texts[i].split()) >= WEAK_CV_MIN_WORDS] or list(
            range(n)
        )
        weak = min(long_enough, key=lambda i: (robustness.sortable_score(column[i]), i))
        skills = list(vdoc.required) + [s for s in vdoc.desirable if s not in vdoc.required]
        generated = robustness.stuffing_cvs(skills, vocabulary, pool_texts[weak], seed)
        stuffing[ref] = [generated[shape] for shape in robustness.SHAPES]
    flat = [t for ref, _, _ in vacancies for t in stuffing[ref]]
    _, sdocs = selectors.documents_from_text(vacancy_text=vacancies[0][1], cv_texts=flat)
    s_matrices = scoring.score_chunk(model, sdocs, vdocs)

    shapes = robustness.SHAPES
    out = []
    for j, (ref, description, vdoc) in enumerate(vacancies):
        details = services.score_details(matrices=matrices, candidates=cdocs, column=j)
        s_details = services.score_details(matrices=s_matrices, candidates=sdocs, column=j)[
            j * len(shapes) : (j + 1) * len(shapes)
        ]
        required = set(vdoc.required)
        eligible = [i for i in range(n) if required & set(pool_docs[i].skills)]
        result = VacancyRobustness(reference=ref, pool_size=n)
        result.stuffing_flag = {shape: d["keyword_list"] for shape, d in zip(shapes, s_details, strict=True)}
        result.confidence = Counter(d["confidence"] for d in details[:n])

        engine_all = _column(details)
        columns = {ENGINE: (engine_all[:n], engine_all[n : 2 * n], engine_all[2 * n :], _column(s_details))}
        corpus = (
            list(pool_texts)
            + stuffing[ref]
            + [stripped[i] for i in eligible]
            + [rewritten[i] for i in changed]
        )
        for name, fn in ((PLAIN, plain_tfidf_scores), (BM25, bm25_scores)) if baselines else ():
            col = list(fn(corpus, [description])[:, 0])
            s0, s1 = n + len(shapes), n + len(shapes) + len(eligible)
            strip_col = [None] * n
            for k, i in enumerate(eligible):
                strip_col[i] = col[s0 + k]
            columns[name] = (col[:n], strip_col, col[s1:], col[n:s0])
        for name, (pool, strip_col, rewrite_col, stuff_col) in columns.items():
            result.stuffing_rank[name] = {
                shape: robustness.rank_of(list(pool) + [stuff_col[k]], n) for k, shape in enumerate(shapes)
            }
            higher = ties = 0
            for i in eligible:
                a, b = robustness.sortable_score(pool[i]), robustness.sortable_score(strip_col[i])
                higher += a > b
                ties += a == b
            result.hard_negative[name] = (len(eligible), higher, ties)
            moves = []
            for k, i in enumerate(changed):
                moved = list(pool)
                moved[i] = rewrite_col[k]
                moves.append(abs(robustness.rank_of(moved, i) - robustness.rank_of(pool, i)))
            result.rewrite[name] = moves
            result.ties[name] = robustness.count_ties(pool)
        out.append(result)
    return RobustnessReport(out, n, languages, keyword_lists, stuffing)
