"""What every REST API view shares: the id pattern, pagination and filter backends, the match-score query
parameters, and the ranked, filtered and explained querysets."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
)
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

from matching.models import MatchScore
from matching.ranking import ranking_order_by
from matching.services import match_scores_explain
from recruiting.api.pagination import Pagination
from recruiting.selectors import with_vacancy_rank

API_SOURCE = "api"
ID = r"[0-9]{1,18}"  # ids a 64-bit column can hold; longer ones are simply not found


class ApiMixin:
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    lookup_value_regex = ID


class NonAtomicReadsMixin:
    """For a ``ViewSet``: the routes of its actions named in ``non_atomic_actions`` (read-only, ``GET``) run
    outside the transaction ``ATOMIC_REQUESTS`` opens around every other view.

    Why: the transaction buys a read nothing (PostgreSQL at READ COMMITTED gives each statement its own snapshot,
    in a transaction or not) and costs two round trips to the database per request, ``BEGIN`` and ``COMMIT`` — on
    a shortlist page served from the page cache, two of its three.  A write such a view makes (an explanation
    filled in on read) is one statement, or its own ``atomic`` block.  Raises ``ImproperlyConfigured`` at start-up
    when a named action takes anything but ``GET``."""

    non_atomic_actions: frozenset[str] = frozenset()

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        view = super().as_view(actions, **initkwargs)
        named = {name for name in (actions or {}).values() if name in cls.non_atomic_actions}
        if named:
            if set(actions) - {"get", "head", "options"}:
                raise ImproperlyConfigured(
                    f"{cls.__name__}: {sorted(named)} must be read-only to run non-atomic"
                )
            view = transaction.non_atomic_requests(_savepoint_inside_a_transaction(view))
        return view


def _savepoint_inside_a_transaction(view):
    """``view``, which runs in autocommit, but in a savepoint when its caller already holds a transaction (a test
    does): DRF marks the open transaction for rollback on an error response, which must be the view's own, as
    ``ATOMIC_REQUESTS`` would make it, never the caller's."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapped


SEARCHABLE = [DjangoFilterBackend, SearchFilter, OrderingFilter]


class RankingOrderingFilter(OrderingFilter):
    """``?ordering=`` of match-score lists: ``-score`` is the ranking itself (``matching.ranking``: best first, no
    score last, then id) and ``score`` its exact reverse, both served by the ranking's indexes; any other ordering
    ends with the id, so that pages neither repeat nor skip a row.  (Plain ``ORDER BY score DESC`` would put the
    scores with insufficient data first and leave ties in no particular order.)"""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering or not request.query_params.get(self.ordering_param):
            return ordering  # the view's own order (the ranking, from its queryset)
        if ordering[0] in ("score", "-score"):
            return list(ranking_order_by(reverse=ordering[0] == "score"))
        return [*ordering, "pk"]


RANKED_LISTS = [DjangoFilterBackend, RankingOrderingFilter]


MATCH_SCORE_PARAMETERS = [
    OpenApiParameter(
        "min_score",
        OpenApiTypes.NUMBER,
        description="Only scores at least this high (0–100); leaves out insufficient data.",
    ),
    OpenApiParameter("state", OpenApiTypes.STR, enum=list(MatchScore.State.values)),
    OpenApiParameter(
        "stale",
        OpenApiTypes.BOOL,
        description="Scores computed with an old engine, vocabulary, model or weights.",
    ),
    OpenApiParameter(
        "confidence",
        OpenApiTypes.STR,
        enum=list(MatchScore.Confidence.values),
        description="Only scores with this confidence.",
    ),
]


def ranked(queryset, *, among: bool = True):
    """Match scores in the ranking order (``matching.ranking``: best first, no score last, then id), each with its
    rank among the vacancy's candidates (``rank``, ``tied`` and, with ``among``, ``candidates_ranked``)."""
    return with_vacancy_rank(queryset, among=among).order_by(*ranking_order_by())


def filtered(filterset_class, request, queryset):
    """``queryset`` through ``filterset_class`` with the request's query; invalid values are a 400."""
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def match_scores(queryset):
    return queryset.select_related("candidate", "vacancy").defer("candidate__cv_text", "vacancy__description")


def explained(page):
    """A page of match scores with the rows stored narrow explained (and saved) first: reading a queryset never
    explains (``matching.services.match_scores_explain``).  ``None`` (no pagination) stays ``None``."""
    return None if page is None else match_scores_explain(page)


def skill_links(model):
    return Prefetch("skill_links", queryset=model.objects.select_related("skill").order_by("skill__name"))
