"""Between the ORM and the pure engine: extracted profiles, the persisted model, scoring and enqueueing.

Writes here are idempotent: match scores are upserted on (candidate, vacancy), so a task delivered twice
leaves the same rows.  CV text never reaches a log line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from matching import evidence as skill_evidence
from matching import scoring
from matching.extraction import (
    EXTRACTION_VERSION,
    SkillEntry,
    SkillExtractor,
    decide_requirements,
    extract_min_years_required,
    extract_qualifications,
    extract_role_titles,
    extract_years_experience,
    role_skills,
    vocabulary_version,
)
from matching.fairness import neutralise
from matching.language import detect_language
from matching.models import MatchScore, ScoringRun, ShortlistThreshold, Skill, TextModel
from recruiting import events
from recruiting.models import (
    Application,
    Candidate,
    CandidateSkill,
    Qualification,
    SkillOrigin,
    Vacancy,
    VacancySkill,
)
from recruiting.names import name_from_cv

logger = logging.getLogger(__name__)

_extractors: dict[str, SkillExtractor] = {}
_models: dict[str, scoring.MatchingModel] = {}
_batch = threading.local()
# The per-process caches above are built under a lock: a gthread web worker has several threads, and on a cold
# cache each of them built its own extractor (1.9 s) and loaded its own model (1.7 s), all at once on the same
# cores (issue 16, load: a candidate's first scores page timed out at 30 s).  Re-entrant: fitting a model reads
# the vocabulary.  The model lock is always taken before the extractor lock, never after.
_extractor_lock = threading.RLock()
_model_lock = threading.RLock()


# --- vocabulary ---------------------------------------------------------------------------------------
def vocabulary_entries() -> list[SkillEntry]:
    """The skill vocabulary as stored, ordered by name."""
    return [
        SkillEntry(
            name=s.name,
            category=s.category,
            aliases=tuple(s.aliases or ()),
            ambiguous=s.ambiguous,
            broader=tuple(s.broader or ()),
        )
        for s in Skill.objects.order_by("name").only("name", "category", "aliases", "ambiguous", "broader")
    ]


def current_vocabulary_version() -> str:
    return vocabulary_version(vocabulary_entries())


_by_digest: dict[str, tuple[SkillExtractor, str]] = {}


def _vocabulary_digest() -> str | None:
    """On PostgreSQL, an MD5 of the stored vocabulary computed by the database (one row back instead of every
    skill), so a worker re-reads the vocabulary only when it changed; ``None`` elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(string_agg(concat_ws(chr(31), name, aliases::text, category, ambiguous::text, "
            f"broader::text), chr(30) ORDER BY name)) FROM {Skill._meta.db_table}"
        )
        return cursor.fetchone()[0] or ""


def skill_extractor() -> tuple[SkillExtractor, str]:
    """The extractor for the stored vocabulary and that vocabulary's version; built once per version."""
    digest = _vocabulary_digest()
    if digest is not None and digest in _by_digest:
        return _by_digest[digest]
    with _extractor_lock:
        if digest is not None and digest in _by_digest:  # built by another thread meanwhile
            return _by_digest[digest]
        return _skill_extractor_build(digest)


def _skill_extractor_build(digest: str | None) -> tuple[SkillExtractor, str]:
    entries = vocabulary_entries()
    version = vocabulary_version(entries)
    extractor = _extractors.get(version)
    if extractor is None:
        extractor = SkillExtractor(entries)
        _extractors.clear()
        _extractors[version] = extractor
    if digest is not None:
        _by_digest.clear()
        _by_digest[digest] = (extractor, version)
    return extractor, version


# --- extracted profiles ---------------------------------------------------------------------------------
def _skill_ids(names: Iterable[str]) -> dict[str, int]:
    return dict(Skill.objects.filter(name__in=set(names)).values_list("name", "id"))


def _first_lines(mentions) -> dict[str, str]:
    lines: dict[str, str] = {}
    for m in mentions:
        lines.setdefault(m.skill, m.line[:500])
    return lines


def _language_of(text: str) -> str:
    """ISO 639-1 code of the language ``text`` is written in, or ``""`` (too short, unreadable); see
    :func:`matching.language.detect_language`."""
    return detect_language(text).code


def vacancy_refresh_profile(*, vacancy: Vacancy) -> None:
    """Re-extract a vacancy's skills (with importance), qualifications, minimum years of experience and language
    from its description.

    Importance is decided by :func:`matching.extraction.decide_requirements`; ``requirements_capped`` records
    whether that capped a long uncued list to the most named skills (the admin asks the recruiter to confirm).
    Links and qualifications a recruiter entered (``origin="entered"``) are kept and win over extraction; the
    minimum years are kept when a recruiter edited the requirements.
    """
    if not vacancy.requirements_edited:
        years = extract_min_years_required(vacancy.description)
        if years != vacancy.min_years_experience:
            Vacancy.objects.filter(pk=vacancy.pk).update(min_years_experience=years)
            vacancy.min_years_experience = years
    language = _language_of(vacancy.description)
    if (language, EXTRACTION_VERSION) != (vacancy.language, vacancy.profile_version):
        Vacancy.objects.filter(pk=vacancy.pk).update(language=language, profile_version=EXTRACTION_VERSION)
        vacancy.language, vacancy.profile_version = language, EXTRACTION_VERSION
    extractor, _ = skill_extractor()
    counts: dict[str, int] = dict(extractor.counts(vacancy.description))
    decision = decide_requirements(vacancy.description, extractor, title=vacancy.title)
    importance = decision.importance
    for name in importance:  # a skill only the title names counts as one mention
        counts.setdefault(name, 1)
    if decision.capped != vacancy.requirements_capped:
        Vacancy.objects.filter(pk=vacancy.pk).update(requirements_capped=decision.capped)
        vacancy.requirements_capped = decision.capped
    ids = _skill_ids(counts)
    entered = set(vacancy.skill_links.filter(origin=SkillOrigin.ENTERED).values_list("skill_id", flat=True))
    vacancy.skill_links.filter(origin=SkillOrigin.EXTRACTED).delete()
    VacancySkill.objects.bulk_create(
        [
            VacancySkill(
                vacancy=vacancy,
                skill_id=ids[name],
                mentions=count,
                origin=SkillOrigin.EXTRACTED,
                importance=importance.get(name, "desirable"),
            )
            for name, count in counts.items()
            if name in ids and ids[name] not in entered
        ]
    )
    vacancy.qualifications.filter(origin=SkillOrigin.EXTRACTED).delete()
    Qualification.objects.bulk_create(
        [
            Qualification(vacancy=vacancy, level=q.level, field=q.field[:200], evidence=q.line[:500])
            for q in _unique_qualifications(extract_qualifications(vacancy.description))
        ]
    )


_related: dict[str, dict[str, frozenset[str]]] = {}


def related_skills(vocab_version: str) -> dict[str, frozenset[str]]:
    """Skill → the skills that corroborate it (vocabulary broader, narrower and sibling skills), cached per
    vocabulary version (``matching.evidence.related_skills``)."""
    if vocab_version not in _related:
        _related.clear()
        _related[vocab_version] = skill_evidence.related_skills(
            {name: wide or () for name, wide in Skill.objects.values_list("name", "broader")}
        )
    return _related[vocab_version]


def cv_evidence(text: str) -> skill_evidence.CvEvidence:
    """Every vocabulary skill a (neutralised) CV text shows, with its evidence level, strength and line, and the
    keyword-list verdict: the one reading of a CV's skills for profiles, uploads and free-text scoring."""
    extractor, version = skill_extractor()
    return skill_evidence.assess(text, extractor.find(text), related_skills(version))


def candidate_refresh_profile(*, candidate: Candidate) -> None:
    """Re-extract a candidate's skills (with evidence level, strength and the CV line as evidence), the
    keyword-list flag, qualifications, years of experience, the CV's language, the job titles it shows and the
    skills they name (``matching.extraction.extract_role_titles``) and the name on its first lines
    (``Candidate.cv_name``, ``recruiting.names``)."""
    text = neutralise(candidate.cv_text, names=[candidate.name])
    found = cv_evidence(text)
    ids = _skill_ids(found.skills)
    entered = set(candidate.skill_links.filter(origin=SkillOrigin.ENTERED).values_list("skill_id", flat=True))
    candidate.skill_links.filter(origin=SkillOrigin.EXTRACTED).delete()
    CandidateSkill.objects.bulk_create(
        [
            CandidateSkill(
                candidate=candidate,
                skill_id=ids[name],
                mentions=e.mentions,
                origin=SkillOrigin.EXTRACTED,
                evidence=e.line,
                evidence_level=e.level,
                strength=e.strength,
            )
            for name, e in found.skills.items()
            if name in ids and ids[name] not in entered
        ]
    )
    candidate.qualifications.filter(origin=SkillOrigin.EXTRACTED).delete()
    Qualification.objects.bulk_create(
        [
            Qualification(candidate=candidate, level=q.level, field=q.field[:200], evidence=q.line[:500])
            for q in _unique_qualifications(extract_qualifications(text))
        ]
    )
    years = extract_years_experience(text, timezone.now().date())
    changes = {}
    if years != candidate.years_experience:
        changes["years_experience"] = years
    if found.keyword_list != candidate.keyword_list:
        changes["keyword_list"] = found.keyword_list
    language = _language_of(text)
    if language != candidate.language:
        changes["language"] = language
    if candidate.profile_version != EXTRACTION_VERSION:
        changes["profile_version"] = EXTRACTION_VERSION
    titles = extract_role_titles(text)
    roles = role_skills(titles, skill_extractor()[0])
    if (titles, roles) != (candidate.role_titles, candidate.role_skills):
        changes["role_titles"], changes["role_skills"] = titles, roles
    cv_name = name_from_cv(candidate.cv_text)  # the raw text: neutralising removes names
    if cv_name != candidate.cv_name:
        changes["cv_name"] = cv_name
    if changes:
        Candidate.objects.filter(pk=candidate.pk).update(**changes)
        for name, value in changes.items():
            setattr(candidate, name, value)


def _unique_qualifications(found):
    seen, out = set(), []
    for q in found:
        key = (q.level, q.field.lower())
        if key not in seen:
            seen.add(key)
            out.append(q)
    return out


# --- engine documents ------------------------------------------------------------------------------------
_ID_SLICE = 5000  # ids per query (SQLite caps bound parameters)


def _slices(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), _ID_SLICE):
        yield ids[start : start + _ID_SLICE]


def candidate_documents(
    candidate_ids: Sequence[int], *, evidence: bool = True
) -> list[tuple[Candidate, scoring.CandidateDocument, dict[str, str]]]:
    """``(candidate, document, evidence by skill)`` for each id that exists, ordered by id.

    Reads plain values (three queries per 5,000 ids), not related model instances, so 100,000 candidates load in
    seconds; the ``Candidate`` objects carry only ``pk``, ``name``, ``years_experience`` and
    ``language``.  ``evidence=False``
    skips the evidence lines (scans that only rank).
    """
    out = []
    for ids in _slices(sorted(set(candidate_ids))):
        skills: dict[int, dict[str, float]] = {}
        levels: dict[int, dict[str, str]] = {}
        lines: dict[int, dict[str, str]] = {}
        link_fields = (
            ("candidate_id", "skill__name", "strength", "evidence_level", "origin", "evidence")
            if evidence
            else ("candidate_id", "skill__name", "strength", "evidence_level", "origin")
        )
        for row in CandidateSkill.objects.filter(candidate_id__in=ids).values_list(*link_fields):
            name = row[1]
            skills.setdefault(row[0], {})[name] = row[2]
            levels.setdefault(row[0], {})[name] = row[3] or (
                "entered" if row[4] == SkillOrigin.ENTERED else ""
            )
            if evidence:
                lines.setdefault(row[0], {})[name] = row[5]
        quals: dict[int, list[tuple[int, str]]] = {}
        for cid, level, field_name in Qualification.objects.filter(candidate_id__in=ids).values_list(
            "candidate_id", "level", "field"
        ):
            quals.setdefault(cid, []).append((level, field_name))
        for c in (
            Candidate.objects.filter(pk__in=ids)
            .only(
                "pk",
                "name",
                "cv_text",
                "years_experience",
                "keyword_list",
                "language",
                "role_titles",
                "role_skills",
            )
            .order_by("pk")
        ):
            found = quals.get(c.pk, [])
            doc = scoring.CandidateDocument(
                text=neutralise(c.cv_text, names=[c.name]),
                skills=skills.get(c.pk, {}),
                qualification_level=max((level for level, _ in found), default=0),
                fields=[f for _, f in found if f],
                years_experience=c.years_experience,
                evidence_levels=levels.get(c.pk, {}),
                keyword_list=c.keyword_list,
                keyword_reason=skill_evidence.KEYWORD_LIST_MESSAGE if c.keyword_list else "",
                language=c.language,
                roles=tuple(c.role_skills or ()),
                role_titles=tuple(c.role_titles or ()),
            )
            c.cv_text = ""  # the document holds the (neutralised) text; don't keep two copies of 100k CVs
            out.append((c, doc, lines.get(c.pk, {})))
    return out


def vacancy_documents(vacancy_ids: Sequence[int]) -> list[tuple[Vacancy, scoring.VacancyDocument]]:
    """``(vacancy, document)`` for each id, in a constant number of queries."""
    vacancies = (
        Vacancy.objects.filter(pk__in=vacancy_ids)
        .prefetch_related("skill_links__skill", "qualifications")
        .order_by("pk")
    )
    extractor, _ = skill_extractor()  # once, not per vacancy: on PostgreSQL each call is a digest query
    out = []
    for v in vacancies:
        required = {ln.skill.name: ln.mentions for ln in v.skill_links.all() if ln.importance == "required"}
        desirable = {ln.skill.name: ln.mentions for ln in v.skill_links.all() if ln.importance == "desirable"}
        quals = list(v.qualifications.all())
        min_level = v.min_qualification_level or min((q.level for q in quals), default=0)
        doc = scoring.VacancyDocument(
            text=neutralise(v.description),
            required=required,
            desirable=desirable,
            min_qualification_level=min_level,
            fields=[q.field for q in quals if q.field],
            min_years_experience=v.min_years_experience,
            weights=scoring.ComponentWeights.from_mapping(v.weights),
            core=title_skills(v.title, {**desirable, **required}, extractor=extractor),
            language=v.language,
        )
        out.append((v, doc))
    return out


def title_skills(
    title: str, skills: Iterable[str], *, extractor: SkillExtractor | None = None
) -> tuple[str, ...]:
    """The vacancy's skills its title names ("Machine Learning Engineer" → Machine learning, "Data Scientist" →
    Data science; ``matching.extraction.role_skills``): the engine weighs them ``1 + TITLE_BOOST`` times among the
    requirements and matches the candidates' own job titles against them (the ``role`` component).  ``extractor``: the stored vocabulary's, when the caller
    already has it (default: ``skill_extractor()``)."""
    if extractor is None:
        extractor, _ = skill_extractor()
    named = set(role_skills([title], extractor)) if title else set()
    return tuple(sorted(named & set(skills)))


class VacancySide:
    """The vacancies of a scoring pass, ready for the engine: ids, documents, matrices, weights as JSON.

    Built once and kept per worker process (``vacancy_side``) while the vacancies' scoring inputs stay the same,
    so one candidate's save is scored against 1,000 vacancies without reloading or re-vectorising them.
    """

    def __init__(self, model: scoring.MatchingModel, rows: list[tuple[Vacancy, scoring.VacancyDocument]]):
        self.ids = [v.pk for v, _ in rows]
        self.vacancies = {v.pk: v for v, _ in rows}
        self.documents = [d for _, d in rows]
        self.matrices = scoring.vacancy_matrices(model, self.documents)
        self.weights_json = [json.dumps(d.weights.as_dict()) for d in self.documents]

    def __len__(self) -> int:
        return len(self.ids)


_vacancy_sides: dict[tuple, VacancySide] = {}


def _vacancy_signature() -> tuple:
    """What changes when any scoring input of any vacancy changes: the vacancies (edits bump ``updated_at``;
    ``min_years``/levels set by extraction without a save are summed), their skill links and qualifications.
    One query of three aggregates over whole tables (no id lists: cheap at 1,000 vacancies)."""
    from django.db import connection

    v, s, q = Vacancy._meta.db_table, VacancySkill._meta.db_table, Qualification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {v}), (SELECT MAX(updated_at) FROM {v}), (SELECT SUM(id) FROM {v}), "
            f"(SELECT SUM(min_years_experience) FROM {v}), (SELECT SUM(min_qualification_level) FROM {v}), "
            f"(SELECT COUNT(*) FROM {s}), (SELECT SUM(id) FROM {s}), (SELECT SUM(mentions) FROM {s}), "
            f"(SELECT SUM(skill_id) FROM {s}), (SELECT SUM(id) FROM {s} WHERE importance = 'required'), "
            f"(SELECT COUNT(*) FROM {q} WHERE vacancy_id IS NOT NULL), "
            f"(SELECT SUM(id) FROM {q} WHERE vacancy_id IS NOT NULL), "
            f"(SELECT SUM(level) FROM {q} WHERE vacancy_id IS NOT NULL)"
        )
        return tuple(cursor.fetchone())


