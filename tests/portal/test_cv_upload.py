"""CV upload → parse → confirm → save.  Nothing reaches the candidate before confirmation; a bad upload gets a
clear message beside the field and leaves no file behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.views import PENDING_CV_SESSION_KEY
from recruiting.models import Candidate, SkillOrigin
from tests.portal.conftest import CV_TEXT
from tests.recruiting.fixtures import make_docx, make_pdf

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def upload(client, name: str, data: bytes):
    return client.post(reverse("portal:cv_upload"), {"cv": SimpleUploadedFile(name, data)})


def test_upload_keeps_the_cv_pending_under_a_random_name_and_saves_nothing(candidate_client, candidate):
    before = media_files()

    response = upload(candidate_client, "Ada Lovelace CV.txt", CV_TEXT.encode())

    assert response.status_code == 302 and response.url == reverse("portal:cv_confirm")
    pending = candidate_client.session[PENDING_CV_SESSION_KEY]
    new_files = media_files() - before
    assert len(new_files) == 1
    (stored,) = new_files
    assert re.fullmatch(r"cv-pending/[0-9a-f]{32}\.txt", stored)
    assert "Ada" not in stored and stored == pending["path"]
    candidate.refresh_from_db()
    assert candidate.cv_text == "" and not candidate.cv_file and not candidate.skill_links.exists()


def test_confirmation_page_lists_found_skills_and_qualifications_checked(candidate_client):
    upload(candidate_client, "cv.txt", CV_TEXT.encode())

    response = candidate_client.get(reverse("portal:cv_confirm"))

    html = response.content.decode()
    assert response.status_code == 200
    for skill in ("Python", "PyTorch", "scikit-learn", "Kubernetes"):
        assert re.search(rf'<input[^>]+value="{re.escape(skill)}"[^>]*checked', html), skill
    assert "Master&#x27;s degree in computer science" in html or "Master's degree in computer science" in html
    assert '<datalist id="skill-vocabulary">' in html
    assert "cv.txt" in html


def test_confirming_stores_the_cv_the_kept_and_added_skills_and_rescores(
    candidate_client, candidate, django_capture_on_commit_callbacks, monkeypatch
):
    scored = []
    monkeypatch.setattr("matching.tasks.score_candidates.delay", lambda ids: scored.append(ids))
    upload(candidate_client, "cv.txt", CV_TEXT.encode())
    pending = candidate_client.session[PENDING_CV_SESSION_KEY]
    page = candidate_client.get(reverse("portal:cv_confirm"))
    found = [c[0] for c in page.context["form"].fields["skills"].choices]
    kept = [name for name in found if name != "Kubernetes"]

    with django_capture_on_commit_callbacks(execute=True):
        response = candidate_client.post(
            reverse("portal:cv_confirm"),
            {
                "token": pending["token"],
                "skills": kept,
                "qualifications": ["0"],
                "added_skills": "docker, Airflow",
            },
        )

    assert response.status_code == 302 and response.url == reverse("portal:profile")
    candidate.refresh_from_db()
    assert candidate.cv_text.startswith("Ada Lovelace")
    assert re.fullmatch(r"cvs/\d{4}/\d{2}/[0-9a-f]{32}\.txt", candidate.cv_file.name)
    assert candidate.cv_sha256 == pending["sha256"]
    skills = dict(candidate.skill_links.values_list("skill__name", "origin"))
    assert "Kubernetes" not in skills
    assert {"Python", "PyTorch", "Docker", "Airflow"} <= set(skills)
    assert set(skills.values()) == {SkillOrigin.ENTERED}
    assert list(candidate.qualifications.values_list("level", "field")) == [(3, "computer science")]
    assert not default_storage.exists(pending["path"])
    assert PENDING_CV_SESSION_KEY not in candidate_client.session
    assert scored == [[candidate.pk]]


def test_unchecked_skills_stay_out_after_a_later_profile_save(candidate_client, candidate):
    upload(candidate_client, "cv.txt", CV_TEXT.encode())
    pending = candidate_client.session[PENDING_CV_SESSION_KEY]
    candidate_client.post(reverse("portal:cv_confirm"), {"token": pending["token"], "skills": ["Python"]})
    candidate_client.post(reverse("portal:profile"), {"name": "Ada", "salary_currency": ""})

    assert list(candidate.skill_links.values_list("skill__name", flat=True)) == ["Python"]


def test_confirming_with_an_unknown_added_skill_saves_nothing(candidate_client, candidate):
    upload(candidate_client, "cv.txt", CV_TEXT.encode())
    pending = candidate_client.session[PENDING_CV_SESSION_KEY]

    response = candidate_client.post(
        reverse("portal:cv_confirm"),
        {
            "token": pending["token"],
            "skills": ["Python"],
            "added_skills": "Underwater basket weaving",
        },
    )

    assert response.status_code == 200
    assert "Not in our skill list: Underwater basket weaving" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.cv_text == "" and not candidate.cv_file and not candidate.skill_links.exists()
    assert default_storage.exists(pending["path"])


def test_pdf_and_docx_uploads_are_read(candidate_client):
    assert upload(candidate_client, "cv.pdf", make_pdf(CV_TEXT.splitlines())).status_code == 302
    assert candidate_client.session[PENDING_CV_SESSION_KEY]["path"].endswith(".pdf")
    assert upload(candidate_client, "cv.docx", make_docx(CV_TEXT.splitlines())).status_code == 302
    assert candidate_client.session[PENDING_CV_SESSION_KEY]["path"].endswith(".docx")
    assert "Python" in candidate_client.session[PENDING_CV_SESSION_KEY]["text"]


def test_a_second_upload_replaces_the_pending_one(candidate_client):
    upload(candidate_client, "cv.txt", CV_TEXT.encode())
    first = candidate_client.session[PENDING_CV_SESSION_KEY]["path"]
    upload(candidate_client, "cv2.txt", CV_TEXT.encode())

    assert not default_storage.exists(first)
    assert default_storage.exists(candidate_client.session[PENDING_CV_SESSION_KEY]["path"])


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.pdf", b"", "This file is empty"),
        ("blank.txt", b"   \n\n  ", "blank.txt is empty."),
        (
            "corrupt.pdf",
            b"%PDF-1.4 garbage",
            "corrupt.pdf is a corrupt or truncated PDF; export it again and retry.",
        ),
        ("photo.pdf", PNG, "photo.pdf is not a PDF (its content is binary data of an unsupported type)."),
        (
            "cv.pdf",
            b"Plain text pretending to be a PDF, long enough to read.",
            "cv.pdf is not a PDF (its content is plain text).",
        ),
        ("cv.exe", b"MZ\x90\x00\x03\x00\x00\x00", "cv.exe is not a PDF, DOCX, TXT or MD file."),
        ("big.txt", b"a" * (5 * 1024 * 1024 + 1), "This file is 5.0 MB; the largest CV we accept is 5 MB."),
    ],
)
def test_bad_uploads_get_a_clear_message_beside_the_field_and_nothing_is_saved(
    candidate_client, candidate, name, data, message
):
    before = media_files()
    updated_at = candidate.updated_at

    response = upload(candidate_client, name, data)

    html = response.content.decode()
    assert response.status_code == 200
    errors = re.search(r'<ul class="field__errors" id="id_cv_error">(.*?)</ul>', html, re.DOTALL)
    assert errors and message in errors.group(1).replace("&#x27;", "'")
    assert re.search(r'<input[^>]+aria-describedby="id_cv_helptext id_cv_error"', html)
    assert media_files() == before
    assert PENDING_CV_SESSION_KEY not in candidate_client.session
    fresh = Candidate.objects.get(pk=candidate.pk)
    assert fresh.cv_text == "" and not fresh.cv_file and fresh.updated_at == updated_at


def test_upload_without_a_file(candidate_client):
    response = candidate_client.post(reverse("portal:cv_upload"), {})
    assert "Choose a CV file to upload." in response.content.decode()


def test_confirm_without_a_pending_upload_goes_back_to_the_profile(candidate_client):
    response = candidate_client.get(reverse("portal:cv_confirm"))
    assert response.status_code == 302 and response.url == reverse("portal:profile")


def test_a_stale_confirmation_form_is_not_saved(candidate_client, candidate):
    upload(candidate_client, "cv.txt", CV_TEXT.encode())
    response = candidate_client.post(reverse("portal:cv_confirm"), {"token": "0" * 32, "skills": ["Python"]})
    assert response.status_code == 302 and response.url == reverse("portal:cv_confirm")
    candidate.refresh_from_db()
    assert candidate.cv_text == ""


def test_cancel_discards_the_pending_file(candidate_client, candidate):
    upload(candidate_client, "cv.txt", CV_TEXT.encode())
    path = candidate_client.session[PENDING_CV_SESSION_KEY]["path"]

    response = candidate_client.post(reverse("portal:cv_cancel"))

    assert response.status_code == 302
    assert not default_storage.exists(path)
    assert PENDING_CV_SESSION_KEY not in candidate_client.session
    candidate.refresh_from_db()
    assert candidate.cv_text == ""


def test_a_new_cv_replaces_the_old_file(candidate_client, candidate, django_capture_on_commit_callbacks):
    for name in ("first.txt", "second.txt"):
        upload(candidate_client, name, CV_TEXT.encode())
        pending = candidate_client.session[PENDING_CV_SESSION_KEY]
        with django_capture_on_commit_callbacks(execute=True):
            candidate_client.post(
                reverse("portal:cv_confirm"), {"token": pending["token"], "skills": ["Python"]}
            )
        candidate.refresh_from_db()
        if name == "first.txt":
            first = candidate.cv_file.name
    assert candidate.cv_file.name != first
    assert default_storage.exists(candidate.cv_file.name) and not default_storage.exists(first)


def test_download_serves_the_candidates_own_cv_as_an_attachment(candidate_client, candidate):
    upload(candidate_client, "cv.txt", CV_TEXT.encode())
    pending = candidate_client.session[PENDING_CV_SESSION_KEY]
    candidate_client.post(reverse("portal:cv_confirm"), {"token": pending["token"], "skills": ["Python"]})

    response = candidate_client.get(reverse("portal:cv_download"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-cv.txt"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == CV_TEXT.encode()


def test_download_without_a_cv_is_404(candidate_client):
    assert candidate_client.get(reverse("portal:cv_download")).status_code == 404


def test_purge_deletes_abandoned_pending_uploads(candidate_client):
    from datetime import timedelta

    from portal import services

    upload(candidate_client, "cv.txt", CV_TEXT.encode())
    path = candidate_client.session[PENDING_CV_SESSION_KEY]["path"]
    assert services.cv_pending_purge(older_than=timedelta(days=1)) == 0
    assert services.cv_pending_purge(older_than=timedelta(seconds=-1)) >= 1
    assert not default_storage.exists(path)


def test_purge_command(candidate_client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("purge_pending_cvs", "--hours", "24", stdout=out)
    assert out.getvalue().startswith("deleted ")
