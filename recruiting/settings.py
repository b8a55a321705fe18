"""Django settings for the recruitment matching service.

Every setting that differs between machines is read from the environment (django-environ), following
cookiecutter-django's ``config/settings/base.py``.  A ``.env`` file beside ``manage.py`` is read when present.

Environment variables
---------------------
``DATABASE_URL``       database URL; default ``sqlite:///db.sqlite3`` (embedded default).
``CELERY_BROKER_URL``  broker URL, e.g. ``redis://127.0.0.1:6379/0``; when empty, tasks run in-process.
``SECRET_KEY``         required when ``DEBUG`` is off; no production default exists.
``DEBUG``              ``1``/``0``; default ``0``.
``ALLOWED_HOSTS``      comma-separated host names; default ``127.0.0.1,localhost``.
``MEDIA_ROOT``         folder of uploaded CV files on the local disk (the embedded default storage).
``STORAGE_URL``        CV files in an S3-compatible object store instead of ``MEDIA_ROOT``, e.g.
                       ``s3+http://KEY:SECRET@minio:9000/cvs`` (MinIO), ``s3://cvs/prefix`` (AWS S3); or
                       django-storages' ``AWS_STORAGE_BUCKET_NAME`` / ``AWS_S3_ENDPOINT_URL`` /
                       ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_S3_REGION_NAME`` / ``AWS_LOCATION``.
                       Needed when web and workers run on machines that share no disk (block "File storage").
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # DEBUG only (see above)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "recruiting",
    "matching",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "recruiting.security.ContentSecurityPolicyMiddleware",  # issue 8: CSP on every response, static files too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "recruiting.security.LoginRateLimitMiddleware",  # issue 8: failed logins at the admin and the API token
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

ROOT_URLCONF = "recruiting.urls"
WSGI_APPLICATION = "recruiting.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a scoring task writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded CVs live outside the static root and are never served as static files.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"

# Largest CV file accepted, in bytes.
CV_MAX_UPLOAD_BYTES = env.int("CV_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
# The proxy in front (deploy/nginx/recruiting.conf.template, client_max_body_size) refuses request bodies above
# CV_MAX_UPLOAD_BYTES plus this much for the form around the file (multipart boundaries and headers, the CSRF
# token), so a CV a little over the limit still reaches the form's own message.  The nginx value is written out
# there; tests/security/test_proxy.py holds it equal to the sum: change CV_MAX_UPLOAD_BYTES in both places.
UPLOAD_ENVELOPE_BYTES = 1024 * 1024

# --- Accounts (django-allauth) ------------------------------------------------------------------------
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
# Failed portal logins fall under recruiting.security.login_refused (through AccountAdapter), the one failed-login
# rule of all three login doors (per account and IP pair, docs/security.md).  allauth's own per-IP and per-e-mail
# "login_failed" limit is off: it locked out every account of an IP, and an account from every IP.
ACCOUNT_ADAPTER = "recruiting.security.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login_failed": None,
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "5/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MatchWork] "
# Sign-up asks for consent to the processing of personal data and creates the candidate profile (portal).
ACCOUNT_FORMS = {"signup": "portal.forms.SignupForm"}
# Opening the verification link in the browser that signed up logs the new candidate in, on their profile.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_REDIRECT_URL = "/profile/"
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MatchWork <no-reply@localhost>")

# --- Celery -------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")

# --- Cache --------------------------------------------------------------------------------------------
# Rate limits, login lockouts and the stale sweep's in-flight marks live in the default cache, so it must be one
# cache for every web process and worker (issue 16): Django's RedisCache (recruiting.cache: one client per pool)
# whenever Redis is configured — CACHE_URL=redis://… or, without CACHE_URL, the Redis broker of CELERY_BROKER_URL
# (keys under CACHE_KEY_PREFIX).
# Without Redis (a developer's SQLite + eager set-up: one process) the local-memory cache.
CACHE_URL = env("CACHE_URL", default="")
_CACHE_LOCATION = CACHE_URL or CELERY_BROKER_URL
_SHARED_CACHE = _CACHE_LOCATION.startswith(("redis://", "rediss://"))
if _SHARED_CACHE:
    CACHES = {
        "default": {
            "BACKEND": "recruiting.cache.RedisCache",
            "LOCATION": _CACHE_LOCATION,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="matchwork"),
            # A Redis that does not answer fails a request in seconds instead of hanging a web worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": env.cache_url_config(CACHE_URL or "locmemcache://")}
# The shortlist page cache (recruiting.shortlist_cache): how long, in seconds, a recruiter's ranked page of match
# scores may be served from the cache; every write of scores, candidates or vacancies ends it at once.  Needs the
# shared cache (a worker's write must reach the web's cache), so it is on by default with Redis only; 0 turns it off.
SHORTLIST_PAGE_CACHE_SECONDS = env.int("SHORTLIST_PAGE_CACHE_SECONDS", default=120 if _SHARED_CACHE else 0)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
# Without a broker every task runs in-process, at once (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connection before and after every task unless this is set (then only
# every N tasks): a worker reconnected to PostgreSQL for each task, 4-5 % of an incremental rescore's time.  With it
# the connection lives as a web process's does, CONN_MAX_AGE and health checks included (recruiting/celery.py
# closes an unusable or obsolete one around each task, as Django does around each request).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# An unacknowledged task (its worker died) is delivered again after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600)}
# With the broker down, a save must not hang: fail fast and leave the work to the stale sweep.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # workers keep reconnecting when the broker restarts
# A run whose chunks made no progress for this long gets its missing chunks enqueued again by the sweep.
MATCHING_RUN_STALL_SECONDS = env.int("MATCHING_RUN_STALL_SECONDS", default=300)
# A chunk task that dies (retries used up, or any other error) is resent at once this many times, then the run
# is marked failed with the chunk and the error's type (matching.runs.scoring_run_chunk_lost).
MATCHING_CHUNK_RESENDS = env.int("MATCHING_CHUNK_RESENDS", default=3)
# The database is the record of what still needs scoring: a periodic sweep re-enqueues stale or missing scores.
# Candidates a sweep enqueued are skipped by later sweeps for this long, or until their task has scored them.
STALE_SWEEP_INFLIGHT_SECONDS = env.int("STALE_SWEEP_INFLIGHT_SECONDS", default=900)
CELERY_BEAT_SCHEDULE = {
    "stale-sweep": {
        "task": "matching.stale_sweep",
        "schedule": env.float("STALE_SWEEP_SECONDS", default=60.0),
    },
    # Webhook deliveries a broker outage left pending are sent again.
    "resend-pending-webhooks": {
        "task": "recruiting.resend_pending_webhooks",
        "schedule": env.float("WEBHOOK_RESEND_SECONDS", default=120.0),
    },
}

# --- Matching -----------------------------------------------------------------------------------------
# Candidates per chunk task in a full rescore.
MATCHING_CHUNK_SIZE = env.int("MATCHING_CHUNK_SIZE", default=500)
# Slice tasks a full rescore's shortlist threshold scan is split into (matching.runs): as many as the workers that
# share it.  Each loads the model and the vacancies and reads its candidates; the last merges the thresholds.
MATCHING_SCAN_SLICES = env.int("MATCHING_SCAN_SLICES", default=2)
# PostgreSQL: a full rescore writes into its own unindexed table, indexed once and swapped in when the run ends
# (matching.rescore_table); off: it upserts into the live table chunk by chunk, as partial runs always do.
MATCHING_RESCORE_TABLE = env.bool("MATCHING_RESCORE_TABLE", default=True)
# What is stored: every pair of a candidate who applied, the top K candidates per vacancy and the top N vacancies
# per candidate; any other pair is computed on demand.
MATCHING_TOP_K_PER_VACANCY = env.int("MATCHING_TOP_K_PER_VACANCY", default=500)
MATCHING_TOP_N_PER_CANDIDATE = env.int("MATCHING_TOP_N_PER_CANDIDATE", default=50)

# Webhook URLs may point at loopback/private addresses only when this is on (development; recruiting/webhooks.py).
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)

# API tokens are refused this many seconds after they were issued (recruiting/api/authentication.py).
API_TOKEN_TTL_SECONDS = env.int("API_TOKEN_TTL_SECONDS", default=30 * 24 * 3600)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "recruiting.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "recruiting.api.schema.AutoSchema",
    # One error format for every error: {"error": {"code", "message", "details"}} (recruiting/api/exceptions.py).
    "EXCEPTION_HANDLER": "recruiting.api.exceptions.exception_handler",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    # Hostile bodies and pages are a 400, never a 500 (issue 16): bounded JSON, validated limit/offset.
    "DEFAULT_PARSER_CLASSES": [
        "recruiting.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "recruiting.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "recruiting.api.throttling.AnonRateThrottle",
        "recruiting.api.throttling.UserRateThrottle",
        "recruiting.api.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/min"),
        "user": env("API_THROTTLE_USER", default="1000/min"),
        "applications": env("API_THROTTLE_APPLICATIONS", default="30/min"),
        "scoring": env("API_THROTTLE_SCORING", default="10/min"),
    },
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MatchWork recruitment matching API",
    "DESCRIPTION": "Vacancies, candidates, applications, explained match scores, skills and scoring runs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: with them Swagger UI puts a link inside each operation's expand button, a nested
    # interactive control that screen readers cannot reach (WCAG 4.1.2; issue 17).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VacancyStatusEnum": "recruiting.models.Vacancy.Status",
        "ApplicationStageEnum": "recruiting.models.Application.Stage",
        "ScoringRunStatusEnum": "matching.models.ScoringRun.Status",
        "WebhookDeliveryStatusEnum": "recruiting.models.WebhookDelivery.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


# --- Production security (issue 8) ---------------------------------------------------------------------------
# docs/security.md explains every line.  With DEBUG off and a real host name in ALLOWED_HOSTS the HTTPS set is
# on by default (redirect, secure cookies, HSTS, trust in the TLS proxy's X-Forwarded-Proto), so
# `manage.py check --deploy` is clean with only DEBUG=0, SECRET_KEY and ALLOWED_HOSTS in the environment.  A
# process that answers only loopback names (the test client, the compose stack and the load run on
# 127.0.0.1) has no TLS in front of it, so the set is off there unless HTTPS_ONLY=1; the deploy check then
# still reports it, which is the point.
_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}
_LOOPBACK_ONLY = bool(ALLOWED_HOSTS) and set(ALLOWED_HOSTS) <= _LOOPBACK_NAMES
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=not DEBUG and not _LOOPBACK_ONLY)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS_ONLY)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's health check speaks plain HTTP
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
# The TLS-terminating proxy must set X-Forwarded-Proto itself (and drop any the client sent).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("TRUST_X_FORWARDED_PROTO", default=HTTPS_ONLY) else None
)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (recruiting.security.ContentSecurityPolicyMiddleware): everything from this origin
# only; no CDN anywhere.  Swagger UI (drf-spectacular) ships an inline <script> and <style>: that one page,
# which shows the API schema and no personal data, may run inline code.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",  # score bars' widths; <style> elements stay blocked
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
CONTENT_SECURITY_POLICY_PATHS = {
    "/api/docs/": {"script-src": "'self' 'unsafe-inline'", "style-src": "'self' 'unsafe-inline'"},
}

# Failed logins at the portal, the admin login and POST /api/v1/auth/token/ (recruiting.security.
# LoginRateLimitMiddleware): LOGIN_FAILURE_LIMIT failures of one account from one IP within LOGIN_FAILURE_WINDOW
# seconds lock that pair out for LOGIN_LOCKOUT_SECONDS (the cool-down); the same account from another IP, and
# other accounts from that IP, still log in.  Ceilings against distributed guessing and password spraying lock
# an account from every IP, or an IP for every account, after many more failures.  The counters live in the
# default cache, shared by every process when Redis is configured (CACHES above).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=300)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=300)
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=50)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=100)
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Request bodies: form fields and JSON read by Django at most 2.5 MB; uploads above 2.5 MB go to a temporary
# file, never memory; at most 10 files in one request.  CV files are capped by CV_MAX_UPLOAD_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Uploaded files get random names (recruiting.security.RandomNameFileSystemStorage), live in MEDIA_ROOT outside
# STATIC_ROOT and are never served by URL: no MEDIA_URL route exists; CVs are downloaded only through the
# permission-checked views (portal "my CV", the workspace's logged CV download).
STORAGES["default"] = {"BACKEND": "recruiting.security.RandomNameFileSystemStorage"}


# --- File storage: local disk or an object store (issue 15) ---------------------------------------------------
# With STORAGE_URL or AWS_STORAGE_BUCKET_NAME set, CV files (and pending portal uploads) live in one bucket of an
# S3-compatible object store (MinIO in docker-compose.yml, AWS S3, …) through django-storages, so web processes
# and workers on different machines share no disk; otherwise MEDIA_ROOT stays the embedded default.  Nothing
# reads a CV through a local path: always FieldFile.open() / default_storage (recruiting/storage.py).
#   STORAGE_URL=s3+http://KEY:SECRET@minio:9000/BUCKET[/PREFIX][?region=R]   S3-compatible endpoint, path style
#   STORAGE_URL=s3+https://KEY:SECRET@host/BUCKET[/PREFIX][?region=R]        the same over TLS
#   STORAGE_URL=s3://[KEY:SECRET@]BUCKET[/PREFIX][?region=R]                 AWS S3 itself
# or django-storages' own variables: AWS_STORAGE_BUCKET_NAME or AWS_S3_ENDPOINT_URL switch it on (a bucket is
# required), with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_REGION_NAME, AWS_LOCATION (key prefix).  A
# variable set beside STORAGE_URL wins over the URL's part.  Keys set nowhere come from boto3's usual chain
# (instance role, ~/.aws).  The bucket must exist (compose creates it); the store is not probed at start-up.
def _object_store_options(url: str) -> dict:
    """``STORAGE_URL`` → S3Storage options (``bucket_name``, ``endpoint_url``, keys, ``location``,
    ``region_name``); raises ``ImproperlyConfigured`` naming what is wrong (the secret is never echoed)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"s3", "s3+http", "s3+https"}:
        raise ImproperlyConfigured(
            f"STORAGE_URL must start with s3://, s3+http:// or s3+https:// (got {scheme or 'no scheme'}://…)."
        )
    options: dict = {}
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    segments = [s for s in parts.path.split("/") if s]
    if scheme == "s3":
        bucket, prefix = parts.hostname or "", segments
    else:
        if not parts.hostname:
            raise ImproperlyConfigured("STORAGE_URL names no host, e.g. s3+http://KEY:SECRET@minio:9000/cvs.")
        port = f":{parts.port}" if parts.port else ""
        options["endpoint_url"] = f"{scheme.removeprefix('s3+')}://{parts.hostname}{port}"
        bucket, prefix = (segments[0], segments[1:]) if segments else ("", [])
    if not bucket:
        raise ImproperlyConfigured("STORAGE_URL names no bucket, e.g. s3+http://KEY:SECRET@minio:9000/cvs.")
    options["bucket_name"] = bucket
    if prefix:
        options["location"] = "/".join(prefix)
    region = parse_qs(parts.query).get("region")
    if region:
        options["region_name"] = region[-1]
    return options


