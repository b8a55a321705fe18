from django.contrib import admin
from django.urls import include, path

from recruiting import fairness, reports, views

admin.site.site_header = "Recruiter workspace"
admin.site.site_title = "Recruiter workspace"
admin.site.index_title = "Vacancies, candidates and shortlists"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/fairness/", admin.site.admin_view(fairness.fairness_report_view), name="fairness_report"),
    path(
        "admin/reports/<slug:report>/",
        admin.site.admin_view(reports.hiring_report_view),
        name="hiring_report",
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("recruiting.api.urls")),
    path("", include("portal.urls")),
]
