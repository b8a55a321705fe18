"""What every workspace page does first and last: find the vacancy or candidate the user may see (404
otherwise, ``recruiting.permissions``), build the admin's page context, and redirect back to a safe ``next``.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from recruiting import permissions
from recruiting.models import Candidate, Vacancy


def vacancy_or_404(request: HttpRequest, object_id) -> Vacancy:
    vacancy = permissions.visible_vacancies(request.user).filter(pk=object_id).first()
    if vacancy is None:
        raise Http404("No such vacancy.")
    return vacancy


def candidate_or_404(request: HttpRequest, object_id, *, defer_cv: bool = True) -> Candidate:
    queryset = permissions.visible_candidates(request.user)
    if defer_cv:
        queryset = queryset.defer("cv_text")
    candidate = queryset.filter(pk=object_id).first()
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def page_context(model_admin, request: HttpRequest, **extra) -> dict:
    return {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, **extra}


def back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)
