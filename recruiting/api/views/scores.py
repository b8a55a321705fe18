"""Matching's data over the API: the skill vocabulary, match scores and scoring runs (read; recruiters start a
full rescore)."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from matching import runs as matching_runs
from matching.models import MatchScore, ScoringRun, Skill
from matching.services import match_scores_explain
from recruiting.api import filters
from recruiting.api.permissions import (
    IsRecruiter,
    scoped_match_scores,
)
from recruiting.api.serializers.scores import (
    MatchScoreSerializer,
    ScoringRunInputSerializer,
    ScoringRunSerializer,
)
from recruiting.api.serializers.vacancies import SkillSerializer
from recruiting.api.views.common import (
    RANKED_LISTS,
    SEARCHABLE,
    ApiMixin,
    explained,
    match_scores,
    ranked,
)


# --- skills -------------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        tags=["skills"],
        summary="The skill vocabulary",
        description="Searchable (`?search=` in names), filterable by category. Public.",
    ),
    retrieve=extend_schema(tags=["skills"], summary="One skill"),
)
class SkillViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Skill.objects.all()
    serializer_class = SkillSerializer
    permission_classes = [AllowAny]
    filterset_class = filters.SkillFilter
    filter_backends = SEARCHABLE
    search_fields = ["name"]
    ordering_fields = ["name", "category"]
    ordering = ["name"]


# --- match scores -------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        tags=["match scores"],
        summary="Match scores I may see, best first",
        description="Candidates: their own, for open vacancies. Hiring managers: their vacancies'. "
        "Recruiters: all (filter with `?vacancy=` / `?candidate=`). In the ranking's order (best first, no score "
        "last, then id); `?ordering=score` reverses it, `?ordering=computed_at` / `-computed_at` lists by when "
        "each score was computed.",
    ),
    retrieve=extend_schema(tags=["match scores"], summary="One match score with its explanation"),
)
class MatchScoreViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MatchScoreSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = filters.MatchScoreListFilter
    filter_backends = RANKED_LISTS
    ordering_fields = ["score", "computed_at"]

    def get_queryset(self):
        return ranked(match_scores(scoped_match_scores(self.request.user, MatchScore.objects.all())))

    def paginate_queryset(self, queryset):
        return explained(super().paginate_queryset(queryset))

    def get_object(self):
        score = super().get_object()
        match_scores_explain([score])
        return score


# --- scoring runs -------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(tags=["scoring runs"], summary="Scoring runs, newest first (recruiters)"),
    retrieve=extend_schema(tags=["scoring runs"], summary="A scoring run's status and progress (recruiters)"),
)
class ScoringRunViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ScoringRun.objects.all()
    serializer_class = ScoringRunSerializer
    permission_classes = [IsRecruiter]
    filterset_class = filters.ScoringRunFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]

    @property
    def throttle_scope(self):
        return "scoring" if getattr(self, "action", None) == "create" else None

    @extend_schema(
        tags=["scoring runs"],
        summary="Start a scoring run (recruiters)",
        request=ScoringRunInputSerializer,
        responses={202: ScoringRunSerializer},
        description="The run is scored by the Celery workers in chunks; poll it for progress.",
    )
    def create(self, request):
        data = ScoringRunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d["scope"] == "vacancy":
            run = matching_runs.scoring_run_start(
                scope="vacancy", target=str(d["vacancy"].pk), vacancy_ids=[d["vacancy"].pk]
            )
        elif d["scope"] == "candidate":
            run = matching_runs.scoring_run_start(
                scope="candidate", target=str(d["candidate"].pk), candidate_ids=[d["candidate"].pk]
            )
        else:
            run = matching_runs.scoring_run_start(scope="all")
        return Response(ScoringRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
