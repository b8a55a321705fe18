"""Term counts of a text, read once, and the document frequencies kept from them (issue 15).  Pure: no Django.

A (neutralised) text is tokenised exactly as the engine's word TF-IDF always was — scikit-learn's analyzer with
English stop words removed, lower-case words of two or more letters or digits, unigrams and bigrams — and each
term is hashed to a feature id in ``[0, N_FEATURES)`` (``HashingVectorizer``: 32-bit MurmurHash3, seed 0,
``alternate_sign=False``).  A document's ``TermCounts`` (feature ids, their counts and its word count) is all the
engine's text component needs: it is computed when a CV or vacancy is saved and stored (``matching.term_store``),
so a full rescore never tokenises a text again.  With 2³¹ − 1 buckets two terms share a feature id about once in
200 million pairs: at 10 million distinct terms, ~0.2 % of them collide, mostly terms seen in one CV only.

``DocumentFrequencies`` holds, per feature, the number of candidates' documents it occurs in, and the number of
documents; it is updated document by document (``with_delta`` of a ``FrequencyDelta``), so the IDF is current
without a refit pass.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

# Hashing space and analyzer settings; changing any of them changes every feature id (bump TERMS_VERSION).
N_FEATURES = 2**31 - 1
TERMS_VERSION = "1"
# Counts are stored as uint16; a term repeated more often than this counts this many times (1 + ln tf is 12.1).
MAX_COUNT = 65535

_HASHER = HashingVectorizer(
    n_features=N_FEATURES,
    alternate_sign=False,
    norm=None,
    stop_words="english",
    ngram_range=(1, 2),
    dtype=np.float64,
)


@dataclass(frozen=True)
class TermCounts:
    """One document's terms: ``features`` (uint32, ascending, unique hashed feature ids in ``[0, N_FEATURES)``),
    ``counts`` (uint16, ≥ 1, same length: occurrences in the text, capped at ``MAX_COUNT``) and ``words``, the
    number of whitespace-separated words of the text (for "too little text" and confidence).  Read from storage,
    the arrays are views of the stored bytes (no copy: 100,000 CVs are held at 6 bytes a term)."""

    features: np.ndarray
    counts: np.ndarray
    words: int

    def to_bytes(self) -> bytes:
        """Compact storage: the feature ids as little-endian uint32, then the counts as uint16 (6 bytes a term)."""
        return self.features.astype("<u4").tobytes() + self.counts.astype("<u2").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, words: int) -> TermCounts:
        """Read what ``to_bytes`` wrote.  Raises ``ValueError`` when the length is not a multiple of 6."""
        data = bytes(data)
        if len(data) % 6:
            raise ValueError("damaged term counts")
        n = len(data) // 6
        features = np.frombuffer(data, dtype="<u4", count=n)
        counts = np.frombuffer(data, dtype="<u2", count=n, offset=4 * n)
        return cls(features, counts, int(words))


def text_terms(texts: Sequence[str]) -> list[TermCounts]:
    """The ``TermCounts`` of each text (already neutralised), in order.  An empty text has no features."""
    if not texts:
        return []
    m = _HASHER.transform(list(texts)).tocsr()
    m.sum_duplicates()
    m.sort_indices()
    out = []
    for i, text in enumerate(texts):
        start, end = m.indptr[i], m.indptr[i + 1]
        counts = np.minimum(np.rint(m.data[start:end]), MAX_COUNT).astype("<u2")
        out.append(TermCounts(m.indices[start:end].astype("<u4"), counts, len(text.split())))
    return out


class FeatureIndex:
    """The positions of hashed feature ids in a sorted array of them (a model's word terms), found through buckets
    of ``2**BUCKET_BITS`` consecutive ids: ``starts[b]`` is the position of bucket ``b``'s first id, so a lookup
    reads one bucket start and steps over the few ids before it (below one a bucket on average at 800,000 terms)
    instead of binary-searching the whole array (~20 cache misses a lookup at 100,000 CVs).  Same positions as
    ``np.searchsorted``.  Memory: 4 bytes a bucket (4 MiB)."""

    BUCKET_BITS = 11

    def __init__(self, columns: np.ndarray) -> None:
        self.columns = np.asarray(columns, dtype=np.int64)
        bounds = np.arange((N_FEATURES >> self.BUCKET_BITS) + 2, dtype=np.int64) << self.BUCKET_BITS
        self.starts = np.searchsorted(self.columns, bounds).astype(np.int32)

    def __len__(self) -> int:
        return len(self.columns)

    def positions(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(position, known)`` of each id of ``features`` (int64 in ``[0, N_FEATURES)``): ``known`` where the id
        is in the columns, at ``position``."""
        bucket = features >> self.BUCKET_BITS
        position = self.starts[bucket].astype(np.int64)
        end = self.starts[bucket + 1]
        columns = self.columns
        active = np.flatnonzero(position < end)
        while len(active):  # as many rounds as the fullest bucket holds ids
            ahead = columns[position[active]] < features[active]
            active = active[ahead]
            position[active] += 1
            active = active[position[active] < end[active]]
        known = position < end
        known[known] = columns[position[known]] == features[known]
        return position, known


def counts_matrix(rows: Sequence[TermCounts], columns: np.ndarray | FeatureIndex) -> sp.csr_matrix:
    """Counts of ``rows`` over the model's terms: shape ``(len(rows), len(columns))`` where ``columns`` are the
    model's feature ids (ascending; a ``FeatureIndex`` of them looks them up faster); features outside
    ``columns`` are dropped.  float64, each row's columns ascending (the features are)."""
    index = columns if isinstance(columns, FeatureIndex) else None
    n_columns = len(columns)
    lengths = np.fromiter((len(r.features) for r in rows), dtype=np.int64, count=len(rows))
    if not lengths.sum() or n_columns == 0:
        return sp.csr_matrix((len(rows), n_columns))
    features = np.concatenate([r.features for r in rows]).astype(np.int64)
    counts = np.concatenate([r.counts for r in rows]).astype(np.float64)
    if index is not None:
        position, known = index.positions(features)
    else:
        position = np.searchsorted(columns, features)
        position[position >= n_columns] = 0
        known = columns[position] == features
    row_of = np.repeat(np.arange(len(rows)), lengths)
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of[known], minlength=len(rows)), out=indptr[1:])
    index_dtype = np.int32 if max(int(indptr[-1]), n_columns) < 2**31 else np.int64
    return sp.csr_matrix(
        (counts[known], position[known].astype(index_dtype), indptr.astype(index_dtype)),
        shape=(len(rows), n_columns),
    )


