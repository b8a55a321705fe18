"""Candidate portal (minimal for now): the open vacancies and a page for each.

Vacancy descriptions are untrusted text: templates only ever escape them (``linebreaks`` escapes).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from recruiting import selectors
from recruiting.models import SkillImportance, Vacancy

VACANCIES_PER_PAGE = 20
KEY_SKILLS_SHOWN = 5


def _decorate(vacancy: Vacancy) -> Vacancy:
    """Attach display-ready pay text and skill lists (from the prefetched skill links; no queries)."""
    links = list(vacancy.skill_links.all())
    vacancy.salary_text = selectors.vacancy_salary_text(vacancy)
    vacancy.day_rate_text = selectors.vacancy_day_rate_text(vacancy)
    vacancy.required_skills = [link.skill for link in links if link.importance == SkillImportance.REQUIRED]
    vacancy.desirable_skills = [link.skill for link in links if link.importance != SkillImportance.REQUIRED]
    vacancy.key_skills = [link.skill for link in links[:KEY_SKILLS_SHOWN]]
    vacancy.more_skills = max(len(links) - KEY_SKILLS_SHOWN, 0)
    return vacancy


def vacancy_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.vacancy_list_open(), VACANCIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = [_decorate(vacancy) for vacancy in page.object_list]
    return render(
        request,
        "portal/vacancy_list.html",
        {"page_obj": page, "vacancies": page.object_list, "paginator": paginator},
    )


def vacancy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vacancy = selectors.vacancy_get_open(pk=pk)
    if vacancy is None:
        raise Http404("No open vacancy with this id.")
    return render(request, "portal/vacancy_detail.html", {"vacancy": _decorate(vacancy)})
