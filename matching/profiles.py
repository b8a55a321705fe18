"""Extracted profiles: a vacancy's or a candidate's skills, qualifications, years, language and CV name, read from its
text by the pure extraction rules and written into recruiting's tables (``VacancySkill``, ``CandidateSkill``,
``Qualification``).  Extracted rows are replaced; rows a recruiter entered are kept and win.  The same reading
stores the text's term counts (``matching.term_store``), so scoring never tokenises the text again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from matching.bulk_rows import rows_insert as _rows_insert
from matching.bulk_rows import rows_update as _rows_update
from matching.evidence import CvEvidence
from matching.extraction import (
    EXTRACTION_VERSION,
    QualificationMention,
    decide_requirements,
    extract_min_years_required,
    extract_qualifications,
    extract_years_experience,
)
from matching.fairness import neutralise
from matching.models import Skill
from matching.term_store import candidates_terms_save, vacancy_terms_save
from matching.vocabulary_store import (
    cv_evidence,
    cv_roles,
    language_of,
    languages_of,
    skill_extractor,
    vocabulary_held,
)
from recruiting.models import Candidate, CandidateSkill, Qualification, SkillOrigin, Vacancy, VacancySkill
from recruiting.names import name_from_cv

_OUTDATED_BATCH = 500  # candidates re-extracted per transaction by profiles_refresh_outdated


def _skill_ids(names: Iterable[str]) -> dict[str, int]:
    return dict(Skill.objects.filter(name__in=set(names)).values_list("name", "id"))


def vacancy_refresh_profile(*, vacancy: Vacancy) -> None:
    """Re-extract a vacancy's skills (with importance), qualifications, minimum years of experience and language
    from its description.

    Importance is decided by :func:`matching.extraction.decide_requirements`; ``requirements_capped`` records
    whether that capped a long uncued list to the most named skills (the admin asks the recruiter to confirm).
    Links and qualifications a recruiter entered (``origin="entered"``) are kept and win over extraction; the
    minimum years are kept when a recruiter edited the requirements.  The description's term counts are stored
    (``vacancy_terms_refresh``).
    """
    vacancy_terms_refresh(vacancy=vacancy)
    if not vacancy.requirements_edited:
        years = extract_min_years_required(vacancy.description)
        if years != vacancy.min_years_experience:
            Vacancy.objects.filter(pk=vacancy.pk).update(min_years_experience=years)
            vacancy.min_years_experience = years
    language = language_of(vacancy.description)
    if (language, EXTRACTION_VERSION) != (vacancy.language, vacancy.profile_version):
        Vacancy.objects.filter(pk=vacancy.pk).update(language=language, profile_version=EXTRACTION_VERSION)
        vacancy.language, vacancy.profile_version = language, EXTRACTION_VERSION
    extractor, _ = skill_extractor()
    decision = decide_requirements(vacancy.description, extractor, title=vacancy.title)
    importance, counts = decision.importance, decision.counts
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


def vacancy_terms_refresh(*, vacancy: Vacancy) -> None:
    """Store the term counts of a vacancy's description (``matching.term_store.vacancy_terms_save``): for a save
    that keeps a recruiter's requirements (no re-extraction) but may change the text."""
    vacancy_terms_save(vacancy_id=vacancy.pk, description=vacancy.description)


def candidate_refresh_profile(*, candidate: Candidate) -> None:
    """Re-extract one candidate's profile: ``candidates_refresh_profiles`` of ``[candidate]`` (the one rule)."""
    candidates_refresh_profiles(candidates=[candidate])


@dataclass(frozen=True)
class _CandidateReading:
    """What one CV's text gives its profile (pure; ``_candidate_read``)."""

    evidence: CvEvidence
    qualifications: list[QualificationMention]
    fields: dict  # Candidate field → extracted value, over _READ_FIELDS


_READ_FIELDS = (
    "years_experience",
    "keyword_list",
    "language",
    "profile_version",
    "role_titles",
    "role_skills",
    "role_claims",
    "cv_name",
)


def _candidate_read(candidate: Candidate, text: str, language: str, today: date) -> _CandidateReading:
    """Read the profile of ``candidate`` from ``text``, its neutralised ``cv_text`` (whose ``language_of`` is
    ``language``): no query (the vocabulary is cached by ``matching.vocabulary_store``)."""
    found = cv_evidence(text)
    titles, backed, claims = cv_roles(text, found)
    return _CandidateReading(
        evidence=found,
        qualifications=_unique_qualifications(extract_qualifications(text)),
        fields={
            "years_experience": extract_years_experience(text, today),
            "keyword_list": found.keyword_list,
            "language": language,
            "profile_version": EXTRACTION_VERSION,
            "role_titles": titles,
            "role_skills": backed,
            "role_claims": claims,
            "cv_name": name_from_cv(candidate.cv_text),  # the raw text: neutralising removes names
        },
    )


