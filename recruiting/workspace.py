"""The recruiter workspace's own pages inside the admin: the shortlist, the pipeline board, vacancy buttons
(publish, close, re-extract, rescore), the CV download, notes, merging duplicates and starting a full rescore.

Views stay thin: check the role (``recruiting.permissions``) → validate → call a service → redirect or render.
They are wired into the admin by ``VacancyAdmin.get_urls`` / ``CandidateAdmin.get_urls`` /
``ScoringRunAdmin.get_urls``, so ``admin_view`` (login, workspace access, CSRF) wraps every one of them; each
view checks the object-level role again and answers 404 for a vacancy or candidate the user may not see.

Blind review (``?blind=1`` / ``?blind=0``, remembered in the session) replaces names, e-mail addresses and
references with "Candidate #<id>" in the HTML itself — shortlist, board, CSV export, and the admin's
application and match-score lists and change pages (``BlindReviewAdminMixin``) — until a recruiter advances the
candidate (``Application.advanced``).  The rule lives in ``conceals`` and the label in ``candidate_label``.  There are no photos in the data model, so none are shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify

from matching import enqueue as matching_enqueue
from matching import presentation
from matching import profiles as matching_profiles
from matching import runs as matching_runs
from matching.bands import DEFAULT_BANDS, Bands, required_counts
from matching.bands import band as match_band
from matching.bands import label as band_label
from matching.models import MatchScore
from matching.presentation import score_confidence, score_flags, skill_credit
from matching.ranking import Rank, competition_ranks, rank_text
from recruiting import csvsafe, permissions, selectors
from recruiting.models import Application, Candidate, SkillImportance, Vacancy
from recruiting.services import (
    PIPELINE_ORDER,
    ApplicationError,
    application_move,
    audit_log,
    next_stage,
    note_add,
    shortlist_advance,
    shortlist_reject,
    vacancy_rescore,
)

BLIND_SESSION_KEY = "workspace_blind_review"
SHORTLIST_DEFAULT_LIMIT = 50
SHORTLIST_MAX_LIMIT = 500
SHORTLIST_TOP_SKILLS = 5  # required skills shown per row before "+N more"
COMPARE_MIN, COMPARE_MAX = 2, 4  # candidates side by side
BOARD_STAGES = [*PIPELINE_ORDER, Application.Stage.REJECTED, Application.Stage.WITHDRAWN]
STAGE_LABELS = dict(Application.Stage.choices)
NOT_APPLICABLE = "n/a"
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# --- blind review -------------------------------------------------------------------------------------------
def blind_review(request: HttpRequest) -> bool:
    """Whether blind review is on for this session; ``?blind=1`` / ``?blind=0`` switches it."""
    value = request.GET.get("blind")
    if value in ("0", "1"):
        request.session[BLIND_SESSION_KEY] = value == "1"
    return bool(request.session.get(BLIND_SESSION_KEY, False))


def blind_review_on(request: HttpRequest) -> bool:
    """Whether blind review is on for this session, without switching it (for admin querysets)."""
    return bool(request.session.get(BLIND_SESSION_KEY, False))


def conceals(blind: bool, advanced: bool | None) -> bool:
    """The blind-review rule, in one place: with blind review on, a candidate stays hidden until a recruiter
    advances them (``Application.advanced``); a candidate who has not applied (``advanced`` None) stays hidden."""
    return bool(blind) and not advanced


def candidate_label(candidate: Candidate | None, *, concealed: bool) -> str:
    """How every recruiter page names a candidate: "Candidate #<id>" when concealed by blind review, else the
    display name (``recruiting.names``: profile name, name on the CV, readable file name, never a generated id)."""
    if candidate is None:
        return "Former candidate (account erased)"
    if concealed:
        return f"Candidate #{candidate.pk}"
    return candidate.display_name


class BlindReviewAdminMixin:
    """Blind review on the admin's own pages that list or show a candidate per vacancy (applications, match
    scores): the candidate column / field reads ``candidate_label`` under the same rule as the shortlist, the
    change page's title and breadcrumb follow it, and searching by name, e-mail or reference is off while blind review is
    on (such a search would otherwise tell which rows are that person).  ``?blind=1`` / ``?blind=0`` on the list
    switches it like on the shortlist.

    Each row is annotated with ``ws_blind`` (the session's switch) and ``ws_advanced`` (``blind_advanced_expr``),
    so the display methods, which get no request, need no shared state.
    """

    blind_name_search_fields = (
        "candidate__name",
        "candidate__cv_name",
        "candidate__email",
        "candidate__reference",
    )
    change_form_template = "admin/blind_review/change_form.html"
    object_history_template = "admin/blind_review/object_history.html"

    def blind_advanced_expr(self):  # pragma: no cover - each admin says where "advanced" lives
        raise NotImplementedError

    def get_queryset(self, request):
        from django.db.models import BooleanField, Value

        return (
            super()
            .get_queryset(request)
            .annotate(
                ws_blind=Value(blind_review_on(request), BooleanField()),
                ws_advanced=self.blind_advanced_expr(),
            )
        )

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if blind_review_on(request):
            fields = tuple(f for f in fields if f not in self.blind_name_search_fields)
        return fields

    def changelist_view(self, request, extra_context=None):
        if "blind" in request.GET:
            blind_review(request)  # switches the session's setting
            request.GET = request.GET.copy()
            del request.GET["blind"]  # not a list filter
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context.setdefault("subtitle", self.blind_object_label(obj))
            extra_context["ws_object_label"] = self.blind_object_label(obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["title"] = f"Change history: {self.blind_object_label(obj)}"
            extra_context["ws_object_label"] = self.blind_object_label(obj)
        return super().history_view(request, object_id, extra_context)

    @staticmethod
    def blind_concealed(obj) -> bool:
        return conceals(getattr(obj, "ws_blind", False), getattr(obj, "ws_advanced", None))

    def blind_candidate(self, obj) -> str:
        return candidate_label(obj.candidate, concealed=self.blind_concealed(obj))

    def blind_object_label(self, obj) -> str:
        return f"{self.blind_candidate(obj)} → {obj.vacancy}"


def redact(text: str, candidate: Candidate | None) -> str:
    """``text`` (a CV line) without e-mail addresses or the parts of the candidate's names (profile, CV)."""
    text = _EMAIL_RE.sub("[e-mail]", text or "")
    names = " ".join(n for n in (getattr(candidate, "name", ""), getattr(candidate, "cv_name", "")) if n)
    if names:
        for part in sorted({p for p in re.split(r"\s+", names) if len(p) > 1}, key=len, reverse=True):
            text = re.sub(rf"\b{re.escape(part)}\b", "[name]", text, flags=re.IGNORECASE)
    return text


# --- presenting a match score -------------------------------------------------------------------------------
def _number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _pct(value: float) -> str:
    return f"{min(max(value, 0.0), 100.0):.1f}"


#: The workspace's colour classes (``ws-band-*``) of the match bands (``matching.bands``, their one home).
BAND_CLASSES = {"strong": "high", "good": "mid", "partial": "low", "weak": "low", "none": "none"}


def score_band(
    value: float | None,
    bands: Bands = DEFAULT_BANDS,
    *,
    required_met: int | None = None,
    required_total: int | None = None,
) -> str:
    """Colour class of a score (high, mid, low, or none when not scored) from its match band
    (``matching.bands.band``: cut-offs from the score distribution, capped by required skills met)."""
    return BAND_CLASSES[match_band(value, bands, required_met=required_met, required_total=required_total)]


def component_bars(score: MatchScore) -> list[dict]:
    """The explanation's components as bars (``matching.presentation.components``: engine order first, then any
    other names).  A component with weight 0 did not apply: its score is ``NOT_APPLICABLE`` ("n/a") and its bar
    width 0, on every page and in the CSV export."""
    return [
        {
            "name": c.name,
            "label": c.label,
            "score": f"{c.score:.0f}" if c.applies else NOT_APPLICABLE,
            "width": _pct(c.score) if c.applies else "0.0",
            "weight": f"{c.weight:.0%}",
            "points": f"{c.points:.1f}",
            "applies": c.applies,
            "detail": c.detail,
        }
        for c in presentation.components(score)
    ]


def score_summary(
    score: MatchScore,
    *,
    candidate: Candidate | None = None,
    conceal: bool = False,
    bands: Bands = DEFAULT_BANDS,
) -> dict:
    """Score, band, state, staleness, component bars and matched / missing skills of one match score.  With
    ``conceal`` the evidence lines are redacted (no names, no e-mail addresses); ``bands`` are the match bands
    of the score distribution (``recruiting.selectors.match_bands``)."""
    explanation = score.explanation if isinstance(score.explanation, dict) else {}
    insufficient = score.state == MatchScore.State.INSUFFICIENT_DATA or score.score is None
    matched = [
        {
            "skill": m.get("skill", "?"),
            "importance": m.get("importance", ""),
            "required": m.get("importance") == SkillImportance.REQUIRED,
            "evidence": redact(m.get("evidence", ""), candidate) if conceal else m.get("evidence", ""),
            "contribution": f"{_number(m.get('contribution')):.1f}",
            "credit": skill_credit(m),
        }
        for m in (score.matched_skills or [])
        if isinstance(m, dict)
    ]
    missing = [
        {
            "skill": m.get("skill", "?"),
            "importance": m.get("importance", ""),
            "required": m.get("importance") == SkillImportance.REQUIRED,
            "gain": f"{_number(m.get('gain')):.1f}",
        }
        for m in (score.missing_skills or [])
        if isinstance(m, dict)
    ]
    missing.sort(key=lambda m: not m["required"])
    # The shortlist's compact cells: the top required skills met (most points first) and missing (largest gain
    # first); the rest, desirable ones included, behind "+N more".
    by_points = sorted(matched, key=lambda m: (not m["required"], -_number(m["contribution"])))
    by_gain = sorted(missing, key=lambda m: (not m["required"], -_number(m["gain"])))
    matched_top = [m for m in by_points if m["required"]][:SHORTLIST_TOP_SKILLS]
    missing_top = [m for m in by_gain if m["required"]][:SHORTLIST_TOP_SKILLS]
    value = None if score.score is None else _number(score.score)
    required_met, required_total = required_counts(score.matched_skills, score.missing_skills)
    band_name = presentation.row_band(score, bands)
    confidence, confidence_reason = score_confidence(score)
    rank = Rank(getattr(score, "vacancy_rank", None), bool(getattr(score, "vacancy_tied", False)))
    return {
        "score": "—" if value is None else f"{value:.0f}",
        "score_exact": "" if value is None else f"{value:.1f}",
        "score_width": _pct(value or 0.0),
        "band": BAND_CLASSES[band_name],
        "band_label": band_label(band_name),
        "required_met": required_met,
        "required_total": required_total,
        "insufficient": insufficient,
        "reason": explanation.get("reason") or "Not enough data to score this pair.",
        "stale": bool(score.stale),
        "components": [] if insufficient else component_bars(score),
        "matched": matched,
        "missing": missing,
        "matched_top": matched_top,
        "matched_more": [m for m in by_points if m not in matched_top],
        "missing_top": missing_top,
        "missing_more": [m for m in by_gain if m not in missing_top],
        "engine_version": score.engine_version,
        "computed_at": score.computed_at,
        "confidence": confidence,
        "confidence_reason": confidence_reason,
        "flags": score_flags(score),
        # Rank among the vacancy's candidates, when the selector annotated it (``with_vacancy_rank``).
        "rank": rank.rank,
        "rank_label": rank.label,
        "tied": rank.tied,
        "rank_text": rank_text(rank.rank, rank.tied, getattr(score, "vacancy_ranked", None)),
    }


def histogram_svg(histogram: dict, *, min_score: float | None = None) -> dict:
    """Geometry of the score histogram (drawn as inline SVG by the template): one bar per bin, its count on
    top, the bin's lower bound below; bins under ``min_score`` are drawn muted."""
    width, height, top, bottom, left = 420, 150, 18, 22, 6
    bins = histogram["bins"]
    peak = max((count for _, _, count in bins), default=0) or 1
    slot = (width - 2 * left) / len(bins)
    plot = height - top - bottom
    bars = []
    for i, (low, high, count) in enumerate(bins):
        h = round(plot * count / peak, 1)
        x = round(left + i * slot + 2, 1)
        bars.append(
            {
                "x": x,
                "y": round(top + plot - h, 1),
                "w": round(slot - 4, 1),
                "h": h,
                "cx": round(x + (slot - 4) / 2, 1),
                "count": count,
                "low": f"{low:.0f}",
                "high": f"{high:.0f}",
                "label_y": round(top + plot - h - 4, 1),
                "muted": min_score is not None and high <= min_score,
            }
        )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "baseline": top + plot,
        "axis_y": height - 6,
        "left": left,
        "right": width - left,
        "total": histogram["total"],
        "insufficient": histogram["insufficient"],
    }


