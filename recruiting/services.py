"""Writes to the recruiting domain.  Every entry point (commands, admin, portal, API, tasks) calls these.

Each service refreshes the extracted profile (skills, qualifications) of what it saved and enqueues its
rescoring once the surrounding transaction commits, so a worker never reads uncommitted rows.
"""

from __future__ import annotations

from django.core.files import File
from django.db import transaction

from matching import services as matching_services
from matching.extraction import (
    extract_employment_type,
    extract_remote,
    extract_salaries,
    extract_seniority,
    repair_text,
)
from recruiting.models import Candidate, Vacancy


def _vacancy_terms_from_text(description: str) -> dict:
    """Seniority, employment type, remote option and salary read from a vacancy's text."""
    terms: dict = {
        "seniority": extract_seniority(description),
        "employment_type": extract_employment_type(description),
        "remote": extract_remote(description),
    }
    salaries = extract_salaries(description)
    yearly = [s for s in salaries if s.period == "year"]
    daily = [s for s in salaries if s.period == "day"]
    if yearly:
        currency = yearly[0].currency
        same = [s for s in yearly if s.currency == currency]
        lows = [s.minimum for s in same]
        highs = [s.maximum or s.minimum for s in same]
        terms.update(salary_min=min(lows), salary_max=max(highs), salary_currency=currency)
    if daily:
        currency = daily[0].currency
        same = [s for s in daily if s.currency == currency]
        terms.update(
            day_rate_min=min(s.minimum for s in same),
            day_rate_max=max(s.maximum or s.minimum for s in same),
        )
        terms.setdefault("salary_currency", currency)
    return terms


@transaction.atomic
def vacancy_upsert(
    *, source: str, reference: str, title: str, description: str, status: str = Vacancy.Status.OPEN
) -> tuple[Vacancy, bool]:
    """Create or update the vacancy ``(source, reference)`` from its text.

    Returns ``(vacancy, created)``.  Terms (seniority, salary, …) and the extracted skills and
    qualifications are read from ``description``; links a recruiter entered are kept.  Rescoring of the
    vacancy is enqueued after commit.  Raises ``ValueError`` when ``description`` is empty.
    """
    description = repair_text(description).strip()
    if not description:
        raise ValueError("the vacancy text is empty")
    defaults = {"title": title.strip()[:300] or reference, "description": description, "status": status}
    defaults.update(_vacancy_terms_from_text(description))
    vacancy, created = Vacancy.objects.update_or_create(source=source, reference=reference, defaults=defaults)
    matching_services.vacancy_refresh_profile(vacancy=vacancy)
    matching_services.enqueue_vacancy_scoring(vacancy_id=vacancy.id)
    return vacancy, created


@transaction.atomic
def candidate_upsert(
    *,
    source: str,
    reference: str,
    cv_text: str,
    name: str = "",
    email: str = "",
    source_label: str = "",
    cv_file: File | None = None,
) -> tuple[Candidate, bool]:
    """Create or update the candidate ``(source, reference)`` with a CV text.

    Returns ``(candidate, created)``.  The text is repaired (ftfy); skills and qualifications are
    extracted; rescoring is enqueued after commit.  Raises ``ValueError`` when the CV text is empty.
    """
    cv_text = repair_text(cv_text).strip()
    if not cv_text:
        raise ValueError("the CV text is empty")
    defaults = {"cv_text": cv_text, "source_label": source_label.strip()[:200]}
    if name:
        defaults["name"] = name.strip()[:200]
    if email:
        defaults["email"] = email.strip()
    candidate, created = Candidate.objects.update_or_create(source=source, reference=reference, defaults=defaults)
    if cv_file is not None:
        candidate.cv_file.save(cv_file.name, cv_file, save=True)
    matching_services.candidate_refresh_profile(candidate=candidate)
    matching_services.enqueue_candidate_scoring(candidate_id=candidate.id)
    return candidate, created
