"""The API root (its links) and a JSON 404 for anything else under ``/api/``."""

from __future__ import annotations

from django.urls import Resolver404, resolve
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

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