@dataclass(frozen=True)
class FrequencyDelta:
    """A change to document frequencies: ``features`` (int64, ascending, unique) whose count changes by ``deltas``
    (int64, non-zero, same length), and ``documents`` added to the number of documents (negative: removed)."""

    features: np.ndarray
    deltas: np.ndarray
    documents: int

    @classmethod
    def between(cls, old: TermCounts | None, new: TermCounts | None) -> FrequencyDelta:
        """What replacing document ``old`` by ``new`` changes (either ``None``: no document)."""
        empty = np.zeros(0, dtype=np.int64)
        before = old.features.astype(np.int64) if old is not None else empty
        after = new.features.astype(np.int64) if new is not None else empty
        documents = int(bool(new is not None and new.words)) - int(bool(old is not None and old.words))
        if old is None and bool(np.all(after[1:] > after[:-1])):
            # A new document (an import's every CV): its features, ascending and unique as TermCounts holds them,
            # each count once — what the set differences and the total below give, at a third of the cost.
            return cls(after, np.ones(len(after), np.int64), documents)
        added, removed = np.setdiff1d(after, before), np.setdiff1d(before, after)
        return cls.total(
            [
                cls(added, np.ones(len(added), np.int64), documents),
                cls(removed, -np.ones(len(removed), np.int64), 0),
            ]
        )

    @classmethod
    def total(cls, parts: Sequence[FrequencyDelta]) -> FrequencyDelta:
        """The sum of ``parts`` (features that cancel out are dropped)."""
        if not parts:
            return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0)
        values = np.concatenate([p.features for p in parts]).astype(np.int64)
        weights = np.concatenate([p.deltas for p in parts]).astype(np.int64)
        features, inverse = np.unique(values, return_inverse=True)
        deltas = np.bincount(inverse, weights=weights, minlength=len(features)).astype(np.int64)
        keep = deltas != 0
        return cls(features[keep], deltas[keep], sum(int(p.documents) for p in parts))

    def __bool__(self) -> bool:
        return bool(len(self.features) or self.documents)

    def to_bytes(self) -> tuple[bytes, bytes]:
        """``(features as little-endian uint32, deltas as int32)``."""
        return self.features.astype("<u4").tobytes(), self.deltas.astype("<i4").tobytes()

    @classmethod
    def from_bytes(cls, features: bytes, deltas: bytes, documents: int) -> FrequencyDelta:
        return cls(
            np.frombuffer(bytes(features), dtype="<u4").astype(np.int64),
            np.frombuffer(bytes(deltas), dtype="<i4").astype(np.int64),
            int(documents),
        )


