"""Nothing lost: real worker processes killed, Redis restarted, database connections dropped, workers racing.

Each test runs real ``celery worker`` processes against Redis and the test database (PostgreSQL in CI).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.db import connection

from matching import runs, services, staleness
from matching.models import MatchScore, ScoringRun
from recruiting.models import Candidate, Vacancy
from recruiting.services import candidate_upsert, vacancy_upsert
from tests.conftest import ensure_vocabulary
from tests.integration import broker_url, celery_queue, start_worker, start_workers, stop_worker, wait_for
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

pytestmark = [
    pytest.mark.fault,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def make_pool(n_candidates: int = 8) -> tuple[list[Candidate], Vacancy]:
    """Candidates and a vacancy saved without a broker (scoring not enqueued), scores deleted."""
    from django.conf import settings

    ensure_vocabulary()
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    settings.CELERY_TASK_ALWAYS_EAGER = True
    try:
        vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        vacancy_upsert(
            source="t", reference="mle2", title="MLE 2", description=VACANCY + " Kubernetes required."
        )
        cands = [
            candidate_upsert(
                source="t", reference=f"cv{i}", cv_text=(DS_CV if i % 2 else SALES_CV) + f" #{i}"
            )[0]
            for i in range(n_candidates)
        ]
    finally:
        settings.CELERY_TASK_ALWAYS_EAGER = eager
    MatchScore.objects.all().delete()
    return cands, vacancy


def expected_pairs() -> int:
    return Candidate.objects.count() * Vacancy.objects.exclude(status="closed").count()


def all_scored_once() -> bool:
    return MatchScore.objects.count() == expected_pairs()


def test_kill_9_of_a_worker_mid_chunk_loses_nothing(settings):
    settings.MATCHING_CHUNK_SIZE = 2
    make_pool(8)
    with celery_queue() as queue:
        # Worker A holds each chunk open for 20 s; unacknowledged tasks come back after 3 s once A is gone.
        slow = start_worker(
            queue,
            concurrency=1,
            name="slow",
            faults={"scoring_delay": 20},
            extra_env={
                "CELERY_VISIBILITY_TIMEOUT": "3",
                "MATCHING_CHUNK_SIZE": "2",
            },
        )
        fast = None
        try:
            run = runs.scoring_run_start(scope="all")
            assert wait_for(
                lambda: ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.RUNNING, timeout=60
            ), "the slow worker never started a chunk"
            os.kill(slow.pid, signal.SIGKILL)  # mid-chunk: it sleeps inside the chunk before storing (faults)
            slow.wait(timeout=10)
            fast = start_worker(
                queue,
                concurrency=2,
                name="fast",
                extra_env={"CELERY_VISIBILITY_TIMEOUT": "3", "MATCHING_CHUNK_SIZE": "2"},
            )

            # The killed chunk comes back either by the broker's redelivery (acks_late, visibility timeout) or by
            # the periodic sweep, which reads from the database what a run still lacks (here run every few s).
            def done() -> bool:
                if ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.DONE:
                    return True
                runs.scoring_runs_recover(stall_seconds=5)
                return False

            assert wait_for(done, timeout=120, interval=3), (
                f"run stuck at {ScoringRun.objects.get(pk=run.pk)}"
            )
            assert all_scored_once()
            run.refresh_from_db()
            assert run.done == run.total and run.chunks_done == run.chunks_total == 4
        finally:
            if slow.poll() is None:
                stop_worker(slow)
            else:
                slow.log.close()
            if fast:
                stop_worker(fast)
    assert MatchScore.objects.values("candidate", "vacancy").distinct().count() == MatchScore.objects.count()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("redis-server did not start")


def test_redis_restarted_during_a_full_rescore_loses_nothing(settings):
    broker_url()  # skips (or fails in CI) without a configured broker
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    settings.MATCHING_CHUNK_SIZE = 2
    make_pool(8)
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    redis = _start_redis(port)
    worker = None
    try:
        with celery_queue(broker) as queue:
            worker = start_worker(
                queue,
                concurrency=1,
                broker=broker,
                faults={"scoring_delay": 2},
                extra_env={"MATCHING_CHUNK_SIZE": "2"},
            )
            run = runs.scoring_run_start(scope="all")
            assert wait_for(
                lambda: ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.RUNNING, timeout=60
            )
            redis.kill()  # no persistence: every queued task is gone
            redis.wait(timeout=10)
            redis = _start_redis(port)
            # The database still knows what is missing: the periodic sweep finds it and enqueues it again.
            assert wait_for(
                lambda: (
                    staleness.stale_sweep() is not None
                    and runs.scoring_runs_recover(stall_seconds=0) >= 0
                    and ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.DONE
                ),
                timeout=120,
                interval=3,
            ), f"run stuck at {ScoringRun.objects.get(pk=run.pk)}"
            assert wait_for(all_scored_once, timeout=60)
    finally:
        if worker:
            stop_worker(worker)
        redis.kill()
        redis.wait(timeout=10)


def test_a_dropped_database_connection_is_retried_and_the_task_succeeds(settings):
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the fault tests on PostgreSQL")
        pytest.skip("terminating a backend needs PostgreSQL")
    settings.MATCHING_CHUNK_SIZE = 100
    make_pool(6)
    with celery_queue() as queue:
        worker = start_worker(queue, concurrency=1, faults={"scoring_delay": 3})
        try:
            run = runs.scoring_run_start(scope="all")
            assert wait_for(
                lambda: ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.RUNNING, timeout=60
            )
            with connection.cursor() as cursor:  # drop every other connection to this database: the worker's
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                assert cursor.fetchall(), "no worker connection to terminate"
            assert wait_for(
                lambda: ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.DONE, timeout=90
            )
            assert all_scored_once()
            worker.log.seek(0)
            log = worker.log.read()
            assert "Retry in" in log or "retry" in log.lower(), "the task did not go through a retry"
        finally:
            stop_worker(worker)


def _terminate_copies() -> int:
    """Terminate every backend of this database that is in the middle of a COPY into the staging table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'COPY matchscore_stage%%'"
        )
        return len(cursor.fetchall())


