"""Who may use the recruiter workspace (the Django admin), and the "Recruiters" group that grants it.

Only active staff users in the "Recruiters" group, and superusers, get into the admin.  A staff flag alone
is not enough: staff accounts made for other purposes are refused.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

RECRUITERS_GROUP = "Recruiters"

# (app_label, model_name) -> actions.  Mirrored, frozen, in migration recruiting/0002_recruiters_group.
RECRUITER_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("recruiting", "vacancy"): ("view", "change", "add"),
    ("recruiting", "candidate"): ("view", "change", "add"),
    ("recruiting", "application"): ("view", "change", "add"),
    ("recruiting", "vacancyskill"): ("view", "change", "add"),
    ("recruiting", "candidateskill"): ("view", "change", "add"),
    ("recruiting", "qualification"): ("view", "change", "add"),
    ("matching", "matchscore"): ("view",),
    ("matching", "scoringrun"): ("view",),
    ("matching", "skill"): ("view",),
}

_CACHE_ATTR = "_recruiter_workspace_access"


def user_can_use_recruiter_workspace(user: AbstractBaseUser | AnonymousUser) -> bool:
    """True for active superusers and for active staff users in the "Recruiters" group.

    The answer is cached on the user object, so the admin's repeated checks cost one query per request.
    """
    if not getattr(user, "is_active", False) or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not user.is_staff:
        return False
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = user.groups.filter(name=RECRUITERS_GROUP).exists()
        setattr(user, _CACHE_ATTR, cached)
    return cached


def recruiters_group_ensure() -> Group:
    """Create the "Recruiters" group if missing and give it exactly the permissions above (idempotent)."""
    group, _ = Group.objects.get_or_create(name=RECRUITERS_GROUP)
    wanted = []
    for (app_label, model_name), actions in RECRUITER_PERMISSIONS.items():
        content_type = ContentType.objects.get(app_label=app_label, model=model_name)
        codenames = [f"{action}_{model_name}" for action in actions]
        wanted.extend(Permission.objects.filter(content_type=content_type, codename__in=codenames))
    group.permissions.add(*wanted)
    return group


@transaction.atomic
def recruiter_upsert(*, email: str, password: str | None = None) -> tuple[AbstractBaseUser, str, bool]:
    """Create or update the staff user ``email`` (username = email) in the "Recruiters" group.

    The password is ``password`` or a new random one; an existing user's password is reset either way.
    Returns ``(user, password, created)``.
    """
    email = get_user_model().objects.normalize_email(email.strip())
    password = password or secrets.token_urlsafe(12)
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=email, defaults={"email": email, "is_staff": True, "is_active": True}
    )
    user.email = email
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.save()
    user.groups.add(recruiters_group_ensure())
    return user, password, created
