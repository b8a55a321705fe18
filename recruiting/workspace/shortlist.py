"""The shortlist of a vacancy (filters, histogram, bulk advance / reject, CSV export) and the side-by-side
comparison of two to four of its candidates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from matching import presentation
from matching.models import MatchScore
from matching.presentation import score_confidence, score_flags
from matching.ranking import competition_ranks
from recruiting import csvsafe, permissions, selectors
from recruiting.models import Application, Candidate, Vacancy
from recruiting.services import (
    ApplicationError,
    audit_log,
    shortlist_advance,
    shortlist_reject,
)
from recruiting.workspace.blind import (
    blind_review,
    blind_review_on,
    candidate_label,
    conceals,
)
from recruiting.workspace.forms import (
    SHORTLIST_DEFAULT_LIMIT,
    SHORTLIST_MAX_LIMIT,
    ShortlistActionForm,
    ShortlistFilterForm,
)
from recruiting.workspace.pages import back, page_context, vacancy_or_404
from recruiting.workspace.presenters import (
    STAGE_LABELS,
    component_bars,
    histogram_svg,
    score_summary,
    shortlist_rows,
    years_text,
)

COMPARE_MIN, COMPARE_MAX = 2, 4  # candidates side by side


def shortlist_view(model_admin, request: HttpRequest, object_id) -> HttpResponse:
    vacancy = vacancy_or_404(request, object_id)
    url = reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk])
    if request.method == "POST":
        return _shortlist_post(request, vacancy, url)
    blind = blind_review(request)
    filters = ShortlistFilterForm(request.GET or None)
    filters.is_valid()  # an invalid filter is dropped (and its error shown); the valid ones still apply
    data = getattr(filters, "cleaned_data", {})
    limit = data.get("limit") or SHORTLIST_DEFAULT_LIMIT
    scores, matching = selectors.shortlist_scores(
        vacancy=vacancy,
        min_score=data.get("min_score"),
        stage=data.get("stage", ""),
        applied=data.get("applied", ""),
        skill=(data.get("skill") or "").strip(),
        confidence=data.get("confidence", ""),
        limit=limit,
        scores=permissions.visible_match_scores(request.user),
    )
    histogram = selectors.vacancy_score_histogram(vacancy=vacancy)
    bands = selectors.match_bands()
    query = request.GET.copy()
    query.pop("blind", None)
    return TemplateResponse(
        request,
        "admin/recruiting/vacancy/shortlist.html",
        page_context(
            model_admin,
            request,
            title=f"Shortlist: {vacancy.title}",
            vacancy=vacancy,
            rows=shortlist_rows(scores, vacancy=vacancy, blind=blind, user=request.user, bands=bands),
            bands=bands,
            compare_min=COMPARE_MIN,
            compare_max=COMPARE_MAX,
            matching=matching,
            limit=limit,
            more_limit=min(limit * 2, SHORTLIST_MAX_LIMIT) if matching > len(scores) else None,
            filters=filters,
            filtered=any(
                data.get(k) not in (None, "")
                for k in ("min_score", "stage", "applied", "skill", "confidence")
            ),
            skill_names=selectors.vacancy_skill_names(vacancy=vacancy),
            histogram=histogram_svg(histogram, min_score=data.get("min_score")),
            blind=blind,
            query=query.urlencode(),
            here=f"{url}?{request.GET.urlencode()}" if request.GET else url,
            can_act=permissions.can_move_applications(request.user),
            actions=ShortlistActionForm.ACTIONS,
        ),
    )


def _shortlist_post(request: HttpRequest, vacancy: Vacancy, url: str) -> HttpResponse:
    if not permissions.can_move_applications(request.user):
        raise PermissionDenied
    candidate_ids = set(
        MatchScore.objects.filter(vacancy=vacancy).values_list("candidate_id", flat=True)
    ) | set(
        Application.objects.filter(vacancy=vacancy, candidate__isnull=False).values_list(
            "candidate_id", flat=True
        )
    )
    form = ShortlistActionForm(request.POST, allowed_ids=candidate_ids)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back(request, url)
    action, ids, reason = (
        form.cleaned_data["action"],
        form.cleaned_data["candidate_ids"],
        form.cleaned_data["reason"],
    )
    if action == "export":
        return _shortlist_export(request, vacancy, ids)
    candidates = Candidate.objects.defer("cv_text").filter(pk__in=ids).order_by("pk")
    done, skipped = [], []
    for candidate in candidates:
        label = f"Candidate #{candidate.pk}"
        try:
            with transaction.atomic():
                move = shortlist_advance if action == "advance" else shortlist_reject
                application = move(vacancy=vacancy, candidate=candidate, actor=request.user, reason=reason)
            done.append(f"{label} → {application.get_stage_display().lower()}")
        except ApplicationError as exc:
            skipped.append(f"{label}: {exc}")
    verb = "Advanced" if action == "advance" else "Rejected"
    if done:
        messages.success(
            request, f"{verb} {len(done)} candidate{'s' if len(done) != 1 else ''}: {'; '.join(done)}."
        )
    if skipped:
        messages.warning(request, f"Not changed: {'; '.join(skipped)}.")
    return back(request, url)


def _shortlist_export(request: HttpRequest, vacancy: Vacancy, ids: list[int]) -> HttpResponse:
    """The ticked rows (all rows of the vacancy when none is ticked) as CSV; blind review applies; the export
    is written to the audit log (ids only)."""
    blind = blind_review_on(request)
    scores, _ = selectors.shortlist_scores(
        vacancy=vacancy, limit=100_000, rank=False, scores=permissions.visible_match_scores(request.user)
    )
    # Ranks among all the vacancy's scores (matching.ranking), before keeping the ticked rows.
    ranks = competition_ranks([s.score for s in scores])
    ranked = list(zip(scores, ranks, strict=True))
    if ids:
        wanted = set(ids)
        ranked = [(s, r) for s, r in ranked if s.candidate_id in wanted]
        scores = [s for s, _ in ranked]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="shortlist-{vacancy.pk}-{stamp}.csv"'
    writer = csvsafe.SafeWriter(response)  # escapes spreadsheet formulas (CSV injection)
    writer.writerow(
        [
            "rank",
            "tied",
            "candidate_id",
            "name",
            "email",
            "stage",
            "score",
            "state",
            "confidence",
            "confidence_reason",
            "flags",
            "stale",
            *presentation.component_names(),
            "matched_skills",
            "missing_skills",
            "computed_at",
        ]
    )
    for score, rank in ranked:
        concealed = conceals(blind, score.application_revealed)
        candidate = score.candidate
        parts = {b["name"]: b["score"] for b in component_bars(score)}
        confidence, confidence_reason = score_confidence(score)
        writer.writerow(
            [
                "" if rank.rank is None else rank.rank,
                "yes" if rank.tied else "",
                candidate.pk,
                "" if concealed else candidate.display_name,
                "" if concealed else candidate.email,
                score.application_stage or "",
                "" if score.score is None else f"{score.score:.1f}",
                score.state,
                confidence,
                confidence_reason,
                "; ".join(f["message"] for f in score_flags(score)),
                "yes" if score.stale else "",
                *[parts.get(name, "") for name in presentation.component_names()],
                "; ".join(m.get("skill", "") for m in score.matched_skills or [] if isinstance(m, dict)),
                "; ".join(m.get("skill", "") for m in score.missing_skills or [] if isinstance(m, dict)),
                score.computed_at.isoformat(),
            ]
        )
    audit_log(
        actor=request.user,
        action="export",
        obj=vacancy,
        detail={
            "format": "csv",
            "rows": len(scores),
            "blind": blind,
            "candidate_ids": [s.candidate_id for s in scores][:1000],
        },
    )
    return response


def compare_view(model_admin, request: HttpRequest, object_id) -> HttpResponse:
    """``…/compare/?candidate_ids=1&candidate_ids=2``: 2–4 candidates of the vacancy side by side — score and band,
    the six components, required and desirable skills (each matched one with its CV evidence line), qualifications
    and experience against the vacancy's minimums.  Blind review applies as on the shortlist (labels, redacted
    evidence, no work history of a concealed candidate).  A wrong number of candidates is a 400 with a message."""
    vacancy = vacancy_or_404(request, object_id)
    try:
        ids = list(dict.fromkeys(int(v) for v in request.GET.getlist("candidate_ids")))
    except ValueError:
        ids = []
    shortlist = reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk])
    if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        return TemplateResponse(
            request,
            "admin/recruiting/vacancy/compare.html",
            page_context(
                model_admin,
                request,
                title=f"Compare candidates: {vacancy.title}",
                vacancy=vacancy,
                columns=[],
                error=f"Tick {COMPARE_MIN} to {COMPARE_MAX} candidates on the shortlist to compare them "
                f"({len(ids)} ticked).",
                shortlist_url=shortlist,
            ),
            status=400,
        )
    blind = blind_review(request)
    bands = selectors.match_bands()
    columns = []
    for score in selectors.compare_scores(
        vacancy=vacancy, candidate_ids=ids, scores=permissions.visible_match_scores(request.user)
    ):
        candidate = score.candidate
        concealed = conceals(blind, score.application_revealed)
        summary = score_summary(score, candidate=candidate, conceal=concealed, bands=bands)
        columns.append(
            {
                **summary,
                "candidate_id": candidate.pk,
                "label": candidate_label(candidate, concealed=concealed),
                "concealed": concealed,
                "stage_label": STAGE_LABELS.get(score.application_stage or "", "Not applied"),
                "required_matched": [m for m in summary["matched"] if m["required"]],
                "desirable_matched": [m for m in summary["matched"] if not m["required"]],
                "required_missing": [m for m in summary["missing"] if m["required"]],
                "desirable_missing": [m for m in summary["missing"] if not m["required"]],
                "qualifications": list(candidate.qualifications.all()),
                "years": years_text(candidate.years_experience),
                "experiences": [] if concealed else list(candidate.experiences.all())[:5],
            }
        )
    return TemplateResponse(
        request,
        "admin/recruiting/vacancy/compare.html",
        page_context(
            model_admin,
            request,
            title=f"Compare candidates: {vacancy.title}",
            vacancy=vacancy,
            columns=columns,
            blind=blind,
            shortlist_url=shortlist,
            min_years=years_text(vacancy.min_years_experience) if vacancy.min_years_experience else "",
            error=""
            if len(columns) >= COMPARE_MIN
            else "Some of the ticked candidates have no score you may see for this vacancy.",
        ),
    )
