"""API token authentication with an expiry.

DRF's ``TokenAuthentication`` accepts a token forever; a leaked token would then be a permanent key to a recruiter's
candidates.  Here a token is refused ``settings.API_TOKEN_TTL_SECONDS`` seconds (default 30 days) after it was
issued, with a 401 that says to get a new one; ``POST /api/v1/auth/token/`` issues a fresh token when the old one
has expired.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token: Token) -> bool:
    """Whether ``token`` was issued more than ``API_TOKEN_TTL_SECONDS`` seconds ago."""
    return token.created < timezone.now() - timedelta(seconds=settings.API_TOKEN_TTL_SECONDS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused once the token has expired (``token_expired``)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed("Token expired: get a new one with POST /api/v1/auth/token/.")
        return user, token
