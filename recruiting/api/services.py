"""Writes the API needs that the shared services (``recruiting.services``) do not offer yet.

Kept small and in the same style (keyword-only, one transaction, audit log) so they can move into
``recruiting.services`` unchanged when the portal or the workspace needs them too.
"""

from __future__ import annotations

from django.db import transaction

from recruiting.models import Vacancy
from recruiting.services import ApplicationError, audit_log


@transaction.atomic
def vacancy_delete(*, vacancy: Vacancy, actor=None) -> None:
    """Delete a vacancy with its match scores.  Refused (``ApplicationError``) once anyone applied: close it
    instead, so the pipeline's history is kept."""
    vacancy = Vacancy.objects.select_for_update().get(pk=vacancy.pk)
    if vacancy.applications.exists():
        raise ApplicationError("This vacancy has applications: close it instead of deleting it.")
    audit_log(
        actor=actor,
        action="vacancy_delete",
        obj=vacancy,
        detail={"reference": vacancy.reference, "source": vacancy.source},
    )
    vacancy.delete()
