"""``manage.py create_recruiter EMAIL [--password P]``: a staff login for the recruiter workspace.

Creates the user (username = email) or, when it exists, resets its password; either way the user is active
staff in the "Recruiters" group.  The password is printed once and never stored in clear anywhere.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from recruiting.permissions import recruiter_upsert


class Command(BaseCommand):
    help = "Create (or reset the password of) a recruiter: a staff user in the Recruiters group."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the recruiter's e-mail address, also the login name")
        parser.add_argument("--password", default=None, help="use this password instead of a random one")

    def handle(self, *args, email: str, password: str | None, **options):
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Not an e-mail address: {email!r}") from exc
        user, password, created = recruiter_upsert(email=email, password=password)
        verb = "Created" if created else "Updated (password reset)"
        self.stderr.write(f"{verb} recruiter {user.get_username()}.")
        self.stdout.write(f"Recruiter login: {user.get_username()} / {password} at /admin/")
