"""``/api/applications/``: list, read, apply, and moving an application through the pipeline."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from recruiting import permissions, services
from recruiting.api import filters
from recruiting.api.exceptions import Conflict
from recruiting.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from recruiting.api.permissions import (
    ApplicationPermission,
)
from recruiting.api.schema import error_response
from recruiting.api.serializers.applications import (
    ApplicationCreateInputSerializer,
    ApplicationMoveInputSerializer,
    ApplicationSerializer,
)
from recruiting.api.views.common import (
    ApiMixin,
)
from recruiting.models import (
    Application,
    ApplicationStageChange,
)


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
    serializer_class = ApplicationSerializer
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
        return Response(ApplicationSerializer(application).data, status=code)

    @extend_schema(
        tags=["applications"],
        summary="Apply to an open vacancy (candidates, for themselves)",
        request=ApplicationCreateInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ApplicationSerializer, 409: error_response(409), 422: error_response(422)},
        description="Send an `Idempotency-Key` header to make a retry harmless. Applying again after "
        "withdrawing re-opens the application.",
    )
    @idempotent
    def create(self, request):
        data = ApplicationCreateInputSerializer(data=request.data)
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
        request=ApplicationMoveInputSerializer,
        responses={200: ApplicationSerializer, 409: error_response(409)},
        description="Recorded in the stage history and the audit log; the candidate is e-mailed and "
        "`application.stage_changed` is sent. Rejecting needs a reason.",
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        application = self.get_object()
        data = ApplicationMoveInputSerializer(data=request.data)
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
        responses={200: ApplicationSerializer, 409: error_response(409)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        try:
            application = services.application_withdraw(application=application, actor=request.user)
        except services.ApplicationError as exc:
            raise Conflict(str(exc)) from None
        return self._respond(application)
