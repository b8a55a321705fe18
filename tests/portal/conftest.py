"""Fixtures of the portal tests: a signed-in candidate (and a second one, for permission tests)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from portal import services
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth keeps its rate-limit counters in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each test stores uploads in its own folder (other tests look at what the shared one holds)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def user(db):
    return UserFactory(email="ada@example.com", username="ada@example.com")


@pytest.fixture
def candidate(user):
    return services.candidate_create_for_user(user=user)


@pytest.fixture
def candidate_client(client, user, candidate):
    client.force_login(user)
    return client


@pytest.fixture
def other_candidate(db):
    other = UserFactory(email="bob@example.com", username="bob@example.com")
    return services.candidate_create_for_user(user=other)


CV_TEXT = (
    "Ada Lovelace — Machine Learning Engineer\n"
    "Six years building production machine learning systems in Python, PyTorch and scikit-learn.\n"
    "Deployed models on Kubernetes and AWS, with feature pipelines in SQL and Spark.\n"
    "Led a team of four engineers shipping recommendation models to millions of users every day.\n"
    "MSc in Computer Science, University of Manchester.\n"
)
