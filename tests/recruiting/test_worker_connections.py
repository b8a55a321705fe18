"""A Celery worker keeps its database connection from one task to the next (``CELERY_DB_REUSE_MAX``), as a web
process keeps one between requests, and drops it around a task when it is broken or too old
(``recruiting.celery.db_connections_refresh``, what Django does around each request).  Reconnecting for every
task was 4-5 % of an incremental rescore's time on a worker (benchmarks/README.md)."""

import time
from types import SimpleNamespace

import pytest
from django.db import connection

from recruiting.celery import app, db_connections_refresh

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _task(eager: bool = False):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def _backend() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("a database server connection to keep or drop: PostgreSQL's")


def test_celery_closes_the_connection_only_every_so_many_tasks():
    assert app.conf.db_reuse_max and app.conf.db_reuse_max >= 100


def test_a_good_connection_is_kept_from_one_task_to_the_next(postgresql):
    pid = _backend()
    connection.close_at = time.monotonic() + 60  # CONN_MAX_AGE = 60, as in production
    db_connections_refresh(sender=_task())
    db_connections_refresh(sender=_task())
    assert _backend() == pid


def test_an_obsolete_connection_is_replaced(postgresql):
    pid = _backend()
    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE
    db_connections_refresh(sender=_task())
    assert _backend() != pid


def test_a_broken_connection_is_replaced_so_the_next_task_works(postgresql):
    """The database restarted under the worker (here: its backend terminated): the task that met the error fails
    (and is retried); around it the broken connection is dropped, so the retry connects afresh."""
    from django.db import OperationalError, connections

    pid = _backend()
    connection.close_at = time.monotonic() + 60
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    with pytest.raises(OperationalError):
        _backend()
    db_connections_refresh(sender=_task())
    assert _backend() != pid


def test_tasks_run_in_process_leave_the_callers_connection_alone(postgresql):
    pid = _backend()
    connection.close_at = time.monotonic() - 1
    db_connections_refresh(sender=_task(eager=True))
    assert _backend() == pid
