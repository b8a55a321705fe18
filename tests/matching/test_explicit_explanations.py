"""Issue 13: reads never write, and web requests never fit a model.

Rows the storage policy keeps only as a candidate's best vacancies are stored narrow (no explanation).  Iterating a
queryset leaves them as stored; the selectors that show explanations — the filtered shortlist, its CSV export —
explain them explicitly (``matching.services.match_scores_explain``).  (A web request never fits a model:
``tests/portal/test_match.py``.)
"""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import runs
from matching.models import MatchScore
from tests.factories import RecruiterFactory
from tests.matching.test_storage_policy import pool  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

_WRITES = ("INSERT", "UPDATE", "DELETE")


def _scored_with_narrow_rows(django_capture_on_commit_callbacks) -> list[MatchScore]:
    with django_capture_on_commit_callbacks(execute=True):
        runs.scoring_run_start(scope="all")
    narrow = list(MatchScore.objects.filter(explained=False).order_by("pk"))
    assert narrow, "with K=3 of 9 candidates some pairs are kept only as a candidate's best vacancy"
    return narrow


def test_iterating_match_scores_issues_no_writes_and_leaves_narrow_rows_as_stored(
    pool,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    narrow = _scored_with_narrow_rows(django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        rows = list(MatchScore.objects.select_related("candidate", "vacancy"))
        MatchScore.objects.get(pk=narrow[0].pk)
        list(MatchScore.objects.filter(explained=False).iterator())
    assert rows and not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(_WRITES)]
    assert MatchScore.objects.filter(explained=False).count() == len(narrow)


def _stored_narrow_on_the_shortlist(vacancy_id: int, narrow: list[MatchScore]) -> MatchScore:
    """A narrow row of ``vacancy_id`` (stored unexplained), or the vacancy's best row made narrow again the way the
    storage policy stores one, so the test does not depend on which pairs the policy happened to keep narrow."""
    for row in narrow:
        if row.vacancy_id == vacancy_id:
            return row
    row = (
        MatchScore.objects.filter(vacancy_id=vacancy_id, score__isnull=False).order_by("-score", "pk").first()
    )
    MatchScore.objects.filter(pk=row.pk).update(
        explained=False, matched_skills=[], missing_skills=[], explanation={}
    )
    return row


def test_a_filtered_shortlist_and_its_csv_export_show_explanations_of_rows_stored_narrow(
    pool,  # noqa: F811
    client,
    django_capture_on_commit_callbacks,
):
    narrow = _scored_with_narrow_rows(django_capture_on_commit_callbacks)
    row = _stored_narrow_on_the_shortlist(narrow[0].vacancy_id, narrow)
    client.force_login(RecruiterFactory())
    url = reverse("admin:recruiting_vacancy_shortlist", args=[row.vacancy_id])

    # A filter narrows the columns the shortlist reads (``.only``): the narrow row is explained all the same.
    html = client.get(url, {"min_score": 0, "applied": "no"}).content.decode()
    assert client.get(url, {"min_score": 0}).status_code == 200
    stored = MatchScore.objects.get(pk=row.pk)
    assert stored.explained and stored.explanation["components"]
    assert f'value="{row.candidate_id}"' in html

    # The CSV export of a row stored narrow carries its components and skills.
    MatchScore.objects.filter(pk=row.pk).update(
        explained=False, matched_skills=[], missing_skills=[], explanation={}
    )
    response = client.post(url, {"action": "export", "candidate_ids": [row.candidate_id]})
    exported = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert exported["candidate_id"] == str(row.candidate_id)
    assert exported["required"] not in ("",) and exported["text"] not in ("",)
    assert exported["matched_skills"] or exported["missing_skills"]
    assert MatchScore.objects.get(pk=row.pk).explained