def vacancy_side(model: scoring.MatchingModel, vacancy_ids: Sequence[int]) -> VacancySide:
    """The engine-ready vacancies, from this process's cache when their inputs have not changed (one cheap
    aggregate query checks), else loaded and vectorised anew."""
    ids = sorted(set(vacancy_ids))
    key = (model.version, tuple(ids), _vacancy_signature())
    side = _vacancy_sides.get(key)
    if side is None:
        side = VacancySide(model, vacancy_documents(ids))
        if len(_vacancy_sides) >= 4:
            _vacancy_sides.clear()
        _vacancy_sides[key] = side
    return side


_categories: dict[str, dict[str, str]] = {}


def skill_categories(vocab_version: str) -> dict[str, str]:
    """Skill name → category, cached per vocabulary version."""
    if vocab_version not in _categories:
        _categories.clear()
        _categories[vocab_version] = dict(Skill.objects.values_list("name", "category"))
    return _categories[vocab_version]


def scorable_vacancy_ids() -> list[int]:
    """Vacancies that get scores: every one that is not closed."""
    return list(
        Vacancy.objects.exclude(status=Vacancy.Status.CLOSED).order_by("pk").values_list("pk", flat=True)
    )


# --- the fitted model ------------------------------------------------------------------------------------
def model_fit(rows: list | None = None, *, keep_fit_text: bool = False) -> scoring.MatchingModel:
    """Fit the engine's model on every candidate (or on ``rows`` from ``candidate_documents``) and persist it (a
    no-op when the same model is stored).  With ``keep_fit_text`` the model keeps the candidates' word TF-IDF
    matrix of the fit as ``fit_text`` (rows in the order of ``rows``), so a planning pass need not transform them
    again; the caller deletes it when done (it is large)."""
    rows = (
        rows
        if rows is not None
        else candidate_documents(list(Candidate.objects.values_list("pk", flat=True)), evidence=False)
    )
    vocab_version = current_vocabulary_version()
    skills = list(Skill.objects.values_list("name", "broader"))
    model = scoring.MatchingModel.fit(
        [d.text for _, d, _ in rows],
        [d.skills for _, d, _ in rows],
        [name for name, _ in skills],
        {name: wide for name, wide in skills if wide},
    )
    TextModel.objects.get_or_create(
        version=model.version,
        defaults={
            "vocabulary_version": vocab_version,
            "n_documents": model.n_documents,
            "data": model.to_bytes(),
        },
    )
    if not keep_fit_text:
        model.__dict__.pop("fit_text", None)
    _models[model.version] = model
    return model


