"""Fixtures of the real-data tests: the seed vacancies and the 166 unique real CVs, imported by the commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase

from tests.conftest import ensure_vocabulary


@pytest.fixture(scope="module")
def imported(shared_dir, django_db_setup, django_db_blocker):
    """The five seed vacancies and the 166 unique CVs of ``../shared`` (796 exact duplicates dropped), imported
    with ``import_vacancies`` and ``import_candidates``; returns the shared directory.

    Imported once per test module, inside a transaction that is rolled back when the module's tests are done:
    each test runs in a savepoint of its own within it (pytest-django's ``django_db``), so what a test writes is
    undone after it as before, and nothing is left in the test database."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            ensure_vocabulary()
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command(
                    "import_vacancies",
                    *sorted(str(p) for p in (shared_dir / "seeds").glob("*.txt")),
                    stdout=StringIO(),
                )
                out = StringIO()
                call_command(
                    "import_candidates",
                    str(shared_dir / "data" / "resumes" / "UpdatedResumeDataSet.csv"),
                    "--text-column",
                    "Resume",
                    "--label-column",
                    "Category",
                    stdout=out,
                )
        assert "166 candidates" in out.getvalue() and "796" in out.getvalue()
        yield shared_dir
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
