"""Signing in for a token (``/api/auth/token/``) and the logged-in candidate's own record (``/api/me/``)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from recruiting import permissions, services
from recruiting.api.authentication import token_expired
from recruiting.api.permissions import (
    IsCandidate,
)
from recruiting.api.schema import error_response
from recruiting.api.serializers.auth import TokenInputSerializer, TokenSerializer
from recruiting.api.serializers.candidates import MeSerializer, MeUpdateInputSerializer
from recruiting.api.views.common import (
    skill_links,
)
from recruiting.models import (
    Candidate,
    CandidateSkill,
)


# --- auth ---------------------------------------------------------------------------------------------------
class AuthTokenView(APIView):
    """``POST`` e-mail and password for a token; ``DELETE`` revokes the token used."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        tags=["auth"],
        summary="Get an API token",
        request=TokenInputSerializer,
        auth=[],
        responses={
            200: TokenSerializer,
            400: error_response(400),
            401: error_response(401),
            429: error_response(429),
        },
        description="Exchange an e-mail and password for a token (the same one on every call until it is "
        "revoked or expires, 30 days after it was issued by default; then a new one). Send it as "
        "`Authorization: Token <token>`.",
    )
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
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


# --- the logged-in candidate --------------------------------------------------------------------------------
class MeView(APIView):
    permission_classes = [IsCandidate]

    def _candidate(self):
        candidate = permissions.candidate_of(self.request.user)
        return Candidate.objects.prefetch_related(skill_links(CandidateSkill)).get(pk=candidate.pk)

    @extend_schema(tags=["me"], summary="My candidate profile", responses={200: MeSerializer})
    def get(self, request):
        return Response(MeSerializer(self._candidate()).data)

    @extend_schema(
        tags=["me"],
        summary="Change my profile",
        request=MeUpdateInputSerializer,
        responses={200: MeSerializer, 400: error_response(400), 415: error_response(415)},
    )
    def patch(self, request):
        data = MeUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.candidate_profile_update(candidate=self._candidate(), **data.validated_data)
        except ValueError as exc:
            raise ValidationError({"cv_text": [str(exc)]}) from None
        return Response(MeSerializer(self._candidate()).data)
