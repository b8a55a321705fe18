"""REST API views: thin — check permissions, validate with an input serializer, call a service, serialize.

Querysets are scoped to the user (``recruiting.permissions.visible_*``), so an object another user owns
answers 404.  Every write goes through ``recruiting.services``, ``matching.runs``, ``recruiting.webhooks``,
``recruiting.importers`` or ``recruiting.api.services``.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.urls import Resolver404, resolve
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, NotFound, ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from matching import runs as matching_runs
from matching.models import MatchScore, ScoringRun, Skill
from matching.ranking import ranking_order_by
from matching.services import match_scores_explain
from recruiting import importers, permissions, services, webhooks
from recruiting.api import filters
from recruiting.api import serializers as s
from recruiting.api import services as api_services
from recruiting.api.authentication import token_expired
from recruiting.api.exceptions import Conflict, ImportFailedError
from recruiting.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from recruiting.api.pagination import Pagination
from recruiting.api.parsers import BoundedJSONParser
from recruiting.api.permissions import (
    ApplicationPermission,
    IsCandidate,
    IsRecruiter,
    IsRecruiterOrReadOnly,
    scoped_match_scores,
)
from recruiting.api.ranked import ranked_page_response
from recruiting.api.schema import error_response
from recruiting.models import (
    Application,
    ApplicationStageChange,
    Candidate,
    CandidateSkill,
    Vacancy,
    VacancySkill,
    WebhookDelivery,
    WebhookEndpoint,
)
from recruiting.selectors import with_vacancy_rank

API_SOURCE = "api"
ID = r"[0-9]{1,18}"  # ids a 64-bit column can hold; longer ones are simply not found


class ApiMixin:
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    lookup_value_regex = ID


SEARCHABLE = [DjangoFilterBackend, SearchFilter, OrderingFilter]


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


def _ranked(queryset, *, among: bool = True):
    """Match scores in the ranking order (``matching.ranking``: best first, no score last, then id), each with its
    rank among the vacancy's candidates (``rank``, ``tied`` and, with ``among``, ``candidates_ranked``)."""
    return with_vacancy_rank(queryset, among=among).order_by(*ranking_order_by())


def _filtered(filterset_class, request, queryset):
    """``queryset`` through ``filterset_class`` with the request's query; invalid values are a 400."""
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def _match_scores(queryset):
    return queryset.select_related("candidate", "vacancy").defer("candidate__cv_text", "vacancy__description")


def _explained(page):
    """A page of match scores with the rows stored narrow explained (and saved) first: reading a queryset never
    explains (``matching.services.match_scores_explain``).  ``None`` (no pagination) stays ``None``."""
    return None if page is None else match_scores_explain(page)


def _skill_links(model):
    return Prefetch("skill_links", queryset=model.objects.select_related("skill").order_by("skill__name"))


