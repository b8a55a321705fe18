"""Workers that share no disk (issue 15): two real ``celery worker`` processes, each in its own working directory
with its own ``MEDIA_ROOT``, against one database and one broker; the web process (this test's live server) has a
third ``MEDIA_ROOT``.  A candidate uploads a CV through the portal, a recruiter imports a CSV and a CV file, a full
rescore runs, and then every score is stored and every CV downloads byte for byte.

Run once with CV files on the web's local disk (the embedded default: workers never need a CV file) and once
with ``STORAGE_URL`` pointing at an S3-compatible server (moto's standalone server, started here), where no CV
reaches any local disk at all.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from matching import runs
from matching.models import MatchScore, ScoringRun
from portal import services as portal_services
from recruiting.models import Candidate, Vacancy
from recruiting.services import vacancy_upsert
from tests.conftest import ensure_vocabulary
from tests.factories import RecruiterFactory, UserFactory
from tests.integration import (
    broker_url,
    celery_queue,
    s3_server,
    start_worker,
    stop_worker,
    wait_for,
    wait_until_ready,
)
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PORTAL_CV = (
    "Grace Hopper — Machine Learning Engineer\n"
    "Seven years building production machine learning systems in Python, TensorFlow and SQL, with deep learning\n"
    "for NLP.  Trained and deployed ranking models, wrote feature pipelines in Spark and SQL, and led a team of\n"
    "three engineers shipping models to millions of users every day.\n"
    "MSc in Computer Science, University of Manchester.\n"
).encode()
IMPORTED_FILE_CV = (DS_CV + " Imported as a file.\n").encode()


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _cv_files_under(root: Path) -> list[Path]:
    return [p for p in _files_under(root) if not p.name.endswith(".log")]


def _browser(live_server, user) -> requests.Session:
    """A ``requests`` session logged in as ``user`` on the live server (the session Django's test client made)."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(
        django_settings.SESSION_COOKIE_NAME, client.cookies[django_settings.SESSION_COOKIE_NAME].value
    )
    return session


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _upload_through_the_portal(live_server, user) -> None:
    browser = _browser(live_server, user)
    profile = browser.get(f"{live_server.url}{reverse('portal:profile')}", timeout=30)
    assert profile.status_code == 200, profile.text[:500]
    confirm = browser.post(
        f"{live_server.url}{reverse('portal:cv_upload')}",
        data={"csrfmiddlewaretoken": _csrf(profile.text)},
        files={"cv": ("Grace Hopper CV.txt", PORTAL_CV, "text/plain")},
        timeout=30,
    )
    assert confirm.status_code == 200 and confirm.url.endswith(reverse("portal:cv_confirm")), confirm.text[
        :500
    ]
    token = re.search(r'name="token" value="([0-9a-f]+)"', confirm.text).group(1)
    skills = re.findall(r'name="skills" value="([^"]+)"', confirm.text)
    saved = browser.post(
        f"{live_server.url}{reverse('portal:cv_confirm')}",
        data={"csrfmiddlewaretoken": _csrf(confirm.text), "token": token, "skills": skills},
        timeout=30,
    )
    assert saved.status_code == 200 and saved.url.endswith(reverse("portal:profile")), saved.text[:500]


def _import_a_csv_and_a_cv_file(folder: Path) -> None:
    folder.mkdir()
    with (folder / "candidates.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["reference", "cv_text"])
        for i in range(6):
            writer.writerow([f"csv-{i}", (DS_CV if i % 2 else SALES_CV) + f" Candidate {i}."])
    files = folder / "files"
    files.mkdir()
    (files / "imported-cv.txt").write_bytes(IMPORTED_FILE_CV)
    call_command(
        "import_candidates",
        str(folder / "candidates.csv"),
        str(files),
        "--text-column",
        "cv_text",
        "--id-column",
        "reference",
        stdout=io.StringIO(),
    )


@pytest.fixture(params=["local disk", "object store"])
def storage(request, settings, tmp_path):
    """Where CV files live: ``{"web_media": Path, "worker_env": {...}, "store": the S3 server or None}``.  The web process
    (this test process and its live server) gets its own MEDIA_ROOT; with the object store, the production
    storage class points at moto's server, and the workers get the same ``STORAGE_URL``."""
    broker_url()  # skip (or fail under CI=true) before starting anything when there is no broker
    web_media = tmp_path / "web-media"
    settings.MEDIA_ROOT = str(web_media)
    if request.param == "local disk":
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "recruiting.security.RandomNameFileSystemStorage"},
        }
        yield {"web_media": web_media, "worker_env": {}, "store": None}
        return
    with s3_server() as store:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "recruiting.storage.RandomNameS3Storage",
                "OPTIONS": {
                    "bucket_name": store.bucket,
                    "endpoint_url": store.endpoint,
                    "access_key": "test",
                    "secret_key": "test",
                    "region_name": "us-east-1",
                    "addressing_style": "path",
                    "signature_version": "s3v4",
                    "file_overwrite": False,
                },
            },
        }
        yield {"web_media": web_media, "worker_env": {"STORAGE_URL": store.url}, "store": store}