STORAGE_URL = env("STORAGE_URL", default="")
_object_store = _object_store_options(STORAGE_URL) if STORAGE_URL else {}
if _object_store or env("AWS_STORAGE_BUCKET_NAME", default="") or env("AWS_S3_ENDPOINT_URL", default=""):
    for _option, _variable in (
        ("bucket_name", "AWS_STORAGE_BUCKET_NAME"),
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("access_key", "AWS_ACCESS_KEY_ID"),
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
        ("region_name", "AWS_S3_REGION_NAME"),
        ("location", "AWS_LOCATION"),
    ):
        if env(_variable, default=""):
            _object_store[_option] = env(_variable)
    if not _object_store.get("bucket_name"):
        raise ImproperlyConfigured(
            "AWS_S3_ENDPOINT_URL is set but no bucket: set AWS_STORAGE_BUCKET_NAME, or "
            "STORAGE_URL=s3+http://KEY:SECRET@host:port/BUCKET (see README)."
        )
    STORAGES["default"] = {
        "BACKEND": "recruiting.storage.RandomNameS3Storage",
        "OPTIONS": {
            **_object_store,
            # MinIO and other S3-compatible servers answer path-style requests (host/bucket/key).
            **({"addressing_style": "path"} if _object_store.get("endpoint_url") else {}),
            "signature_version": "s3v4",
            "file_overwrite": False,  # like the local disk: never replace an object that exists
            "default_acl": None,  # objects stay private (the bucket's policy); CVs are served by the views only
            "querystring_auth": True,  # any URL made for an object is signed and expires
        },
    }
