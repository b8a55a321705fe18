"""Who may do what through the API: DRF permission classes over the one access policy, ``recruiting.permissions``.

Roles (one user can hold several; the broadest wins), as ``recruiting.permissions`` defines them:

- **recruiter** — an active superuser, or active staff in the "Recruiters" group.  Full access.
- **hiring manager** — active staff in the "Hiring managers" group who is not a recruiter (the workspace's rule,
  the same answer on both faces): read-only access to the vacancies they are a hiring manager of
  (``Vacancy.hiring_managers``) and to those vacancies' applications and match scores.
- **candidate** — a user linked to a ``Candidate`` (``Candidate.user``): their own record (``/me/``), their own
  applications and their own match scores.
- anyone, anonymous included — open vacancies and the skill vocabulary.

Objects outside a user's reach are filtered out of the querysets (``recruiting.permissions.visible_*``), so they
answer 404, never 403: the API does not tell a candidate whether someone else's application exists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.permissions import SAFE_METHODS, BasePermission

from matching.models import MatchScore
from recruiting.models import Application, Vacancy
from recruiting.permissions import (
    candidate_of,
    is_hiring_manager,
    is_recruiter,
    visible_applications,
    visible_match_scores,
)


def scoped_match_scores(user, queryset: QuerySet[MatchScore]) -> QuerySet[MatchScore]:
    """``queryset`` narrowed to what ``user`` may see (``recruiting.permissions.visible_match_scores``); the API
    shows a candidate only the scores of open vacancies (a closed vacancy's ranking no longer moves)."""
    queryset = visible_match_scores(user, queryset)
    if not (is_recruiter(user) or is_hiring_manager(user)):
        queryset = queryset.filter(vacancy__status=Vacancy.Status.OPEN)
    return queryset


# --- DRF permission classes ---------------------------------------------------------------------------------
class IsRecruiter(BasePermission):
    message = "Only recruiters may do this."

    def has_permission(self, request, view) -> bool:
        return is_recruiter(request.user)


class IsRecruiterOrReadOnly(BasePermission):
    """Reads for anyone (the queryset decides what they see); writes for recruiters."""

    message = "Only recruiters may change this."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or is_recruiter(request.user)


class IsCandidate(BasePermission):
    message = "Only a candidate (a user with a candidate profile) may do this."

    def has_permission(self, request, view) -> bool:
        return candidate_of(request.user) is not None


class ApplicationPermission(BasePermission):
    """Reads: recruiters, hiring managers, candidates (the queryset scopes them).  Apply: candidates.
    Move: recruiters.  Withdraw: the candidate whose application it is."""

    message = "You may not do this to applications."

    def has_permission(self, request, view) -> bool:
        user = request.user
        action = getattr(view, "action", None)
        if action == "create" or action == "withdraw":
            return candidate_of(user) is not None
        if action == "move":
            return is_recruiter(user)
        if request.method in SAFE_METHODS:
            return is_recruiter(user) or is_hiring_manager(user) or candidate_of(user) is not None
        return False

    def has_object_permission(self, request, view, obj: Application) -> bool:
        user = request.user
        action = getattr(view, "action", None)
        if action == "withdraw":
            candidate = candidate_of(user)
            return candidate is not None and obj.candidate_id == candidate.pk
        if action == "move":
            return is_recruiter(user)
        if request.method in SAFE_METHODS:
            return visible_applications(user).filter(pk=obj.pk).exists()
        return False
