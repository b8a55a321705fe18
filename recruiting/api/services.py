"""Writes the API needs that the shared services (``recruiting.services``) do not offer yet.

Kept small and in the same style (keyword-only, one transaction, audit log) so they can move into
``recruiting.services`` unchanged when the portal or the workspace needs them too.
"""

from __future__ import annotations

from django.db import transaction

from matching import services as matching_services
from recruiting.models import Candidate, Vacancy
from recruiting.services import ApplicationError, audit_log, candidate_upsert

#: Fields a candidate edits on their own profile (the portal's ``PROFILE_FIELDS``).
CANDIDATE_PROFILE_FIELDS = ("name", "headline", "location", "open_to_remote", "open_to_relocation",
                            "salary_expectation", "salary_currency")


@transaction.atomic
def vacancy_delete(*, vacancy: Vacancy, actor=None) -> None:
    """Delete a vacancy with its match scores.  Refused (``ApplicationError``) once anyone applied: close it
    instead, so the pipeline's history is kept."""
    vacancy = Vacancy.objects.select_for_update().get(pk=vacancy.pk)
    if vacancy.applications.exists():
        raise ApplicationError("This vacancy has applications: close it instead of deleting it.")
    audit_log(actor=actor, action="vacancy_delete", obj=vacancy,
              detail={"reference": vacancy.reference, "source": vacancy.source})
    vacancy.delete()


@transaction.atomic
def candidate_profile_update(*, candidate: Candidate, cv_text: str | None = None, **fields) -> Candidate:
    """A candidate updates their own profile fields (``CANDIDATE_PROFILE_FIELDS``) and, optionally, their CV
    text (skills and qualifications are extracted again).  The candidate is rescored after commit."""
    unknown = set(fields) - set(CANDIDATE_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(candidate, name, value.strip() if isinstance(value, str) else value)
    candidate.salary_currency = (candidate.salary_currency or "").upper()
    candidate.save(update_fields=[*fields, "salary_currency", "updated_at"] if fields else ["updated_at"])
    if cv_text is not None and cv_text.strip() != candidate.cv_text:
        candidate, _ = candidate_upsert(source=candidate.source, reference=candidate.reference, cv_text=cv_text,
                                        source_label=candidate.source_label)
    else:
        matching_services.enqueue_candidate_scoring(candidate_id=candidate.pk)
    return candidate
