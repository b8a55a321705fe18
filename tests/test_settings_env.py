"""``recruiting/settings.py`` reads the environment: production (DEBUG off) refuses to start without a secret.

Each case imports the real settings module in a fresh interpreter, the way ``manage.py`` and gunicorn do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

LOAD_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print('DEBUG=%s EAGER=%s' % (settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER))"
)


def _load_settings(**overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "CELERY_BROKER_URL"}}
    if (REPO_ROOT / ".env").is_file():
        # A developer's .env is read by the settings but never overrides the environment: shadow it.
        env.update(SECRET_KEY="", CELERY_BROKER_URL="")
    env.update(DJANGO_SETTINGS_MODULE="recruiting.settings", **overrides)
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS],
        check=False,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _load_settings(DEBUG="0")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_without_secret_key_loads_with_a_development_key():
    result = _load_settings(DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert "DEBUG=True EAGER=True" in result.stdout


def test_production_with_secret_key_loads():
    result = _load_settings(DEBUG="0", SECRET_KEY="a-long-random-production-secret")

    assert result.returncode == 0, result.stderr
    assert "DEBUG=False" in result.stdout


def test_broker_url_switches_off_in_process_tasks():
    result = _load_settings(DEBUG="1", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")

    assert result.returncode == 0, result.stderr
    assert "EAGER=False" in result.stdout


CACHE_BACKEND = (
    "import django; django.setup(); from django.conf import settings; "
    "c = settings.CACHES['default']; print(c['BACKEND'], c.get('LOCATION', ''))"
)


def _cache_backend(code: str = CACHE_BACKEND, **overrides: str) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "CELERY_BROKER_URL", "CACHE_URL", "SHORTLIST_PAGE_CACHE_SECONDS"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "recruiting.settings",
            "DEBUG": "1",
            "SECRET_KEY": "",
            "CELERY_BROKER_URL": "",
            "CACHE_URL": "",
            **overrides,
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_rate_limits_share_redis_whenever_redis_is_configured():
    """Issue 16, finding 6: counters in a per-process cache gave each web worker its own limit."""
    redis = "recruiting.cache.RedisCache"
    assert _cache_backend(CELERY_BROKER_URL="redis://127.0.0.1:6379/0") == f"{redis} redis://127.0.0.1:6379/0"
    assert (
        _cache_backend(CELERY_BROKER_URL="redis://127.0.0.1:6379/0", CACHE_URL="redis://cache:6379/1")
        == f"{redis} redis://cache:6379/1"
    )
    assert _cache_backend().startswith("django.core.cache.backends.locmem.LocMemCache")


PAGE_CACHE = "import django; django.setup(); from django.conf import settings; print(settings.SHORTLIST_PAGE_CACHE_SECONDS)"


def test_the_shortlist_page_cache_is_on_only_with_the_shared_redis_cache():
    """A worker's write must reach the web's cache (recruiting.shortlist_cache): with the local-memory cache of
    a process each, a page would outlive the write."""
    assert _cache_backend(PAGE_CACHE, CELERY_BROKER_URL="redis://127.0.0.1:6379/0") == "120"
    assert _cache_backend(PAGE_CACHE, CACHE_URL="redis://cache:6379/1") == "120"
    assert _cache_backend(PAGE_CACHE) == "0"
    assert _cache_backend(PAGE_CACHE, CELERY_BROKER_URL="amqp://127.0.0.1//") == "0"
    assert (
        _cache_backend(PAGE_CACHE, CACHE_URL="redis://cache:6379/1", SHORTLIST_PAGE_CACHE_SECONDS="0") == "0"
    )


LOAD_STORAGE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.STORAGES['default']))"
)


def _storage_settings(**overrides: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in {"STORAGE_URL", "SECRET_KEY", "DEBUG"}
    }
    env.update(DJANGO_SETTINGS_MODULE="recruiting.settings", DEBUG="1", **overrides)
    return subprocess.run(
        [sys.executable, "-c", LOAD_STORAGE],
        check=False,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cv_files_stay_on_the_local_disk_without_an_object_store():
    result = _storage_settings()
    assert result.returncode == 0, result.stderr
    assert "recruiting.security.RandomNameFileSystemStorage" in result.stdout


def test_storage_url_points_cv_files_at_an_s3_compatible_bucket():
    result = _storage_settings(
        STORAGE_URL="s3+http://minio%2Fuser:p%40ss@minio:9000/cvs/prod?region=eu-west-1"
    )
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])["OPTIONS"]
    assert options["bucket_name"] == "cvs" and options["location"] == "prod"
    assert options["endpoint_url"] == "http://minio:9000" and options["addressing_style"] == "path"
    assert (options["access_key"], options["secret_key"], options["region_name"]) == (
        "minio/user",
        "p@ss",
        "eu-west-1",
    )
    assert "recruiting.storage.RandomNameS3Storage" in result.stdout


def test_aws_variables_switch_the_object_store_on_and_win_over_the_url():
    result = _storage_settings(
        STORAGE_URL="s3://from-url",
        AWS_STORAGE_BUCKET_NAME="from-variable",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])["OPTIONS"]
    assert options["bucket_name"] == "from-variable" and "endpoint_url" not in options
    only_keys = _storage_settings(AWS_ACCESS_KEY_ID="key", AWS_SECRET_ACCESS_KEY="secret")
    assert (
        "RandomNameFileSystemStorage" in only_keys.stdout
    )  # keys alone (a developer's AWS login) change nothing


def test_a_bad_storage_setting_refuses_to_start_with_a_clear_error():
    wrong_scheme = _storage_settings(STORAGE_URL="https://KEY:SECRET-VALUE@minio:9000/cvs")
    assert wrong_scheme.returncode != 0
    assert "STORAGE_URL must start with s3://, s3+http:// or s3+https://" in wrong_scheme.stderr
    assert "SECRET-VALUE" not in wrong_scheme.stderr
    no_bucket = _storage_settings(STORAGE_URL="s3+http://minio:9000/")
    assert no_bucket.returncode != 0 and "STORAGE_URL names no bucket" in no_bucket.stderr
    endpoint_only = _storage_settings(AWS_S3_ENDPOINT_URL="http://minio:9000")
    assert endpoint_only.returncode != 0 and "no bucket" in endpoint_only.stderr
