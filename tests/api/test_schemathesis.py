"""Schemathesis against the live schema on loopback: every operation, as a recruiter and as a candidate.

The server is pytest-django's ``live_server`` (a real HTTP server on 127.0.0.1 in a thread of this process);
the schema is read from ``/api/schema/`` like any client would.  Each operation is called with generated
requests — valid ones, invalid ones, and valid ones aimed at objects that exist — and every response must be no
5xx (``not_a_server_error``) and match the schema (``response_schema_conformance``): status code documented,
body of the documented shape.  Then schemathesis's coverage phase in both modes (the CLI's ``--mode all
--phases coverage``) sends boundary data — each field at and past its bounds, wrong types, missing fields — and
every 4xx must be in the API's error format (issue 16).  Bounded: a few examples per operation and role, no shrinking, no example
database, so the whole run takes well under the 3 minutes it is allowed.
"""

from __future__ import annotations

import itertools
import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import response_schema_conformance

from recruiting import webhooks
from tests.api.conftest import make_hiring_manager
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    MatchScoreFactory,
    RecruiterFactory,
    ScoringRunFactory,
    SkillFactory,
    UserFactory,
    VacancyFactory,
)

MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
# Boundary cases per operation and role (schemathesis's coverage phase lists them all; the first ones cover every
# parameter's bounds, the rest mostly combine them).
MAX_BOUNDARY_CASES = int(os.environ.get("API_FUZZ_BOUNDARY_CASES", "15"))
BUDGET_SECONDS = 170
CHECKS = [not_a_server_error, response_schema_conformance]


def _world():
    """Objects the generated requests can reach, and a token per role."""
    recruiter = RecruiterFactory(username="fuzz-recruiter@example.com")
    candidate_user = UserFactory(username="fuzz-candidate@example.com")
    candidate = CandidateFactory(
        user=candidate_user, cv_text="Python, PyTorch and SQL. MSc Computer Science."
    )
    hiring_manager = make_hiring_manager(username="fuzz-hm@example.com")
    vacancy = VacancyFactory()
    vacancy.hiring_managers.add(hiring_manager)
    application = ApplicationFactory(candidate=candidate, vacancy=vacancy)
    score = MatchScoreFactory(candidate=candidate, vacancy=vacancy)
    MatchScoreFactory(candidate=CandidateFactory(), vacancy=vacancy, insufficient=True)
    endpoint = webhooks.endpoint_create(
        url="http://127.0.0.1:9/hook", events=webhooks.EVENTS, actor=recruiter
    )
    delivery = webhooks.WebhookDelivery.objects.create(
        endpoint=endpoint, event="vacancy.published", payload={"vacancy_id": vacancy.pk}
    )
    ids = {
        "/api/v1/vacancies/": vacancy.pk,
        "/api/v1/candidates/": candidate.pk,
        "/api/v1/applications/": application.pk,
        "/api/v1/match-scores/": score.pk,
        "/api/v1/skills/": SkillFactory(name="Fuzzable skill").pk,
        "/api/v1/scoring-runs/": ScoringRunFactory().pk,
        "/api/v1/webhooks/endpoints/": endpoint.pk,
        "/api/v1/webhooks/deliveries/": delivery.pk,
    }
    tokens = {
        "recruiter": (recruiter, Token.objects.create(user=recruiter).key),
        "candidate": (candidate_user, Token.objects.create(user=candidate_user).key),
    }
    return ids, tokens


def _error_format(response) -> bool:
    """Whether a response body is the API's one error format: ``{"error": {"code", "message", "details"}}``."""
    try:
        body = response.json()
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and set(body) == {"error"}
        and isinstance(body["error"], dict)
        and set(body["error"]) == {"code", "message", "details"}
    )


