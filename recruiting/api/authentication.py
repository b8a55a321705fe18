"""API token authentication with an expiry.

DRF's ``TokenAuthentication`` accepts a token forever; a leaked token would then be a permanent key to a recruiter's
candidates.  Here a token is refused ``settings.API_TOKEN_TTL_SECONDS`` seconds (default 30 days) after it was
issued, with a 401 that says to get a new one; ``POST /api/v1/auth/token/`` issues a fresh token when the old one
has expired.

Every authenticated API request starts here, so the token, its user and the user's workspace groups are read in
one query (``permissions.workspace_groups_sql``: the role check then needs none), and that query's SQL is written
once per database and process (``TokenLookup``): the ORM's compilation of the same lookup cost 0.3 ms of CPU a
request, 1.2 ms with the groups, against 0.15 ms for running it (benchmarks/README.md, issue 15 tenth round).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from recruiting.permissions import workspace_groups_remember, workspace_groups_sql


def token_expired(token: Token) -> bool:
    """Whether ``token`` was issued more than ``API_TOKEN_TTL_SECONDS`` seconds ago."""
    return token.created < timezone.now() - timedelta(seconds=settings.API_TOKEN_TTL_SECONDS)


class TokenLookup:
    """The query that finds a token by its key with its user and the user's workspace groups, as SQL written once
    for the database ``using``: the columns of ``Token`` and of the user model, then the group memberships.

    ``find(key)`` returns ``(user, token)``, the token's ``user`` set and the groups cached on the user, or None
    when no token has that key.  Values go through the backend's and the fields' converters, as the ORM's would
    (SQLite's dates and booleans)."""

    def __init__(self, using: str):
        user_model = get_user_model()
        connection = connections[using]
        qn = connection.ops.quote_name
        self.using = using
        self.token_fields = list(Token._meta.concrete_fields)
        self.user_fields = list(user_model._meta.concrete_fields)
        user_field = Token._meta.get_field("user")
        groups, self.group_params = workspace_groups_sql(f"t.{qn(user_field.column)}", qn)
        columns = [f"t.{qn(f.column)}" for f in self.token_fields] + [
            f"u.{qn(f.column)}" for f in self.user_fields
        ]
        self.sql = (
            f"SELECT {', '.join(columns + groups)} FROM {qn(Token._meta.db_table)} t "
            f"JOIN {qn(user_model._meta.db_table)} u ON u.{qn(user_model._meta.pk.column)} = t.{qn(user_field.column)} "
            f"WHERE t.{qn(Token._meta.pk.column)} = %s"
        )
        self.compiler = Token.objects.none().query.get_compiler(using)
        self.converters = self.compiler.get_converters(
            [f.get_col("t") for f in self.token_fields] + [f.get_col("u") for f in self.user_fields]
        )
        self.user_field = user_field
        self.user_model = user_model
        self.token_names = [f.attname for f in self.token_fields]
        self.user_names = [f.attname for f in self.user_fields]

    def find(self, key: str) -> tuple | None:
        """``(user, token)`` for the token ``key``, or None when there is no such token."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, [*self.group_params, key])
            row = cursor.fetchone()
        if row is None:
            return None
        row = next(self.compiler.apply_converters([row], self.converters))
        tokens, users = len(self.token_names), len(self.user_names)
        token = Token.from_db(self.using, self.token_names, row[:tokens])
        user = self.user_model.from_db(self.using, self.user_names, row[tokens : tokens + users])
        self.user_field.set_cached_value(token, user)
        workspace_groups_remember(user, row[tokens + users :])
        return user, token


@cache
def token_lookup(using: str) -> TokenLookup:
    """The ``TokenLookup`` of the database ``using``, made once per process."""
    return TokenLookup(using)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused once the token has expired (``token_expired``)."""

    def authenticate_credentials(self, key):
        """``(user, token)`` for the token ``key``, the user's workspace groups cached on the user.

        Raises ``AuthenticationFailed`` (a 401) for an unknown key, an inactive user, an expired token."""
        found = token_lookup(router.db_for_read(Token)).find(key)
        if found is None:
            raise AuthenticationFailed(_("Invalid token."))
        user, token = found
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            raise AuthenticationFailed("Token expired: get a new one with POST /api/v1/auth/token/.")
        return user, token
