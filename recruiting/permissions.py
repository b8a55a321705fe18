"""Who may do what, for every face of the service: the recruiter workspace (the Django admin), the REST API
and the candidate portal.  The one home of the roles, the groups that grant them, what each role sees and the
candidate-of-user lookup; ``recruiting.api.permissions`` holds only DRF classes over these functions.

Roles
-----
- **Recruiters** (group "Recruiters", active staff): every vacancy, candidate and application; edit vacancies
  and their requirements, move applications through the pipeline, merge duplicates, start a full rescore.
- **Hiring managers** (group "Hiring managers", active staff): read-only on the vacancies they are named on
  (``Vacancy.hiring_managers``): the vacancy, its shortlist, its board and its applications; the candidate
  page of people who applied to one of those vacancies; and they add notes.  They do not edit vacancies,
  move stages, export, merge or see anything about other vacancies.  They read the hiring reports over their
  own vacancies only.
- **Superusers**: everything recruiters do, plus the audit log (readable by superusers only).
- **Candidates** (a user linked to a ``Candidate``, ``candidate_of``): their own record, applications and
  scores, in the portal and the API.  Portal accounts are never staff.

Both staff roles need ``is_staff``, on every face (issue 13): the workspace is the admin site, which admits
staff only, and the accounts ``recruiter_upsert`` / ``hiring_manager_upsert`` make are staff.  A non-staff
account that ends up in "Hiring managers" (a candidate's portal account added by mistake, a staff account
demoted by clearing ``is_staff``) is therefore not a hiring manager anywhere: clearing ``is_staff`` is how an
administrator takes workspace rights away, and it must take the same rights away from the API.

Anyone else — staff accounts made for other purposes, candidates' portal accounts — is refused at the admin
login.  Every custom workspace view checks these functions as well as ``admin_view``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

RECRUITERS_GROUP = "Recruiters"
HIRING_MANAGERS_GROUP = "Hiring managers"

# (app_label, model_name) -> actions.  Mirrored, frozen, in migrations recruiting/0002 and 0004.
RECRUITER_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("recruiting", "vacancy"): ("view", "change", "add"),
    ("recruiting", "candidate"): ("view", "change", "add"),
    ("recruiting", "application"): ("view", "change", "add"),
    ("recruiting", "vacancyskill"): ("view", "change", "add"),
    ("recruiting", "candidateskill"): ("view", "change", "add"),
    ("recruiting", "qualification"): ("view", "change", "add"),
    ("recruiting", "note"): ("view", "add"),
    ("recruiting", "applicationstagechange"): ("view",),
    ("recruiting", "experience"): ("view",),
    ("recruiting", "stageemailtemplate"): ("view", "change"),
    ("matching", "matchscore"): ("view",),
    ("matching", "scoringrun"): ("view",),
    ("matching", "skill"): ("view",),
}

HIRING_MANAGER_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("recruiting", "vacancy"): ("view",),
    ("recruiting", "candidate"): ("view",),
    ("recruiting", "application"): ("view",),
    ("recruiting", "note"): ("view", "add"),
    ("recruiting", "applicationstagechange"): ("view",),
    ("recruiting", "experience"): ("view",),
    ("matching", "matchscore"): ("view",),
}

_CACHE_ATTR = "_recruiter_workspace_groups"
_WORKSPACE_GROUPS = (RECRUITERS_GROUP, HIRING_MANAGERS_GROUP)


def _groups(user) -> frozenset[str]:
    """The workspace groups ``user`` is in, cached on the user object (one query per request)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=_WORKSPACE_GROUPS).values_list("name", flat=True))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def workspace_groups_sql(user_id_sql: str, quote_name) -> tuple[list[str], list[str]]:
    """SQL select expressions, one per workspace group, each true when the user whose id is the SQL expression
    ``user_id_sql`` is in that group, and their parameters (the group names): a query that selects them gives
    ``workspace_groups_remember`` what ``is_recruiter`` and the rest need, without the query ``_groups`` makes.
    ``quote_name``: the connection's ``ops.quote_name``."""
    membership = get_user_model().groups.through._meta
    group_table = quote_name(Group._meta.db_table)
    columns = {
        field.related_model: quote_name(field.column)
        for field in membership.get_fields()
        if field.is_relation
    }
    expression = (
        f"EXISTS (SELECT 1 FROM {quote_name(membership.db_table)} m JOIN {group_table} g "
        f"ON g.{quote_name(Group._meta.pk.column)} = m.{columns[Group]} "
        f"WHERE m.{columns[get_user_model()]} = {user_id_sql} AND g.{quote_name('name')} = %s)"
    )
    return [expression] * len(_WORKSPACE_GROUPS), list(_WORKSPACE_GROUPS)


