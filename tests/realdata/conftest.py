"""Fixtures of the real-data tests: the seed vacancies and the 166 unique real CVs, imported by the commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import ensure_vocabulary


@pytest.fixture
def imported(shared_dir, django_capture_on_commit_callbacks):
    """The five seed vacancies and the 166 unique CVs of ``../shared`` (796 exact duplicates dropped), imported
    with ``import_vacancies`` and ``import_candidates``; returns the shared directory."""
    ensure_vocabulary()
    with django_capture_on_commit_callbacks(execute=True):
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
    return shared_dir