# --- auth ---------------------------------------------------------------------------------------------------
class AuthTokenView(APIView):
    """``POST`` e-mail and password for a token; ``DELETE`` revokes the token used."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        tags=["auth"],
        summary="Get an API token",
        request=s.TokenInputSerializer,
        auth=[],
        responses={
            200: s.TokenSerializer,
            400: error_response(400),
            401: error_response(401),
            429: error_response(429),
        },
        description="Exchange an e-mail and password for a token (the same one on every call until it is "
        "revoked or expires, 30 days after it was issued by default; then a new one). Send it as "
        "`Authorization: Token <token>`.",
    )
    def post(self, request):
        data = s.TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email, password = data.validated_data["email"], data.validated_data["password"]
        user = authenticate(request._request, username=email, password=password)
        if user is None or not user.is_active:
            raise AuthenticationFailed("Unknown e-mail address or wrong password.")
        if not _email_verified(user):
            raise AuthenticationFailed("Confirm your e-mail address first (see the e-mail we sent).")
        token, _ = Token.objects.get_or_create(user=user)
        if token_expired(token):  # an expired token is replaced, never handed out again
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "roles": permissions.roles_of(user)})

    @extend_schema(
        tags=["auth"],
        summary="Revoke the token used",
        request=None,
        responses={204: None, 401: error_response(401), 429: error_response(429)},
    )
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


def _email_verified(user) -> bool:
    """Accounts that sign up in the portal must confirm their address (allauth); accounts made by an
    administrator (recruiters, hiring managers) have no address records and pass."""
    from allauth.account.models import EmailAddress

    addresses = list(EmailAddress.objects.filter(user=user).values_list("verified", flat=True))
    return not addresses or any(addresses)


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
    serializer_class = s.SkillSerializer
    permission_classes = [AllowAny]
    filterset_class = filters.SkillFilter
    filter_backends = SEARCHABLE
    search_fields = ["name"]
    ordering_fields = ["name", "category"]
    ordering = ["name"]


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
class VacancyViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.VacancySerializer
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
        return queryset.prefetch_related(_skill_links(VacancySkill))

    def _respond(self, vacancy, code=status.HTTP_200_OK):
        vacancy = self.get_queryset().get(pk=vacancy.pk)
        return Response(s.VacancySerializer(vacancy).data, status=code)

    @extend_schema(
        tags=["vacancies"],
        summary="Create a vacancy (recruiters)",
        request=s.VacancyCreateInputSerializer,
        responses={201: s.VacancySerializer, 409: error_response(409)},
        description="Skills, qualifications, seniority, salary and working pattern are read from the "
        "description. `status: open` publishes it (event `vacancy.published`).",
    )
    def create(self, request):
        data = s.VacancyCreateInputSerializer(data=request.data)
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
        request=s.VacancyUpdateInputSerializer,
        responses={200: s.VacancySerializer},
        description="The workspace's edit (`recruiting.services.vacancy_update`): a changed text is read "
        "again (its extracted skills and terms follow it; skills a recruiter entered stay), the vacancy's "
        "scores are marked stale and rescored, and the change is written to the audit log.",
    )
    def partial_update(self, request, pk=None):
        vacancy = self.get_object()
        data = s.VacancyUpdateInputSerializer(data=request.data)
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
        responses={200: s.VacancySerializer},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        vacancy = services.vacancy_publish(vacancy=self.get_object(), actor=request.user)
        return self._respond(vacancy)

    @extend_schema(
        tags=["vacancies"],
        summary="Close a vacancy (recruiters)",
        request=None,
        responses={200: s.VacancySerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        vacancy = services.vacancy_close(vacancy=self.get_object(), actor=request.user)
        return self._respond(vacancy)

    @extend_schema(
        tags=["match scores"],
        summary="A vacancy's ranked match scores (recruiters, its hiring managers)",
        responses={200: s.MatchScoreSerializer(many=True)},
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
        serializer_class=s.MatchScoreSerializer,
    )
    def match_scores(self, request, pk=None):
        vacancy = self.get_object()
        user = request.user
        if not permissions.can_view_vacancy(user, vacancy):
            self.permission_denied(
                request, "Only recruiters and this vacancy's hiring managers see its scores."
            )
        # a hiring manager gets only the rows of people who applied to this vacancy
        queryset = _filtered(
            filters.MatchScoreFilter,
            request,
            _match_scores(scoped_match_scores(user, MatchScore.objects.filter(vacancy=vacancy))),
        )
        # PostgreSQL builds the JSON page itself; it counts the vacancy's scored candidates once per page
        fast = ranked_page_response(self, request, _ranked(queryset, among=False), vacancy_id=vacancy.pk)
        if fast is not None:
            return fast
        page = _explained(self.paginate_queryset(_ranked(queryset)))
        return self.get_paginated_response(s.MatchScoreSerializer(page, many=True).data)

    def get_permissions(self):
        if self.action == "match_scores":
            return [IsAuthenticated()]
        return super().get_permissions()

    def filter_queryset(self, queryset):
        if self.action == "match_scores":
            return queryset
        return super().filter_queryset(queryset)


# --- candidates ---------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(tags=["candidates"], summary="List candidates (recruiters)"),
    retrieve=extend_schema(
        tags=["candidates"],
        summary="One candidate with the CV text (recruiters)",
        responses={200: s.CandidateDetailSerializer},
        description="Reading a CV is recorded in the audit log.",
    ),
)
class CandidateViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.CandidateSerializer
    permission_classes = [IsRecruiter]
    filterset_class = filters.CandidateFilter
    filter_backends = SEARCHABLE
    search_fields = ["name", "reference", "headline", "location"]
    ordering_fields = ["reference", "name", "created_at", "updated_at"]
    ordering = ["reference"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = Candidate.objects.prefetch_related(_skill_links(CandidateSkill))
        return queryset if self.action == "retrieve" else queryset.defer("cv_text")

    def retrieve(self, request, pk=None):
        candidate = self.get_object()
        services.audit_log(actor=request.user, action="view_cv", obj=candidate, detail={"via": "api"})
        return Response(s.CandidateDetailSerializer(candidate).data)

    @extend_schema(
        tags=["candidates"],
        summary="Add a candidate from a CV text (recruiters)",
        request=s.CandidateCreateInputSerializer,
        responses={201: s.CandidateDetailSerializer, 409: error_response(409)},
    )
    def create(self, request):
        data = s.CandidateCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if Candidate.objects.filter(source=API_SOURCE, reference=d["reference"]).exists():
            raise Conflict(f"A candidate with reference {d['reference']!r} already exists.")
        try:
            candidate, _ = services.candidate_upsert(source=API_SOURCE, **d)
        except ValueError as exc:
            raise ValidationError({"cv_text": [str(exc)]}) from None
        candidate = Candidate.objects.prefetch_related(_skill_links(CandidateSkill)).get(pk=candidate.pk)
        return Response(s.CandidateDetailSerializer(candidate).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["candidates"],
        summary="Change a candidate's CV text, name, e-mail or label (recruiters)",
        request=s.CandidateUpdateInputSerializer,
        responses={200: s.CandidateDetailSerializer},
    )
    def partial_update(self, request, pk=None):
        candidate = self.get_object()
        data = s.CandidateUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        candidate = Candidate.objects.get(pk=candidate.pk)  # with the CV text
        try:
            candidate, _ = services.candidate_upsert(
                source=candidate.source,
                reference=candidate.reference,
                cv_text=d.get("cv_text", candidate.cv_text),
                name=d.get("name", ""),
                email=d.get("email", ""),
                source_label=d.get("source_label", candidate.source_label),
            )
        except ValueError as exc:
            raise ValidationError({"cv_text": [str(exc)]}) from None
        candidate = Candidate.objects.prefetch_related(_skill_links(CandidateSkill)).get(pk=candidate.pk)
        return Response(s.CandidateDetailSerializer(candidate).data)

    @extend_schema(
        tags=["match scores"],
        summary="A candidate's match scores, best first (recruiters)",
        responses={200: s.MatchScoreSerializer(many=True)},
        parameters=MATCH_SCORE_PARAMETERS,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="match-scores",
        filter_backends=[],
        serializer_class=s.MatchScoreSerializer,
    )
    def match_scores(self, request, pk=None):
        candidate = self.get_object()
        queryset = _match_scores(MatchScore.objects.filter(candidate=candidate))
        queryset = _ranked(_filtered(filters.MatchScoreFilter, request, queryset))
        page = _explained(self.paginate_queryset(queryset))
        return self.get_paginated_response(s.MatchScoreSerializer(page, many=True).data)

    def filter_queryset(self, queryset):
        if self.action == "match_scores":
            return queryset
        return super().filter_queryset(queryset)


# --- the logged-in candidate --------------------------------------------------------------------------------
class MeView(APIView):
    permission_classes = [IsCandidate]

    def _candidate(self):
        candidate = permissions.candidate_of(self.request.user)
        return Candidate.objects.prefetch_related(_skill_links(CandidateSkill)).get(pk=candidate.pk)

    @extend_schema(tags=["me"], summary="My candidate profile", responses={200: s.MeSerializer})
    def get(self, request):
        return Response(s.MeSerializer(self._candidate()).data)

    @extend_schema(
        tags=["me"],
        summary="Change my profile",
        request=s.MeUpdateInputSerializer,
        responses={200: s.MeSerializer, 400: error_response(400), 415: error_response(415)},
    )
    def patch(self, request):
        data = s.MeUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.candidate_profile_update(candidate=self._candidate(), **data.validated_data)
        except ValueError as exc:
            raise ValidationError({"cv_text": [str(exc)]}) from None
        return Response(s.MeSerializer(self._candidate()).data)


# --- applications -------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        tags=["applications"],
        summary="List applications",
        description="Candidates see their own; hiring managers their vacancies'; recruiters all.",
    ),
    retrieve=extend_schema(tags=["applications"], summary="One application with its stage history"),
)
class ApplicationViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ApplicationSerializer
    permission_classes = [ApplicationPermission]
    filterset_class = filters.ApplicationFilter
    ordering_fields = ["created_at", "updated_at", "stage"]
    ordering = ["-created_at", "pk"]

    @property
    def throttle_scope(self):
        return "applications" if getattr(self, "action", None) == "create" else None

    def get_queryset(self):
        return (
            permissions.visible_applications(self.request.user)
            .select_related("vacancy", "candidate")
            .defer("candidate__cv_text", "vacancy__description")
            .prefetch_related(
                Prefetch(
                    "stage_changes", queryset=ApplicationStageChange.objects.order_by("created_at", "pk")
                )
            )
        )

    def _respond(self, application, code=status.HTTP_200_OK):
        application = self.get_queryset().get(pk=application.pk)
        return Response(s.ApplicationSerializer(application).data, status=code)

    @extend_schema(
        tags=["applications"],
        summary="Apply to an open vacancy (candidates, for themselves)",
        request=s.ApplicationCreateInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.ApplicationSerializer, 409: error_response(409), 422: error_response(422)},
        description="Send an `Idempotency-Key` header to make a retry harmless. Applying again after "
        "withdrawing re-opens the application.",
    )
    @idempotent
    def create(self, request):
        data = s.ApplicationCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            application = services.application_create(
                candidate=permissions.candidate_of(request.user),
                vacancy=data.validated_data["vacancy"],
                cover_note=data.validated_data["cover_note"],
                actor=request.user,
                source=Application.Source.API,
            )
        except services.ApplicationError as exc:
            raise Conflict(str(exc)) from None
        return self._respond(application, status.HTTP_201_CREATED)

    @extend_schema(
        tags=["applications"],
        summary="Move an application to another stage (recruiters)",
        request=s.ApplicationMoveInputSerializer,
        responses={200: s.ApplicationSerializer, 409: error_response(409)},
        description="Recorded in the stage history and the audit log; the candidate is e-mailed and "
        "`application.stage_changed` is sent. Rejecting needs a reason.",
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        application = self.get_object()
        data = s.ApplicationMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            application = services.application_move(
                application=application,
                to_stage=data.validated_data["stage"],
                actor=request.user,
                reason=data.validated_data["reason"],
            )
        except services.ApplicationError as exc:
            raise Conflict(str(exc)) from None
        return self._respond(application)

    @extend_schema(
        tags=["applications"],
        summary="Withdraw my application (candidates)",
        request=None,
        responses={200: s.ApplicationSerializer, 409: error_response(409)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        try:
            application = services.application_withdraw(application=application, actor=request.user)
        except services.ApplicationError as exc:
            raise Conflict(str(exc)) from None
        return self._respond(application)


# --- match scores -------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        tags=["match scores"],
        summary="Match scores I may see, best first",
        description="Candidates: their own, for open vacancies. Hiring managers: their vacancies'. "
        "Recruiters: all (filter with `?vacancy=` / `?candidate=`).",
    ),
    retrieve=extend_schema(tags=["match scores"], summary="One match score with its explanation"),
)
class MatchScoreViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.MatchScoreSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = filters.MatchScoreListFilter
    ordering_fields = ["score", "computed_at"]

    def get_queryset(self):
        return _ranked(_match_scores(scoped_match_scores(self.request.user, MatchScore.objects.all())))

    def paginate_queryset(self, queryset):
        return _explained(super().paginate_queryset(queryset))

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
    serializer_class = s.ScoringRunSerializer
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
        request=s.ScoringRunInputSerializer,
        responses={202: s.ScoringRunSerializer},
        description="The run is scored by the Celery workers in chunks; poll it for progress.",
    )
    def create(self, request):
        data = s.ScoringRunInputSerializer(data=request.data)
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
        return Response(s.ScoringRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


# --- imports ------------------------------------------------------------------------------------------------
class CandidateImportView(APIView):
    permission_classes = [IsRecruiter]
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=["imports"],
        summary="Import candidates (recruiters): JSON rows or a CSV file",
        request={
            "application/json": s.CandidateImportInputSerializer,
            "multipart/form-data": s.CandidateImportUploadSerializer,
        },
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: s.ImportReportSerializer, 422: error_response(422)},
        description="All or nothing: every row is checked first and every problem is reported together "
        '(code import_failed, details.problems). Candidates are keyed by (source "api", reference): '
        "importing again updates them; unchanged ones are counted, not saved. Send an "
        "`Idempotency-Key` header to make a retry harmless.",
        examples=[
            OpenApiExample(
                "JSON",
                request_only=True,
                media_type="application/json",
                value={
                    "candidates": [
                        {
                            "reference": "ext-17",
                            "cv_text": "Python, PyTorch …",
                            "name": "Ada Lovelace",
                            "email": "ada@example.com",
                            "label": "job board",
                        }
                    ]
                },
            )
        ],
    )
    @idempotent
    def post(self, request):
        if "file" in request.FILES or request.content_type.startswith("multipart/"):
            upload = s.CandidateImportUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            batch = _read_candidate_csv_upload(upload.validated_data["file"])
        else:
            rows = s.CandidateImportInputSerializer(data=request.data)
            rows.is_valid(raise_exception=True)
            try:
                batch = importers.read_candidate_rows(rows.validated_data["candidates"])
            except importers.ImportFailed as exc:
                raise ImportFailedError(exc.problems) from None
        try:
            report = importers.candidates_write(batch, source=API_SOURCE)
        except importers.ImportFailed as exc:
            raise ImportFailedError(exc.problems) from None
        return Response(
            {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "duplicates_dropped": report.duplicates_dropped,
                "total": report.total,
                "summary": report.summary("candidates"),
            }
        )


CSV_COLUMNS = {
    "id_column": "reference",
    "name_column": "name",
    "email_column": "email",
    "label_column": "label",
}


def _read_candidate_csv_upload(upload) -> importers.Batch:
    """Read an uploaded CSV through ``importers.read_candidate_csv`` (columns cv_text, reference, name, email,
    label; only cv_text is required)."""
    name = Path(upload.name or "upload.csv").name or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="api-import-") as folder:
        path = Path(folder) / name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        with path.open("rb") as handle:
            first = handle.readline(1024 * 1024).decode("utf-8-sig", errors="replace")
        try:
            header = {h.strip() for h in next(csv.reader(io.StringIO(first)), [])}
        except csv.Error:  # binary or otherwise not CSV: the importer below says so clearly
            header = set()
        optional = {arg: column for arg, column in CSV_COLUMNS.items() if column in header}
        try:
            return importers.read_candidate_csv(path, text_column="cv_text", **optional)
        except importers.ImportFailed as exc:
            raise ImportFailedError(exc.problems) from None


# --- webhooks -----------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(tags=["webhooks"], summary="Webhook endpoints (recruiters)"),
    retrieve=extend_schema(tags=["webhooks"], summary="One webhook endpoint (recruiters)"),
)
class WebhookEndpointViewSet(
    ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = WebhookEndpoint.objects.select_related("created_by")
    serializer_class = s.WebhookEndpointSerializer
    permission_classes = [IsRecruiter]
    filterset_class = filters.WebhookEndpointFilter
    ordering_fields = ["created_at", "url"]
    ordering = ["-created_at", "-pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(
        tags=["webhooks"],
        summary="Register a webhook endpoint (recruiters)",
        request=s.WebhookEndpointInputSerializer,
        responses={201: s.WebhookEndpointCreatedSerializer},
        description="The response carries the signing `secret`, shown only this once.",
    )
    def create(self, request):
        data = s.WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhooks.endpoint_create(actor=request.user, **data.validated_data)
        return Response(s.WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["webhooks"],
        summary="Change an endpoint's URL, events or active flag (recruiters)",
        request=s.WebhookEndpointUpdateInputSerializer,
        responses={200: s.WebhookEndpointSerializer},
    )
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        data = s.WebhookEndpointUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = webhooks.endpoint_update(endpoint=endpoint, actor=request.user, **data.validated_data)
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        tags=["webhooks"],
        summary="Delete an endpoint and its delivery log (recruiters)",
        responses={204: None},
    )
    def destroy(self, request, pk=None):
        webhooks.endpoint_delete(endpoint=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["webhooks"],
        summary="Replace an endpoint's secret (recruiters)",
        request=None,
        responses={200: s.WebhookEndpointCreatedSerializer},
        description="The new `secret` is shown only in this response; the old one stops working.",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = webhooks.endpoint_rotate_secret(endpoint=self.get_object(), actor=request.user)
        return Response(s.WebhookEndpointCreatedSerializer(endpoint).data)


@extend_schema_view(
    list=extend_schema(tags=["webhooks"], summary="The delivery log, newest first (recruiters)"),
    retrieve=extend_schema(tags=["webhooks"], summary="One delivery with every attempt (recruiters)"),
)
class WebhookDeliveryViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    queryset = WebhookDelivery.objects.all()
    serializer_class = s.WebhookDeliverySerializer
    permission_classes = [IsRecruiter]
    filterset_class = filters.WebhookDeliveryFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]


# --- the API root -------------------------------------------------------------------------------------------
#: The collections the API root lists, by URL name (``api:v1:<name>``), in the order a client meets them.
API_ROOT_LINKS = (
    ("auth-token", "auth/token"),
    ("me", "me"),
    ("vacancy-list", "vacancies"),
    ("candidate-list", "candidates"),
    ("application-list", "applications"),
    ("match-score-list", "match-scores"),
    ("skill-list", "skills"),
    ("scoring-run-list", "scoring-runs"),
    ("import-candidates", "imports/candidates"),
    ("webhook-endpoint-list", "webhooks/endpoints"),
    ("webhook-delivery-list", "webhooks/deliveries"),
)


@extend_schema(exclude=True)
class ApiRootView(APIView):
    """``/api/v1/``: links to every collection, the OpenAPI schema and the docs (so the browsable API's breadcrumb
    has a root).  Open to anyone: it names URLs only; each of them checks its own permissions."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_view_name(self) -> str:
        return "API root"

    def get(self, request, *args, **kwargs):
        from rest_framework.reverse import reverse

        links = {key: reverse(f"api:v1:{name}", request=request) for name, key in API_ROOT_LINKS}
        links["schema"] = reverse("api:schema", request=request)
        links["docs"] = reverse("api:docs", request=request)
        return Response(links)


# --- anything else under /api/ ------------------------------------------------------------------------------
@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Every unmatched URL under /api/: a 404 in the standard error format, never an HTML page."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def _not_found(self, request, *args, **kwargs):
        message = f"No API endpoint at {request.path}."
        if not request.path.endswith("/"):
            try:
                match = resolve(request.path + "/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not NotFoundView:
                message += f" Did you mean {request.path}/ (with a trailing slash)?"
        raise NotFound(message)

    get = post = put = patch = delete = head = options = _not_found


_not_found_view = NotFoundView.as_view()


def not_found(request, *args, **kwargs):
    """The catch-all URL's view: ``NotFoundView``, wrapped in a plain function so that the browsable API's
    breadcrumbs (which list every REST framework view a URL prefix resolves to) skip it instead of showing a
    "Not Found" crumb for ``/api/`` and ``/api/v1``."""
    return _not_found_view(request, *args, **kwargs)


not_found.view_class = NotFoundView  # what NotFoundView._not_found checks; no ``cls``, so no breadcrumb
not_found.csrf_exempt = True
