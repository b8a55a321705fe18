"""The fairness report: shortlist selection rates by the voluntary, self-reported group, with the four-fifths rule.

Who counts: every candidate who applied (to one vacancy, or to any) — not those a recruiter sourced from the
shortlist, who never applied; who is selected: an application a recruiter
advanced past "applied" (``Application.revealed``, set by the first move past it).  The group is the candidate's own, voluntary answer
(``Candidate.self_reported_group``; empty is "not stated"); it is never a scoring feature and is shown here only
as counts.  Recruiters and superusers only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from matching.fairness import FOUR_FIFTHS, selection_rates
from recruiting.models import Application, Vacancy
from recruiting.permissions import is_recruiter, is_superuser

MIN_GROUP_SIZE = 5


def selection_report(*, vacancy: Vacancy | None = None) -> list:
    """Per group: considered, selected, rate, impact ratio, adverse flag (``matching.fairness.GroupRate``)."""
    # Sourced candidates (a recruiter added them from the shortlist) did not apply: counting them would add
    # "selections" the recruiter made before anyone applied.
    applications = (
        Application.objects.filter(candidate__isnull=False)
        .exclude(source=Application.Source.SOURCED)
        .exclude(stage=Application.Stage.WITHDRAWN)
    )
    if vacancy is not None:
        applications = applications.filter(vacancy=vacancy)
    outcomes = list(applications.values_list("candidate__self_reported_group", "revealed"))
    return selection_rates(outcomes, min_group_size=MIN_GROUP_SIZE)


def fairness_report_view(request: HttpRequest) -> HttpResponse:
    """``/admin/fairness/[?vacancy=<id>]``: the report as an admin page."""
    if not (is_recruiter(request.user) or is_superuser(request.user)):
        raise PermissionDenied
    vacancy = None
    if request.GET.get("vacancy", "").isdigit():
        vacancy = get_object_or_404(Vacancy, pk=int(request.GET["vacancy"]))
    from django.contrib import admin

    return TemplateResponse(
        request,
        "admin/recruiting/fairness_report.html",
        {
            **admin.site.each_context(request),
            "title": "Fairness report: selection rates by self-reported group",
            "rows": selection_report(vacancy=vacancy),
            "vacancy": vacancy,
            "threshold": FOUR_FIFTHS,
            "min_group_size": MIN_GROUP_SIZE,
            "vacancies": Vacancy.objects.order_by("title", "reference").only(
                "pk", "title", "reference", "status"
            ),
        },
    )
