"""Who may do what through the API.

Roles (one user can hold several; the broadest wins):

- **recruiter** — an active superuser, or active staff in the "Recruiters" group (the recruiter workspace's
  rule).  Full access.
- **hiring manager** — an active user in the "Hiring managers" group who is not a recruiter: read-only access
  to the vacancies they are a hiring manager of (``Vacancy.hiring_managers``) and to those vacancies'
  applications and match scores.
- **candidate** — a user linked to a ``Candidate`` (``Candidate.user``): their own record (``/me/``), their own
  applications and their own match scores.
- anyone, anonymous included — open vacancies and the skill vocabulary.

Objects outside a user's reach are filtered out of the querysets (``visible_*`` below), so they answer 404,
never 403: the API does not tell a candidate whether someone else's application exists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from rest_framework.permissions import SAFE_METHODS, BasePermission

from matching.models import MatchScore
from recruiting.models import Application, Candidate, Vacancy
from recruiting.permissions import RECRUITERS_GROUP, candidate_match_scores, hiring_manager_match_scores

HIRING_MANAGERS_GROUP = "Hiring managers"
_CACHE_ATTR = "_api_role_groups"


def _groups(user) -> frozenset[str]:
    """The role groups ``user`` is in, cached on the user object (one query per request)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(
            user.groups.filter(name__in=[RECRUITERS_GROUP, HIRING_MANAGERS_GROUP]).values_list(
                "name", flat=True
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _active(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_authenticated", False))


def is_recruiter(user) -> bool:
    """Active superusers, and active staff in the "Recruiters" group."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.is_staff) and RECRUITERS_GROUP in _groups(user)


def is_hiring_manager(user) -> bool:
    """Active users in the "Hiring managers" group who are not recruiters (recruiter rights win)."""
    return _active(user) and not is_recruiter(user) and HIRING_MANAGERS_GROUP in _groups(user)


def roles_of(user) -> list[str]:
    roles = []
    if is_recruiter(user):
        roles.append("recruiter")
    if is_hiring_manager(user):
        roles.append("hiring_manager")
    if candidate_of(user) is not None:
        roles.append("candidate")
    return roles


def candidate_of(user) -> Candidate | None:
    """The candidate record linked to ``user``, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.candidate
    except Candidate.DoesNotExist:
        return None


# --- querysets scoped to a user -----------------------------------------------------------------------------
def visible_vacancies(user) -> QuerySet[Vacancy]:
    """Recruiters: every vacancy.  Hiring managers: open ones and the ones they manage.  Others: open ones."""
    queryset = Vacancy.objects.all()
    if is_recruiter(user):
        return queryset
    if is_hiring_manager(user):
        return queryset.filter(Q(status=Vacancy.Status.OPEN) | Q(hiring_managers=user)).distinct()
    return queryset.filter(status=Vacancy.Status.OPEN)


def managed_vacancy_ids(user):
    return Vacancy.objects.filter(hiring_managers=user).values("pk")


def visible_applications(user) -> QuerySet[Application]:
    """Recruiters: all.  Hiring managers: their vacancies'.  Candidates: their own.  Others: none."""
    queryset = Application.objects.all()
    if is_recruiter(user):
        return queryset
    if is_hiring_manager(user):
        return queryset.filter(vacancy__in=managed_vacancy_ids(user))
    candidate = candidate_of(user)
    if candidate is not None:
        return queryset.filter(candidate=candidate)
    return queryset.none()


def visible_match_scores(user) -> QuerySet[MatchScore]:
    """Recruiters: all.  Hiring managers: their applicants' scores for the vacancies they manage (the one rule,
    ``recruiting.permissions.hiring_manager_match_scores``).  Candidates: their own, for open vacancies
    (``recruiting.permissions.candidate_match_scores``, narrowed to open ones)."""
    return scoped_match_scores(user, MatchScore.objects.all())


def scoped_match_scores(user, queryset: QuerySet[MatchScore]) -> QuerySet[MatchScore]:
    """``queryset`` narrowed to what ``user`` may see (``visible_match_scores``)."""
    if is_recruiter(user):
        return queryset
    if is_hiring_manager(user):
        return hiring_manager_match_scores(user, queryset)
    candidate = candidate_of(user)
    if candidate is not None:
        # the candidate rule, narrowed as before to open vacancies (a closed one's ranking no longer moves)
        return candidate_match_scores(candidate, queryset).filter(vacancy__status=Vacancy.Status.OPEN)
    return queryset.none()


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
