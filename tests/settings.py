"""Test settings: the production settings module with test-only overrides in one place.

``DATABASE_URL`` and ``CELERY_BROKER_URL`` still come from the environment, so the same tests run on SQLite
(a developer's default) and on PostgreSQL + Redis (CI).  Unit tests run tasks eagerly; the integration
tests start real worker processes against the broker.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from recruiting.settings import *

BROKER_FOR_INTEGRATION = CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = True
# The webhook tests receive on loopback; tests/api/test_webhooks.py checks the refusal with this off.
WEBHOOK_ALLOW_PRIVATE_URLS = True
# One process, fresh counters: rate limits and lockouts of one test never reach another (nor another test run
# on the same Redis).  tests/security/test_shared_rate_limits.py starts real processes on the Redis cache.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="recruiting-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file (not memory) for SQLite test databases, so a worker process started by the integration tests can
# open the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"recruiting-test-{os.getpid()}.sqlite3")
    }
STATIC_ROOT = tempfile.mkdtemp(prefix="recruiting-test-static-")
# Tests roll their transactions back, so the on-commit replacement of the shortlist cache's generation never runs:
# a page cached in one test could be served after that test's writes.  tests/api/test_shortlist_page_cache.py
# turns the cache on and runs the commit callbacks itself.
SHORTLIST_PAGE_CACHE_SECONDS = 0
