"""portal.services on their own: skill names and aliases, years from dated jobs, the candidate of an account."""

from __future__ import annotations

from datetime import date

import pytest

from portal import services
from tests.factories import UserFactory


def test_years_from_periods_counts_overlaps_once_and_open_ends_to_today():
    today = date(2024, 1, 1)
    assert services.years_from_periods([], today) == 0
    assert services.years_from_periods([(date(2020, 1, 1), date(2022, 1, 1))], today) == 2.0
    assert (
        services.years_from_periods([(date(2020, 1, 1), date(2022, 1, 1)), (date(2021, 1, 1), None)], today)
        == 4.0
    )
    assert (
        services.years_from_periods(
            [(date(2016, 1, 1), date(2017, 1, 1)), (date(2020, 1, 1), date(2021, 1, 1))], today
        )
        == 2.0
    )
    assert services.years_from_periods([(date(2030, 1, 1), None)], today) == 0


def test_split_skill_names():
    assert services.split_skill_names(" Python, SQL;\nPyTorch ,, ") == ["Python", "SQL", "PyTorch"]


@pytest.mark.django_db
def test_skills_resolve_by_name_or_alias_in_any_case():
    found, unknown = services.skills_resolve(["python", "sklearn", "PYTHON", "Telepathy"])
    assert [s.name for s in found] == ["Python", "scikit-learn"]
    assert unknown == ["Telepathy"]


@pytest.mark.django_db
def test_candidate_create_for_user_is_idempotent():
    user = UserFactory(email="ada@example.com", username="ada@example.com")
    first = services.candidate_create_for_user(user=user)
    again = services.candidate_create_for_user(user=user)
    assert first.pk == again.pk and first.consent_given_at == again.consent_given_at
    assert (first.source, first.reference, first.email) == ("portal", f"user-{user.pk}", "ada@example.com")


@pytest.mark.django_db
def test_cv_pending_create_refuses_other_extensions_before_reading():
    with pytest.raises(services.DocumentError, match="is not a PDF, DOCX, TXT or MD file"):
        services.cv_pending_create(data=b"hello", filename="C:\\Users\\ada\\cv.html")
