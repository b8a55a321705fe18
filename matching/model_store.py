"""The fitted engine model (``StoredMatchingModel``): fit and persist it, load it once per process, name its version.

Web requests only ever *load* (``model_load``, which returns ``None`` when no model of this engine version is
stored); fitting reads every candidate's skills and the kept word document frequencies (no text: each was counted
once when saved, ``matching.term_store``) and belongs to workers and commands (``model_fit``,
``model_load_or_fit``).
The per-process cache is filled under a lock: a gthread web worker has several threads, and on a cold cache each
of them loaded its own model (1.7 s) at once (issue 16, load).  This lock is always taken before the vocabulary's
extractor lock (``matching.vocabulary_store``), never after.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from matching import scoring, term_store
from matching.models import Skill, StoredMatchingModel
from matching.vocabulary_store import current_vocabulary_version, skill_extractor
from recruiting.models import Candidate, CandidateSkill

logger = logging.getLogger(__name__)

_SLICE = 5000  # candidates whose skills one query of the fit reads
_models: dict[str, scoring.MatchingModel] = {}
_model_lock = threading.RLock()


def model_fit(candidate_ids: Sequence[int] | None = None) -> scoring.MatchingModel:
    """Fit the engine's model on the candidate pool and persist it (a no-op when the same model is stored): the
    word IDF from the document frequencies kept as counts (``term_store.frequencies_current``, after counting the
    CVs that have no stored counts yet, ``candidate_terms_backfill``), the skill IDF and co-occurrence from every
    candidate's skills, read as ``(candidate, skill)`` pairs a slice of candidates at a time
    (``_skill_presence``): memory holds the pool's 0/1 presence matrix (12 bytes a held skill), never its
    documents.  ``candidate_ids``: the pool, ascending (default: every candidate), when the caller has listed it.
    No CV text is tokenised, except those never counted.  The stored ``StoredMatchingModel`` records the
    frequencies' digest."""
    term_store.candidate_terms_backfill()
    frequencies = term_store.frequencies_current()
    ids = np.asarray(
        candidate_ids
        if candidate_ids is not None
        else Candidate.objects.order_by("pk").values_list("pk", flat=True),
        dtype=np.int64,
    )
    vocab_version = current_vocabulary_version()
    skills = list(Skill.objects.order_by("name").values_list("pk", "name", "broader"))
    names = sorted({name for _, name, _ in skills})
    model = scoring.MatchingModel.fit_presence(
        frequencies,
        _skill_presence(ids, {pk: name for pk, name, _ in skills}, names),
        names,
        {name: wide for _, name, wide in skills if wide},
    )
    StoredMatchingModel.objects.get_or_create(
        version=model.version,
        defaults={
            "vocabulary_version": vocab_version,
            "n_documents": model.n_documents,
            "frequencies_digest": model.frequencies_digest,
            "data": model.to_bytes(),
        },
    )
    _models[model.version] = model
    return model


def _skill_presence(ids: np.ndarray, skill_names: dict[int, str], names: list[str]) -> sp.csr_matrix:
    """The pool's skill presence (``scoring.skill_presence``): row ``i`` is candidate ``ids[i]`` (ids ascending),
    1.0 in the column of each skill it holds with a strength above 0; ``skill_names`` maps skill id → name,
    ``names`` are the columns.  Reads ``(candidate id, skill id)`` pairs by ranges of ``_SLICE`` candidates (one
    query each, no document built); links of candidates not in ``ids`` (saved since they were listed) are left
    out, and so are skills not in ``skill_names`` (added since it was read)."""
    column = {name: j for j, name in enumerate(names)}
    column_of_skill = np.full(
        max(skill_names, default=0) + 1, -1, dtype=np.int64
    )  # -1: not in the vocabulary
    for pk, name in skill_names.items():
        column_of_skill[pk] = column[name]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for start in range(0, len(ids), _SLICE):
        first, last = int(ids[start]), int(ids[min(start + _SLICE, len(ids)) - 1])
        pairs = np.array(
            list(
                CandidateSkill.objects.filter(
                    candidate_id__gte=first, candidate_id__lte=last, strength__gt=0
                ).values_list("candidate_id", "skill_id")
            ),
            dtype=np.int64,
        ).reshape(-1, 2)
        row = np.searchsorted(ids, pairs[:, 0])
        col = column_of_skill[np.minimum(pairs[:, 1], len(column_of_skill) - 1)]
        col[pairs[:, 1] >= len(column_of_skill)] = -1  # a skill added since the vocabulary was read
        listed = (row < len(ids)) & (ids[np.minimum(row, len(ids) - 1)] == pairs[:, 0]) & (col >= 0)
        rows.append(row[listed])
        cols.append(col[listed])
    return scoring.skill_presence(
        np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
        np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64),
        len(ids),
        len(names),
    )


def model_load(version: str | None = None) -> scoring.MatchingModel | None:
    """The stored model of ``version`` (default: the latest), loaded once per process; ``None`` when no such model
    is stored or it was fitted by another engine version.  Never fits: safe in a web request."""
    if not version:
        # The latest version's name only: the archive (megabytes at 100,000 CVs) is read once per process.
        version = latest_model_version()
    if not version:
        return None
    if version in _models:
        return _models[version]
    with _model_lock:
        if version in _models:  # loaded by another thread meanwhile
            return _models[version]
        row = StoredMatchingModel.objects.filter(version=version).first()
        if row is None:
            return None
        model = scoring.MatchingModel.from_bytes(row.data)
        if model.engine_version != scoring.ENGINE_VERSION:
            return None  # fitted by another engine version (its related-skill model may be missing)
        _models[row.version] = model
        return model


def model_load_or_fit(version: str | None = None) -> scoring.MatchingModel:
    """``model_load(version)``, or a model fitted now on every candidate when none is stored (or the stored one is
    of another engine version).  Fitting takes minutes at 100,000 candidates: workers and commands only, never a
    web request."""
    with _model_lock:
        model = model_load(version)
        return model if model is not None else model_fit()


def caches_warm() -> None:
    """Build this process's skill extractor and load the latest stored model, so that a web worker's first
    requests do not pay for them (``gunicorn.conf.py`` calls this as each worker starts; about 2 s each at 414
    skills and 2,000 CVs).  Never fits a model.  Any error is logged (without data) and swallowed; the worker then
    builds what it needs on first use.  Closes this thread's database connection afterwards."""
    from django.db import connections

    try:
        skill_extractor()
        model_load()
    except Exception as exc:  # noqa: BLE001 - a worker that cannot warm up still serves
        logger.warning("caches not warmed at start (%s); built on first use instead", type(exc).__name__)
    finally:
        connections.close_all()


def latest_model_version() -> str | None:
    """The version of the most recently stored model, or ``None`` when none is stored."""
    return (
        StoredMatchingModel.objects.order_by("-created_at", "-pk").values_list("version", flat=True).first()
    )
