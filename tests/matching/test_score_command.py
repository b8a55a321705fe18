"""``manage.py score --wait`` when its database connection drops while waiting (issue 16, finding 11): it
reconnects and keeps waiting, or stops with a clear ``CommandError`` naming the run — never a traceback."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.db.models import F

from matching.management.commands import score as score_command
from matching.models import ScoringRun
from tests.factories import CandidateFactory, VacancyFactory

# Inside the test's transaction the real close would end the test's own transaction (and a transactional test
# flushes tables later tests rely on), so ``connection.close`` is recorded, not run; reopening a closed
# connection on the next query is Django's own behaviour.
pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky_progress(monkeypatch):
    """``run_progress`` raising ``OperationalError`` the first ``fail`` times; records the closes and sleeps."""
    state = {"fail": 0, "calls": 0, "closes": 0, "sleeps": []}
    real = score_command.run_progress

    def progress(run):
        state["calls"] += 1
        if state["fail"] < 0 or state["calls"] <= state["fail"]:
            raise OperationalError("server closed the connection unexpectedly")
        # The workers' side, done by then (the enqueue waits for a commit the test transaction never makes).
        ScoringRun.objects.filter(pk=run.pk).update(status=ScoringRun.Status.DONE, done=F("total"))
        real(run)

    def close():
        state["closes"] += 1

    monkeypatch.setattr(score_command, "run_progress", progress)
    monkeypatch.setattr(score_command.connection, "close", close)
    monkeypatch.setattr(score_command.time, "sleep", lambda s: state["sleeps"].append(s))
    VacancyFactory()
    CandidateFactory()
    return state


def test_a_dropped_connection_while_waiting_reconnects_and_keeps_waiting(flaky_progress):
    flaky_progress["fail"] = 1
    out, err = StringIO(), StringIO()

    call_command("score", "--all", "--wait", stdout=out, stderr=err)

    run = ScoringRun.objects.get()
    assert run.status == ScoringRun.Status.DONE
    assert flaky_progress["closes"] == 1 and flaky_progress["calls"] >= 2
    assert "Database connection lost" in err.getvalue()
    assert "Stored" in out.getvalue()


def test_a_database_that_stays_away_ends_with_a_clear_error_naming_the_run(flaky_progress):
    flaky_progress["fail"] = -1  # always

    with pytest.raises(CommandError) as caught:
        call_command("score", "--all", "--wait", stdout=StringIO(), stderr=StringIO())

    run = ScoringRun.objects.get()
    message = str(caught.value)
    assert f"scoring run {run.pk}" in message and "lost the database connection" in message
    assert flaky_progress["calls"] == score_command.DB_RETRIES
    assert flaky_progress["closes"] == score_command.DB_RETRIES
    assert len(flaky_progress["sleeps"]) == score_command.DB_RETRIES - 1


def test_from_the_command_line_it_is_one_line_not_a_traceback(flaky_progress, capsys):
    flaky_progress["fail"] = -1
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "score", "--all", "--wait"]).execute()

    assert exited.value.code == 1
    err = capsys.readouterr().err
    run = ScoringRun.objects.get()
    assert f"CommandError: lost the database connection while waiting for scoring run {run.pk}" in err
    assert "Traceback" not in err