def model_current(version: str | None = None) -> scoring.MatchingModel:
    """The stored model of ``version`` (default: the latest), loaded once per process; fitted if none exists."""
    if not version:
        # The latest version's name only: the archive (megabytes at 100,000 CVs) is read once per process.
        version = _latest_model_version()
    if version and version in _models:
        return _models[version]
    with _model_lock:
        return _model_load(version)


def caches_warm() -> None:
    """Build this process's skill extractor and load the latest stored model, so that a web worker's first
    requests do not pay for them (``gunicorn.conf.py`` calls this as each worker starts; about 2 s each at 414
    skills and 2,000 CVs).  Never fits a model: a missing one, or one of another engine version, is left to the
    first request that needs it.  Any error is logged (without data) and swallowed; the worker then builds what it
    needs on first use.  Closes this thread's database connection afterwards."""
    from django.db import connections

    try:
        skill_extractor()
        version = _latest_model_version()
        with _model_lock:
            if version and version not in _models:
                row = TextModel.objects.filter(version=version).first()
                model = scoring.MatchingModel.from_bytes(row.data) if row is not None else None
                if model is not None and model.engine_version == scoring.ENGINE_VERSION:
                    _models[version] = model
    except Exception as exc:  # noqa: BLE001 - a worker that cannot warm up still serves
        logger.warning("caches not warmed at start (%s); built on first use instead", type(exc).__name__)
    finally:
        connections.close_all()


def _latest_model_version() -> str | None:
    return TextModel.objects.order_by("-created_at", "-pk").values_list("version", flat=True).first()


def _model_load(version: str | None) -> scoring.MatchingModel:
    if not version:
        version = _latest_model_version()  # another thread may have fitted one meanwhile
        if version is None:
            return model_fit()
    if version in _models:  # loaded by another thread meanwhile
        return _models[version]
    row = TextModel.objects.filter(version=version).first()
    if row is None:
        return model_fit()
    model = scoring.MatchingModel.from_bytes(row.data)
    if model.engine_version != scoring.ENGINE_VERSION:
        return model_fit()  # fitted by another engine version (its related-skill model may be missing): refit
    _models[row.version] = model
    return model