# --- shared view helpers ------------------------------------------------------------------------------------
def _vacancy_or_404(request: HttpRequest, object_id) -> Vacancy:
    vacancy = permissions.visible_vacancies(request.user).filter(pk=object_id).first()
    if vacancy is None:
        raise Http404("No such vacancy.")
    return vacancy


def _candidate_or_404(request: HttpRequest, object_id, *, defer_cv: bool = True) -> Candidate:
    queryset = permissions.visible_candidates(request.user)
    if defer_cv:
        queryset = queryset.defer("cv_text")
    candidate = queryset.filter(pk=object_id).first()
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def _context(model_admin, request: HttpRequest, **extra) -> dict:
    return {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, **extra}


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


# --- shortlist ----------------------------------------------------------------------------------------------
class ShortlistFilterForm(forms.Form):
    min_score = forms.FloatField(
        required=False,
        min_value=0,
        max_value=100,
        label="Minimum score",
        widget=forms.NumberInput(attrs={"step": "1", "placeholder": "0–100"}),
    )
    stage = forms.ChoiceField(
        required=False,
        label="Stage",
        choices=[("", "Any stage"), ("none", "Not applied"), *Application.Stage.choices],
    )
    applied = forms.ChoiceField(
        required=False,
        label="Applied",
        choices=[("", "Applied or not"), ("yes", "Applied"), ("no", "Not applied")],
    )
    skill = forms.CharField(
        required=False,
        max_length=120,
        label="Has skill",
        widget=forms.TextInput(attrs={"list": "mw-skill-options", "placeholder": "e.g. PyTorch"}),
    )
    confidence = forms.ChoiceField(
        required=False,
        label="Confidence",
        choices=[("", "Any confidence"), *MatchScore.Confidence.choices],
    )
    limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=SHORTLIST_MAX_LIMIT,
        label="Rows",
        widget=forms.NumberInput(attrs={"step": "10", "placeholder": str(SHORTLIST_DEFAULT_LIMIT)}),
    )


