"""The API's JSON parser: DRF's, bounded (issue 16, finding 3).

Python's ``json`` turns hostile documents into exceptions DRF's ``JSONParser`` does not catch, so they became 500s
with a traceback:

- nesting thousands deep raises ``RecursionError``;
- ``1e400`` parses to ``inf``, which later raises ``OverflowError`` (``int(inf)`` in a primary-key field).

``BoundedJSONParser`` answers both with a ``ParseError`` (400, code ``parse_error``, in the API's error format):
a document nested deeper than ``JSON_MAX_DEPTH`` is refused, so is a string holding a lone surrogate, and so is
any number that is not finite — ``NaN``,
``Infinity`` (already refused by DRF's strict mode) and literals too large for a float.  It is the API's default
parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``) and the JSON parser of every view that lists its own.
"""

from __future__ import annotations

import codecs
import json
import math

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

JSON_MAX_DEPTH = 32  # arrays/objects inside each other; the API's deepest real body is 3


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def json_problem(value, max_depth: int) -> str | None:
    """Why decoded JSON ``value`` is refused, or None: nested more than ``max_depth`` lists/objects deep, or a
    string (or key) holding a lone UTF-16 surrogate (``"\\ud800"``: valid JSON escapes, but no UTF-8 text, so the
    database, the password hasher and the log would raise on it).  Iterative, so no recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "a string holds a lone surrogate (not Unicode text)"
            continue
        if isinstance(item, dict):
            if depth > max_depth:
                return f"nested more than {max_depth} levels deep"
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            if depth > max_depth:
                return f"nested more than {max_depth} levels deep"
            stack.extend((child, depth + 1) for child in item)
    return None


class BoundedJSONParser(JSONParser):
    """DRF's ``JSONParser`` that refuses deep nesting and non-finite numbers with a 400 instead of a 500."""

    max_depth = JSON_MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = json.loads(text, parse_float=_finite_float, parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested more than {self.max_depth} levels deep") from None
        except ValueError as exc:  # includes UnicodeDecodeError and json.JSONDecodeError
            raise ParseError(f"JSON parse error - {exc}"[:300]) from None
        problem = json_problem(data, self.max_depth)
        if problem is not None:
            raise ParseError(f"JSON parse error - {problem}")
        return data
