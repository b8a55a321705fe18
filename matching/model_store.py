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

from matching import scoring, term_store
from matching.models import Skill, StoredMatchingModel
from matching.selectors import candidate_documents
from matching.vocabulary_store import current_vocabulary_version, skill_extractor
from recruiting.models import Candidate

logger = logging.getLogger(__name__)

_models: dict[str, scoring.MatchingModel] = {}
_model_lock = threading.RLock()


def model_fit(rows: list | None = None) -> scoring.MatchingModel:
    """Fit the engine's model on every candidate and persist it (a no-op when the same model is stored): the
    word IDF from the document frequencies kept as counts (``term_store.frequencies_current``, after counting the
    CVs that have no stored counts yet, ``candidate_terms_backfill``), the skill IDF and co-occurrence from every
    candidate's skills (``rows`` from ``candidate_documents`` when the caller has them).  No CV text is
    tokenised, except those never counted.  The stored ``StoredMatchingModel`` records the frequencies' digest."""
    term_store.candidate_terms_backfill()
    frequencies = term_store.frequencies_current()
    rows = (
        rows
        if rows is not None
        else candidate_documents(list(Candidate.objects.values_list("pk", flat=True)), evidence=False)
    )
    vocab_version = current_vocabulary_version()
    skills = list(Skill.objects.values_list("name", "broader"))
    model = scoring.MatchingModel.fit_frequencies(
        frequencies,
        [d.skills for _, d, _ in rows],
        [name for name, _ in skills],
        {name: wide for name, wide in skills if wide},
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
