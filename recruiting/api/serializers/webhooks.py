"""Webhook endpoints and their deliveries: output shapes and inputs."""

from __future__ import annotations

from rest_framework import serializers

from recruiting.models import (
    WebhookDelivery,
    WebhookEndpoint,
)


# --- webhooks -----------------------------------------------------------------------------------------------
class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(WebhookEndpoint.Event.choices), read_only=True
    )
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "active", "created_by", "created_at", "updated_at"]
        read_only_fields = fields

    def get_created_by(self, obj: WebhookEndpoint) -> str | None:
        return obj.created_by.get_username() if obj.created_by_id else None


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown only in this response: store it now.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="http(s) URL that receives POSTed JSON")
    events = serializers.MultipleChoiceField(choices=WebhookEndpoint.Event.choices, allow_empty=False)
    active = serializers.BooleanField(default=True)

    def validate_url(self, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Use an http:// or https:// URL.")
        from recruiting.webhooks import url_refusal

        refusal = url_refusal(value)
        if refusal:
            raise serializers.ValidationError(f"Refused: {refusal}.")
        return value

    def validate_events(self, value) -> list[str]:
        return sorted(value)


class WebhookEndpointUpdateInputSerializer(WebhookEndpointInputSerializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.MultipleChoiceField(
        choices=WebhookEndpoint.Event.choices, allow_empty=False, required=False
    )
    active = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    duration_ms = serializers.IntegerField()


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempts_log = WebhookAttemptSerializer(many=True, read_only=True)
    payload = serializers.JSONField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "payload",
            "status",
            "attempts",
            "attempts_log",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields
