"""``/api/webhooks/``: endpoints (recruiters manage them) and their deliveries."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from recruiting import webhooks
from recruiting.api import filters
from recruiting.api.permissions import (
    IsRecruiter,
)
from recruiting.api.serializers.webhooks import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateInputSerializer,
)
from recruiting.api.views.common import (
    ApiMixin,
)
from recruiting.models import (
    WebhookDelivery,
    WebhookEndpoint,
)


# --- webhooks -----------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(tags=["webhooks"], summary="Webhook endpoints (recruiters)"),
    retrieve=extend_schema(tags=["webhooks"], summary="One webhook endpoint (recruiters)"),
)
class WebhookEndpointViewSet(
    ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = WebhookEndpoint.objects.select_related("created_by")
    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsRecruiter]
    filterset_class = filters.WebhookEndpointFilter
    ordering_fields = ["created_at", "url"]
    ordering = ["-created_at", "-pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(
        tags=["webhooks"],
        summary="Register a webhook endpoint (recruiters)",
        request=WebhookEndpointInputSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
        description="The response carries the signing `secret`, shown only this once.",
    )
    def create(self, request):
        data = WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhooks.endpoint_create(actor=request.user, **data.validated_data)
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["webhooks"],
        summary="Change an endpoint's URL, events or active flag (recruiters)",
        request=WebhookEndpointUpdateInputSerializer,
        responses={200: WebhookEndpointSerializer},
    )
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        data = WebhookEndpointUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = webhooks.endpoint_update(endpoint=endpoint, actor=request.user, **data.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

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
        responses={200: WebhookEndpointCreatedSerializer},
        description="The new `secret` is shown only in this response; the old one stops working.",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = webhooks.endpoint_rotate_secret(endpoint=self.get_object(), actor=request.user)
        return Response(WebhookEndpointCreatedSerializer(endpoint).data)


@extend_schema_view(
    list=extend_schema(tags=["webhooks"], summary="The delivery log, newest first (recruiters)"),
    retrieve=extend_schema(tags=["webhooks"], summary="One delivery with every attempt (recruiters)"),
)
class WebhookDeliveryViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    queryset = WebhookDelivery.objects.all()
    serializer_class = WebhookDeliverySerializer
    permission_classes = [IsRecruiter]
    filterset_class = filters.WebhookDeliveryFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]
