"""REST API under ``/api/v1/``, the OpenAPI schema at ``/api/schema/`` and Swagger UI at ``/api/docs/``.

``/api/v1/`` itself lists the collections.  Every other URL under ``/api/`` answers a JSON 404 in the standard
error format.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from recruiting.api.views import applications, auth, candidates, root, scores, vacancies, webhooks

app_name = "api"

router = SimpleRouter()
router.register("vacancies", vacancies.VacancyViewSet, basename="vacancy")
router.register("candidates", candidates.CandidateViewSet, basename="candidate")
router.register("applications", applications.ApplicationViewSet, basename="application")
router.register("match-scores", scores.MatchScoreViewSet, basename="match-score")
router.register("skills", scores.SkillViewSet, basename="skill")
router.register("scoring-runs", scores.ScoringRunViewSet, basename="scoring-run")
router.register("webhooks/endpoints", webhooks.WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhooks/deliveries", webhooks.WebhookDeliveryViewSet, basename="webhook-delivery")

v1 = [
    path("", root.ApiRootView.as_view(), name="root"),
    path("auth/token/", auth.AuthTokenView.as_view(), name="auth-token"),
    path("me/", auth.MeView.as_view(), name="me"),
    path("imports/candidates/", candidates.CandidateImportView.as_view(), name="import-candidates"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", root.not_found, name="not-found"),
]
