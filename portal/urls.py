from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.vacancy_list, name="vacancy_list"),
    path("vacancies/<int:pk>/", views.vacancy_detail, name="vacancy_detail"),
    path("vacancies/<int:pk>/apply/", views.vacancy_apply, name="vacancy_apply"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw_view, name="application_withdraw"),
    path("profile/", views.profile, name="profile"),
    path("profile/start/", views.profile_start, name="profile_start"),
    path("profile/skills/", views.skill_add, name="skill_add"),
    path("profile/skills/<int:pk>/remove/", views.skill_remove, name="skill_remove"),
    path("profile/qualifications/", views.qualification_add, name="qualification_add"),
    path("profile/qualifications/<int:pk>/remove/", views.qualification_remove, name="qualification_remove"),
    path("profile/experience/", views.experience_add, name="experience_add"),
    path("profile/experience/<int:pk>/remove/", views.experience_remove, name="experience_remove"),
    path("profile/cv/", views.cv_download, name="cv_download"),
    path("profile/cv/upload/", views.cv_upload, name="cv_upload"),
    path("profile/cv/confirm/", views.cv_confirm, name="cv_confirm"),
    path("profile/cv/cancel/", views.cv_cancel, name="cv_cancel"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/export/", views.privacy_export, name="privacy_export"),
    path("privacy/delete/", views.privacy_delete, name="privacy_delete"),
]
