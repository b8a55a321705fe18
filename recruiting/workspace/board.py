"""The pipeline board of a vacancy: one column per stage, cards moved through ``recruiting.services.application_move``."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from recruiting import permissions, selectors
from recruiting.models import Application, Vacancy
from recruiting.services import (
    PIPELINE_ORDER,
    ApplicationError,
    application_move,
    next_stage,
)
from recruiting.workspace.blind import blind_review, blind_review_on, candidate_label, conceals
from recruiting.workspace.pages import back, page_context, vacancy_or_404
from recruiting.workspace.presenters import (
    STAGE_LABELS,
    score_band,
)

BOARD_STAGES = [*PIPELINE_ORDER, Application.Stage.REJECTED, Application.Stage.WITHDRAWN]


@dataclass
class BoardColumn:
    stage: str
    label: str
    cards: list


def board_view(model_admin, request: HttpRequest, object_id) -> HttpResponse:
    vacancy = vacancy_or_404(request, object_id)
    url = reverse("admin:recruiting_vacancy_board", args=[vacancy.pk])
    can_move = permissions.can_move_applications(request.user)
    if request.method == "POST":
        if not can_move:
            raise PermissionDenied
        return _board_move(request, vacancy, url)
    blind = blind_review(request)
    columns = {stage: BoardColumn(stage, STAGE_LABELS[stage], []) for stage in BOARD_STAGES}
    bands = selectors.match_bands()
    now = timezone.now()
    for app in selectors.vacancy_board_applications(vacancy=vacancy):
        concealed = conceals(blind, app.revealed)
        moved = app.last_moved_at or app.updated_at
        columns[app.stage].cards.append(
            {
                "application": app,
                "label": candidate_label(app.candidate, concealed=concealed),
                "concealed": concealed,
                "url": (
                    reverse("admin:recruiting_candidate_change", args=[app.candidate_id])
                    if app.candidate_id and not concealed
                    else ""
                ),
                "score": "—" if app.score is None else f"{app.score:.0f}",
                "band": score_band(app.score, bands),
                "stale": bool(app.score_stale),
                "days": max((now - moved).days, 0),
                "moved_at": moved,
                # The reason of the creation row is just "applied": only a move's reason is worth a line.
                "last_reason": (app.last_reason or "") if app.last_from_stage else "",
                "last_actor": (app.last_actor or "").split("@")[0],
                "last_actor_full": app.last_actor or "",
                "next": next_stage(app.stage),
                "choices": [
                    (s, STAGE_LABELS[s])
                    for s in BOARD_STAGES
                    if s != app.stage and s != Application.Stage.WITHDRAWN
                ],
                "movable": app.stage != Application.Stage.HIRED,
            }
        )
    return TemplateResponse(
        request,
        "admin/recruiting/vacancy/board.html",
        page_context(
            model_admin,
            request,
            title=f"Pipeline: {vacancy.title}",
            vacancy=vacancy,
            columns=list(columns.values()),
            total=sum(len(c.cards) for c in columns.values()),
            blind=blind,
            can_move=can_move,
            here=url,
        ),
    )


def _board_move(request: HttpRequest, vacancy: Vacancy, url: str) -> HttpResponse:
    try:
        application_id = int(request.POST.get("application", ""))
    except ValueError:
        messages.error(request, "Choose an application to move.")
        return back(request, url)
    application = Application.objects.filter(vacancy=vacancy, pk=application_id).first()
    if application is None:
        raise Http404("No such application on this vacancy.")
    to_stage = request.POST.get("to_stage", "")
    reason = request.POST.get("reason", "")[:1000]
    try:
        application = application_move(
            application=application, to_stage=to_stage, actor=request.user, reason=reason
        )
    except ApplicationError as exc:
        messages.error(request, f"Application #{application_id} was not moved: {exc}")
    else:
        application = (
            Application.objects.select_related("candidate").defer("candidate__cv_text").get(pk=application.pk)
        )
        concealed = conceals(blind_review_on(request), application.revealed)
        messages.success(
            request,
            f"{candidate_label(application.candidate, concealed=concealed)} moved to "
            f"{application.get_stage_display().lower()}.",
        )
    return back(request, f"{url}#stage-{to_stage}" if to_stage in STAGE_LABELS else url)
