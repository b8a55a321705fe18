"""``manage.py check --deploy --fail-level WARNING`` is clean in the production configuration: the default
settings module with DEBUG=0 and SECRET_KEY and ALLOWED_HOSTS from the environment — nothing else."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Variables that would let the run pass for the wrong reason (or point it at the test database).
_STRIPPED = (
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "HTTPS_ONLY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "TRUST_X_FORWARDED_PROTO",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _STRIPPED}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "recruiting.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "matchwork.example.org",
            **extra,
        }
    )
    return env


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_is_clean_in_production_configuration():
    env = _production_env()
    assert len(env["SECRET_KEY"]) >= 50
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_have_the_https_set():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, "
        "s.SECURE_PROXY_SSL_HEADER, s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, "
        "'recruiting.security.ContentSecurityPolicyMiddleware' in s.MIDDLEWARE, "
        "s.STORAGES['default']['BACKEND'])"
    )
    result = _manage("shell", "-c", code, env=_production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "recruiting.security.RandomNameFileSystemStorage"
    assert (
        result.stdout.strip()
        .splitlines()[-1]
        .startswith("True True True True ('HTTP_X_FORWARDED_PROTO', 'https') DENY True True")
    )


@pytest.mark.parametrize("secret_key", ["", None])
def test_no_secret_key_no_start(secret_key):
    env = _production_env()
    if secret_key is None:
        env.pop("SECRET_KEY")
    else:
        env["SECRET_KEY"] = secret_key
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_loopback_only_process_is_reported_by_the_deploy_check():
    """With only loopback host names there is no TLS in front: the HTTPS set is off, and the check says so."""
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=_production_env(ALLOWED_HOSTS="127.0.0.1")
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
