"""The recruiter workspace: vacancies with their ranked, explained shortlists; candidates with their best
vacancies; applications.

Access: only active staff in the "Recruiters" group, and superusers (``recruiting.permissions``).  The
default ``admin.site`` is kept; only its ``has_permission`` is replaced.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from matching.models import MatchScore
from recruiting import selectors
from recruiting.models import (
    Application,
    Candidate,
    CandidateSkill,
    Qualification,
    SkillImportance,
    Vacancy,
    VacancySkill,
)
from recruiting.permissions import user_can_use_recruiter_workspace


def _recruiter_workspace_has_permission(request: HttpRequest) -> bool:
    return user_can_use_recruiter_workspace(request.user)


class RecruiterAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, refusing staff accounts that are not recruiters (instead of logging them in
    only to show "not authorized")."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user_can_use_recruiter_workspace(user):
            raise ValidationError(
                "This account is not a recruiter account. Ask an administrator to add it to the "
                "Recruiters group.",
                code="not_recruiter",
            )


# Instance attributes: shadow AdminSite.has_permission / login_form on the default site.
admin.site.has_permission = _recruiter_workspace_has_permission
admin.site.login_form = RecruiterAuthenticationForm

SHORTLIST_DEFAULT_LIMIT = 50
SHORTLIST_MAX_LIMIT = 500
BEST_VACANCIES_LIMIT = 10

# The three summary bars: the model's columns, and the explanation components each one groups (both the
# contract's names and the engine's finer ones).
_SUMMARY_BARS = (
    ("skills", "Skills", "skills_score", ("skills", "required", "desirable")),
    ("qualifications", "Qualifications", "qualifications_score", ("qualifications", "qualification")),
    ("text", "Text similarity", "text_score", ("text",)),
)


def _number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _pct(value: float) -> str:
    """A width for a CSS bar, clamped to 0–100, as a locale-proof string."""
    return f"{min(max(value, 0.0), 100.0):.1f}"


def score_row(score: MatchScore, *, rank: int) -> dict[str, Any]:
    """Everything a shortlist row shows, from one ``MatchScore`` (no queries beyond its loaded relations).

    Tolerates partial or older JSON: missing keys fall back to the model's own columns.
    """
    explanation = score.explanation if isinstance(score.explanation, dict) else {}
    insufficient = (
        score.state == MatchScore.State.INSUFFICIENT_DATA
        or score.score is None
        or explanation.get("state") == MatchScore.State.INSUFFICIENT_DATA
    )
    detail = [c for c in explanation.get("components") or [] if isinstance(c, dict)]
    by_name = {c.get("name"): c for c in detail}
    bars = []
    for name, label, field, parts in _SUMMARY_BARS:
        present = [by_name[p] for p in parts if p in by_name]
        value = _number(getattr(score, field))
        weight = sum(_number(c.get("weight")) for c in present)
        points = sum(_number(c.get("points")) for c in present)
        bars.append(
            {
                "name": name,
                "label": label,
                "score": f"{value:.1f}",
                "width": _pct(value),
                "title": f"weight {weight:.0%}, {points:.1f} points" if present else "",
            }
        )
    breakdown = [
        {
            "label": c.get("label") or str(c.get("name", "")).capitalize(),
            "score": f"{_number(c.get('score')):.1f}",
            "weight": f"{_number(c.get('weight')):.0%}",
            "points": f"{_number(c.get('points')):.1f}",
        }
        for c in detail
    ]
    matched = [
        {
            "skill": m.get("skill", "?"),
            "importance": m.get("importance", ""),
            "required": m.get("importance") == SkillImportance.REQUIRED,
            "evidence": m.get("evidence", ""),
            "contribution": f"{_number(m.get('contribution')):.1f}",
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
    missing.sort(key=lambda m: not m["required"])  # required gaps first; engine order otherwise (stable)
    value = None if score.score is None else _number(score.score)
    return {
        "rank": rank,
        "score": "—" if value is None else f"{value:.1f}",
        "score_width": _pct(value or 0.0),
        "insufficient": insufficient,
        "stale": bool(getattr(score, "stale", False)),
        "reason": explanation.get("reason") or "Not enough data to score this pair.",
        "components": bars,
        "breakdown": breakdown,
        "matched": matched,
        "missing": missing,
        "engine_version": score.engine_version or explanation.get("engine_version", ""),
        "model_version": getattr(score, "model_version", ""),
        "computed_at": score.computed_at,
        "match_score": score,
    }


def _shortlist_limit(request: HttpRequest) -> int:
    try:
        limit = int(request.GET.get("shortlist_limit", SHORTLIST_DEFAULT_LIMIT))
    except (TypeError, ValueError):
        return SHORTLIST_DEFAULT_LIMIT
    return min(max(limit, 1), SHORTLIST_MAX_LIMIT)


# --- inlines ---------------------------------------------------------------------------------------------

class VacancySkillInline(admin.TabularInline):
    model = VacancySkill
    fields = ("skill", "importance", "origin", "mentions")
    autocomplete_fields = ("skill",)
    extra = 0
    verbose_name = "skill"
    verbose_name_plural = "Skills asked for"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill").order_by("importance", "skill__name")


class VacancyQualificationInline(admin.TabularInline):
    model = Qualification
    fk_name = "vacancy"
    fields = ("level", "field", "origin", "evidence")
    extra = 0
    verbose_name_plural = "Qualifications asked for"


class CandidateSkillInline(admin.TabularInline):
    model = CandidateSkill
    fields = ("skill", "origin", "mentions", "evidence")
    autocomplete_fields = ("skill",)
    extra = 0
    verbose_name = "skill"
    verbose_name_plural = "Skills"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill").order_by("skill__name")


class CandidateQualificationInline(admin.TabularInline):
    model = Qualification
    fk_name = "candidate"
    fields = ("level", "field", "origin", "evidence")
    extra = 0
    verbose_name_plural = "Qualifications"


class CandidateApplicationInline(admin.TabularInline):
    model = Application
    fk_name = "candidate"
    fields = ("vacancy", "stage", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("vacancy",)
    extra = 0
    verbose_name_plural = "Applications"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("vacancy")


# --- vacancies -------------------------------------------------------------------------------------------

@admin.register(Vacancy)
class VacancyAdmin(admin.ModelAdmin):
    change_form_template = "admin/recruiting/vacancy/change_form.html"
    list_display = (
        "title",
        "reference",
        "status",
        "seniority",
        "employment_type",
        "salary_range",
        "scored_candidates",
        "best_score",
    )
    list_display_links = ("title", "reference")
    list_filter = ("status", "seniority", "employment_type", "remote", "source")
    search_fields = ("title", "reference", "location")
    list_per_page = 50
    save_on_top = True
    actions = ("publish", "close", "rescore")
    inlines = (VacancySkillInline, VacancyQualificationInline)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "reference", "source", "status")}),
        ("Role", {"fields": ("seniority", "employment_type", "location", "remote", "min_years_experience")}),
        (
            "Pay",
            {"fields": (("salary_min", "salary_max", "salary_currency"), ("day_rate_min", "day_rate_max"))},
        ),
        ("Description", {"fields": ("description",)}),
        ("Scoring", {"fields": ("weights",), "classes": ("collapse",)}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return selectors.vacancies_with_score_stats(super().get_queryset(request))

    @admin.display(description="Salary")
    def salary_range(self, obj: Vacancy) -> str:
        return selectors.vacancy_salary_text(obj) or selectors.vacancy_day_rate_text(obj) or "—"

    @admin.display(description="Scored", ordering="scored_count")
    def scored_candidates(self, obj: Vacancy) -> int:
        return obj.scored_count

    @admin.display(description="Best score", ordering="best_score")
    def best_score(self, obj: Vacancy) -> str:
        return "—" if obj.best_score is None else f"{obj.best_score:.1f}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        vacancy = self.get_object(request, object_id)
        if vacancy is not None:
            limit = _shortlist_limit(request)
            scores = selectors.vacancy_shortlist(vacancy=vacancy, limit=limit)
            rows = []
            for rank, score in enumerate(scores, start=1):
                row = score_row(score, rank=rank)
                row["candidate"] = score.candidate
                row["candidate_url"] = reverse("admin:recruiting_candidate_change", args=[score.candidate_id])
                rows.append(row)
            total = selectors.vacancy_scored_count(vacancy=vacancy)
            extra_context.update(
                shortlist_rows=rows,
                shortlist_total=total,
                shortlist_limit=limit,
                shortlist_more=total > len(rows),
                shortlist_more_limit=min(max(limit * 2, 100), SHORTLIST_MAX_LIMIT),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Publish selected vacancies (status: open)", permissions=["change"])
    def publish(self, request, queryset):
        updated = queryset.exclude(status=Vacancy.Status.OPEN).update(status=Vacancy.Status.OPEN)
        self.message_user(
            request, ngettext("%d vacancy published.", "%d vacancies published.", updated) % updated
        )

    @admin.action(description="Close selected vacancies", permissions=["change"])
    def close(self, request, queryset):
        updated = queryset.exclude(status=Vacancy.Status.CLOSED).update(status=Vacancy.Status.CLOSED)
        self.message_user(request, ngettext("%d vacancy closed.", "%d vacancies closed.", updated) % updated)

    @admin.action(description="Rescore selected vacancies against all candidates", permissions=["change"])
    def rescore(self, request, queryset):
        try:
            from matching.services import enqueue_vacancy_scoring
        except ImportError:
            self.message_user(request, "The scoring service is not available yet.", messages.ERROR)
            return
        ids = list(queryset.values_list("pk", flat=True))
        for vacancy_id in ids:
            enqueue_vacancy_scoring(vacancy_id=vacancy_id)
        self.message_user(
            request,
            ngettext(
                "Rescoring queued for %d vacancy; the shortlist updates when it finishes.",
                "Rescoring queued for %d vacancies; the shortlists update when they finish.",
                len(ids),
            )
            % len(ids),
        )


# --- candidates ------------------------------------------------------------------------------------------

@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    change_form_template = "admin/recruiting/candidate/change_form.html"
    list_display = ("reference", "name", "source_label", "source", "skills", "best_score", "created_at")
    list_display_links = ("reference", "name")
    list_filter = ("source_label", "source")
    search_fields = ("reference", "name", "source_label")
    list_per_page = 50
    save_on_top = True
    inlines = (CandidateSkillInline, CandidateQualificationInline, CandidateApplicationInline)
    readonly_fields = ("cv", "created_at", "updated_at")
    raw_id_fields = ("user",)
    fieldsets = (
        (None, {"fields": ("reference", "source", "source_label", "years_experience")}),
        ("Contact", {"fields": ("name", "email", "user")}),
        ("CV", {"fields": ("cv_file", "cv")}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "recruiting_candidate_changelist":
            # CVs are never shown in lists, so never loaded for them either.
            queryset = selectors.candidates_with_score_stats(queryset.defer("cv_text"))
        return queryset

    @admin.display(description="CV text")
    def cv(self, obj: Candidate) -> str:
        if not obj.cv_text:
            return "—"
        return format_html('<pre class="mw-cv" tabindex="0">{}</pre>', obj.cv_text)

    @admin.display(description="Skills", ordering="skill_count")
    def skills(self, obj: Candidate) -> int:
        return getattr(obj, "skill_count", 0)

    @admin.display(description="Best score", ordering="best_score")
    def best_score(self, obj: Candidate) -> str:
        best = getattr(obj, "best_score", None)
        return "—" if best is None else f"{best:.1f}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        candidate = self.get_object(request, object_id)
        if candidate is not None:
            rows = []
            for rank, score in enumerate(
                selectors.candidate_best_vacancies(candidate=candidate, limit=BEST_VACANCIES_LIMIT), start=1
            ):
                row = score_row(score, rank=rank)
                row["vacancy"] = score.vacancy
                row["vacancy_url"] = reverse("admin:recruiting_vacancy_change", args=[score.vacancy_id])
                rows.append(row)
            extra_context.update(
                best_vacancy_rows=rows,
                best_vacancy_total=selectors.candidate_scored_count(candidate=candidate),
            )
        return super().change_view(request, object_id, form_url, extra_context)


# --- applications ----------------------------------------------------------------------------------------

@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("candidate", "vacancy", "stage", "created_at", "updated_at")
    list_filter = ("stage", "vacancy__status", "created_at")
    search_fields = ("candidate__reference", "candidate__name", "vacancy__title", "vacancy__reference")
    autocomplete_fields = ("candidate", "vacancy")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("candidate", "vacancy")
            .defer("candidate__cv_text", "vacancy__description")
        )
