"""``/api/vacancies/``: list, read, create, edit, publish / close, and a vacancy's ranked match scores."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from matching.models import MatchScore
from recruiting import permissions, services
from recruiting.api import filters
from recruiting.api import services as api_services
from recruiting.api.exceptions import Conflict
from recruiting.api.permissions import (
    IsRecruiterOrReadOnly,
    scoped_match_scores,
)
from recruiting.api.ranked import ranked_page_cached, ranked_page_response
from recruiting.api.schema import error_response
from recruiting.api.serializers.scores import MatchScoreSerializer
from recruiting.api.serializers.vacancies import (
    VacancyCreateInputSerializer,
    VacancySerializer,
    VacancyUpdateInputSerializer,
)
from recruiting.api.views.common import (
    API_SOURCE,
    MATCH_SCORE_PARAMETERS,
    SEARCHABLE,
    ApiMixin,
    NonAtomicReadsMixin,
    explained,
    filtered,
    match_scores,
    ranked,
    skill_links,
)
from recruiting.models import (
    Vacancy,
    VacancySkill,
)


# --- vacancies ----------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        tags=["vacancies"],
        summary="List vacancies",
        description="Anyone, anonymous included, sees the open vacancies; hiring managers also "
        "theirs; recruiters all of them.",
    ),
    retrieve=extend_schema(tags=["vacancies"], summary="One vacancy"),
)
class VacancyViewSet(
    NonAtomicReadsMixin, ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    non_atomic_actions = frozenset({"match_scores"})  # read-only: no BEGIN / COMMIT per page
    serializer_class = VacancySerializer
    permission_classes = [IsRecruiterOrReadOnly]
    filterset_class = filters.VacancyFilter
    filter_backends = SEARCHABLE
    search_fields = ["title", "reference", "location"]
    ordering_fields = ["title", "reference", "created_at", "updated_at", "published_at"]
    ordering = ["-created_at", "pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        queryset = permissions.listed_vacancies(self.request.user)
        if self.action == "match_scores":
            return queryset.only("pk", "status")
        return queryset.prefetch_related(skill_links(VacancySkill))

    def _respond(self, vacancy, code=status.HTTP_200_OK):
        vacancy = self.get_queryset().get(pk=vacancy.pk)
        return Response(VacancySerializer(vacancy).data, status=code)

    @extend_schema(
        tags=["vacancies"],
        summary="Create a vacancy (recruiters)",
        request=VacancyCreateInputSerializer,
        responses={201: VacancySerializer, 409: error_response(409)},
        description="Skills, qualifications, seniority, salary and working pattern are read from the "
        "description. `status: open` publishes it (event `vacancy.published`).",
    )
    def create(self, request):
        data = VacancyCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if Vacancy.objects.filter(source=API_SOURCE, reference=d["reference"]).exists():
            raise Conflict(f"A vacancy with reference {d['reference']!r} already exists.")
        try:
            vacancy, _ = services.vacancy_upsert(
                source=API_SOURCE,
                reference=d["reference"],
                title=d["title"],
                description=d["description"],
                status=d["status"],
            )
        except ValueError as exc:
            raise ValidationError({"description": [str(exc)]}) from None
        if d["status"] == "open":
            vacancy = services.vacancy_publish(vacancy=vacancy, actor=request.user)
        return self._respond(vacancy, status.HTTP_201_CREATED)

    @extend_schema(
        tags=["vacancies"],
        summary="Change a vacancy's title or text (recruiters)",
        request=VacancyUpdateInputSerializer,
        responses={200: VacancySerializer},
        description="The workspace's edit (`recruiting.services.vacancy_update`): a changed text is read "
        "again (its extracted skills and terms follow it; skills a recruiter entered stay), the vacancy's "
        "scores are marked stale and rescored, and the change is written to the audit log.",
    )
    def partial_update(self, request, pk=None):
        vacancy = self.get_object()
        data = VacancyUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            vacancy = services.vacancy_update(vacancy=vacancy, actor=request.user, fields=dict(d))
        except ValueError as exc:
            raise ValidationError({"description": [str(exc)]}) from None
        return self._respond(vacancy)

    @extend_schema(
        tags=["vacancies"],
        summary="Delete a vacancy nobody applied to (recruiters)",
        responses={204: None, 409: error_response(409)},
    )
    def destroy(self, request, pk=None):
        vacancy = self.get_object()
        try:
            api_services.vacancy_delete(vacancy=vacancy, actor=request.user)
        except services.ApplicationError as exc:
            raise Conflict(str(exc)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["vacancies"],
        summary="Publish (open) a vacancy (recruiters)",
        request=None,
        responses={200: VacancySerializer},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        vacancy = services.vacancy_publish(vacancy=self.get_object(), actor=request.user)
        return self._respond(vacancy)

    @extend_schema(
        tags=["vacancies"],
        summary="Close a vacancy (recruiters)",
        request=None,
        responses={200: VacancySerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        vacancy = services.vacancy_close(vacancy=self.get_object(), actor=request.user)
        return self._respond(vacancy)

    @extend_schema(
        tags=["match scores"],
        summary="A vacancy's ranked match scores (recruiters, its hiring managers)",
        responses={200: MatchScoreSerializer(many=True)},
        parameters=MATCH_SCORE_PARAMETERS,
        description="Best first; insufficient data last; equal scores share a `rank` (1, 2, 2, 4) and are "
        "marked `tied`, their order among themselves is the match score's id. `?min_score=` keeps "
        "scores at least that high, `?confidence=` one confidence; the rank stays the rank among all "
        "the vacancy's candidates. `?limit=` (≤ 500) and `?offset=` page through the ranking.",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="match-scores",
        filter_backends=[],
        serializer_class=MatchScoreSerializer,
    )
    def match_scores(self, request, pk=None):
        user = request.user
        # A recruiter's page is every recruiter's (visible_match_scores: all rows; can_view_vacancy: any vacancy),
        # so it may come from the cache, before the vacancy is read: a page cached under the current generation
        # proves the vacancy is there unchanged (its delete or edit would have replaced the generation).
        cached = ranked_page_cached(request, shared=permissions.is_recruiter(user))
        if cached.body is not None:
            return HttpResponse(cached.body, content_type="application/json")
        vacancy = self.get_object()
        if not permissions.can_view_vacancy(user, vacancy):
            self.permission_denied(
                request, "Only recruiters and this vacancy's hiring managers see its scores."
            )
        # a hiring manager gets only the rows of people who applied to this vacancy
        queryset = filtered(
            filters.MatchScoreFilter,
            request,
            match_scores(scoped_match_scores(user, MatchScore.objects.filter(vacancy=vacancy))),
        )
        # PostgreSQL builds the JSON page itself; it counts the vacancy's scored candidates once per page
        fast = ranked_page_response(
            self, request, ranked(queryset, among=False), vacancy_id=vacancy.pk, cached=cached
        )
        if fast is not None:
            return fast
        page = explained(self.paginate_queryset(ranked(queryset)))
        return self.get_paginated_response(MatchScoreSerializer(page, many=True).data)

    def get_permissions(self):
        if self.action == "match_scores":
            return [IsAuthenticated()]
        return super().get_permissions()

    def filter_queryset(self, queryset):
        if self.action == "match_scores":
            return queryset
        return super().filter_queryset(queryset)
