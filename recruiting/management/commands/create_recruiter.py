"""``manage.py create_recruiter EMAIL [--hiring-manager --vacancy REF ...] [--password P]``: a staff login
for the recruiter workspace.

Without ``--hiring-manager`` the user is a recruiter (group "Recruiters"); with it, a hiring manager (group
"Hiring managers") named on each ``--vacancy`` (a vacancy reference, or ``SOURCE:REFERENCE`` when the same
reference exists in several sources).  A user is either one or the other: the command moves them between the
groups.  The user is created (username = email) or, when it exists, gets a new password; the password is
printed once and never stored in clear anywhere.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from recruiting.models import Vacancy
from recruiting.permissions import hiring_manager_upsert, recruiter_upsert


def _vacancy(ref: str) -> Vacancy:
    source, _, reference = ref.rpartition(":")
    matches = list(Vacancy.objects.filter(reference=reference, **({"source": source} if source else {}))[:2])
    if not matches and source:  # the reference itself may contain a colon
        matches = list(Vacancy.objects.filter(reference=ref)[:2])
    if not matches:
        raise CommandError(f"No vacancy with reference {ref!r}.")
    if len(matches) > 1:
        raise CommandError(f"Several vacancies have reference {ref!r}; give it as SOURCE:REFERENCE.")
    return matches[0]


class Command(BaseCommand):
    help = (
        "Create (or reset the password of) a recruiter, or with --hiring-manager a hiring manager of the "
        "given vacancies."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the person's e-mail address, also the login name")
        parser.add_argument("--password", default=None, help="use this password instead of a random one")
        parser.add_argument(
            "--hiring-manager",
            action="store_true",
            help="a hiring manager (sees only their vacancies, comments) instead of a recruiter",
        )
        parser.add_argument(
            "--vacancy",
            action="append",
            default=[],
            metavar="REF",
            help="(with --hiring-manager, repeatable) a vacancy they manage: REFERENCE or SOURCE:REFERENCE",
        )

    @transaction.atomic
    def handle(
        self, *args, email: str, password: str | None, hiring_manager: bool, vacancy: list[str], **options
    ):
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Not an e-mail address: {email!r}") from exc
        if vacancy and not hiring_manager:
            raise CommandError("--vacancy needs --hiring-manager (recruiters see every vacancy).")
        if hiring_manager:
            vacancies = [_vacancy(ref) for ref in vacancy]
            user, password, created = hiring_manager_upsert(
                email=email, vacancies=vacancies, password=password
            )
            role = "Hiring manager"
            managed = (
                ", ".join(v.reference for v in user.managed_vacancies.order_by("reference")) or "none yet"
            )
            detail = f" (vacancies: {managed})"
        else:
            user, password, created = recruiter_upsert(email=email, password=password)
            role, detail = "Recruiter", ""
        verb = "Created" if created else "Updated (password reset)"
        self.stderr.write(f"{verb} {role.lower()} {user.get_username()}{detail}.")
        self.stdout.write(f"{role} login: {user.get_username()} / {password} at /admin/")