def test_two_workers_without_a_shared_disk_store_every_score_and_every_cv_downloads(
    storage, live_server, tmp_path
):
    ensure_vocabulary()
    vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
    candidate_user = UserFactory(email="grace@example.com", username="grace@example.com")
    candidate = portal_services.candidate_create_for_user(user=candidate_user)
    recruiter = RecruiterFactory()

    machines = [tmp_path / "worker-1", tmp_path / "worker-2"]
    with celery_queue() as queue:
        workers = []
        try:
            for i, home in enumerate(machines, start=1):
                home.mkdir()
                workers.append(
                    start_worker(
                        queue,
                        concurrency=1,
                        name=f"disk{i}",
                        cwd=home,
                        extra_env={
                            "MEDIA_ROOT": str(home / "media"),
                            "MATCHING_CHUNK_SIZE": "2",
                            **storage["worker_env"],
                        },
                        wait=False,  # both start at once
                    )
                )
            for worker in workers:
                wait_until_ready(worker)

            _upload_through_the_portal(live_server, candidate_user)
            _import_a_csv_and_a_cv_file(tmp_path / "import")
            pairs = Candidate.objects.count() * Vacancy.objects.count()
            assert pairs == 8
            assert wait_for(lambda: MatchScore.objects.count() == pairs, timeout=90), (
                f"only {MatchScore.objects.count()} of {pairs} scores appeared after the uploads and the import"
            )

            run = runs.scoring_run_start(scope="all")
            assert wait_for(
                lambda: ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.DONE, timeout=120
            ), f"the full rescore did not finish: {ScoringRun.objects.get(pk=run.pk)}"
            run.refresh_from_db()
            assert run.done == run.total == Candidate.objects.count()
        finally:
            for worker in workers:
                stop_worker(worker)

    # Every pair is scored, once; the portal candidate's uploaded CV was read and scored too.
    assert MatchScore.objects.count() == pairs
    for person in Candidate.objects.all():
        assert MatchScore.objects.filter(candidate=person, vacancy=vacancy).count() == 1, person.reference
    assert MatchScore.objects.get(candidate=candidate, vacancy=vacancy).score is not None
    logs = [(home / f"worker-{queue}-disk{i}.log").read_text() for i, home in enumerate(machines, start=1)]
    assert all("succeeded" in log for log in logs), "both workers should have run tasks"

    # Every CV file downloads, byte for byte, through the web: the candidate's own and the recruiter's view.
    candidate.refresh_from_db()
    mine = _browser(live_server, candidate_user).get(
        f"{live_server.url}{reverse('portal:cv_download')}", timeout=30
    )
    assert mine.status_code == 200 and mine.content == PORTAL_CV
    with_files = list(Candidate.objects.exclude(cv_file=""))
    assert len(with_files) == 2
    recruiter_browser = _browser(live_server, recruiter)
    expected = {candidate.pk: PORTAL_CV}
    expected.update({c.pk: IMPORTED_FILE_CV for c in with_files if c.pk != candidate.pk})
    for person in with_files:
        response = recruiter_browser.get(
            f"{live_server.url}{reverse('admin:recruiting_candidate_cv', args=[person.pk])}", timeout=30
        )
        assert response.status_code == 200, (person.reference, response.status_code)
        assert response.content == expected[person.pk]

    # No worker ever needed a CV on its own disk; with the object store, no CV is on any local disk at all.
    for home in machines:
        assert _cv_files_under(home / "media") == []
    if storage["store"] is not None:
        assert _cv_files_under(storage["web_media"]) == []
        listed = storage["store"].client.list_objects_v2(Bucket=storage["store"].bucket).get("Contents", [])
        assert {c.cv_file.name for c in with_files} <= {o["Key"] for o in listed}
    else:
        assert len(_cv_files_under(storage["web_media"])) == 2
