"""Stage e-mails: when a candidate applies, and when an application moves, the candidate gets the stage's e-mail.

Applying (portal, API: ``application.created``) sends the "applied" template; a candidate a recruiter sourced from
the shortlist (``Application.source`` "sourced") did not apply and gets no "applied" e-mail, only the e-mail of the stage
they are moved to.

A receiver of :data:`recruiting.events.event_emitted` (connected in ``RecruitingConfig.ready``), so it runs
after the move has committed and a failure to send never undoes the move.  The subject and body come from the
``StageEmailTemplate`` of the new stage, which recruiters edit in the admin; inactive or missing templates
send nothing, and neither does a candidate without an e-mail address.

Templates are rendered by a sandboxed Django template engine:

- no template loading at all (``{% include %}``, ``{% extends %}`` and ``{% load %}`` do not exist), and no
  ``{% debug %}``, ``{% url %}`` or ``{% csrf_token %}``;
- the context holds plain strings, never model instances, so a template cannot walk from a candidate to its
  user account or CV: ``candidate.name``, ``candidate.email``, ``vacancy.title``, ``vacancy.reference``,
  ``vacancy.location``, ``application.stage``, ``application.stage_label``, ``application.from_stage_label``
  and ``reason``;
- the HTML part is autoescaped; the plain-text part and the subject are not (plain text has no markup to
  inject, and escaping would show ``&#x27;`` for an apostrophe in a name).

Addresses and CV text never reach a log line: logs name the application id only.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import ClassVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Library, defaultfilters, defaulttags
from django.template.engine import Engine
from django.utils.html import linebreaks

from recruiting import events

logger = logging.getLogger(__name__)

STAGE_CHANGED = "application.stage_changed"
CREATED = "application.created"

# Tags a stage e-mail may use: the default tags minus anything that loads templates or libraries, or prints
# the context or environment.
_FORBIDDEN_TAGS = {"debug", "load", "url", "csrf_token", "include", "extends", "block", "ssi"}

register = Library()
register.tags.update(
    {name: tag for name, tag in defaulttags.register.tags.items() if name not in _FORBIDDEN_TAGS}
)
register.filters.update(defaultfilters.register.filters)

TEMPLATE_VARIABLES = (
    "candidate.name",
    "candidate.email",
    "vacancy.title",
    "vacancy.reference",
    "vacancy.location",
    "application.stage",
    "application.stage_label",
    "application.from_stage_label",
    "reason",
)


class _SandboxEngine(Engine):
    default_builtins: ClassVar[list[str]] = []


@lru_cache(maxsize=2)
def _engine(autoescape: bool) -> Engine:
    return _SandboxEngine(
        loaders=[("django.template.loaders.locmem.Loader", {})],
        libraries={},
        builtins=["recruiting.notifications"],
        autoescape=autoescape,
    )


def template_check(source: str) -> None:
    """Compile ``source`` with the sandboxed engine; raises ``django.template.TemplateSyntaxError``."""
    _engine(True).from_string(source)


def _render(source: str, context: dict, *, autoescape: bool) -> str:
    return _engine(autoescape).from_string(source).render(Context(context, autoescape=autoescape))


def stage_email_context(application, *, from_stage: str = "", reason: str = "") -> dict:
    """Plain strings only (see the module docstring)."""
    from recruiting.models import Application

    candidate, vacancy = application.candidate, application.vacancy
    labels = dict(Application.Stage.choices)
    return {
        "candidate": {"name": (candidate.name or "").strip() or "candidate", "email": candidate.email},
        "vacancy": {"title": vacancy.title, "reference": vacancy.reference, "location": vacancy.location},
        "application": {
            "stage": application.stage,
            "stage_label": labels.get(application.stage, ""),
            "from_stage_label": labels.get(from_stage, ""),
        },
        "reason": reason,
    }


def stage_email_render(template, context: dict) -> tuple[str, str, str]:
    """``(subject, text body, HTML body)`` of ``template`` (a ``StageEmailTemplate``) for ``context``."""
    subject = " ".join(_render(template.subject, context, autoescape=False).split())[:200]
    text = _render(template.body, context, autoescape=False).strip()
    html = linebreaks(_render(template.body, context, autoescape=True).strip(), autoescape=False)
    return subject, text, html


def stage_email_send(
    *, application_id: int, from_stage: str = "", reason: str = "", on_apply: bool = False
) -> bool:
    """Send the e-mail for the application's current stage.  Returns whether one was sent.

    ``on_apply``: the application was just created; the "applied" e-mail goes only to a candidate who applied
    themselves and is still at "applied" (a sourced candidate moved straight on gets that stage's e-mail instead).
    """
    from recruiting.models import Application, StageEmailTemplate

    application = (
        Application.objects.select_related("candidate", "vacancy")
        .defer("candidate__cv_text", "vacancy__description")
        .filter(pk=application_id)
        .first()
    )
    if application is None or application.candidate is None or not application.candidate.email:
        return False
    if on_apply and (
        application.source == Application.Source.SOURCED or application.stage != Application.Stage.APPLIED
    ):
        return False
    template = StageEmailTemplate.objects.filter(stage=application.stage, active=True).first()
    if template is None:
        return False
    subject, text, html = stage_email_render(
        template, stage_email_context(application, from_stage=from_stage, reason=reason)
    )
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[application.candidate.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
    logger.info("stage e-mail (%s) sent for application %d", application.stage, application.id)
    return True


def on_event(sender, event: str, payload: dict, **kwargs) -> None:
    """Receiver of ``event_emitted``: e-mails the candidate on ``application.created`` and
    ``application.stage_changed``."""
    if event == CREATED:
        stage_email_send(application_id=payload["application_id"], on_apply=True)
        return
    if event != STAGE_CHANGED:
        return
    stage_email_send(
        application_id=payload["application_id"],
        from_stage=payload.get("from_stage", ""),
        reason=payload.get("reason", ""),
    )


events.event_emitted.connect(on_event, dispatch_uid="recruiting.notifications.stage_email")
