"""Production security that Django does not ship: a Content-Security-Policy header, a failed-login limiter for
the two login forms allauth does not guard (the recruiter workspace's admin login and the API token endpoint),
and a file storage that never keeps an uploader's file name.

Wired in ``recruiting/settings.py`` (block "Production security (issue 8)"); the model behind all of it is in
``docs/security.md``.

- ``ContentSecurityPolicyMiddleware`` sets ``Content-Security-Policy`` on every response that has none:
  ``settings.CONTENT_SECURITY_POLICY`` (a dict of directive → sources), with narrower or looser policies for
  path prefixes in ``settings.CONTENT_SECURITY_POLICY_PATHS`` (the Swagger UI page needs inline script).
- ``login_refused`` is the one failed-login rule of the three login doors: ``LoginRateLimitMiddleware``
  applies it to the admin login and ``POST /api/v1/auth/token/``, ``AccountAdapter`` to the portal (allauth).
  After ``LOGIN_FAILURE_LIMIT`` failures of one account from one client IP within ``LOGIN_FAILURE_WINDOW``
  seconds, that (account, IP) pair is refused — 429 with ``Retry-After`` (the API in its error format), the
  login form's error at the portal — for ``LOGIN_LOCKOUT_SECONDS`` — the cool-down — even with the right
  password; the account from another IP and other accounts from the same IP are not. Two ceilings catch what
  the pair cannot: ``LOGIN_ACCOUNT_FAILURE_LIMIT`` failures of one account from any IPs (distributed guessing)
  lock the account, ``LOGIN_IP_FAILURE_LIMIT`` failures from one IP over any accounts (password spraying) lock
  the IP, each for the same cool-down. Failures are counted from Django's ``user_login_failed`` signal, which
  every ``authenticate()`` sends, so a failure at one door counts at all. Counters live in the default cache,
  which is Redis, shared by every process, wherever Redis is configured (``recruiting/settings.py``).
- ``RandomNameFileSystemStorage`` (and ``recruiting.storage.RandomNameS3Storage`` on an object store) stores
  every ``FileField`` upload as ``<uuid4 hex><known extension>`` in the field's ``upload_to`` folder: the name
  a person or an import gave a file (often their own name, or a hostile ``../../etc/passwd.pdf``) never
  reaches the disk or a URL.
"""

from __future__ import annotations

import hashlib
import json
import math
import posixpath
import time
import uuid
from collections.abc import Callable

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

# --- Content-Security-Policy --------------------------------------------------------------------------------


def csp_header_value(policy: dict[str, str]) -> str:
    """``{"default-src": "'self'", …}`` → ``"default-src 'self'; …"`` (directives with no sources dropped)."""
    return "; ".join(f"{name} {sources}".strip() for name, sources in policy.items() if sources is not None)


class ContentSecurityPolicyMiddleware:
    """Add ``Content-Security-Policy`` to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        base = settings.CONTENT_SECURITY_POLICY  # the one policy: recruiting/settings.py
        self.default = csp_header_value(base)
        overrides = getattr(settings, "CONTENT_SECURITY_POLICY_PATHS", {})
        # Longest prefix first, so "/api/docs/" wins over "/api/".
        self.by_prefix = sorted(
            ((prefix, csp_header_value({**base, **extra})) for prefix, extra in overrides.items()),
            key=lambda item: -len(item[0]),
        )
        self.report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", False)

    def policy_for(self, path: str) -> str:
        for prefix, value in self.by_prefix:
            if path.startswith(prefix):
                return value
        return self.default

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        header = "Content-Security-Policy-Report-Only" if self.report_only else "Content-Security-Policy"
        if "Content-Security-Policy" not in response and header not in response:
            response[header] = self.policy_for(request.path)
        return response


# --- failed-login limiter -----------------------------------------------------------------------------------

LOGIN_URL_NAMES = ("admin:login", "api:v1:auth-token")  # the portal's door: AccountAdapter below
_CACHE_PREFIX = "login-failures"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _window() -> int:
    return _setting("LOGIN_FAILURE_WINDOW", 300)


def _cooldown() -> int:
    return _setting("LOGIN_LOCKOUT_SECONDS", 300)


def client_ip(request: HttpRequest) -> str:
    """The client's IP as allauth sees it (so both limiters agree; ``ALLAUTH_TRUSTED_PROXY_COUNT`` applies)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request) or "unknown"
    except Exception:  # noqa: BLE001 - a spoofed X-Forwarded-For that does not fit the proxy count
        return request.META.get("REMOTE_ADDR") or "unknown"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    return f"{_CACHE_PREFIX}:{kind}:{digest}"  # hashed: cache keys never hold an e-mail address


def _scopes(ip: str, username: str) -> list[tuple[str, str, int]]:
    """(kind, counter key, limit) of each scope a login attempt falls in: the (account, IP) pair, the account
    from any IP, the IP over any account."""
    scopes = [("ip", _key("ip", ip), _setting("LOGIN_IP_FAILURE_LIMIT", 100))]
    if username:
        scopes += [
            ("pair", _key("pair", f"{username.strip()}\n{ip}"), _setting("LOGIN_FAILURE_LIMIT", 5)),
            ("user", _key("user", username), _setting("LOGIN_ACCOUNT_FAILURE_LIMIT", 50)),
        ]
    return scopes


