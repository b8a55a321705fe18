"""The API's one pagination class: ``?limit=`` and ``?offset=``, validated and bounded (issue 16, finding 3).

DRF's ``LimitOffsetPagination`` accepts any offset, so ``?offset=99999999999999999999`` reached PostgreSQL and
failed there (``DataError: bigint out of range``, a 500), and quietly replaced a negative or non-numeric value by
the default.  Here a value that is not a non-negative integer (ASCII digits), or one above ``MAX_OFFSET``, is a 400
in the API's error format (code ``invalid``, the parameter named in ``details``); a limit between ``max_limit``
and ``MAX_OFFSET`` is cut to ``max_limit``, as before.  Every list endpoint and the PostgreSQL shortlist fast path (``recruiting.api.ranked``) read the
page through this class.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_OFFSET = 1_000_000_000  # the largest limit or offset read; far beyond any real list, far below bigint
_MAX_DIGITS = 20


def _non_negative(name: str, raw: str, *, maximum: int = MAX_OFFSET) -> int:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > _MAX_DIGITS:
        raise ValidationError({name: [f"Must be a whole number, 0 or more (got {raw[:30]!r})."]})
    value = int(raw)
    if value > maximum:
        raise ValidationError({name: [f"Must be at most {maximum}."]})
    return value


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500

    def get_limit(self, request) -> int:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None or raw == "":
            return self.default_limit
        value = _non_negative(self.limit_query_param, raw)
        if value == 0:
            raise ValidationError({self.limit_query_param: ["Must be at least 1."]})
        return min(value, self.max_limit)

    def get_offset(self, request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None or raw == "":
            return 0
        return _non_negative(self.offset_query_param, raw)
