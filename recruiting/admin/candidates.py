"""Candidates in the workspace: the list with score stats, the change page with every match score, applications,
notes and duplicates, and the URLs of the CV download, notes and merge."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.urls import path, reverse
from django.utils.html import format_html

from matching import enqueue as matching_enqueue
from matching import presentation
from recruiting import permissions, selectors
from recruiting.admin.inlines import (
    CandidateQualificationInline,
    CandidateSkillInline,
    ExperienceInline,
)
from recruiting.admin.site import RecruiterOnlyEditMixin
from recruiting.duplicates import candidate_duplicates
from recruiting.models import (
    Candidate,
)
from recruiting.services import audit_log
from recruiting.workspace import actions
from recruiting.workspace.forms import NoteForm
from recruiting.workspace.presenters import score_summary


@admin.register(Candidate)
class CandidateAdmin(RecruiterOnlyEditMixin, admin.ModelAdmin):
    change_form_template = "admin/recruiting/candidate/change_form.html"
    list_display = (
        "display_name",
        "reference",
        "headline",
        "source_label",
        "skills",
        "best_score",
        "created_at",
    )
    list_display_links = ("display_name", "reference")
    list_filter = ("source_label", "source", "open_to_remote")
    search_fields = ("reference", "name", "cv_name", "email", "source_label", "headline")
    list_per_page = 50
    save_on_top = False
    inlines = (CandidateSkillInline, CandidateQualificationInline, ExperienceInline)
    readonly_fields = (
        "cv_file_link",
        "cv_name",
        "years_experience",
        "detected_language",
        "consent_given_at",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("user",)
    # Never in a form: the CV text (shown read-only on the page, logged as a view) and the voluntary
    # equal-opportunities answer (not for recruiters' eyes; never a scoring feature).
    exclude = ("cv_text", "cv_file", "cv_sha256", "self_reported_group")
    fieldsets = (
        (
            "Profile",
            {
                "fields": (
                    ("name", "cv_name"),
                    "headline",
                    ("location", "open_to_remote", "open_to_relocation"),
                    ("salary_expectation", "salary_currency"),
                    ("years_experience", "detected_language"),
                )
            },
        ),
        ("Contact", {"fields": ("email", "user")}),
        ("Source", {"fields": (("reference", "source"), "source_label", "consent_given_at", "cv_file_link")}),
        ("Timestamps", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        queryset = permissions.visible_candidates(request.user, super().get_queryset(request))
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "recruiting_candidate_changelist":
            # CVs are never shown in lists, so never loaded for them either.
            queryset = selectors.candidates_with_score_stats(queryset.defer("cv_text"))
        return queryset

    @admin.display(description="CV language")
    def detected_language(self, obj: Candidate) -> str:
        return presentation.language_label(obj.language)

    @admin.display(description="Name", ordering="name")
    def display_name(self, obj: Candidate) -> str:
        return obj.display_name

    @admin.display(description="Original CV file")
    def cv_file_link(self, obj: Candidate) -> str:
        if not obj.pk or not obj.cv_file:
            return "—"
        return format_html(
            '<a href="{}" class="mw-download">Download {}</a> <span class="mw-quiet">(logged)</span>',
            reverse("admin:recruiting_candidate_cv", args=[obj.pk]),
            obj.cv_file.name.rsplit("/", 1)[-1],
        )

    @admin.display(description="Skills", ordering="skill_count")
    def skills(self, obj: Candidate) -> int:
        return getattr(obj, "skill_count", 0)

    @admin.display(description="Best score", ordering="best_score")
    def best_score(self, obj: Candidate) -> str:
        best = getattr(obj, "best_score", None)
        return "—" if best is None else f"{best:.1f}"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(fs.has_changed() for fs in formsets):
            matching_enqueue.enqueue_candidate_scoring(candidate_id=form.instance.pk)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/cv/", wrap(self.cv_view), name="recruiting_candidate_cv"),
            path("<int:object_id>/notes/", wrap(self.note_view), name="recruiting_candidate_note_add"),
            path(
                "<int:object_id>/merge/<int:other_id>/",
                wrap(self.merge_view),
                name="recruiting_candidate_merge",
            ),
        ] + super().get_urls()

    def cv_view(self, request, object_id):
        return actions.cv_download_view(self, request, object_id)

    def note_view(self, request, object_id):
        return actions.note_add_view(self, request, object_id)

    def merge_view(self, request, object_id, other_id):
        return actions.merge_view(self, request, object_id, other_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        candidate = self.get_object(request, object_id)
        if candidate is not None:
            extra_context.update(self._workspace_context(request, candidate))
        return super().change_view(request, object_id, form_url, extra_context)

    def _workspace_context(self, request, candidate: Candidate) -> dict:
        user = request.user
        if request.method == "GET" and candidate.cv_text:
            audit_log(actor=user, action="view_cv", obj=candidate, detail={"via": "candidate page"})
        vacancies = permissions.visible_vacancies(user)
        bands = selectors.match_bands()
        scores = []
        for score in selectors.candidate_scores(
            candidate=candidate, vacancies=vacancies, scores=permissions.visible_match_scores(user)
        ):
            row = score_summary(score, candidate=candidate, bands=bands)
            row.update(
                vacancy=score.vacancy,
                vacancy_url=reverse("admin:recruiting_vacancy_shortlist", args=[score.vacancy_id]),
            )
            scores.append(row)
        applications = selectors.candidate_applications(
            candidate=candidate, applications=permissions.visible_applications(user)
        )
        notes = candidate.notes.select_related("author", "application__vacancy")
        if not permissions.is_recruiter(user):
            notes = notes.filter(
                Q(application__isnull=True) | Q(application__vacancy__hiring_managers=user) | Q(author=user)
            ).distinct()
        duplicates = []
        if permissions.can_merge_candidates(user):
            duplicates = candidate_duplicates(candidate=candidate)
        skills = list(candidate.skill_links.select_related("skill").order_by("-mentions", "skill__name"))
        return {
            "ws_scores": scores,
            "ws_applications": applications,
            "ws_notes": list(notes),
            "ws_note_form": NoteForm(applications=applications),
            "ws_can_note": permissions.can_add_note(user),
            "ws_duplicates": duplicates,
            "ws_skills": skills,
            "ws_qualifications": list(candidate.qualifications.all()),
            "ws_cv_download": reverse("admin:recruiting_candidate_cv", args=[candidate.pk])
            if candidate.cv_file
            else "",
            "ws_board_urls": {
                a.vacancy_id: reverse("admin:recruiting_vacancy_board", args=[a.vacancy_id])
                for a in applications
            },
        }


# --- applications -------------------------------------------------------------------------------------------