def workspace_groups_remember(user, memberships: Iterable) -> None:
    """Cache on ``user``, for the request, the workspace groups that ``workspace_groups_sql``'s expressions
    selected (``memberships``: their values, in their order)."""
    setattr(
        user,
        _CACHE_ATTR,
        frozenset(g for g, member in zip(_WORKSPACE_GROUPS, memberships, strict=True) if member),
    )


def _active_staff(user) -> bool:
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_staff", False)
    )


def is_superuser(user) -> bool:
    """Active, authenticated superusers."""
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_superuser", False)
    )


def is_recruiter(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Active superusers, and active staff in the "Recruiters" group: full recruiter rights."""
    if is_superuser(user):
        return True
    return _active_staff(user) and RECRUITERS_GROUP in _groups(user)


def is_hiring_manager(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Active staff in the "Hiring managers" group who are not recruiters (recruiter rights win)."""
    return _active_staff(user) and not is_recruiter(user) and HIRING_MANAGERS_GROUP in _groups(user)


def user_can_use_recruiter_workspace(user: AbstractBaseUser | AnonymousUser) -> bool:
    """True for recruiters, hiring managers and superusers; False for everyone else (candidates included)."""
    return is_recruiter(user) or is_hiring_manager(user)


def candidate_of(user):
    """The ``Candidate`` linked to ``user`` (``Candidate.user``), or None: anonymous, or an account without a
    candidate profile (a recruiter's, or a portal account before consent).  The one candidate-of-user lookup of
    the portal and the API; the answer is cached on ``user`` for the request (Django's reverse one-to-one)."""
    from recruiting.models import Candidate

    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.candidate
    except Candidate.DoesNotExist:
        return None


def roles_of(user) -> list[str]:
    """The roles ``user`` holds, broadest first: ``"recruiter"``, ``"hiring_manager"``, ``"candidate"``."""
    roles = []
    if is_recruiter(user):
        roles.append("recruiter")
    if is_hiring_manager(user):
        roles.append("hiring_manager")
    if candidate_of(user) is not None:
        roles.append("candidate")
    return roles


# --- what each role sees ------------------------------------------------------------------------------------
def visible_vacancies(user, queryset: QuerySet | None = None) -> QuerySet:
    """The vacancies ``user`` may see: all for recruiters, their own for hiring managers, none otherwise."""
    from recruiting.models import Vacancy

    queryset = Vacancy.objects.all() if queryset is None else queryset
    if is_recruiter(user):
        return queryset
    if is_hiring_manager(user):
        return queryset.filter(hiring_managers=user)
    return queryset.none()


def listed_vacancies(user) -> QuerySet:
    """The vacancies ``user`` may read through the API: the open ones for anyone, anonymous included, and besides
    them those ``visible_vacancies`` gives the user (all for recruiters, their own for hiring managers)."""
    from recruiting.models import Vacancy

    if is_recruiter(user):
        return Vacancy.objects.all()
    open_ = Q(status=Vacancy.Status.OPEN)
    if is_hiring_manager(user):
        return Vacancy.objects.filter(open_ | Q(pk__in=visible_vacancies(user).values("pk")))
    return Vacancy.objects.filter(open_)


# --- the hiring-manager rule (issue 16, finding 1) ----------------------------------------------------------
# A hiring manager sees a candidate's personal data only for people who applied to a vacancy they manage, and
# a match score only for a (candidate, vacancy) pair where the candidate applied to that vacancy and the user
# manages it.  There is no "share a sourced candidate with the hiring manager" mechanism yet, so sourced
# candidates (scored, never applied) stay out of their reach; the shortlist shows them only the counts.
# These two filters are the single statement of that rule: the workspace, the admin and the API all call them.
def hiring_manager_candidates(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` (candidates) narrowed to people with an application to a vacancy ``user`` manages."""
    from recruiting.models import Application

    return queryset.filter(
        pk__in=Application.objects.filter(vacancy__hiring_managers=user).values("candidate_id")
    )


def hiring_manager_match_scores(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` (match scores) narrowed to pairs whose candidate applied to the score's vacancy, a vacancy
    ``user`` manages."""
    from recruiting.models import Application

    applied = Application.objects.filter(
        candidate=OuterRef("candidate_id"), vacancy=OuterRef("vacancy_id"), vacancy__hiring_managers=user
    )
    return queryset.filter(Exists(applied))


def candidate_match_scores(candidate, queryset: QuerySet) -> QuerySet:
    """``queryset`` (match scores) narrowed to what ``candidate`` may see of their own scores: the ones for
    vacancies open to them (published, not closed) or that they applied to.  Every non-closed vacancy is scored,
    drafts included, so without this a candidate's data export listed a draft's id, title and skills (issue 16,
    finding 2).  Used by the portal's "your matches", the data export and the API."""
    from recruiting.models import Application, Vacancy

    applied = Application.objects.filter(candidate=candidate, vacancy=OuterRef("vacancy_id"))
    return queryset.filter(candidate=candidate).filter(
        Q(vacancy__status=Vacancy.Status.OPEN) | Exists(applied)
    )


def visible_candidates(user, queryset: QuerySet | None = None) -> QuerySet:
    """Candidates ``user`` may open: all for recruiters; for hiring managers, people with an application to
    one of their vacancies (a shortlist row alone does not open the CV of someone who never applied)."""
    from recruiting.models import Candidate

    queryset = Candidate.objects.all() if queryset is None else queryset
    if is_recruiter(user):
        return queryset
    if is_hiring_manager(user):
        return hiring_manager_candidates(user, queryset)
    return queryset.none()


def visible_applications(user, queryset: QuerySet | None = None) -> QuerySet:
    """Applications ``user`` may read: all for recruiters; their vacancies' for hiring managers; their own for
    candidates; none otherwise."""
    from recruiting.models import Application

    queryset = Application.objects.all() if queryset is None else queryset
    if is_recruiter(user):
        return queryset
    if is_hiring_manager(user):
        return queryset.filter(vacancy__hiring_managers=user)
    candidate = candidate_of(user)
    if candidate is not None:
        return queryset.filter(candidate=candidate)
    return queryset.none()


def visible_match_scores(user, queryset: QuerySet | None = None) -> QuerySet:
    """All for recruiters; for hiring managers only their applicants' scores (``hiring_manager_match_scores``);
    for candidates their own (``candidate_match_scores``); none otherwise."""
    from matching.models import MatchScore

    queryset = MatchScore.objects.all() if queryset is None else queryset
    if is_recruiter(user):
        return queryset
    if is_hiring_manager(user):
        return hiring_manager_match_scores(user, queryset)
    candidate = candidate_of(user)
    if candidate is not None:
        return candidate_match_scores(candidate, queryset)
    return queryset.none()


def can_view_vacancy(user, vacancy) -> bool:
    """Whether ``user`` may see ``vacancy``'s ranking (its shortlist, its match scores): recruiters, and the
    vacancy's own hiring managers (``visible_vacancies``).  No query for recruiters."""
    if is_recruiter(user):
        return True
    return visible_vacancies(user).filter(pk=vacancy.pk).exists()


def can_edit_vacancy(user) -> bool:
    """Edit, publish, close, re-extract, rescore: recruiters only."""
    return is_recruiter(user)


def can_move_applications(user) -> bool:
    """Move stages (board, shortlist bulk actions) and export: recruiters only."""
    return is_recruiter(user)


def can_add_note(user) -> bool:
    """Add a note on a candidate: anyone who may use the workspace (hiring managers too)."""
    return user_can_use_recruiter_workspace(user)


def can_merge_candidates(user) -> bool:
    """Merge duplicate candidates: recruiters only."""
    return is_recruiter(user)


def can_start_rescore(user) -> bool:
    """Start a full rescore of every pair: recruiters only."""
    return is_recruiter(user)


def can_read_audit_log(user) -> bool:
    """Read the audit log: superusers only."""
    return is_superuser(user)


def can_view_hiring_reports(user) -> bool:
    """The hiring reports (funnel, time in stage, sources, scores): recruiters over every vacancy, hiring
    managers over their own (the data is narrowed by ``visible_applications`` / ``visible_vacancies``)."""
    return user_can_use_recruiter_workspace(user)


def can_export_hiring_reports(user) -> bool:
    """A hiring report's CSV export: recruiters only, like every export."""
    return can_move_applications(user)


# --- groups and accounts ------------------------------------------------------------------------------------
def _group_ensure(name: str, table: dict[tuple[str, str], tuple[str, ...]]) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    wanted = []
    for (app_label, model_name), actions in table.items():
        content_type = ContentType.objects.get(app_label=app_label, model=model_name)
        codenames = [f"{action}_{model_name}" for action in actions]
        wanted.extend(Permission.objects.filter(content_type=content_type, codename__in=codenames))
    group.permissions.add(*wanted)
    return group


def recruiters_group_ensure() -> Group:
    """Create the "Recruiters" group if missing and give it the permissions above (idempotent)."""
    return _group_ensure(RECRUITERS_GROUP, RECRUITER_PERMISSIONS)


def hiring_managers_group_ensure() -> Group:
    """Create the "Hiring managers" group if missing and give it the permissions above (idempotent)."""
    return _group_ensure(HIRING_MANAGERS_GROUP, HIRING_MANAGER_PERMISSIONS)


def _staff_upsert(*, email: str, password: str | None) -> tuple[AbstractBaseUser, str, bool]:
    email = get_user_model().objects.normalize_email(email.strip())
    password = password or secrets.token_urlsafe(12)
    user, created = get_user_model().objects.get_or_create(
        username=email, defaults={"email": email, "is_staff": True, "is_active": True}
    )
    user.email = email
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.save()
    return user, password, created


@transaction.atomic
def recruiter_upsert(*, email: str, password: str | None = None) -> tuple[AbstractBaseUser, str, bool]:
    """Create or update the staff user ``email`` (username = email) in the "Recruiters" group (and no longer a
    hiring manager).  The password is ``password`` or a new random one; an existing user's password is reset
    either way.  Returns ``(user, password, created)``."""
    user, password, created = _staff_upsert(email=email, password=password)
    user.groups.add(recruiters_group_ensure())
    user.groups.remove(*Group.objects.filter(name=HIRING_MANAGERS_GROUP))
    return user, password, created


@transaction.atomic
def hiring_manager_upsert(
    *,
    email: str,
    vacancies: Iterable = (),
    password: str | None = None,
) -> tuple[AbstractBaseUser, str, bool]:
    """Create or update the staff user ``email`` in the "Hiring managers" group (and no longer a recruiter),
    named as hiring manager on each of ``vacancies`` (added to what they already manage).
    Returns ``(user, password, created)``."""
    user, password, created = _staff_upsert(email=email, password=password)
    user.groups.add(hiring_managers_group_ensure())
    user.groups.remove(*Group.objects.filter(name=RECRUITERS_GROUP))
    for vacancy in vacancies:
        vacancy.hiring_managers.add(user)
    return user, password, created
