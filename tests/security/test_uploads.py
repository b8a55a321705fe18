"""Uploaded files: stored under random names, outside the static root, never served by a public URL — only
through the permission-checked views (the candidate's own "my CV", the workspace's logged download)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse

from recruiting.models import Candidate

pytestmark = pytest.mark.django_db

CV = (
    "Jane Doe — Machine Learning Engineer\nSix years of Python, PyTorch and scikit-learn in production.\n"
    "Deployed models on Kubernetes and AWS.\nMSc Computer Science.\n"
)
RANDOM_NAME = re.compile(r"(?:[\w-]+/)*[0-9a-f]{32}\.(?:pdf|docx|txt|md)")


def _under(path: Path, root) -> bool:
    try:
        path.resolve().relative_to(Path(root).resolve())
    except ValueError:
        return False
    return True


def _assert_private(name: str) -> None:
    """Random name, stored in MEDIA_ROOT, not under STATIC_ROOT, and no URL serves it."""
    assert RANDOM_NAME.fullmatch(name), name
    assert "Jane" not in name and "Doe" not in name
    stored = Path(settings.MEDIA_ROOT) / name
    assert stored.is_file()
    assert not _under(stored, settings.STATIC_ROOT)
    client = Client()
    assert client.get(f"{settings.MEDIA_URL}{name}").status_code == 404
    assert client.get(f"/static/{name}").status_code == 404


def test_imported_cv_is_stored_under_a_random_name(world, production_storage, tmp_path):
    source = tmp_path / "Jane Doe CV.txt"
    source.write_text(CV, encoding="utf-8")
    call_command("import_candidates", str(source), "--source", "security-test")
    candidate = Candidate.objects.get(source="security-test")
    _assert_private(candidate.cv_file.name)
    assert candidate.cv_file.name.startswith("cvs/")


def _portal_upload_confirm(client: Client, name: str, data: bytes):
    response = client.post(reverse("portal:cv_upload"), {"cv": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content[:500]
    pending = client.session["portal_pending_cv"]
    return pending, client.post(reverse("portal:cv_confirm"), {"token": pending["token"]})


def _portal_available() -> bool:
    try:
        reverse("portal:cv_upload")
        reverse("portal:cv_confirm")
    except NoReverseMatch:
        return False
    return True


@pytest.mark.skipif(not _portal_available(), reason="the portal's CV upload is not in this tree")
def test_portal_cv_is_stored_under_a_random_name_and_served_only_to_its_owner(world, production_storage):
    zelda = world.user("candidate")
    client = Client()
    client.force_login(zelda)
    pending, response = _portal_upload_confirm(client, "../../Jane Doe CV.txt", CV.encode())
    assert response.status_code == 302
    assert RANDOM_NAME.fullmatch(pending["path"]) and "Jane" not in pending["path"]
    world.zelda.refresh_from_db()
    name = world.zelda.cv_file.name
    _assert_private(name)

    own = client.get(reverse("portal:cv_download"))
    assert own.status_code == 200 and b"".join(own.streaming_content) == CV.encode()
    assert "Jane" not in own["Content-Disposition"]
    assert Client().get(reverse("portal:cv_download")).status_code == 302  # anonymous: to the login page
    bob = Client()
    bob.force_login(world.user("other_candidate"))
    assert bob.get(reverse("portal:cv_download")).status_code == 404  # his own, and he has none
    recruiter = Client()
    recruiter.force_login(world.user("recruiter"))
    download = recruiter.get(reverse("admin:recruiting_candidate_cv", args=[world.zelda.pk]))
    assert download.status_code == 200
    assert bob.get(reverse("admin:recruiting_candidate_cv", args=[world.zelda.pk])).status_code == 302


def test_no_url_serves_the_media_folder():
    from tests.security.urls import walk

    prefix = settings.MEDIA_URL.lstrip("/")
    routes = ["".join(str(p) for p in chain) for chain, _, _ in walk()]
    assert not [r for r in routes if r.lstrip("^").startswith(prefix)]


def test_production_media_root_is_outside_the_static_files():
    import recruiting.settings as production

    media = Path(production.MEDIA_ROOT)
    for root in [production.STATIC_ROOT, *production.STATICFILES_DIRS]:
        assert not _under(media, root) and not _under(Path(root), media)


@pytest.mark.parametrize(
    "given, expected",
    [
        ("cvs/2026/01/Jane Doe.pdf", r"cvs/2026/01/[0-9a-f]{32}\.pdf"),
        ("cvs/x/../../etc/passwd.PDF", None),
        ("cvs/2026/01/..\\..\\win.ini", r"cvs/2026/01/[0-9a-f]{32}"),
        ("cvs/2026/01/evil.php", r"cvs/2026/01/[0-9a-f]{32}"),
        ("cvs/2026/01/" + "a" * 500 + ".docx", r"cvs/2026/01/[0-9a-f]{32}\.docx"),
        ("cvs/2026/01/nul\x00.pdf.exe", r"cvs/2026/01/[0-9a-f]{32}"),
    ],
)
def test_storage_names(given, expected, tmp_path):
    from django.core.exceptions import SuspiciousFileOperation

    from recruiting.security import RandomNameFileSystemStorage

    storage = RandomNameFileSystemStorage(location=tmp_path)
    if expected is None:
        with pytest.raises(SuspiciousFileOperation):
            storage.generate_filename(given)
    else:
        assert re.fullmatch(expected, storage.generate_filename(given))


@pytest.mark.parametrize(
    "given, expected",
    [
        ("cvs/2026/01/Jane Doe.pdf", r"cvs/2026/01/[0-9a-f]{32}\.pdf"),
        ("cvs/x/../../etc/passwd.PDF", None),
        ("cvs/2026/01/evil.php", r"cvs/2026/01/[0-9a-f]{32}"),
    ],
)
def test_object_store_names_follow_the_same_rule(given, expected):
    """On an object store (STORAGE_URL, issue 15) an upload's key is as random as a file name on disk."""
    from django.core.exceptions import SuspiciousFileOperation

    from recruiting.storage import RandomNameS3Storage

    storage = RandomNameS3Storage(
        bucket_name="cvs", endpoint_url="http://127.0.0.1:9", access_key="k", secret_key="s"
    )  # naming needs no connection
    if expected is None:
        with pytest.raises(SuspiciousFileOperation):
            storage.generate_filename(given)
    else:
        assert re.fullmatch(expected, storage.generate_filename(given))
