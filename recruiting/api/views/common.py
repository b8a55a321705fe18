"""What every REST API view shares: the id pattern, pagination and filter backends, the match-score query
parameters, and the ranked, filtered and explained querysets."""

from __future__ import annotations

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
