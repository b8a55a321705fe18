from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.vacancy_list, name="vacancy_list"),
    path("vacancies/<int:pk>/", views.vacancy_detail, name="vacancy_detail"),
]