class ShortlistActionForm(forms.Form):
    ACTIONS = (
        ("advance", "Advance to the next stage"),
        ("reject", "Reject (reason required)"),
        ("export", "Export CSV"),
    )
    action = forms.ChoiceField(choices=ACTIONS)
    candidate_ids = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    reason = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args, allowed_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate_ids"].choices = [(pk, pk) for pk in allowed_ids]

    def clean(self):
        data = super().clean()
        if data.get("action") in ("advance", "reject") and not data.get("candidate_ids"):
            raise forms.ValidationError("Tick at least one candidate.")
        if data.get("action") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give a reason for the rejection.")
        return data


def _shortlist_rows(scores, *, vacancy, blind: bool, user, bands: Bands = DEFAULT_BANDS) -> list[dict]:
    recruiter = permissions.is_recruiter(user)
    rows = []
    for score in scores:
        candidate = score.candidate
        applied = score.application_id is not None
        concealed = conceals(blind, score.application_advanced)
        # Hiring managers open only people who applied to their vacancy; nobody opens a concealed profile
        # from here.
        can_open = not concealed and (recruiter or applied)
        rows.append(
            {
                "candidate_id": candidate.pk,
                "label": candidate_label(candidate, concealed=concealed),
                "concealed": concealed,
                "email": "" if concealed else candidate.email,
                "detail": ""
                if concealed
                else " · ".join(
                    p for p in (candidate.headline, candidate.location, candidate.source_label) if p
                ),
                "url": reverse("admin:recruiting_candidate_change", args=[candidate.pk]) if can_open else "",
                "stage": score.application_stage or "",
                "stage_label": STAGE_LABELS.get(score.application_stage or "", "Not applied"),
                **score_summary(score, candidate=candidate, conceal=concealed, bands=bands),
            }
        )
    return rows


