"""Candidate portal views (minimal: the open vacancies and a page for each)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from recruiting.models import Vacancy


def vacancy_list(request: HttpRequest) -> HttpResponse:
    vacancies = Vacancy.objects.filter(status=Vacancy.Status.OPEN)
    return render(request, "portal/vacancy_list.html", {"vacancies": vacancies})


def vacancy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vacancy = get_object_or_404(Vacancy, pk=pk, status=Vacancy.Status.OPEN)
    return render(request, "portal/vacancy_detail.html", {"vacancy": vacancy})
