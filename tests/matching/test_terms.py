"""Term counts read once and document frequencies kept as counts (``matching.terms``, issue 15); no database."""

import dataclasses
import random

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matching import scoring
from matching.scoring import CandidateDocument, MatchingModel, VacancyDocument
from matching.terms import (
    N_FEATURES,
    DocumentFrequencies,
    FeatureIndex,
    FrequencyDelta,
    TermCounts,
    counts_matrix,
    text_terms,
)

WORDS = [
    *("python", "sql", "spark", "airflow", "kafka", "docker", "kubernetes", "pandas", "numpy", "tensorflow"),
    *("keras", "sales", "negotiation", "accounts", "regional", "manager", "pipeline", "customers", "models"),
    *("clustering", "regression", "classification", "vision", "warehouse", "etl"),
]


def _texts(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(35, 90))) for _ in range(n)]


def test_hashed_word_tfidf_equals_the_fitted_vectorizer_it_replaces():
    """Same analyzer, sublinear tf, smoothed IDF over the CVs, words in fewer than two CVs ignored: the cosine of
    a vacancy and each CV is what scikit-learn's TfidfVectorizer(min_df=2) gave before issue 15."""
    cvs = [*_texts(30), "zebracorn " + _texts(1, seed=9)[0]]  # one word only one CV holds
    vacancies = _texts(4, seed=2)
    model = MatchingModel.fit(cvs, [{} for _ in cvs], [])
    ours = (model.text_matrix(cvs) @ model.text_matrix(vacancies).T).toarray()
    fitted = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit(cvs)
    theirs = (fitted.transform(cvs) @ fitted.transform(vacancies).T).toarray()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert len(model.word_terms) == len(fitted.vocabulary_)


def test_scores_from_stored_counts_equal_scores_from_the_text():
    cvs = _texts(12, seed=3)
    model = MatchingModel.fit(cvs, [{"Python": 1.0}] * 12, ["Python", "SQL"])
    cands = [CandidateDocument(text=t, skills={"Python": 1.0, "SQL": 0.6}, years_experience=3) for t in cvs]
    vacs = [VacancyDocument(text=t, required={"Python": 2, "SQL": 1}) for t in _texts(3, seed=4)]
    from_text = scoring.score_chunk(model, cands, vacs)
    stored = [
        dataclasses.replace(c, text="", terms=TermCounts.from_bytes(t.to_bytes(), t.words))
        for c, t in zip(cands, text_terms(cvs), strict=True)
    ]
    stored_v = [dataclasses.replace(v, text="", terms=text_terms([v.text])[0]) for v in vacs]
    from_counts = scoring.score_chunk(model, stored, stored_v)
    np.testing.assert_allclose(from_counts.score, from_text.score, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        from_counts.components["text"], from_text.components["text"], rtol=0, atol=1e-9
    )
    assert (from_counts.components["text"] > 0).all()
    assert (
        from_counts.confidence_level == from_text.confidence_level
    ).all()  # word counts kept with the terms


def test_term_counts_round_trip_and_keep_the_word_count():
    (terms,) = text_terms(["Python and SQL, python again; Data  science"])
    back = TermCounts.from_bytes(terms.to_bytes(), terms.words)
    assert back.words == 7 and np.array_equal(back.features, terms.features)
    assert np.array_equal(back.counts, terms.counts) and int(back.counts.max()) == 2  # "python" twice
    assert list(back.features) == sorted(set(back.features.tolist()))
    assert text_terms([""])[0].words == 0 and len(text_terms([""])[0].features) == 0


def test_document_frequencies_kept_by_changes_equal_a_recount():
    """Inserts, updates and deletes in a random order: the frequencies kept change by change equal those counted
    from scratch over the documents left, and survive storage."""
    rng = random.Random(5)
    texts = _texts(40, seed=6)
    docs: dict[int, TermCounts] = {}
    kept = DocumentFrequencies.empty()
    for step in range(200):
        key = rng.randrange(15)
        action = rng.random()
        if action < 0.25 and key in docs:
            new = None  # deleted
        elif action < 0.3:
            new = text_terms([""])[0]  # a blank text: no terms, not a document
        else:
            new = text_terms([texts[step % len(texts)]])[0]
        kept = kept.with_delta(FrequencyDelta.between(docs.get(key), new))
        if new is None:
            docs.pop(key, None)
        else:
            docs[key] = new
    recounted = DocumentFrequencies.from_terms(list(docs.values()))
    assert kept == recounted and kept.digest() == recounted.digest()
    assert kept.n_documents == sum(1 for d in docs.values() if d.words)
    assert DocumentFrequencies.from_bytes(kept.to_bytes()) == kept
    assert (
        kept.with_delta(FrequencyDelta.between(None, text_terms(["python kafka"])[0])).digest()
        != kept.digest()
    )


def test_feature_index_finds_the_positions_a_binary_search_finds():
    rng = np.random.default_rng(7)
    # a model's terms: sorted unique ids, some crowded into a few buckets, the first and last ids possible
    columns = np.unique(
        np.concatenate(
            [rng.integers(0, N_FEATURES, 50_000), np.arange(4096, 4096 + 40), np.array([0, N_FEATURES - 1])]
        )
    )
    index = FeatureIndex(columns)
    queries = np.concatenate([rng.integers(0, N_FEATURES, 20_000), columns[::7], np.arange(4080, 4150)])
    position, known = index.positions(queries)
    expected = np.searchsorted(columns, queries)
    in_columns = np.isin(queries, columns)
    np.testing.assert_array_equal(known, in_columns)
    np.testing.assert_array_equal(position[known], expected[known])

    rows = text_terms(_texts(60)) + [TermCounts(np.zeros(0, "<u4"), np.zeros(0, "<u2"), 0)]
    terms = np.unique(np.concatenate([r.features for r in rows]).astype(np.int64))[::2]
    plain, indexed = counts_matrix(rows, terms), counts_matrix(rows, FeatureIndex(terms))
    assert plain.shape == indexed.shape and plain.nnz == indexed.nnz > 0
    np.testing.assert_array_equal(plain.indptr, indexed.indptr)
    np.testing.assert_array_equal(plain.indices, indexed.indices)
    np.testing.assert_array_equal(plain.data, indexed.data)