def shortlist_view(model_admin, request: HttpRequest, object_id) -> HttpResponse:
    vacancy = _vacancy_or_404(request, object_id)
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
        _context(
            model_admin,
            request,
            title=f"Shortlist: {vacancy.title}",
            vacancy=vacancy,
            rows=_shortlist_rows(scores, vacancy=vacancy, blind=blind, user=request.user, bands=bands),
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
        return _back(request, url)
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
    return _back(request, url)


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
        concealed = conceals(blind, score.application_advanced)
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


# --- comparison ---------------------------------------------------------------------------------------------
def _years_text(value: float | None) -> str:
    if value is None:
        return "not stated"
    return f"{value:.1f}".rstrip("0").rstrip(".") + (" year" if round(value, 1) == 1 else " years")


def compare_view(model_admin, request: HttpRequest, object_id) -> HttpResponse:
    """``…/compare/?candidate_ids=1&candidate_ids=2``: 2–4 candidates of the vacancy side by side — score and band,
    the six components, required and desirable skills (each matched one with its CV evidence line), qualifications
    and experience against the vacancy's minimums.  Blind review applies as on the shortlist (labels, redacted
    evidence, no work history of a concealed candidate).  A wrong number of candidates is a 400 with a message."""
    vacancy = _vacancy_or_404(request, object_id)
    try:
        ids = list(dict.fromkeys(int(v) for v in request.GET.getlist("candidate_ids")))
    except ValueError:
        ids = []
    shortlist = reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk])
    if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        return TemplateResponse(
            request,
            "admin/recruiting/vacancy/compare.html",
            _context(
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
        concealed = conceals(blind, score.application_advanced)
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
                "years": _years_text(candidate.years_experience),
                "experiences": [] if concealed else list(candidate.experiences.all())[:5],
            }
        )
    return TemplateResponse(
        request,
        "admin/recruiting/vacancy/compare.html",
        _context(
            model_admin,
            request,
            title=f"Compare candidates: {vacancy.title}",
            vacancy=vacancy,
            columns=columns,
            blind=blind,
            shortlist_url=shortlist,
            min_years=_years_text(vacancy.min_years_experience) if vacancy.min_years_experience else "",
            error=""
            if len(columns) >= COMPARE_MIN
            else "Some of the ticked candidates have no score you may see for this vacancy.",
        ),
    )


