"""Extracted profiles: a vacancy's or a candidate's skills, qualifications, years, language and CV name, read from its
text by the pure extraction rules and written into recruiting's tables (``VacancySkill``, ``CandidateSkill``,
``Qualification``).  Extracted rows are replaced; rows a recruiter entered are kept and win.  The same reading
stores the text's term counts (``matching.term_store``), so scoring never tokenises the text again.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from matching.extraction import (
    EXTRACTION_VERSION,
    decide_requirements,
    extract_min_years_required,
    extract_qualifications,
    extract_years_experience,
)
from matching.fairness import neutralise
from matching.models import Skill
from matching.term_store import candidate_terms_save, vacancy_terms_save
from matching.vocabulary_store import cv_evidence, cv_roles, language_of, skill_extractor
from recruiting.models import Candidate, CandidateSkill, Qualification, SkillOrigin, Vacancy, VacancySkill
from recruiting.names import name_from_cv


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
    """Re-extract a candidate's skills (with evidence level, strength and the CV line as evidence), the
    keyword-list flag, qualifications, years of experience, the CV's language, the job titles it shows and the skills
    they name (``matching.extraction.extract_role_titles``) and the name on its first lines
    (``Candidate.cv_name``, ``recruiting.names``); and the neutralised text's term counts with their change to the
    document frequencies (``matching.term_store.candidate_terms_save``)."""
    text = neutralise(candidate.cv_text, names=[candidate.name])
    candidate_terms_save(candidate=candidate, text=text)
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
    language = language_of(text)
    if language != candidate.language:
        changes["language"] = language
    if candidate.profile_version != EXTRACTION_VERSION:
        changes["profile_version"] = EXTRACTION_VERSION
    roles = cv_roles(text, found)
    if roles != (candidate.role_titles, candidate.role_skills, candidate.role_claims):
        changes["role_titles"], changes["role_skills"], changes["role_claims"] = roles
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
