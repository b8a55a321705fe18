"""Production security that Django does not ship: a Content-Security-Policy header, a failed-login limiter for
the two login forms allauth does not guard (the recruiter workspace's admin login and the API token endpoint),
and a file storage that never keeps an uploader's file name.

Wired in ``recruiting/settings.py`` (block "Production security (issue 8)"); the model behind all of it is in
``docs/security.md``.

- ``ContentSecurityPolicyMiddleware`` sets ``Content-Security-Policy`` on every response that has none:
  ``settings.CONTENT_SECURITY_POLICY`` (a dict of directive → sources), with narrower or looser policies for
  path prefixes in ``settings.CONTENT_SECURITY_POLICY_PATHS`` (the Swagger UI page needs inline script).
- ``LoginRateLimitMiddleware``: after ``LOGIN_FAILURE_LIMIT`` failed logins within
  ``LOGIN_FAILURE_WINDOW`` seconds from one client IP, or for one account name, the admin login and
  ``POST /api/v1/auth/token/`` answer 429 (the API in its error format) until the window has passed — even with
  the right password.  Failures are counted from Django's ``user_login_failed`` signal, which every
  ``authenticate()`` sends, so a failure at either door counts at both.  Counters live in the default cache:
  production needs a cache shared by all web processes (``CACHE_URL=redis://…``).
- ``RandomNameFileSystemStorage`` (and ``recruiting.storage.RandomNameS3Storage`` on an object store) stores
  every ``FileField`` upload as ``<uuid4 hex><known extension>`` in the field's ``upload_to`` folder: the name
  a person or an import gave a file (often their own name, or a hostile ``../../etc/passwd.pdf``) never
  reaches the disk or a URL.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

# --- Content-Security-Policy --------------------------------------------------------------------------------

DEFAULT_CSP: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # Score bars set their width in a style attribute; <style> elements and external sheets stay blocked.
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def csp_header_value(policy: dict[str, str]) -> str:
    """``{"default-src": "'self'", …}`` → ``"default-src 'self'; …"`` (directives with no sources dropped)."""
    return "; ".join(f"{name} {sources}".strip() for name, sources in policy.items() if sources is not None)


class ContentSecurityPolicyMiddleware:
    """Add ``Content-Security-Policy`` to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        base = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)
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

LOGIN_URL_NAMES = ("admin:login", "api:v1:auth-token")
_CACHE_PREFIX = "login-failures"


def _limit() -> int:
    return int(getattr(settings, "LOGIN_FAILURE_LIMIT", 5))


def _window() -> int:
    return int(getattr(settings, "LOGIN_FAILURE_WINDOW", 300))


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


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _bump(key: str) -> None:
    # Fixed window from the first failure: add() starts it, incr() keeps its expiry.
    if not cache.add(key, 1, timeout=_window()):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=_window())


def login_failure_record(*, request: HttpRequest | None, username: str) -> None:
    """Count one failed login for the client IP of ``request`` and for ``username``."""
    if request is not None:
        _bump(_key("ip", client_ip(request)))
    if username:
        _bump(_key("user", username))


def login_refused(*, request: HttpRequest, username: str) -> bool:
    """Whether this client IP or this account name has used up its failed logins for the window."""
    limit = _limit()
    if _count(_key("ip", client_ip(request))) >= limit:
        return True
    return bool(username) and _count(_key("user", username)) >= limit


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
        except (ValueError, UnicodeDecodeError, RecursionError):  # deep nesting: the view's parser answers 400
            return ""
        return str(data.get("email") or data.get("username") or "") if isinstance(data, dict) else ""
    return str(request.POST.get("username") or request.POST.get("email") or "")


class LoginRateLimitMiddleware:
    """Refuse a POST to the admin login or the API token endpoint once the client or the account is over the
    failed-login limit (429, with ``Retry-After``)."""

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
            if name is not None and login_refused(request=request, username=_submitted_username(request)):
                return self.refusal(name)
        return self.get_response(request)

    def refusal(self, url_name: str) -> HttpResponse:
        minutes = max(1, _window() // 60)
        message = f"Too many failed login attempts. Try again in {minutes} minutes."
        if url_name.startswith("api:"):
            response = JsonResponse(
                {"error": {"code": "throttled", "message": message, "details": {"retry_after": _window()}}},
                status=429,
            )
        else:
            response = HttpResponse(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts"
                f"</title></head><body><h1>Too many attempts</h1><p>{escape(message)}</p></body></html>",
                status=429,
            )
        response["Retry-After"] = str(_window())
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