# --- board --------------------------------------------------------------------------------------------------
@dataclass
class BoardColumn:
    stage: str
    label: str
    cards: list


def board_view(model_admin, request: HttpRequest, object_id) -> HttpResponse:
    vacancy = _vacancy_or_404(request, object_id)
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
        concealed = conceals(blind, app.advanced)
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
        _context(
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
        return _back(request, url)
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
        concealed = bool(request.session.get(BLIND_SESSION_KEY, False)) and not application.advanced
        messages.success(
            request,
            f"{candidate_label(application.candidate, concealed=concealed)} moved to "
            f"{application.get_stage_display().lower()}.",
        )
    return _back(request, f"{url}#stage-{to_stage}" if to_stage in STAGE_LABELS else url)


# --- vacancy buttons ----------------------------------------------------------------------------------------
def vacancy_action_view(model_admin, request: HttpRequest, object_id, action: str) -> HttpResponse:
    """``publish``, ``close``, ``reextract`` or ``rescore`` one vacancy (POST, recruiters only)."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    vacancy = _vacancy_or_404(request, object_id)
    if not permissions.can_edit_vacancy(request.user):
        raise PermissionDenied
    from recruiting.services import vacancy_close, vacancy_publish

    if action == "publish":
        vacancy_publish(vacancy=vacancy, actor=request.user)
        messages.success(
            request, "The vacancy is published: open to candidates, and its shortlist is being rescored."
        )
    elif action == "close":
        vacancy_close(vacancy=vacancy, actor=request.user)
        messages.success(
            request, "The vacancy is closed: it has left the portal and gets no new applications."
        )
    elif action == "reextract":
        matching_profiles.vacancy_refresh_profile(vacancy=vacancy)
        vacancy_rescore(vacancy=vacancy)
        messages.success(
            request,
            "Requirements re-extracted from the description (skills you entered are kept); "
            "rescoring is queued.",
        )
    elif action == "rescore":
        matching_enqueue.enqueue_vacancy_scoring(vacancy_id=vacancy.pk)
        messages.success(request, "Rescoring queued; the shortlist updates when it finishes.")
    else:
        raise Http404
    return HttpResponseRedirect(reverse("admin:recruiting_vacancy_change", args=[vacancy.pk]))


# --- candidate: CV file, notes, merge -----------------------------------------------------------------------
def cv_download_view(model_admin, request: HttpRequest, object_id) -> HttpResponse:
    """Stream the candidate's original CV file as a download, after the role check; logged as ``view_cv``."""
    candidate = _candidate_or_404(request, object_id)
    if not candidate.cv_file:
        raise Http404("This candidate has no CV file.")
    try:
        handle = candidate.cv_file.open("rb")
    except FileNotFoundError:
        raise Http404("The CV file is missing from storage.") from None
    audit_log(actor=request.user, action="view_cv", obj=candidate, detail={"via": "file download"})
    # Stored names are random (recruiting.models.cv_upload_to); the download is named after the candidate.
    stored = candidate.cv_file.name.rsplit("/", 1)[-1]
    extension = ("." + stored.rsplit(".", 1)[-1]) if "." in stored else ""
    name = f"cv-{slugify(candidate.reference) or candidate.pk}{extension}"
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class NoteForm(forms.Form):
    body = forms.CharField(label="Note", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    application = forms.TypedChoiceField(label="About", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", "The candidate in general")] + [
            (a.pk, f"{a.vacancy.title} ({a.get_stage_display().lower()})") for a in applications
        ]


def note_add_view(model_admin, request: HttpRequest, object_id) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    candidate = _candidate_or_404(request, object_id)
    if not permissions.can_add_note(request.user):
        raise PermissionDenied
    applications = list(
        permissions.visible_applications(request.user).filter(candidate=candidate).select_related("vacancy")
    )
    form = NoteForm(request.POST, applications=applications)
    url = reverse("admin:recruiting_candidate_change", args=[candidate.pk]) + "#notes"
    if not form.is_valid():
        messages.error(request, "The note was not saved: write some text (at most 5,000 characters).")
        return _back(request, url)
    chosen = {a.pk: a for a in applications}.get(form.cleaned_data["application"])
    note_add(candidate=candidate, author=request.user, body=form.cleaned_data["body"], application=chosen)
    messages.success(request, "Note added.")
    return _back(request, url)


def merge_view(model_admin, request: HttpRequest, object_id, other_id) -> HttpResponse:
    """Confirm (GET) and merge (POST) candidate ``other_id`` into ``object_id``: recruiters only."""
    from recruiting.duplicates import candidate_merge, merge_preview

    if not permissions.can_merge_candidates(request.user):
        raise PermissionDenied
    keep = _candidate_or_404(request, object_id, defer_cv=False)
    duplicate = _candidate_or_404(request, other_id, defer_cv=False)
    if keep.pk == duplicate.pk:
        raise Http404
    if request.method == "POST":
        result = candidate_merge(keep=keep, duplicate=duplicate, actor=request.user)
        messages.success(
            request,
            (
                f"Candidate #{result.merged_id} merged into this record: "
                f"{result.applications_moved} application(s) moved, "
                f"{result.applications_folded} folded into an existing one, {result.scores_moved} score(s), "
                f"{result.notes_moved} note(s), {result.skills_moved} skill(s) and "
                f"{result.qualifications_moved} "
                f"qualification(s) moved."
            ),
        )
        return HttpResponseRedirect(reverse("admin:recruiting_candidate_change", args=[keep.pk]))
    return TemplateResponse(
        request,
        "admin/recruiting/candidate/merge_confirm.html",
        _context(
            model_admin,
            request,
            title="Merge duplicate candidates",
            keep=keep,
            duplicate=duplicate,
            preview=merge_preview(keep=keep, duplicate=duplicate),
        ),
    )


# --- scoring runs -------------------------------------------------------------------------------------------
def scoring_run_start_view(model_admin, request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    if not permissions.can_start_rescore(request.user):
        raise PermissionDenied
    run = matching_runs.scoring_run_start(scope="all")
    # A worker plans the chunks after this request commits, so their number is not known here.
    messages.success(
        request,
        f"Full rescore started (run {run.pk}): {run.total:,} pairs; a worker is planning its chunks. "
        "Progress shows below.",
    )
    return HttpResponseRedirect(reverse("admin:matching_scoringrun_changelist"))