# --- scoring ---------------------------------------------------------------------------------------------
MATCH_SCORE_UPDATE_FIELDS = [
    "state",
    "score",
    "skills_score",
    "qualifications_score",
    "text_score",
    "matched_skills",
    "missing_skills",
    "explanation",
    "engine_version",
    "vocabulary_version",
    "model_version",
    "weights",
    "stale",
    "computed_at",
    "explained",
    "confidence",
]
_ROW_COLUMNS = ["candidate_id", "vacancy_id", *MATCH_SCORE_UPDATE_FIELDS]
_GROUPS = (
    ("skills_score", ("required", "desirable", "profile")),
    ("qualifications_score", ("qualification",)),
    ("text_score", ("text",)),
)


def score_pairs(
    *,
    candidate_ids: Sequence[int] | None = None,
    vacancy_ids: Sequence[int] | None = None,
    model: scoring.MatchingModel | None = None,
    run_id: int | None = None,
) -> int:
    """Score the given candidates (default: all) against the given vacancies (default: all not closed) and store
    what the storage policy keeps; returns the number of pairs written.

    Kept: every pair of a candidate who applied and pairs at or above the vacancy's shortlist threshold (its
    K-th best score, ``ShortlistThreshold``) — stored with their full explanation — and each candidate's N best
    vacancies, stored narrow (score and component scores; the explanation is filled when the row is first read,
    see ``MatchScoreQuerySet``).  Stored rows of these candidates and vacancies that are no longer kept are
    deleted; any pair can still be computed on demand (``match_score_on_demand``).  Small pools (≤ K
    candidates) keep every pair, explained.  Scoring vacancies against every candidate first sets the
    thresholds they lack (a fast scan), so a new vacancy does not store 100,000 explained rows.

    Work is split into chunks of ``settings.MATCHING_CHUNK_SIZE`` candidates; each chunk is one vectorised
    product and one bulk upsert (PostgreSQL: COPY into a staging table, then one INSERT … ON CONFLICT).
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
    model = model or model_current()
    _, vocab_version = skill_extractor()
    categories = skill_categories(vocab_version)
    side = vacancy_side(model, vacancy_ids)
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
        written += _score_and_store(
            model, chunk, side, categories, vocab_version, vac_thr=vac_thr, exact_top_n=exact_top_n
        )
    return written


def _candidate_thresholds(
    candidate_ids: Sequence[int], exclude_vacancy_ids: Sequence[int], n: int
) -> dict[int, float]:
    """Each candidate's N-th best stored score among other vacancies (absent when fewer than N are stored)."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    ranked = (
        MatchScore.objects.filter(candidate_id__in=candidate_ids, score__isnull=False)
        .exclude(vacancy_id__in=exclude_vacancy_ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("candidate_id")], order_by=F("score").desc()))
        .filter(rank=n)
        .values_list("candidate_id", "score")
    )
    return dict(ranked)


def _group_scores(matrices: scoring.ScoreMatrices) -> dict[str, np.ndarray]:
    """The stored component group scores (0–100, 2 decimals), ``(n_candidates, n_vacancies)`` each: the weighted
    mean of the group's components with the weights used, 0 where the group has no weight."""
    w = matrices.weights
    out = {}
    for column, names in _GROUPS:
        ks = [scoring.COMPONENTS.index(n) for n in names]
        total = w[:, ks].sum(axis=1)
        points = sum(matrices.components[n] * w[:, k][np.newaxis, :] for n, k in zip(names, ks, strict=True))
        out[column] = np.where(
            total[np.newaxis, :] > 0,
            np.round(100.0 * points / np.where(total > 0, total, 1.0)[np.newaxis, :], 2),
            0.0,
        )
    return out


def _score_and_store(
    model, candidates, side: VacancySide, categories, vocab_version, *, vac_thr: np.ndarray, exact_top_n: bool
) -> int:
    if not candidates or not len(side):
        return 0
    cdocs = [d for _, d, _ in candidates]
    matrices = scoring.score_matrices(scoring.candidate_matrices(model, cdocs), side.matrices)
    ranking = np.where(matrices.insufficient, -1.0, matrices.score)
    n_c, n_v = ranking.shape
    cand_ids = [c.pk for c, _, _ in candidates]
    vac_ids = side.ids

    # The threshold comes from the float32 scan: a float64 score within its rounding still belongs on the shortlist.
    shortlist = ranking >= vac_thr[np.newaxis, :] - 1e-3
    keep = shortlist.copy()
    top_n = settings.MATCHING_TOP_N_PER_CANDIDATE
    if exact_top_n and n_v <= top_n:
        keep[:] = True
    elif exact_top_n:
        best = np.argpartition(-ranking, top_n - 1, axis=1)[:, :top_n]
        keep[np.arange(n_c)[:, None], best] = True
    else:
        own = _candidate_thresholds(cand_ids, vac_ids, top_n)
        cand_thr = np.array([own.get(c, -np.inf) for c in cand_ids])
        keep |= ranking >= cand_thr[:, np.newaxis]
    c_index = {c: i for i, c in enumerate(cand_ids)}
    v_index = {v: j for j, v in enumerate(vac_ids)}
    for c, v in Application.objects.filter(candidate_id__in=cand_ids).values_list(
        "candidate_id", "vacancy_id"
    ):
        if v in v_index:
            keep[c_index[c], v_index[v]] = True
            shortlist[c_index[c], v_index[v]] = True
    # Explained now: applied pairs, the vacancies' shortlists, and insufficient pairs (their reason is cheap).
    explained = keep & (shortlist | matrices.insufficient)

    now = timezone.now()
    groups = _group_scores(matrices)
    rows: list[tuple] = []
    for i, j in zip(*np.nonzero(keep), strict=True):
        candidate, cdoc, evidence = candidates[i]
        if explained[i, j]:
            pair = scoring.explain_pair(
                model, matrices, int(i), int(j), cdoc, side.documents[j], categories, evidence
            )
            rows.append(
                _row_values(
                    candidate.pk,
                    vac_ids[j],
                    pair,
                    model,
                    vocab_version,
                    side.weights_json[j],
                    now,
                    groups,
                    i,
                    j,
                )
            )
        else:
            rows.append(
                (
                    candidate.pk,
                    vac_ids[j],
                    MatchScore.State.SCORED,
                    round(float(matrices.score[i, j]), 2),
                    float(groups["skills_score"][i, j]),
                    float(groups["qualifications_score"][i, j]),
                    float(groups["text_score"][i, j]),
                    "[]",
                    "[]",
                    "{}",
                    scoring.ENGINE_VERSION,
                    vocab_version,
                    model.version,
                    side.weights_json[j],
                    False,
                    now,
                    False,
                    matrices.confidence_at(i, j),
                )
            )
    with transaction.atomic():
        _upsert_rows(rows)
        # Pairs no longer kept (not rewritten just now) are dropped; they stay computable on demand.
        touched = _delete_unkept(cand_ids, vac_ids, now)
        touched |= {vac_ids[j] for j in np.unique(np.nonzero(keep)[1])}
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


