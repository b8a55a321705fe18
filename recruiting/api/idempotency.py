"""``Idempotency-Key`` for POSTs that create things (applications, imports): a retried request is harmless.

A client sends a key of its own (a UUID is best) with the request.  The first request with that key runs and,
when it succeeds (2xx), its status and body are stored with the user, the key and a hash of the request
(``IdempotencyKey``), in the same transaction as the change itself.  Then:

- the same key and the same request again → the stored response is replayed, with ``Idempotent-Replayed: true``,
  and nothing runs again;
- the same key with a different request (body, path or method) → 422 ``idempotency_key_reused``;
- a request that failed (4xx/5xx) changed nothing and stored nothing: retrying it runs it again.

Two requests racing with one key are serialised by the unique (user, key) constraint: the second waits for the
first to commit and then replays its response.  Keys expire after :data:`KEY_TTL`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from recruiting.api.exceptions import IdempotencyKeyReused
from recruiting.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = 200
KEY_TTL = timedelta(hours=24)
PENDING = 0  # response_status of a row whose request has not finished (never committed as such)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A unique key (e.g. a UUID) that makes a retried POST harmless: the same key with the same "
    "request replays the first successful response (header Idempotent-Replayed: true); with a "
    "different request it is refused (422). Keys are kept for 24 hours.",
)


def request_fingerprint(request) -> str:
    """sha256 of the method, the path and the parsed request (JSON canonicalised; uploaded files by content),
    so a retry from another client library, with other multipart boundaries, hashes the same."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    data = request.data
    if hasattr(data, "lists"):  # QueryDict (form or multipart)
        plain = {key: sorted(values) for key, values in sorted(data.lists())}
        digest.update(json.dumps(plain, sort_keys=True, default=str).encode())
    else:
        digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"\nfile {name} {upload.name} {upload.size}\n".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _replay(row: IdempotencyKey) -> Response:
    return Response(row.response_body, status=row.response_status, headers={REPLAYED_HEADER: "true"})


def idempotent(view_method):
    """Decorate a view(set) method handling a POST so that it honours ``Idempotency-Key``."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > KEY_MAX_LENGTH or not key.isprintable():
            raise serializers.ValidationError(
                {HEADER: [f"Use at most {KEY_MAX_LENGTH} printable characters (a UUID is best)."]}
            )
        fingerprint = request_fingerprint(request)
        user = request.user
        IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=timezone.now() - KEY_TTL).delete()
        # One transaction for the key and the change: if the view fails, neither is kept.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = IdempotencyKey.objects.create(
                        user=user,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_hash=fingerprint,
                        response_status=PENDING,
                        response_body={},
                    )
            except IntegrityError:
                # Stored by an earlier request (or by one that committed while we waited for its lock).
                row = IdempotencyKey.objects.get(user=user, key=key)
                if (row.request_hash, row.method, row.path) != (
                    fingerprint,
                    request.method,
                    request.path[:500],
                ):
                    raise IdempotencyKeyReused() from None
                return _replay(row)
            response = view_method(self, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                row.response_status = response.status_code
                row.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
                row.save(update_fields=["response_status", "response_body"])
            else:
                row.delete()
            return response

    return wrapper
