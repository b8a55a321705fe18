"""Stage-change e-mails: sent after commit from the stage's editable template, in a sandbox, never logged."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.template import TemplateSyntaxError

from recruiting.models import StageEmailTemplate
from recruiting.notifications import stage_email_send, template_check
from recruiting.services import application_create, application_move
from tests.factories import CandidateFactory, RecruiterFactory, UserFactory, VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    candidate = CandidateFactory(name="Ada <b>Lovelace</b> O'Hara", email="ada@example.org")
    return application_create(candidate=candidate, vacancy=VacancyFactory(title="ML Engineer"))


def _move(application, to_stage, capture, reason=""):
    with capture(execute=True):
        return application_move(
            application=application, to_stage=to_stage, actor=RecruiterFactory(), reason=reason
        )


def test_a_stage_change_emails_the_candidate_from_the_stage_template(
    application, django_capture_on_commit_callbacks, caplog
):
    StageEmailTemplate.objects.filter(stage="interview").update(
        subject="Interview for {{ vacancy.title }}\n(please reply)",
        body="Dear {{ candidate.name }},\nyou moved from {{ application.from_stage_label }} to "
        "{{ application.stage_label }}.{% if reason %} Note: {{ reason }}{% endif %}",
    )
    mail.outbox.clear()

    with caplog.at_level(logging.DEBUG):
        _move(application, "interview", django_capture_on_commit_callbacks, reason="loved <your> demo")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert message.subject == "Interview for ML Engineer (please reply)"
    assert (
        "Dear Ada <b>Lovelace</b> O'Hara,\nyou moved from Applied to Interview. Note: loved <your> demo"
        == message.body
    )
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt; O&#x27;Hara" in html and "<b>" not in html  # autoescaped
    assert "ada@example.org" not in caplog.text  # addresses never reach a log line
    assert f"application {application.pk}" in caplog.text


def test_nothing_is_sent_before_commit_or_without_an_address_or_template(django_capture_on_commit_callbacks):
    vacancy = VacancyFactory()
    no_address = application_create(candidate=CandidateFactory(email=""), vacancy=vacancy)
    mail.outbox.clear()
    _move(no_address, "screening", django_capture_on_commit_callbacks)
    assert mail.outbox == []

    app = application_create(candidate=CandidateFactory(email="x@example.org"), vacancy=vacancy)
    StageEmailTemplate.objects.filter(stage="screening").update(active=False)
    _move(app, "screening", django_capture_on_commit_callbacks)
    StageEmailTemplate.objects.filter(stage="interview").delete()
    _move(app, "interview", django_capture_on_commit_callbacks)
    assert mail.outbox == []

    # Not before the transaction commits: without executing on-commit callbacks nothing is sent.
    application_move(application=app, to_stage="offer", actor=None)
    assert mail.outbox == []


def test_templates_cannot_reach_beyond_plain_values(application):
    application.candidate.user = UserFactory(username="secret-login@example.org")
    application.candidate.save()
    StageEmailTemplate.objects.filter(stage="applied").update(
        subject="s", body="[{{ candidate.user }}][{{ candidate.cv_text }}][{{ application.candidate }}]"
    )

    mail.outbox.clear()
    assert stage_email_send(application_id=application.pk) is True

    assert mail.outbox[0].body == "[][][]"


@pytest.mark.parametrize(
    "source",
    [
        '{% include "admin/base.html" %}',
        '{% extends "admin/base.html" %}',
        "{% load static %}",
        "{% debug %}",
        "{% url 'admin:index' %}",
        "{% if %}",
    ],
)
def test_template_check_refuses_loading_and_debug_tags(source):
    with pytest.raises(TemplateSyntaxError):
        template_check(source)


def test_template_check_accepts_ordinary_templates():
    template_check(
        "Dear {{ candidate.name|default:'candidate' }}, {% if reason %}{{ reason|lower }}{% endif %}"
    )
