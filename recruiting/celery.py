"""The Celery application.  Workers start with ``celery -A recruiting worker``.

Configuration comes from Django settings with the ``CELERY_`` prefix (see ``recruiting/settings.py``).
"""

import gc
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruiting.settings")

app = Celery("recruiting")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def db_connections_refresh(sender=None, **kwargs) -> None:
    """Around each task on a worker, what Django does around each request: close a database connection that is
    unusable (an error occurred and its health check fails) or older than ``CONN_MAX_AGE``; keep a good one.  With
    ``CELERY_DB_REUSE_MAX`` set, Celery itself closes the connection only every that many tasks, so without this a
    broken connection (a database restart) would fail every task until then.  Skipped for tasks run in-process
    (eager: the caller's connection and transaction are not ours to close)."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


_heap_frozen = False


@task_postrun.connect
def long_lived_heap_freeze(sender=None, **kwargs) -> None:
    """After a worker process's first task, move what it holds from then on (Django, the skill vocabulary and
    the extractor's tables, the stored model its first task loaded) out of the collector's reach with
    ``gc.freeze()``, once: every full (generation 2) collection after that walks only the objects later tasks
    create, not these hundreds of thousands of long-lived ones.  Garbage is collected first, so nothing dead is
    frozen; frozen objects are still freed when their last reference goes (a vocabulary or model replaced), only
    reference cycles among them are not.  See https://docs.python.org/3/library/gc.html#gc.freeze.  Skipped for
    tasks run in-process (eager: the caller's process is not a worker's)."""
    global _heap_frozen
    if _heap_frozen or sender is None or getattr(sender.request, "is_eager", False):
        return
    _heap_frozen = True
    gc.collect()
    gc.freeze()