def test_backends_terminated_during_copy_are_retried_and_the_run_finishes_without_beat(settings):
    """Issue 16, finding 5: a backend terminated while the chunk's COPY is open raised psycopg's own
    OperationalError, which the task did not retry; the run sat at "running" until beat's stall sweep.  Here no
    beat runs and nothing calls the sweep: the chunks are retried and the run finishes on its own."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the fault tests on PostgreSQL")
        pytest.skip("COPY and terminating a backend need PostgreSQL")
    settings.MATCHING_CHUNK_SIZE = 2
    make_pool(8)
    with celery_queue() as queue:
        worker = start_worker(
            queue,
            concurrency=1,
            faults={"copy_delay": 1.5},
            extra_env={
                "MATCHING_CHUNK_SIZE": "2",
                "MATCHING_RUN_STALL_SECONDS": "100000",
            },
        )
        try:
            run = runs.scoring_run_start(scope="all")
            terminated, deadline = 0, time.monotonic() + 90
            while terminated < 3 and time.monotonic() < deadline:  # three COPYs cut off mid-stream
                terminated += _terminate_copies()
                time.sleep(0.1)
            assert terminated >= 3, "no COPY to terminate"
            assert wait_for(
                lambda: ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.DONE,
                timeout=150,
                interval=1,
            ), f"run stuck at {ScoringRun.objects.get(pk=run.pk)}"
            assert all_scored_once()
            run.refresh_from_db()
            assert run.done == run.total and run.chunks_done == run.chunks_total == 4
            worker.log.seek(0)
            log = worker.log.read()
            assert "OperationalError" in log and "Retry in" in log, log[-3000:]
        finally:
            stop_worker(worker)


def test_two_workers_scoring_the_same_candidate_at_once_leave_one_correct_row():
    cands, _vacancy = make_pool(4)
    target = cands[1]
    with celery_queue() as queue:
        a, b = start_workers(queue, "a", "b", concurrency=1)
        try:
            from matching import tasks

            for _ in range(6):  # several identical deliveries, taken by both workers at once
                tasks.score_candidates.delay([target.pk])
            assert wait_for(lambda: MatchScore.objects.filter(candidate=target).count() == 2, timeout=60)
            time.sleep(2)  # let every delivery finish
        finally:
            stop_worker(a)
            stop_worker(b)
    rows = MatchScore.objects.filter(candidate=target)
    assert rows.count() == 2  # one per vacancy
    for row in rows:
        fresh = services.match_score_on_demand(candidate=target, vacancy=row.vacancy)
        assert row.score == pytest.approx(fresh.score, abs=1e-6)
