"""The service's URLs plus, for ``bench_api_wrk.py`` only, ``GET /bench/baseline/<vacancy>/``: the minimal
baseline the issue asks for — a bare DRF view, no authentication, no permission, no throttle, that returns the
vacancy's 50 best stored scores as ``MatchScore.objects.filter(vacancy=…).order_by("-score").values(…)``.  The
same gunicorn, middleware, database and table as the shortlist API, without its work (token and role checks,
explanations, pagination envelope).

``GET /bench/baseline-ranked/<vacancy>/`` is the same view in the service's ranking order (``score DESC NULLS LAST,
id``, ``matching.ranking``), the order the index ``matchscore_vacancy_ranked`` serves.  PostgreSQL plans the issue's
``order_by("-score")`` (``DESC`` means ``NULLS FIRST``, which that index cannot give) as a backward scan of the
whole ``score`` index filtered by vacancy, seconds for a vacancy whose candidates score low; the ranked baseline is
the same minimal work with the index the API itself uses, so its ratio is the fair one.

``GET /bench/baseline-ranked-auth/<vacancy>/`` is the ranked baseline with the API's authentication, throttles and
the shortlist's permission check: what an authenticated request costs before any page is built or read."""

from django.urls import include, path
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from matching.models import MatchScore
from matching.ranking import ranking_order_by
from recruiting.models import Vacancy
from recruiting.permissions import can_view_vacancy

BASELINE_FIELDS = ("candidate_id", "score", "skills_score", "qualifications_score", "text_score")


class BaselineView(APIView):
    """50 rows of a vacancy's stored scores, best first: a JSON list of ``BASELINE_FIELDS`` dicts."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()

    def get(self, request, vacancy: int):
        rows = MatchScore.objects.filter(vacancy_id=vacancy).order_by("-score").values(*BASELINE_FIELDS)[:50]
        return Response(list(rows))


class RankedBaselineView(BaselineView):
    """The same 50 rows in the service's ranking order (best first, no score last, then id)."""

    def get(self, request, vacancy: int):
        rows = (
            MatchScore.objects.filter(vacancy_id=vacancy)
            .order_by(*ranking_order_by())
            .values(*BASELINE_FIELDS)
        )
        return Response(list(rows[:50]))


class AuthenticatedRankedBaselineView(RankedBaselineView):
    """The ranked baseline behind the API's own door: its authentication (the token), throttles (per user, in
    the shared cache) and the shortlist's permission (a recruiter, ``recruiting.permissions.can_view_vacancy``),
    still 50 bare rows.  Not in the issue: the floor any authenticated endpoint of this service starts from."""

    authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    permission_classes = (IsAuthenticated,)
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES

    def get(self, request, vacancy: int):
        if not can_view_vacancy(request.user, Vacancy(pk=vacancy)):
            self.permission_denied(request)
        return super().get(request, vacancy)


urlpatterns = [
    path("bench/baseline/<int:vacancy>/", BaselineView.as_view()),
    path("bench/baseline-ranked/<int:vacancy>/", RankedBaselineView.as_view()),
    path("bench/baseline-ranked-auth/<int:vacancy>/", AuthenticatedRankedBaselineView.as_view()),
    path("", include("recruiting.urls")),
]