def candidates_refresh_profiles(*, candidates: Sequence[Candidate]) -> None:
    """Re-extract the profiles of saved ``candidates`` (their ``cv_text`` and ``name`` as held in memory): skills
    with evidence level, strength and the CV line as evidence, the keyword-list flag, qualifications, years of
    experience, the CV's language, the job titles it shows and the skills they name
    (``matching.extraction.extract_role_titles``) and the name on its first lines (``Candidate.cv_name``,
    ``recruiting.names``); and the neutralised texts' term counts with their change to the document frequencies
    (``matching.term_store.candidates_terms_save``).

    Each CV is read on its own (pure, ``_candidate_read``); the writes are one set for all of them, a fixed
    number of queries whatever their number: the extracted skill links and qualifications of all are deleted and
    written again in bulk (links a recruiter entered, ``origin="entered"``, are kept and win over extraction), the
    changed fields of the candidates updated in one statement (``updated_at`` untouched) and set on the
    instances.  Call inside a transaction for all-or-nothing.  An empty sequence does nothing."""
    if not candidates:
        return
    today = timezone.now().date()
    with vocabulary_held():  # one vocabulary check for all of them
        texts = [neutralise(c.cv_text, names=[c.name]) for c in candidates]
        candidates_terms_save(candidates=[(c.pk, c.name, c.cv_text) for c in candidates], texts=texts)
        readings = [
            _candidate_read(c, text, language, today)
            for c, text, language in zip(candidates, texts, languages_of(texts), strict=True)
        ]
    ids = _skill_ids({name for r in readings for name in r.evidence.skills})
    pks = [c.pk for c in candidates]
    entered = set(
        CandidateSkill.objects.filter(candidate_id__in=pks, origin=SkillOrigin.ENTERED).values_list(
            "candidate_id", "skill_id"
        )
    )
    CandidateSkill.objects.filter(candidate_id__in=pks, origin=SkillOrigin.EXTRACTED).delete()
    _rows_insert(
        CandidateSkill,
        [
            CandidateSkill(
                candidate_id=c.pk,
                skill_id=ids[name],
                mentions=e.mentions,
                origin=SkillOrigin.EXTRACTED,
                evidence=e.line,
                evidence_level=e.level,
                strength=e.strength,
            )
            for c, r in zip(candidates, readings, strict=True)
            for name, e in r.evidence.skills.items()
            if name in ids and (c.pk, ids[name]) not in entered
        ],
    )
    Qualification.objects.filter(candidate_id__in=pks, origin=SkillOrigin.EXTRACTED).delete()
    _rows_insert(
        Qualification,
        [
            Qualification(candidate_id=c.pk, level=q.level, field=q.field[:200], evidence=q.line[:500])
            for c, r in zip(candidates, readings, strict=True)
            for q in r.qualifications
        ],
    )
    changed, names = [], set()
    for candidate, reading in zip(candidates, readings, strict=True):
        differ = [f for f, value in reading.fields.items() if value != getattr(candidate, f)]
        if differ:
            for f in differ:
                setattr(candidate, f, reading.fields[f])
            changed.append(candidate)
            names.update(differ)
    if changed:
        # Every field named is written for every row changed, from the instance: a field a row did not change
        # holds its extracted value already.
        _rows_update(Candidate, changed, [f for f in _READ_FIELDS if f in names])


def _unique_qualifications(found):
    seen, out = set(), []
    for q in found:
        key = (q.level, q.field.lower())
        if key not in seen:
            seen.add(key)
            out.append(q)
    return out


def profiles_refresh_outdated(*, limit: int = 5000) -> int:
    """Re-extract the profiles (skills with evidence, requirements, experience, language) that an older version
    of the extraction rules wrote (``profile_version`` ≠ ``EXTRACTION_VERSION``), at most ``limit`` candidates and
    all such vacancies, each touched (``updated_at``) so its stored scores are marked stale and rescored.  The
    candidates are re-extracted in bulk (``candidates_refresh_profiles``), 500 to a transaction.  Returns the number
    of profiles refreshed."""
    done = 0
    for vacancy in Vacancy.objects.exclude(profile_version=EXTRACTION_VERSION):
        with transaction.atomic():
            vacancy_refresh_profile(vacancy=vacancy)
            Vacancy.objects.filter(pk=vacancy.pk).update(updated_at=timezone.now())
        done += 1
    outdated = list(
        Candidate.objects.exclude(profile_version=EXTRACTION_VERSION)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(outdated), _OUTDATED_BATCH):
        with transaction.atomic():
            batch = list(
                Candidate.objects.filter(pk__in=outdated[start : start + _OUTDATED_BATCH]).order_by("pk")
            )
            candidates_refresh_profiles(candidates=batch)
            Candidate.objects.filter(pk__in=[c.pk for c in batch]).update(updated_at=timezone.now())
        done += len(batch)
    return done
