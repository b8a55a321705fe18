"""Signing in for a token: its input and output."""

from __future__ import annotations

from rest_framework import serializers


# --- auth ---------------------------------------------------------------------------------------------------
class TokenInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send it as "Authorization: Token <token>".')
    roles = serializers.ListField(child=serializers.ChoiceField(["recruiter", "hiring_manager", "candidate"]))
