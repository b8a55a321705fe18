"""Applying (one per vacancy, optional cover note), withdrawing, and "My applications" with each stage history
as a timeline — in a number of queries that does not grow with the applications."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recruiting.models import Application, ApplicationStageChange, Vacancy
from recruiting.services import application_create, application_move
from tests.factories import RecruiterFactory, VacancyFactory

pytestmark = pytest.mark.django_db


def test_apply_with_a_cover_note(candidate_client, candidate, user):
    vacancy = VacancyFactory(title="ML Engineer")

    response = candidate_client.post(
        reverse("portal:vacancy_apply", args=[vacancy.pk]), {"cover_note": " I would love to work on this. "}
    )

    assert response.status_code == 302 and response.url == reverse("portal:application_list")
    application = Application.objects.get(candidate=candidate, vacancy=vacancy)
    assert application.cover_note == "I would love to work on this."
    assert application.source == Application.Source.PORTAL
    change = application.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.actor) == ("", "applied", user)
    page = candidate_client.get(reverse("portal:application_list")).content.decode()
    assert "You applied for ML Engineer." in page


def test_apply_without_a_cover_note(candidate_client, candidate):
    vacancy = VacancyFactory()
    candidate_client.post(reverse("portal:vacancy_apply", args=[vacancy.pk]), {})
    assert Application.objects.get(candidate=candidate).cover_note == ""


def test_one_application_per_vacancy(candidate_client, candidate):
    vacancy = VacancyFactory()
    candidate_client.post(reverse("portal:vacancy_apply", args=[vacancy.pk]), {})

    response = candidate_client.post(reverse("portal:vacancy_apply", args=[vacancy.pk]), {}, follow=True)

    assert "You have already applied for this vacancy." in response.content.decode()
    assert Application.objects.filter(candidate=candidate).count() == 1


def test_a_too_long_cover_note_is_shown_beside_the_field(candidate_client, candidate):
    vacancy = VacancyFactory()
    response = candidate_client.post(
        reverse("portal:vacancy_apply", args=[vacancy.pk]), {"cover_note": "x" * 5001}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_cover_note_error"' in html
    assert not Application.objects.exists()


def test_closed_vacancies_take_no_applications(candidate_client):
    vacancy = VacancyFactory(status=Vacancy.Status.CLOSED)
    assert candidate_client.post(reverse("portal:vacancy_apply", args=[vacancy.pk]), {}).status_code == 404


def test_apply_needs_post_and_sign_in(client, candidate_client):
    vacancy = VacancyFactory()
    assert candidate_client.get(reverse("portal:vacancy_apply", args=[vacancy.pk])).status_code == 405
    client.logout()
    response = client.post(reverse("portal:vacancy_apply", args=[vacancy.pk]), {})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_the_vacancy_page_shows_the_application_instead_of_the_form(candidate_client, candidate):
    vacancy = VacancyFactory()
    application_create(candidate=candidate, vacancy=vacancy)
    html = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk])).content.decode()
    assert "Your application" in html and "Stage: <strong" in html
    assert 'name="cover_note"' not in html


def test_withdraw(candidate_client, candidate):
    vacancy = VacancyFactory(title="ML Engineer")
    application = application_create(candidate=candidate, vacancy=vacancy)

    response = candidate_client.post(
        reverse("portal:application_withdraw", args=[application.pk]), follow=True
    )

    application.refresh_from_db()
    assert application.stage == Application.Stage.WITHDRAWN
    assert "You withdrew your application for ML Engineer." in response.content.decode()
    # Withdrawing twice is refused with the service's message.
    again = candidate_client.post(reverse("portal:application_withdraw", args=[application.pk]), follow=True)
    assert "already at withdrawn" in again.content.decode()


def test_withdraw_needs_post(candidate_client, candidate):
    application = application_create(candidate=candidate, vacancy=VacancyFactory())
    assert (
        candidate_client.get(reverse("portal:application_withdraw", args=[application.pk])).status_code == 405
    )


def test_my_applications_shows_each_stage_history_as_a_timeline(candidate_client, candidate):
    recruiter = RecruiterFactory()
    vacancy = VacancyFactory(title="Applied Scientist")
    application = application_create(candidate=candidate, vacancy=vacancy, cover_note="Hello")
    application_move(application=application, to_stage="screening", actor=recruiter)
    application_move(application=application, to_stage="interview", actor=recruiter)

    html = candidate_client.get(reverse("portal:application_list")).content.decode()

    assert "Applied Scientist" in html
    assert '<span class="stage stage--interview">Interview</span>' in html
    timeline = html[
        html.index('<ol class="timeline"') : html.index("</ol>", html.index('<ol class="timeline"'))
    ]
    assert timeline.index("Applied") < timeline.index("Screening") < timeline.index("Interview")
    assert "Withdraw application" in html
    assert recruiter.email not in html


def test_empty_list_invites_to_browse(candidate_client):
    html = candidate_client.get(reverse("portal:application_list")).content.decode()
    assert "You have not applied for any role yet." in html and "Browse vacancies" in html


@pytest.mark.parametrize("n", [1, 15])
def test_my_applications_query_count_is_constant(candidate_client, candidate, django_assert_num_queries, n):
    recruiter = RecruiterFactory()
    for i in range(n):
        application = application_create(candidate=candidate, vacancy=VacancyFactory())
        application_move(application=application, to_stage="screening", actor=recruiter)
    assert ApplicationStageChange.objects.count() == 2 * n

    # session + user + candidate + applications (with vacancy) + stage changes + the savepoint pair
    with django_assert_num_queries(7):
        response = candidate_client.get(reverse("portal:application_list"))
    assert len(response.context["applications"]) == n
