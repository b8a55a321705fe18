"""The Celery application.  Workers start with ``celery -A recruiting worker``.

Configuration comes from Django settings with the ``CELERY_`` prefix (see ``recruiting/settings.py``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruiting.settings")

app = Celery("recruiting")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