def _known_id(path: str, ids: dict) -> int | None:
    for prefix, pk in ids.items():
        if path.startswith(prefix + "{id}"):
            return pk
    return None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, monkeypatch):
    # Loopback only: webhook deliveries the fuzzing triggers are recorded, not sent to generated URLs.
    monkeypatch.setattr(webhooks, "_post", lambda url, body, headers: (204, ""))
    # The throttles stay on, with room for the fuzzing (429 is still a documented answer).
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {
            **SimpleRateThrottle.THROTTLE_RATES,
            "user": "100000/min",
            "applications": "100000/min",
            "scoring": "100000/min",
            "anon": "100000/min",
        },
    )
    ids, tokens = _world()
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 35

    failures: list[str] = []
    calls = {"count": 0, "statuses": {}}
    started = time.monotonic()

    def run(operation, role: str, strategy, label: str) -> None:
        user, key = tokens[role]
        headers = {"Authorization": f"Token {key}"}

        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def check(case):
            response = case.call_and_validate(
                base_url=live_server.url, headers=headers, checks=CHECKS, timeout=30
            )
            calls["count"] += 1
            calls["statuses"][response.status_code] = calls["statuses"].get(response.status_code, 0) + 1
            if os.environ.get("API_FUZZ_DEBUG"):
                print(
                    role,
                    label,
                    response.status_code,
                    case.method,
                    case.formatted_path,
                    case.query,
                    str(case.body)[:100],
                    response.text[:150],
                )

        try:
            # DELETE /auth/token/ revokes the token: give it back before each operation
            Token.objects.get_or_create(key=key, defaults={"user": user})
            check()
        except (KeyboardInterrupt, SystemExit):
            raise
        except Unsatisfiable:
            if label != "invalid":
                raise
            # nothing to make invalid: the operation has no parameters and no body
        except BaseException as exc:  # noqa: BLE001 - collect every operation's failure, report them all
            failures.append(f"{role} {operation.label} [{label}]: {type(exc).__name__}: {str(exc)[:1500]}")

    for operation in operations:
        for role in ("recruiter", "candidate"):
            run(operation, role, operation.as_strategy(), "valid")
            run(operation, role, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), "invalid")
            known = _known_id(operation.path, ids)
            if known is not None:
                run(operation, role, operation.as_strategy(path_parameters={"id": known}), "existing object")
        assert time.monotonic() - started < BUDGET_SECONDS, "the schemathesis run is over its time budget"

    assert not failures, "\n\n".join(failures)
    assert calls["count"] > len(operations) * 4
    # the fuzzing reached real objects, not only 4xx answers
    assert sum(n for code, n in calls["statuses"].items() if 200 <= code < 300) > len(operations)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_boundary_data_answers_4xx_in_the_error_format(live_server, monkeypatch):
    """Schemathesis's coverage phase in both modes (the CLI's ``--mode all --phases coverage``): each parameter and
    body field at and just past its bounds — minimum and maximum, empty and over-long strings, missing required
    fields, wrong types, values outside an enum — as a recruiter and as a candidate.  Every answer: no 5xx, and a
    4xx is in the API's error format (issue 16)."""
    monkeypatch.setattr(webhooks, "_post", lambda url, body, headers: (204, ""))
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {
            **SimpleRateThrottle.THROTTLE_RATES,
            "user": "100000/min",
            "applications": "100000/min",
            "scoring": "100000/min",
            "anon": "100000/min",
        },
    )
    _, tokens = _world()
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    statuses: dict[int, int] = {}
    started = time.monotonic()
    for operation in operations:
        for role in ("recruiter", "candidate"):
            user, key = tokens[role]
            Token.objects.get_or_create(key=key, defaults={"user": user})  # DELETE /auth/token/ revokes it
            generator = CoverageGenerator(
                operation=operation,
                generation_modes=list(GenerationMode),
                generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
                auth_storage=None,
                override=Override(),
                feedback=FeedbackSources(),
            )
            for case in itertools.islice(generator, MAX_BOUNDARY_CASES):
                response = case.call(
                    base_url=live_server.url, headers={"Authorization": f"Token {key}"}, timeout=30
                )
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                label = (
                    f"{role} {case.method} {case.formatted_path} query={case.query} "
                    f"body={str(case.body)[:200]}: {response.status_code}"
                )
                if response.status_code >= 500:
                    failures.append(label)
                elif response.status_code >= 400 and not _error_format(response):
                    failures.append(f"{label} not in the error format: {response.text[:200]}")
        assert time.monotonic() - started < BUDGET_SECONDS, "the boundary run is over its time budget"
    assert not failures, "\n".join(failures)
    assert sum(statuses.values()) > len(operations) * 4
    assert sum(n for code, n in statuses.items() if 400 <= code < 500) > len(
        operations
    )  # the bounds were hit