def _bump(key: str) -> int:
    """Add one failure to the counter ``key``; returns the new count.  Fixed window from the first failure:
    add() starts it, incr() keeps its expiry."""
    if cache.add(key, 1, timeout=_window()):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=_window())
        return 1


def login_failure_record(*, request: HttpRequest | None, username: str) -> None:
    """Count one failed login of ``username`` from the client IP of ``request``; a scope that reaches its limit
    is locked for ``LOGIN_LOCKOUT_SECONDS`` (the lock's value is when it ends, in epoch seconds)."""
    ip = client_ip(request) if request is not None else "unknown"
    for _kind, key, limit in _scopes(ip, username):
        if _bump(key) >= limit:
            cache.set(f"{key}:locked", time.time() + _cooldown(), timeout=_cooldown())


def login_refused(*, request: HttpRequest, username: str) -> int:
    """Seconds until this client IP may try ``username`` again (0: it may now).  Refused while the (account, IP)
    pair, the account or the IP is locked out."""
    locks = cache.get_many([f"{key}:locked" for _kind, key, _limit in _scopes(client_ip(request), username)])
    if not locks:
        return 0
    return max(1, math.ceil(max(float(until) for until in locks.values()) - time.time()))


@receiver(user_login_failed, dispatch_uid="recruiting.security.login_failed")
def _on_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    username = str(credentials.get("username") or credentials.get("email") or "")
    login_failure_record(request=request, username=username)


def _submitted_username(request: HttpRequest) -> str:
    """The account name in a login POST: a form's ``username``/``email``, or a small JSON body's ``email``."""
    if request.content_type == "application/json":
        try:
            if int(request.META.get("CONTENT_LENGTH") or 0) > 64 * 1024:
                return ""  # no login body is that big; the view answers it
            data = json.loads(request.body or b"{}")
        except (
            ValueError,
            UnicodeDecodeError,
            RecursionError,
        ):  # deep nesting: the view's parser answers 400
            return ""
        return str(data.get("email") or data.get("username") or "") if isinstance(data, dict) else ""
    return str(request.POST.get("username") or request.POST.get("email") or "")


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter with the portal login under the same failed-login rule as the other doors
    (``login_refused``): a locked-out (account, IP) pair gets allauth's own form error, "Too many failed login
    attempts", on the login page instead of a bare 429 page."""

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        login = str(credentials.get("email") or credentials.get("username") or "")
        if login_refused(request=request, username=login):
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)


class LoginRateLimitMiddleware:
    """Refuse a POST to the admin login or the API token endpoint while the (account, IP) pair, the account or the
    IP is locked out (429, with ``Retry-After`` the seconds left of the cool-down)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._paths: dict[str, str] | None = None

    def paths(self) -> dict[str, str]:
        if self._paths is None:
            paths = {}
            for name in LOGIN_URL_NAMES:
                try:
                    paths[reverse(name)] = name
                except NoReverseMatch:
                    continue
            self._paths = paths
        return self._paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            name = self.paths().get(request.path_info)
            if name is not None:
                wait = login_refused(request=request, username=_submitted_username(request))
                if wait:
                    return self.refusal(name, wait)
        return self.get_response(request)

    def refusal(self, url_name: str, wait: int) -> HttpResponse:
        minutes = max(1, math.ceil(wait / 60))
        message = (
            f"Too many failed login attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}."
        )
        if url_name.startswith("api:"):
            response = JsonResponse(
                {"error": {"code": "throttled", "message": message, "details": {"retry_after": wait}}},
                status=429,
            )
        else:
            response = HttpResponse(
                '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Too many attempts'
                f"</title></head><body><h1>Too many attempts</h1><p>{escape(message)}</p></body></html>",
                status=429,
            )
        response["Retry-After"] = str(wait)
        response["Cache-Control"] = "no-store"
        return response


# --- upload names -------------------------------------------------------------------------------------------

STORED_EXTENSIONS = frozenset({".pdf", ".docx", ".txt", ".md", ".csv"})


def safe_extension(filename: str) -> str:
    """The lower-cased extension of ``filename`` when it is one we store documents as, else ``""``."""
    base = str(filename or "").replace("\\", "/").replace("\x00", "").rsplit("/", 1)[-1]
    extension = posixpath.splitext(base)[1].lower()
    return extension if extension in STORED_EXTENSIONS else ""


def random_upload_name(filename: str) -> str:
    """``folder/<uuid4 hex><ext>`` for ``folder/whatever-the-uploader-called-it.ext``."""
    # The folder is what upload_to made; a backslash after it is part of the uploader's name, not a folder.
    folder = posixpath.dirname(str(filename or ""))
    name = f"{uuid.uuid4().hex}{safe_extension(filename)}"
    return posixpath.join(folder, name) if folder else name


class RandomUploadNames:
    """Storage mixin: every ``FileField`` upload is named with a random UUID (the ``upload_to`` folder and a
    known document extension are kept).  Direct ``save()`` calls with a chosen name are left alone: the portal
    already picks random names for its pending uploads.  Mixed into the local-disk storage below and the
    object-store one (``recruiting.storage.RandomNameS3Storage``), so both name files by this one rule."""

    def generate_filename(self, filename: str) -> str:
        return super().generate_filename(random_upload_name(filename))


class RandomNameFileSystemStorage(RandomUploadNames, FileSystemStorage):
    """``FileSystemStorage`` under ``MEDIA_ROOT`` with random upload names (``RandomUploadNames``)."""
