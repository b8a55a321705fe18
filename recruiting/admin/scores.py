"""Matching's data in the recruiter workspace: the skill vocabulary, match scores and scoring runs.

The workspace is recruiting's face, so the admin of matching's models lives here too: matching imports nothing
of recruiting above its models (docs/architecture.md, "Between the apps").  Match scores and scoring runs are
written only by the scoring engine, so they are read-only here; recruiters start a full rescore with the button on
the scoring-run list (``recruiting.workspace.actions.scoring_run_start_view``).  The same page lists the latest
CSV import runs and their progress (``recruiting.import_runs``).
Hiring managers see only the match scores of their own vacancies.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.urls import path
from django.utils.html import format_html

from matching.models import MatchScore, ScoringRun, Skill
from matching.services import match_scores_explain
from recruiting import permissions
from recruiting.models import Application, ImportRun
from recruiting.selectors import import_runs_recent
from recruiting.workspace import actions
from recruiting.workspace.blind import BlindReviewAdminMixin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "alias_list", "ambiguous", "source")
    list_filter = ("category", "source", "ambiguous")
    search_fields = ("name", "aliases")
    list_per_page = 100

    @admin.display(description="Aliases")
    def alias_list(self, obj: Skill) -> str:
        return ", ".join(str(a) for a in obj.aliases or []) or "—"


@admin.register(MatchScore)
class MatchScoreAdmin(BlindReviewAdminMixin, ReadOnlyAdmin):
    """Blind review holds on the list and the change page (``recruiting.workspace.blind.BlindReviewAdminMixin``)."""

    list_display = (
        "candidate_display",
        "vacancy",
        "score_display",
        "state",
        "stale",
        "engine_version",
        "computed_at",
    )
    list_filter = ("state", "stale", "engine_version", "computed_at", "vacancy__status")
    list_select_related = ("candidate", "vacancy")
    search_fields = (
        "candidate__reference",
        "candidate__name",
        "candidate__cv_name",
        "vacancy__title",
        "vacancy__reference",
    )
    ordering = ("-computed_at",)
    date_hierarchy = "computed_at"
    fields = (
        "candidate_display",
        "vacancy",
        "state",
        "score",
        "skills_score",
        "qualifications_score",
        "text_score",
        "matched_skills",
        "missing_skills",
        "explanation",
        "weights",
        "engine_version",
        "vocabulary_version",
        "model_version",
        "stale",
        "computed_at",
    )

    def get_queryset(self, request):
        return (
            permissions.visible_match_scores(request.user, super().get_queryset(request))
            .select_related("candidate", "vacancy")
            .defer("candidate__cv_text", "vacancy__description")
        )

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "candidate_display")

    def get_object(self, request, object_id, from_field=None):
        score = super().get_object(request, object_id, from_field)
        if score is not None:
            match_scores_explain(
                [score]
            )  # the detail page shows the explanation; a narrow row is explained now
        return score

    def blind_revealed_expr(self):
        application = Application.objects.filter(
            vacancy=OuterRef("vacancy_id"), candidate=OuterRef("candidate_id")
        )
        return Subquery(application.values("revealed")[:1])

    @admin.display(description="Candidate", ordering="candidate__reference")
    def candidate_display(self, obj: MatchScore) -> str:
        return self.blind_candidate(obj)

    @admin.display(description="Score", ordering="score")
    def score_display(self, obj: MatchScore) -> str:
        return "—" if obj.score is None else f"{obj.score:.1f}"


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnlyAdmin):
    change_list_template = "admin/matching/scoringrun/change_list.html"
    list_display = ("id", "scope", "target", "status", "progress", "duration", "error_summary", "created_at")
    list_filter = ("status", "scope")
    search_fields = ("target",)
    date_hierarchy = "created_at"

    def get_urls(self):
        return [
            path("start/", self.admin_site.admin_view(self.start_view), name="matching_scoringrun_start"),
        ] + super().get_urls()

    def start_view(self, request):
        return actions.scoring_run_start_view(self, request)

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        extra_context["can_start_rescore"] = permissions.can_start_rescore(request.user)
        imports = import_runs_recent(limit=10)
        extra_context["import_runs"] = imports
        extra_context["runs_active"] = ScoringRun.objects.filter(
            status__in=[ScoringRun.Status.PENDING, ScoringRun.Status.RUNNING]
        ).exists() or any(
            run.status in (ImportRun.Status.PENDING, ImportRun.Status.RUNNING) for run in imports
        )
        return super().changelist_view(request, extra_context)

    @admin.display(description="Progress")
    def progress(self, obj: ScoringRun) -> str:
        share = obj.done / obj.total if obj.total else (1.0 if obj.status == ScoringRun.Status.DONE else 0.0)
        percent = f" ({obj.done / obj.total:.0%})" if obj.total else ""
        return format_html(
            '<span class="mw-run-progress"><span class="mw-bar" aria-hidden="true"><span class="mw-bar-fill" '
            'style="width: {}%"></span></span> {} of {}{}</span>',
            f"{min(share, 1.0) * 100:.1f}",
            f"{obj.done:,}",
            f"{obj.total:,}",
            percent,
        )

    @admin.display(description="Duration")
    def duration(self, obj: ScoringRun) -> str:
        if obj.started_at is None:
            return "—"
        if obj.finished_at is None:
            return "running" if obj.status == ScoringRun.Status.RUNNING else "—"
        seconds = int((obj.finished_at - obj.started_at).total_seconds())
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}h {minutes:02d}m {seconds:02d}s" if hours else f"{minutes}m {seconds:02d}s"

    @admin.display(description="Error")
    def error_summary(self, obj: ScoringRun) -> str:
        if not obj.error:
            return ""
        first_line = obj.error.strip().splitlines()[0][:120]
        return format_html('<span title="{}">{}</span>', obj.error[:2000], first_line)