@dataclass(frozen=True)
class DocumentFrequencies:
    """Per hashed feature, the number of documents it occurs in: ``features`` (int64, ascending, unique) and ``df``
    (int64, ≥ 1, same length), over ``n_documents`` documents (those with a non-blank text)."""

    n_documents: int
    features: np.ndarray
    df: np.ndarray

    @classmethod
    def empty(cls) -> DocumentFrequencies:
        return cls(0, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    @classmethod
    def from_terms(cls, rows: Sequence[TermCounts]) -> DocumentFrequencies:
        """Counted from scratch over ``rows``."""
        if not rows:
            return cls.empty()
        features = np.concatenate([r.features for r in rows]).astype(np.int64)
        delta = FrequencyDelta.total(
            [FrequencyDelta(features, np.ones(len(features), np.int64), sum(1 for r in rows if r.words))]
        )
        return cls.empty().with_delta(delta)

    def with_delta(self, delta: FrequencyDelta) -> DocumentFrequencies:
        """A copy with ``delta`` applied; features whose count falls to 0 are dropped.  Raises ``ValueError`` when a
        count or ``n_documents`` would fall below 0."""
        total = FrequencyDelta.total([FrequencyDelta(self.features, self.df, self.n_documents), delta])
        if (total.deltas < 0).any() or total.documents < 0:
            raise ValueError("document frequencies would fall below zero")
        return DocumentFrequencies(total.documents, total.features, total.deltas)

    def digest(self) -> str:
        """A content hash (12 hex digits): equal frequencies have equal digests."""
        digest = hashlib.sha256()
        digest.update(TERMS_VERSION.encode())
        digest.update(str(self.n_documents).encode())
        digest.update(self.features.astype("<i8").tobytes())
        digest.update(self.df.astype("<i8").tobytes())
        return digest.hexdigest()[:12]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            n_documents=np.array(self.n_documents),
            features=self.features.astype("<u4"),
            df=self.df.astype("<u4"),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> DocumentFrequencies:
        """Read what ``to_bytes`` wrote.  Raises ``ValueError`` on a damaged archive."""
        try:
            arrays = np.load(io.BytesIO(bytes(data)), allow_pickle=False)
            return cls(
                int(arrays["n_documents"]),
                arrays["features"].astype(np.int64),
                arrays["df"].astype(np.int64),
            )
        except (KeyError, OSError, ValueError) as exc:
            raise ValueError(f"damaged document frequencies: {exc}") from exc

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DocumentFrequencies)
            and self.n_documents == other.n_documents
            and np.array_equal(self.features, other.features)
            and np.array_equal(self.df, other.df)
        )

    __hash__ = None  # type: ignore[assignment]


def source_digest(text: str, names: Sequence[str] = ()) -> str:
    """A hash (32 hex digits) of what a document's term counts were read from: the stored text and the names
    neutralising removed from it.  Equal digests: the stored counts are still those of the text.

    The first 32 hex digits of SHA-256 over ``TERMS_VERSION``, then for each of ``text`` and ``names`` a NUL byte
    and its UTF-8 bytes.  ``source_digest_sql`` is the same formula in PostgreSQL: the two must agree
    (tests/matching/test_source_digest_sql.py), change both or neither."""
    digest = hashlib.sha256(TERMS_VERSION.encode())
    for part in (text, *names):
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def source_digest_sql(text: str, names: Sequence[str] = ()) -> str:
    """``source_digest`` as a PostgreSQL (11+) expression, so a database compares stored digests with its texts
    without sending the texts: ``text`` and ``names`` are SQL expressions of type text (column references or
    placeholders, inserted as given), the result an expression of type text (32 lower-case hex digits), NULL
    when any part is NULL.  Must agree with ``source_digest`` on every text PostgreSQL can store (no NUL; texts
    are valid UTF-8 there, so ``surrogatepass`` never applies): tests/matching/test_source_digest_sql.py checks
    awkward ones.  The constant bytes go in as hex, never as quoted text."""
    prefix = f"decode('{TERMS_VERSION.encode().hex()}', 'hex')"
    parts = "".join(f" || decode('00', 'hex') || convert_to({part}, 'UTF8')" for part in (text, *names))
    return f"left(encode(sha256({prefix}{parts}), 'hex'), 32)"
