"""drf-spectacular schema generation: every operation documents the standard error responses.

``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` points here.  On top of what the views declare, each operation gets
the errors it can answer, all with the ``Error`` body (``recruiting.api.exceptions``): 400 (operations with a
body, and lists, whose filters are validated), 401, 403, 404 (operations on one object), 415 (operations
with a body), 429 and 500.  Views add 409 and 422 where they can happen.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from recruiting.api.exceptions import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid request (code invalid, parse_error or import_failed); details name the fields.",
    "401": "No valid credentials (code not_authenticated or authentication_failed).",
    "403": "Authenticated, but this role may not do this (code permission_denied).",
    "404": "No such object, or not one this user may see (code not_found).",
    "409": "Conflicts with the current state (code conflict).",
    "415": "Unsupported Content-Type (code unsupported_media_type).",
    "422": "Idempotency-Key reused with a different request (code idempotency_key_reused).",
    "429": "Too many requests (code throttled); details.retry_after and the Retry-After header say when to retry.",
    "500": "Unexpected server error (code server_error).",
}


def error_response(code: str | int, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description or ERROR_DESCRIPTIONS[str(code)])


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> list[str]:
        has_body = self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        codes = []
        if has_body or (self.method == "GET" and self._is_list_view()):
            codes.append("400")
        codes += ["401", "403"]
        if "{" in self.path:
            codes.append("404")
        if has_body:
            codes.append("415")
        codes += ["429", "500"]
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(error_response(code), code, direction=direction)
        return responses