def _delete_unkept(candidate_ids: list[int], vacancy_ids: list[int], now) -> set[int]:
    """Delete the stored rows of these pairs computed before ``now``; returns the vacancies they belonged to."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {MatchScore._meta.db_table} WHERE candidate_id = ANY(%s) "
                "AND vacancy_id = ANY(%s) AND computed_at < %s RETURNING vacancy_id",
                [list(candidate_ids), list(vacancy_ids), now],
            )
            return {row[0] for row in cursor.fetchall()}
    dropped = MatchScore.objects.filter(
        candidate_id__in=candidate_ids, vacancy_id__in=vacancy_ids, computed_at__lt=now
    )
    touched = set(dropped.values_list("vacancy_id", flat=True).distinct())
    dropped.delete()
    return touched


def _row_values(
    candidate_id, vacancy_id, pair: scoring.PairScore, model, vocab_version, weights_json, now, groups, i, j
) -> tuple:
    """One stored row (columns ``_ROW_COLUMNS``, JSON columns as JSON text) of an explained pair."""
    scored = pair.state == MatchScore.State.SCORED
    return (
        candidate_id,
        vacancy_id,
        pair.state,
        pair.score,
        float(groups["skills_score"][i, j]) if scored else 0.0,
        float(groups["qualifications_score"][i, j]) if scored else 0.0,
        float(groups["text_score"][i, j]) if scored else 0.0,
        json.dumps(pair.matched),
        json.dumps(pair.missing),
        json.dumps(
            {
                "state": pair.state,
                "reason": pair.reason,
                "components": pair.components,
                "engine_version": scoring.ENGINE_VERSION,
                "confidence": pair.confidence,
                "confidence_reason": pair.confidence_reason,
                "flags": pair.flags,
            }
        ),
        scoring.ENGINE_VERSION,
        vocab_version,
        model.version,
        weights_json,
        False,
        now,
        True,
        pair.confidence,
    )


_STAGE_SQL = """
CREATE TEMP TABLE IF NOT EXISTS matchscore_stage (
    candidate_id bigint, vacancy_id bigint, state varchar(20), score double precision,
    skills_score double precision, qualifications_score double precision, text_score double precision,
    matched_skills jsonb, missing_skills jsonb, explanation jsonb, engine_version varchar(40),
    vocabulary_version varchar(40), model_version varchar(40), weights jsonb, stale boolean,
    computed_at timestamptz, explained boolean, confidence varchar(6)
) ON COMMIT DELETE ROWS
"""


def _upsert_rows(rows: list[tuple]) -> None:
    """Upsert rows (``_ROW_COLUMNS``) on (candidate, vacancy), inside the caller's transaction.  PostgreSQL:
    COPY into a temporary staging table and one ``INSERT … ON CONFLICT DO UPDATE``; elsewhere ``bulk_create``
    with ``update_conflicts``."""
    if not rows:
        return
    from django.db import connection

    if connection.vendor == "postgresql":
        table = MatchScore._meta.db_table
        columns = ", ".join(_ROW_COLUMNS)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in MATCH_SCORE_UPDATE_FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(_STAGE_SQL)
            # COPY runs on psycopg's own cursor, outside Django's error wrapping: wrap it, so a dropped connection
            # is django.db.OperationalError (retried by the tasks) and marks the connection for closing.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY matchscore_stage ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                if settings.MATCHING_FAULT_COPY_DELAY:  # fault tests only: hold the COPY open to drop it
                    import time

                    time.sleep(settings.MATCHING_FAULT_COPY_DELAY)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM matchscore_stage "
                f"ON CONFLICT (candidate_id, vacancy_id) DO UPDATE SET {updates}"
            )
            cursor.execute("DELETE FROM matchscore_stage")
        return
    objects = [_row_object(row) for row in rows]
    MatchScore.objects.bulk_create(
        objects,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["candidate", "vacancy"],
        update_fields=MATCH_SCORE_UPDATE_FIELDS,
    )


_JSON_COLUMNS = frozenset({"matched_skills", "missing_skills", "explanation", "weights"})


def _row_object(row: tuple) -> MatchScore:
    """An unsaved ``MatchScore`` from one row of ``_ROW_COLUMNS`` (JSON columns as JSON text)."""
    return MatchScore(
        **{c: (json.loads(v) if c in _JSON_COLUMNS else v) for c, v in zip(_ROW_COLUMNS, row, strict=True)}
    )


def _explained_row(model, vocab_version, categories, candidate, cdoc, evidence, vacancy, vdoc) -> MatchScore:
    """The full explained row of one pair, computed now (not saved)."""
    matrices = scoring.score_chunk(model, [cdoc], [vdoc])
    pair = scoring.explain_pair(model, matrices, 0, 0, cdoc, vdoc, categories, evidence)
    values = _row_values(
        candidate.pk,
        vacancy.pk,
        pair,
        model,
        vocab_version,
        json.dumps(vdoc.weights.as_dict()),
        timezone.now(),
        _group_scores(matrices),
        0,
        0,
    )
    row = _row_object(values)
    row.candidate, row.vacancy = candidate, vacancy
    return row


def match_score_on_demand(*, candidate: Candidate, vacancy: Vacancy) -> MatchScore:
    """The explained score of one pair, computed now with the stored model and not saved — for pairs the storage
    policy does not keep.  Equal to what ``score_pairs`` would store for the pair."""
    model = model_current()
    _, vocab_version = skill_extractor()
    ((_cand, cdoc, evidence),) = candidate_documents([candidate.pk])
    ((_vac, vdoc),) = vacancy_documents([vacancy.pk])
    return _explained_row(
        model, vocab_version, skill_categories(vocab_version), candidate, cdoc, evidence, vacancy, vdoc
    )


def match_scores_explain(rows: Sequence[MatchScore]) -> None:
    """Fill in, save and set on ``rows`` the explanation of narrow stored rows (``explained=False``): each pair is
    computed now with the stored model, as ``score_pairs`` would explain it.  Rows whose candidate or vacancy is
    gone are left as they are.

    The rows' distinct candidates are scored against their distinct vacancies in one vectorised chunk (a
    candidate's page of 20 scores is 1 × 20), then each row's pair is explained from it: the vacancy matrices are
    built once per call, not once per row (issue 16, load: 20 narrow rows took 3.7 s one by one)."""
    rows = [r for r in rows if not r.explained]
    if not rows:
        return
    model = model_current()
    _, vocab_version = skill_extractor()
    categories = skill_categories(vocab_version)
    cands = {c.pk: (c, d, ev) for c, d, ev in candidate_documents(sorted({r.candidate_id for r in rows}))}
    vacs = {v.pk: (v, d) for v, d in vacancy_documents(sorted({r.vacancy_id for r in rows}))}
    rows = [r for r in rows if r.candidate_id in cands and r.vacancy_id in vacs]
    if not rows:
        return
    candidate_ids, vacancy_ids = sorted({r.candidate_id for r in rows}), sorted({r.vacancy_id for r in rows})
    row_of, column_of = (
        {pk: i for i, pk in enumerate(candidate_ids)},
        {pk: j for j, pk in enumerate(vacancy_ids)},
    )
    matrices = scoring.score_chunk(
        model, [cands[pk][1] for pk in candidate_ids], [vacs[pk][1] for pk in vacancy_ids]
    )
    groups = _group_scores(matrices)
    weights = {pk: json.dumps(vacs[pk][1].weights.as_dict()) for pk in vacancy_ids}
    now = timezone.now()
    done = []
    for r in rows:
        (c, cdoc, evidence), (v, vdoc) = cands[r.candidate_id], vacs[r.vacancy_id]
        i, j = row_of[r.candidate_id], column_of[r.vacancy_id]
        pair = scoring.explain_pair(model, matrices, i, j, cdoc, vdoc, categories, evidence)
        fresh = _row_object(
            _row_values(c.pk, v.pk, pair, model, vocab_version, weights[v.pk], now, groups, i, j)
        )
        for name in MATCH_SCORE_UPDATE_FIELDS:
            setattr(r, name, getattr(fresh, name))
        done.append(r)
    if done:
        MatchScore.objects.bulk_update(done, MATCH_SCORE_UPDATE_FIELDS, batch_size=500)


def shortlist_thresholds_update(
    *,
    model: scoring.MatchingModel | None = None,
    vacancy_ids: Sequence[int] | None = None,
    threads: int = 1,
    candidates: tuple[list[int], scoring.CandidateMatrices] | None = None,
) -> dict[int, float | None]:
    """Scan every candidate against the vacancies (fast path, no explanations) and store each vacancy's K-th best
    score as its shortlist threshold.  ``candidates``: every candidate's ids and matrices when already built (a
    planning pass).  Returns ``{vacancy_id: threshold or None}``."""
    model = model or model_current()
    vacancy_ids = list(vacancy_ids if vacancy_ids is not None else scorable_vacancy_ids())
    k = settings.MATCHING_TOP_K_PER_VACANCY
    if not vacancy_ids:
        return {}
    side = vacancy_side(model, vacancy_ids)
    if candidates is not None:
        ids, cm = candidates
        _, best = scoring.top_k_scan(cm, side.matrices, k=k, chunk=2000, threads=threads)
    else:
        ids = list(Candidate.objects.order_by("pk").values_list("pk", flat=True))
        best = np.full((0, len(side)), -np.inf)
        size = max(1, settings.MATCHING_CHUNK_SIZE) * 4
        for start in range(0, len(ids), size):
            chunk = candidate_documents(ids[start : start + size], evidence=False)
            cm = scoring.candidate_matrices(model, [d for _, d, _ in chunk])
            _, values = scoring.top_k_scan(cm, side.matrices, k=k, chunk=len(cm) or 1, threads=threads)
            best = np.concatenate([best, values], axis=0)
            if best.shape[0] > k:
                best = -np.sort(-best, axis=0)[:k]
    out: dict[int, float | None] = {}
    for j, vacancy_id in enumerate(side.ids):
        column = best[:, j]
        kth = float(np.sort(column)[::-1][k - 1]) if len(ids) >= k and len(column) >= k else None
        if kth is not None and kth < 0:
            kth = None
        ShortlistThreshold.objects.update_or_create(
            vacancy_id=vacancy_id, defaults={"kth_score": kth, "candidates_scored": len(ids)}
        )
        out[vacancy_id] = kth
    return out


# --- enqueueing --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def scoring_batch() -> Iterator[None]:
    """Collect the rescoring that saves inside the block ask for and enqueue it once, as one batch per kind,
    when the block ends (after commit).  Used by bulk imports, so 166 CVs make one task, not 166."""
    outer = getattr(_batch, "ids", None)
    if outer is not None:
        yield
        return
    _batch.ids = {"candidates": set(), "vacancies": set()}
    try:
        yield
        ids = _batch.ids
    finally:
        _batch.ids = None
    if ids["vacancies"]:
        _enqueue("score_vacancies", sorted(ids["vacancies"]))
    if ids["candidates"]:
        _enqueue("score_candidates", sorted(ids["candidates"]))


def enqueue_candidate_scoring(*, candidate_id: int) -> None:
    """Rescore one candidate against every scorable vacancy once the current transaction commits."""
    batch = getattr(_batch, "ids", None)
    if batch is not None:
        batch["candidates"].add(candidate_id)
        return
    _enqueue("score_candidates", [candidate_id])


def enqueue_vacancy_scoring(*, vacancy_id: int) -> None:
    """Rescore one vacancy against every candidate once the current transaction commits."""
    batch = getattr(_batch, "ids", None)
    if batch is not None:
        batch["vacancies"].add(vacancy_id)
        return
    _enqueue("score_vacancies", [vacancy_id])


def _enqueue(task_name: str, ids: list[int]) -> None:
    from matching import tasks

    _send_after_commit(getattr(tasks, task_name), ids)


# --- scoring runs -------------------------------------------------------------------------------------------
def scoring_run_start(
    *,
    scope: str = "all",
    target: str = "",
    candidate_ids: Sequence[int] | None = None,
    vacancy_ids: Sequence[int] | None = None,
    refit: bool | None = None,
) -> ScoringRun:
    """Create a scoring run and, after commit, enqueue its planning task, which (on a worker) refits the model for
    a full run (``refit``, default: when ``scope == "all"``), updates the shortlist thresholds of the vacancies
    scored against every candidate, and fans the work out as chunk tasks that any number of workers share.

    ``candidate_ids`` / ``vacancy_ids`` of ``None`` mean every candidate / every scorable vacancy.
    """
    from matching import tasks

    n_candidates = len(candidate_ids) if candidate_ids is not None else Candidate.objects.count()
    n_vacancies = len(vacancy_ids) if vacancy_ids is not None else len(scorable_vacancy_ids())
    refit = scope == "all" if refit is None else refit
    c_ids = list(candidate_ids) if candidate_ids is not None else None
    v_ids = list(vacancy_ids) if vacancy_ids is not None else None
    run = ScoringRun.objects.create(
        scope=scope,
        target=target,
        status=ScoringRun.Status.PENDING,
        total=n_candidates * n_vacancies,
        progress_at=timezone.now(),
        params={"candidate_ids": c_ids, "vacancy_ids": v_ids, "refit": refit},
    )
    _send_after_commit(tasks.plan_run, run.pk, c_ids, v_ids, refit)
    return run


def _send_after_commit(task, *args, on_sent=None) -> None:
    """Enqueue ``task`` after commit, then call ``on_sent()`` if given; with the broker down the work waits for the
    stale sweep (and ``on_sent`` is not called)."""

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            logger.warning("could not enqueue %s: broker unavailable; the stale sweep will retry", task.name)
            return
        if on_sent is not None:
            on_sent()

    transaction.on_commit(send)


def scoring_run_plan(
    *, run_id: int, candidate_ids: Sequence[int] | None, vacancy_ids: Sequence[int] | None, refit: bool
) -> ScoringRun:
    """Plan a run on a worker: model, thresholds, chunks; then enqueue the chunks (see ``scoring_run_start``)."""
    from matching import tasks

    run = ScoringRun.objects.get(pk=run_id)
    if run.status != ScoringRun.Status.PENDING or run.chunks_total:
        return run  # already planned (a redelivered planning task)
    if candidate_ids is None:
        vacancies_to_rank = vacancy_ids if vacancy_ids is not None else scorable_vacancy_ids()
        if refit:
            # One pass over every candidate: the fit's own TF-IDF output feeds the threshold scan.
            rows = candidate_documents(list(Candidate.objects.values_list("pk", flat=True)), evidence=False)
            model = model_fit(rows, keep_fit_text=True)
            text = model.__dict__.pop("fit_text", None)
            candidate_ids = [c.pk for c, _, _ in rows]
            cm = scoring.candidate_matrices(model, [d for _, d, _ in rows], text=text)
            del rows, text
            shortlist_thresholds_update(
                model=model,
                vacancy_ids=vacancies_to_rank,
                candidates=(candidate_ids, cm),
                threads=os.cpu_count() or 1,
            )
            del cm
        else:
            model = model_current()
            candidate_ids = list(Candidate.objects.order_by("pk").values_list("pk", flat=True))
            shortlist_thresholds_update(model=model, vacancy_ids=vacancies_to_rank)
    else:
        model = model_fit() if refit else model_current()
    if vacancy_ids is None:
        vacancy_ids = scorable_vacancy_ids()
    size = max(1, settings.MATCHING_CHUNK_SIZE)
    chunks = (
        [list(candidate_ids[i : i + size]) for i in range(0, len(candidate_ids), size)] if vacancy_ids else []
    )
    run.total = len(candidate_ids) * len(vacancy_ids)
    run.chunks_total = len(chunks)
    run.chunk_bounds = [[chunk[0], chunk[-1]] for chunk in chunks]
    run.params = {**run.params, "vacancy_ids": list(vacancy_ids), "model_version": model.version}
    run.progress_at = timezone.now()
    if not chunks:
        run.status, run.finished_at = ScoringRun.Status.DONE, timezone.now()
    run.save(
        update_fields=[
            "total",
            "chunks_total",
            "chunk_bounds",
            "params",
            "progress_at",
            "status",
            "finished_at",
        ]
    )
    for index, chunk in enumerate(chunks):
        _send_after_commit(tasks.score_chunk, run.pk, index, chunk, list(vacancy_ids), model.version)
    return run


def scoring_runs_recover(*, stall_seconds: int | None = None) -> int:
    """Re-enqueue what stalled runs lost (a broker restart drops queued tasks): the planning task of an unplanned
    run, and every chunk not yet stored.  Chunks are idempotent, so a chunk that was only slow is harmless to
    send twice.  Returns the number of tasks enqueued."""
    from datetime import timedelta

    from matching import tasks

    stall = timedelta(seconds=settings.MATCHING_RUN_STALL_SECONDS if stall_seconds is None else stall_seconds)
    cutoff = timezone.now() - stall
    sent = 0
    stalled = ScoringRun.objects.filter(
        status__in=[ScoringRun.Status.PENDING, ScoringRun.Status.RUNNING], progress_at__lte=cutoff
    )
    for run in stalled:
        params = run.params or {}
        if not run.chunks_total:
            _send_after_commit(
                tasks.plan_run,
                run.pk,
                params.get("candidate_ids"),
                params.get("vacancy_ids"),
                bool(params.get("refit")),
            )
            sent += 1
        else:
            for index in range(len(run.chunk_bounds)):
                if index in run.completed_chunks:
                    continue
                _chunk_send(run, index)
                sent += 1
        ScoringRun.objects.filter(pk=run.pk).update(progress_at=timezone.now())
    return sent


def _chunk_send(run: ScoringRun, index: int) -> None:
    """Enqueue chunk ``index`` of ``run`` again (after commit), its candidates read back from ``chunk_bounds``."""
    from matching import tasks

    params = run.params or {}
    first, last = run.chunk_bounds[index]
    ids = list(
        Candidate.objects.filter(pk__gte=first, pk__lte=last).order_by("pk").values_list("pk", flat=True)
    )
    if params.get("candidate_ids") is not None:
        wanted = set(params["candidate_ids"])
        ids = [i for i in ids if i in wanted]
    _send_after_commit(
        tasks.score_chunk,
        run.pk,
        index,
        ids,
        params.get("vacancy_ids") or [],
        params.get("model_version") or model_current().version,
    )


def scoring_run_chunk_lost(*, run_id: int, index: int, error: str) -> bool:
    """Record that the task of chunk ``index`` of run ``run_id`` died (its retries used up, or any error that is
    not retried), and resend the chunk at once — without waiting for the stall sweep — unless it has died more
    than ``MATCHING_CHUNK_RESENDS`` times; then the run is marked failed, naming the chunk and ``error`` (the
    error's type: never CV text).  ``chunk_failures`` keeps the count per chunk.  Returns whether it was resent;
    a chunk already stored or a run no longer in progress is left alone (``False``)."""
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().filter(pk=run_id).first()
        if (
            run is None
            or run.status not in (ScoringRun.Status.PENDING, ScoringRun.Status.RUNNING)
            or index in run.completed_chunks
            or not 0 <= index < len(run.chunk_bounds)
        ):
            return False
        deaths = int((run.chunk_failures or {}).get(str(index), 0)) + 1
        run.chunk_failures = {**(run.chunk_failures or {}), str(index): deaths}
        run.error = f"chunk {index}: {error} (died {deaths} times)"[:2000]
        resend = deaths <= settings.MATCHING_CHUNK_RESENDS
        if resend:
            run.progress_at = timezone.now()
            _chunk_send(run, index)
        else:
            run.status, run.finished_at = ScoringRun.Status.FAILED, timezone.now()
        run.save(update_fields=["chunk_failures", "error", "progress_at", "status", "finished_at"])
    logger.warning(
        "scoring run %s: chunk %s died (%s, %d times): %s",
        run_id,
        index,
        error,
        deaths,
        "resent" if resend else "run failed",
    )
    return resend


def scoring_run_chunk(
    *, run_id: int, index: int, candidate_ids: Sequence[int], vacancy_ids: Sequence[int], model_version: str
) -> int:
    """Score chunk ``index`` of a run and record it as done.  Idempotent: a redelivered chunk upserts the same
    scores and does not advance the progress twice."""
    ScoringRun.objects.filter(pk=run_id, started_at__isnull=True).update(
        started_at=timezone.now(), status=ScoringRun.Status.RUNNING
    )
    if settings.MATCHING_FAULT_CHUNK_DELAY:  # fault tests only: hold the chunk open so it can be interrupted
        import time

        time.sleep(settings.MATCHING_FAULT_CHUNK_DELAY)
    model = model_current(model_version)
    all_vacancies = set(vacancy_ids) >= set(scorable_vacancy_ids())
    written = score_pairs(
        candidate_ids=list(candidate_ids),
        vacancy_ids=None if all_vacancies else list(vacancy_ids),
        model=model,
    )
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().get(pk=run_id)
        if index in run.completed_chunks:
            return written
        run.completed_chunks = [*run.completed_chunks, index]
        run.done = min(run.total, run.done + len(candidate_ids) * len(vacancy_ids))
        run.chunks_done = len(run.completed_chunks)
        run.progress_at = timezone.now()
        if run.chunks_done >= run.chunks_total:
            run.status = ScoringRun.Status.DONE
            run.done = run.total
            run.finished_at = timezone.now()
        run.save(
            update_fields=["done", "chunks_done", "completed_chunks", "status", "finished_at", "progress_at"]
        )
    return written


def scoring_run_fail(*, run_id: int, error: str) -> None:
    """Record a non-transient error on a run (the message names the error, never CV text)."""
    ScoringRun.objects.filter(pk=run_id).update(
        status=ScoringRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


# --- on-demand scoring of free text (evaluation, previews) --------------------------------------------------
def documents_from_text(
    *, vacancy_text: str, cv_texts: Sequence[str], vacancy_title: str = ""
) -> tuple[scoring.VacancyDocument, list[scoring.CandidateDocument]]:
    """Engine documents for texts that are not stored, extracted exactly as stored ones are."""
    extractor, _ = skill_extractor()
    today = timezone.now().date()
    vacancy_text = neutralise(vacancy_text)
    cv_texts = [neutralise(t) for t in cv_texts]
    counts = dict(extractor.counts(vacancy_text))
    importance = decide_requirements(vacancy_text, extractor, title=vacancy_title).importance
    for name in importance:  # a skill only the title names counts as one mention
        counts.setdefault(name, 1)
    vquals = extract_qualifications(vacancy_text)
    vacancy = scoring.VacancyDocument(
        text=vacancy_text,
        required={s: n for s, n in counts.items() if importance.get(s) == "required"},
        desirable={s: n for s, n in counts.items() if importance.get(s) == "desirable"},
        min_qualification_level=min((q.level for q in vquals), default=0),
        fields=[q.field for q in vquals if q.field],
        core=title_skills(vacancy_title, counts),
        language=_language_of(vacancy_text),
    )
    candidates = []
    for text in cv_texts:
        quals = extract_qualifications(text)
        found = cv_evidence(text)
        candidates.append(
            scoring.CandidateDocument(
                text=text,
                skills={name: e.strength for name, e in found.skills.items()},
                qualification_level=max((q.level for q in quals), default=0),
                fields=[q.field for q in quals if q.field],
                years_experience=extract_years_experience(text, today),
                evidence_levels={name: e.level for name, e in found.skills.items()},
                keyword_list=found.keyword_list,
                keyword_reason=found.reason,
                language=_language_of(text),
                roles=tuple(role_skills(titles := extract_role_titles(text), extractor)),
                role_titles=tuple(titles),
            )
        )
    return vacancy, candidates


def score_texts(*, vacancy_text: str, cv_texts: Sequence[str], vacancy_title: str = "") -> list[float | None]:
    """0–100 scores of CV texts for a vacancy text (and title) with the stored model; ``None`` for insufficient
    data."""
    vacancy, candidates = documents_from_text(
        vacancy_text=vacancy_text, cv_texts=cv_texts, vacancy_title=vacancy_title
    )
    if not candidates:
        return []
    matrices = scoring.score_chunk(model_current(), candidates, [vacancy])
    return [
        None if matrices.insufficient[i, 0] else float(matrices.score[i, 0]) for i in range(len(candidates))
    ]


# --- staleness ------------------------------------------------------------------------------------------------
def scores_mark_stale() -> int:
    """Mark stale every score computed with another engine or vocabulary version, or before its vacancy or
    candidate last changed (weights, requirements, profile).  Returns the number of scores newly marked."""
    outdated = (
        ~Q(engine_version=scoring.ENGINE_VERSION)
        | ~Q(vocabulary_version=current_vocabulary_version())
        | Q(computed_at__lt=F("vacancy__updated_at"))
        | Q(computed_at__lt=F("candidate__updated_at"))
    )
    ids = list(MatchScore.objects.filter(stale=False).filter(outdated).values_list("pk", flat=True))
    return MatchScore.objects.filter(pk__in=ids).update(stale=True)


def stale_sweep(*, limit: int = 5000) -> dict[str, int]:
    """Find what still needs scoring — stale scores, and candidates with scores missing for some scorable
    vacancy — and enqueue it.  The database, not the broker, is the record of outstanding work; run
    periodically (Celery beat) so work lost with a broker outage is found again.

    Returns ``{"marked_stale": n, "candidates": n, "run_tasks": n, "profiles_refreshed": n}``: scores newly marked
    stale, candidates enqueued (≤ ``limit``), tasks of stalled scoring runs enqueued again, and profiles written
    by older extraction rules that were re-extracted first (``profiles_refresh_outdated``).
    """
    profiles_refreshed = profiles_refresh_outdated(limit=limit)
    marked = scores_mark_stale()
    vacancy_ids = scorable_vacancy_ids()
    todo = set(
        MatchScore.objects.filter(stale=True).values_list("candidate_id", flat=True).distinct()[:limit]
    )
    if vacancy_ids:
        incomplete = (
            Candidate.objects.annotate(
                n=Count("match_scores", filter=Q(match_scores__vacancy_id__in=vacancy_ids))
            )
            .filter(n__lt=len(vacancy_ids))
            .values_list("pk", flat=True)[:limit]
        )
        todo |= set(incomplete)
    todo_list = sweep_not_in_flight(sorted(todo))[:limit]
    if todo_list:
        from matching import tasks

        _send_after_commit(tasks.score_candidates, todo_list, on_sent=lambda: sweep_mark_in_flight(todo_list))
    recovered = scoring_runs_recover()
    return {
        "marked_stale": marked,
        "candidates": len(todo_list),
        "run_tasks": recovered,
        "profiles_refreshed": profiles_refreshed,
    }


# Candidates the sweep has enqueued and whose task has not finished: a cache key each, so the next sweeps skip
# them instead of queueing them again while earlier batches still run.  The key expires after
# STALE_SWEEP_INFLIGHT_SECONDS, so a batch lost with the broker or a dead worker is found again by a later
# sweep; ``matching.score_candidates`` clears the keys when it has scored them.  Across processes this needs
# the shared cache (CACHE_URL=redis://…); with the local-memory cache each process remembers its own sweeps.
_IN_FLIGHT_KEY = "matching:sweep-in-flight:{}"


def _in_flight_seconds() -> int:
    return int(getattr(settings, "STALE_SWEEP_INFLIGHT_SECONDS", 900))


def sweep_not_in_flight(candidate_ids: Sequence[int]) -> list[int]:
    """``candidate_ids`` without those an earlier sweep enqueued and whose scoring has not finished."""
    from django.core.cache import cache

    if not candidate_ids:
        return []
    busy = cache.get_many([_IN_FLIGHT_KEY.format(pk) for pk in candidate_ids])
    return [pk for pk in candidate_ids if _IN_FLIGHT_KEY.format(pk) not in busy]


def sweep_mark_in_flight(candidate_ids: Sequence[int]) -> None:
    from django.core.cache import cache

    cache.set_many({_IN_FLIGHT_KEY.format(pk): 1 for pk in candidate_ids}, timeout=_in_flight_seconds())


def sweep_clear_in_flight(candidate_ids: Sequence[int]) -> None:
    from django.core.cache import cache

    cache.delete_many([_IN_FLIGHT_KEY.format(pk) for pk in candidate_ids])


def profiles_refresh_outdated(*, limit: int = 5000) -> int:
    """Re-extract the profiles (skills with evidence, requirements, experience, language) that an older version
    of the extraction rules wrote (``profile_version`` ≠ ``EXTRACTION_VERSION``), at most ``limit`` candidates and
    all such vacancies, each touched (``updated_at``) so its stored scores are marked stale and rescored.
    Returns the number of profiles refreshed."""
    done = 0
    for vacancy in Vacancy.objects.exclude(profile_version=EXTRACTION_VERSION):
        with transaction.atomic():
            vacancy_refresh_profile(vacancy=vacancy)
            Vacancy.objects.filter(pk=vacancy.pk).update(updated_at=timezone.now())
        done += 1
    for candidate in Candidate.objects.exclude(profile_version=EXTRACTION_VERSION).order_by("pk")[:limit]:
        with transaction.atomic():
            candidate_refresh_profile(candidate=candidate)
            Candidate.objects.filter(pk=candidate.pk).update(updated_at=timezone.now())
        done += 1
    return done


def vacancy_set_weights(*, vacancy: Vacancy, weights: dict) -> Vacancy:
    """Set a vacancy's component weights (partial mapping; missing ones keep their defaults), mark its scores
    stale and enqueue its rescoring.  Raises ``ValueError`` on an unknown component or a bad weight."""
    scoring.ComponentWeights.from_mapping(weights)  # validates
    with transaction.atomic():
        vacancy.weights = {k: float(v) for k, v in weights.items()}
        vacancy.save(update_fields=["weights", "updated_at"])
        MatchScore.objects.filter(vacancy=vacancy).update(stale=True)
        enqueue_vacancy_scoring(vacancy_id=vacancy.pk)
    return vacancy


# --- detailed scores of free texts (evaluate --robustness) -----------------------------------------------------
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
    matrices = scoring.score_chunk(model_current(), candidates, [vacancy])
    return score_details(matrices=matrices, candidates=candidates)
