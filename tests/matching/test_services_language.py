"""The language of a CV and of a vacancy: detected on extraction, stored, and carried into the engine documents."""

import pytest

from matching import profiles, selectors
from recruiting.models import Candidate, Vacancy
from recruiting.services import candidate_upsert, vacancy_upsert
from tests.matching.test_language import ENGLISH, GERMAN

pytestmark = pytest.mark.django_db

VACANCY_EN = (
    "We are hiring a machine learning engineer to build recommendation models in Python and PyTorch. "
    "You will work with product teams, ship models to production and measure what they change. "
    "Required: Python, SQL and Docker."
)


def test_refreshing_a_profile_stores_the_cv_language_and_keeps_the_instance_in_sync():
    candidate, _ = candidate_upsert(source="t", reference="de", cv_text=GERMAN)
    assert candidate.language == "de"
    assert Candidate.objects.get(pk=candidate.pk).language == "de"

    candidate.cv_text = ENGLISH
    profiles.candidate_refresh_profile(candidate=candidate)
    assert candidate.language == "en"
    assert Candidate.objects.get(pk=candidate.pk).language == "en"


def test_a_keyword_list_cv_has_no_language():
    candidate, _ = candidate_upsert(source="t", reference="kw", cv_text="Python, SQL, Docker, PyTorch")
    assert Candidate.objects.get(pk=candidate.pk).language == ""


def test_refreshing_a_vacancy_stores_its_language():
    vacancy, _ = vacancy_upsert(source="t", reference="v", title="MLE", description=VACANCY_EN)
    assert vacancy.language == "en"
    assert Vacancy.objects.get(pk=vacancy.pk).language == "en"


def test_engine_documents_carry_the_stored_language():
    candidate, _ = candidate_upsert(source="t", reference="de", cv_text=GERMAN)
    vacancy, _ = vacancy_upsert(source="t", reference="v", title="MLE", description=VACANCY_EN)
    [(loaded, cdoc, _)] = selectors.candidate_documents([candidate.pk])
    assert cdoc.language == "de" and loaded.language == "de"
    [(_, vdoc)] = selectors.vacancy_documents([vacancy.pk])
    assert vdoc.language == "en"


def test_documents_from_free_text_detect_the_language():
    vdoc, cdocs = selectors.documents_from_text(vacancy_text=VACANCY_EN, cv_texts=[GERMAN, ENGLISH, "Python"])
    assert vdoc.language == "en"
    assert [d.language for d in cdocs] == ["de", "en", ""]
