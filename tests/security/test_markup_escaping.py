"""HTML and JavaScript in CV and vacancy text render escaped in the portal, the recruiter workspace and the API's
browsable pages; the JSON API returns them as data (a JSON string, ``application/json``, ``nosniff``)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recruiting.models import Candidate, Vacancy
from tests.factories import CandidateFactory, RecruiterFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
SVG = "<svg onload=alert(4)>"
HOSTILE = (
    f"{SCRIPT} Machine Learning Engineer {IMG}\n"
    f"Python, PyTorch and Kubernetes in production. {SVG}\n"
    "Six years of scikit-learn and SQL.\nMSc Computer Science.\n"
)
RAW = (SCRIPT, "<img src=x", "<svg onload")


def _assert_escaped(response, where: str) -> None:
    assert response.status_code == 200, (where, response.status_code)
    html = response.content.decode()
    for raw in RAW:
        assert raw not in html, f"{where}: {raw!r} is not escaped"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, f"{where}: the escaped text is not shown"


def _portal(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


@pytest.fixture
def recruiter_client():
    client = Client()
    client.force_login(RecruiterFactory(username="escape.recruiter@example.org"))
    return client


def test_vacancy_markup_is_escaped_on_public_pages_and_in_the_workspace(tmp_path, recruiter_client):
    path = tmp_path / "MLE-XSS.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    call_command("import_vacancies", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    vacancy = Vacancy.objects.get(reference="MLE-XSS")
    assert SCRIPT in vacancy.title and SCRIPT in vacancy.description  # stored as given: data, not markup

    _assert_escaped(Client().get("/"), "portal vacancy list")
    _assert_escaped(Client().get(f"/vacancies/{vacancy.pk}/"), "portal vacancy page")
    _assert_escaped(
        recruiter_client.get(reverse("admin:recruiting_vacancy_change", args=[vacancy.pk])),
        "workspace vacancy page",
    )
    _assert_escaped(
        recruiter_client.get(reverse("admin:recruiting_vacancy_changelist")), "workspace vacancies"
    )
    _assert_escaped(
        recruiter_client.get(reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk])),
        "workspace shortlist",
    )

    api = Client().get(f"/api/v1/vacancies/{vacancy.pk}/")
    assert api["Content-Type"].startswith("application/json") and api["X-Content-Type-Options"] == "nosniff"
    assert SCRIPT in json.loads(api.content)["title"]


def test_cv_markup_is_escaped_in_the_workspace_and_served_as_json_data(tmp_path, recruiter_client):
    path = tmp_path / "cv-xss.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    call_command("import_candidates", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    candidate = Candidate.objects.get(reference="cv-xss")
    Candidate.objects.filter(pk=candidate.pk).update(name=f"{SCRIPT} Mallory", headline=IMG)

    _assert_escaped(
        recruiter_client.get(reverse("admin:recruiting_candidate_change", args=[candidate.pk])),
        "workspace candidate page",
    )
    _assert_escaped(
        recruiter_client.get(reverse("admin:recruiting_candidate_changelist")), "workspace candidates"
    )

    token, _ = Token.objects.get_or_create(user=RecruiterFactory(username="escape.api@example.org"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get(f"/api/v1/candidates/{candidate.pk}/")
    assert response.status_code == 200
    assert (
        response["Content-Type"].startswith("application/json")
        and response["X-Content-Type-Options"] == "nosniff"
    )
    assert SCRIPT in response.json()["name"]

    browsable = api.get(f"/api/v1/candidates/{candidate.pk}/", HTTP_ACCEPT="text/html")
    if browsable["Content-Type"].startswith("text/html"):  # DRF's browsable API, where it is enabled
        html = browsable.content.decode()
        assert SCRIPT not in html and "<img src=x" not in html


@pytest.mark.skipif(not _portal("portal:cv_upload"), reason="the portal's CV upload is not in this tree")
def test_cv_markup_is_escaped_in_the_portal(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    user = UserFactory(username="escape.candidate@example.org")
    CandidateFactory(user=user, source="portal", reference=f"user-{user.pk}")
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("portal:cv_upload"), {"cv": SimpleUploadedFile("cv.txt", HOSTILE.encode())}
    )
    assert response.status_code == 302
    _assert_escaped(client.get(reverse("portal:cv_confirm")), "portal CV confirmation")
    pending = client.session["portal_pending_cv"]
    assert client.post(reverse("portal:cv_confirm"), {"token": pending["token"]}).status_code == 302
    Candidate.objects.filter(user=user).update(name=f"{SCRIPT} Mallory", headline=IMG)
    profile = client.get(reverse("portal:profile"))
    assert profile.status_code == 200
    for raw in RAW:
        assert raw not in profile.content.decode(), f"portal profile: {raw!r} is not escaped"
    export = client.get(reverse("portal:privacy_export"))
    assert (
        export["Content-Type"].startswith("application/json")
        and "attachment" in export["Content-Disposition"]
    )
