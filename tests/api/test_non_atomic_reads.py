"""Read-only match-score routes run outside the request transaction (no BEGIN / COMMIT round trips per page);
every other route keeps ``ATOMIC_REQUESTS``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from recruiting import permissions
from recruiting.api.views import candidates as candidate_views
from recruiting.api.views import vacancies as vacancy_views
from recruiting.api.views.common import NonAtomicReadsMixin

# Outside the test's own transaction, so that the request's (or its absence) shows; the data is restored after.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def in_transaction(monkeypatch):
    """Records, by name, whether the spied function ran inside a transaction."""
    seen: dict[str, bool] = {}

    def spy(name, module, attribute):
        real = getattr(module, attribute)

        def wrapper(*args, **kwargs):
            seen[name] = connection.in_atomic_block
            return real(*args, **kwargs)

        monkeypatch.setattr(module, attribute, wrapper)

    return seen, spy


@transactional
def test_a_shortlist_page_is_read_outside_a_transaction_and_the_vacancy_list_inside_one(
    world, in_transaction
):
    seen, spy = in_transaction
    spy("page", vacancy_views, "ranked_page_cached")
    spy("list", permissions, "listed_vacancies")
    client = world.client("recruiter")
    response = client.get(f"/api/v1/vacancies/{world.open_vacancy.pk}/match-scores/")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert seen["page"] is False
    assert client.get("/api/v1/vacancies/").status_code == 200
    assert seen["list"] is True


@transactional
def test_a_candidates_scores_are_read_outside_a_transaction(world, in_transaction):
    seen, spy = in_transaction
    spy("scores", candidate_views, "match_scores")
    response = world.client("recruiter").get(f"/api/v1/candidates/{world.candidate.pk}/match-scores/")
    assert response.status_code == 200
    assert seen["scores"] is False


def test_a_write_action_named_non_atomic_is_refused_at_start_up():
    class Writes(NonAtomicReadsMixin, viewsets.ViewSet):
        non_atomic_actions = frozenset({"touch"})

        @action(detail=False, methods=["post"])
        def touch(self, request):
            return Response()

    with pytest.raises(ImproperlyConfigured, match="read-only"):
        Writes.as_view({"post": "touch"})
    assert Writes.as_view({"get": "touch"})  # the same action routed read-only is allowed
