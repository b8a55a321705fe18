"""One error format for every API error, and the exceptions the API raises.

Every error response — validation, authentication, permission, not found, method not allowed, unsupported
media type, throttling, conflicts, and unexpected server errors — has this body::

    {"error": {"code": "not_found", "message": "No vacancy matches the given query.", "details": {}}}

``code`` is stable and machine-readable; ``message`` is for people; ``details`` is an object whose keys depend on
the code (``invalid``: the field errors, ``{"field": ["message", …]}``; ``throttled``: ``{"retry_after": s}``;
``import_failed``: ``{"problems": […]}``; otherwise usually empty).

``exception_handler`` is DRF's ``EXCEPTION_HANDLER``; ``not_found`` answers every unmatched URL under ``/api/``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    """The request is valid but clashes with the current state (already applied, already exists …)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class IdempotencyKeyReused(exceptions.APIException):
    """An ``Idempotency-Key`` sent again with a different request."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


class ImportFailedError(exceptions.APIException):
    """An import that saved nothing; ``details.problems`` lists every bad row."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Nothing was imported."
    default_code = "import_failed"

    def __init__(self, problems: list[str]):
        super().__init__(f"Nothing was imported: {len(problems)} problem(s).")
        self.problems = problems


# --- the format -----------------------------------------------------------------------------------------
class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=(
            "Stable, machine-readable: invalid, parse_error, not_authenticated, authentication_failed, "
            "permission_denied, not_found, method_not_allowed, not_acceptable, unsupported_media_type, conflict, "
            "idempotency_key_reused, import_failed, throttled, server_error; request_too_large (413) comes from "
            "the proxy in front (deploy/nginx)."
        )
    )
    message = serializers.CharField(help_text="A sentence for people.")
    details = serializers.DictField(
        help_text="Depends on the code. invalid: field name → list of messages; throttled: {retry_after: "
        "seconds}; import_failed: {problems: [...]}; otherwise usually empty."
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    error = ErrorDetailSerializer()


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _validation_details(detail) -> dict:
    if isinstance(detail, dict):
        return {str(k): v for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return {"non_field_errors": [detail]}


def _first_message(detail) -> str:
    """The first message in a (nested) validation error, prefixed by its field."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = _first_message(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc, context) -> Response:
    """DRF ``EXCEPTION_HANDLER``: every exception, including unexpected ones, becomes the standard body."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)

    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, exceptions.ValidationError):
            body = error_body("invalid", _first_message(exc.detail), _validation_details(exc.detail))
        else:
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else exc.default_code
            details: dict = {}
            if isinstance(exc, exceptions.Throttled):
                details = {"retry_after": int(exc.wait) if exc.wait is not None else None}
            elif isinstance(exc, ImportFailedError):
                details = {"problems": exc.problems}
            body = error_body(code, str(exc.detail), details)
        set_rollback()
        return Response(body, status=exc.status_code, headers=headers)

    # Anything else is a bug: log it (the traceback names code, never request bodies) and answer 500 in
    # the same format; the request's transaction is rolled back.
    request = context.get("request")
    logger.error(
        "unhandled %s on %s %s",
        type(exc).__name__,
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        exc_info=exc,
    )
    set_rollback()
    return Response(
        error_body("server_error", "An unexpected error occurred. It has been logged."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
