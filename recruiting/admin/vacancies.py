"""Vacancies in the workspace: the form with one field per component weight, the list with score stats, the
change page with its histogram, the workspace pages' URLs (shortlist, board, compare, buttons) and the list actions.
A recruiter's edit is saved through ``recruiting.services.vacancy_update``."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from matching import enqueue as matching_enqueue
from matching import presentation
from matching import profiles as matching_profiles
from recruiting import permissions, selectors, services
from recruiting.admin.inlines import (
    VacancyQualificationInline,
    VacancySkillInline,
)
from recruiting.admin.site import RecruiterOnlyEditMixin
from recruiting.markup import render_description
from recruiting.models import (
    Qualification,
    Vacancy,
    VacancySkill,
)
from recruiting.services import vacancy_close, vacancy_publish
from recruiting.workspace import actions, board, shortlist
from recruiting.workspace.presenters import histogram_svg

_COMPONENTS = {name: (label, default) for name, label, default in presentation.component_choices()}


def _weight_field(name: str) -> forms.FloatField:
    label, default = _COMPONENTS[name]
    return forms.FloatField(
        label=label,
        required=False,
        min_value=0,
        help_text=f"default {default:g}",
        widget=forms.NumberInput(
            attrs={"step": "0.01", "placeholder": f"{default:g}", "style": "width: 6em"}
        ),
    )


class VacancyAdminForm(forms.ModelForm):
    """The vacancy with one number field per score component (``matching.presentation.component_choices``) instead of
    the raw ``weights`` JSON; an empty field means the documented default."""

    weight_required = _weight_field("required")
    weight_desirable = _weight_field("desirable")
    weight_qualification = _weight_field("qualification")
    weight_experience = _weight_field("experience")
    weight_profile = _weight_field("profile")
    weight_text = _weight_field("text")
    weight_role = _weight_field("role")

    class Meta:
        model = Vacancy
        exclude = ("weights",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = (self.instance.weights or {}) if self.instance.pk else {}
        for name in _COMPONENTS:
            if f"weight_{name}" in self.fields:
                self.fields[f"weight_{name}"].initial = stored.get(name)
        if "hiring_managers" in self.fields:
            self.fields["hiring_managers"].queryset = (
                get_user_model()
                .objects.filter(groups__name=permissions.HIRING_MANAGERS_GROUP, is_active=True)
                .order_by("username")
            )
            self.fields["hiring_managers"].widget = forms.CheckboxSelectMultiple()
            self.fields["hiring_managers"].help_text = (
                "They see this vacancy's shortlist, board and applications, and add notes. "
                "Make accounts with "
                "manage.py create_recruiter EMAIL --hiring-manager --vacancy REF."
            )

    def clean(self):
        data = super().clean()
        weights = {
            name: data[f"weight_{name}"] for name in _COMPONENTS if data.get(f"weight_{name}") is not None
        }
        try:
            services.vacancy_weights_check(weights)
        except ValueError as exc:
            raise ValidationError(f"Component weights: {exc}.") from None
        self.weights = weights
        return data

    def save(self, commit=True):
        self.instance.weights = getattr(self, "weights", self.instance.weights)
        return super().save(commit)


@admin.register(Vacancy)
class VacancyAdmin(RecruiterOnlyEditMixin, admin.ModelAdmin):
    form = VacancyAdminForm
    change_form_template = "admin/recruiting/vacancy/change_form.html"
    list_display = (
        "title",
        "reference",
        "status",
        "seniority",
        "salary_range",
        "scored_candidates",
        "best_score",
        "applications",
        "workspace_links",
    )
    list_display_links = ("title", "reference")
    list_filter = ("status", "seniority", "employment_type", "remote", "source")
    search_fields = ("title", "reference", "location")
    list_per_page = 50
    save_on_top = True
    actions = ("publish", "close", "rescore")
    inlines = (VacancySkillInline, VacancyQualificationInline)
    readonly_fields = (
        "status",
        "published_at",
        "requirements_edited",
        "requirements_capped",
        "detected_language",
        "description_preview",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("title", ("reference", "source"), ("status", "published_at"))}),
        ("Role", {"fields": ("seniority", "employment_type", "location", "remote")}),
        (
            "Pay",
            {
                "fields": (
                    ("salary_min", "salary_max", "salary_currency"),
                    ("day_rate_min", "day_rate_max", "day_rate_currency"),
                )
            },
        ),
        ("Description", {"fields": ("description", "description_preview", "detected_language")}),
        (
            "Requirements",
            {
                "fields": (
                    "min_qualification_level",
                    "min_years_experience",
                    "requirements_edited",
                    "requirements_capped",
                ),
                "description": "Skills and qualifications are listed below the form. "
                "Changes you make here are kept "
                "when the vacancy is re-imported or re-extracted.",
            },
        ),
        (
            "Component weights",
            {
                "fields": (
                    tuple(f"weight_{n}" for n in list(_COMPONENTS)[:4]),
                    tuple(f"weight_{n}" for n in list(_COMPONENTS)[4:]),
                ),
                "description": "How much each part of the match counts for this vacancy. "
                "Leave a field empty for the "
                "default; weights are normalised to add up to 1.",
            },
        ),
        ("Hiring managers", {"fields": ("hiring_managers",)}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        queryset = permissions.visible_vacancies(request.user, super().get_queryset(request))
        queryset = selectors.vacancies_with_score_stats(queryset)
        return queryset.annotate(application_count=Count("applications", distinct=True))

    def get_fieldsets(self, request, obj=None):
        if self.has_change_permission(request, obj) or obj is None:
            return self.fieldsets
        # Read-only viewers (hiring managers) do not get the weight inputs, which are form fields only.
        return [fs for fs in self.fieldsets if fs[0] not in ("Component weights", "Hiring managers")]

    @admin.display(description="Language")
    def detected_language(self, obj: Vacancy) -> str:
        return presentation.language_label(obj.language)

    @admin.display(description="As candidates see it")
    def description_preview(self, obj: Vacancy) -> str:
        # Markdown rendered and sanitised (recruiting.markup): the same HTML as the portal's vacancy page.
        if not obj.pk:
            return "—"
        return format_html('<div class="ws-prose">{}</div>', render_description(obj.description))

    @admin.display(description="Salary")
    def salary_range(self, obj: Vacancy) -> str:
        return selectors.vacancy_salary_text(obj) or selectors.vacancy_day_rate_text(obj) or "—"

    @admin.display(description="Scored", ordering="scored_count")
    def scored_candidates(self, obj: Vacancy) -> int:
        return obj.scored_count

    @admin.display(description="Best score", ordering="best_score")
    def best_score(self, obj: Vacancy) -> str:
        return "—" if obj.best_score is None else f"{obj.best_score:.1f}"

    @admin.display(description="Applications", ordering="application_count")
    def applications(self, obj: Vacancy) -> int:
        return obj.application_count

    @admin.display(description="Workspace")
    def workspace_links(self, obj: Vacancy) -> str:
        return format_html(
            '<a href="{}">Shortlist</a> · <a href="{}">Board</a>',
            reverse("admin:recruiting_vacancy_shortlist", args=[obj.pk]),
            reverse("admin:recruiting_vacancy_board", args=[obj.pk]),
        )

    # -- saving: a recruiter's edit goes through recruiting.services.vacancy_update --------------------------
    def save_model(self, request, obj, form, change):
        if change:
            return  # saved by vacancy_update (save_related), after the inline skill and qualification rows
        obj.status = Vacancy.Status.DRAFT  # published with the Publish button
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        vacancy = form.instance
        if not change:
            # A new draft: its skills and qualifications are read from the description, links entered kept.
            matching_profiles.vacancy_refresh_profile(vacancy=vacancy)
            services.vacancy_rescore(vacancy=vacancy)
            return
        services.vacancy_update(
            vacancy=vacancy,
            actor=request.user,
            fields={
                name: form.cleaned_data[name]
                for name in services.VACANCY_EDIT_FIELDS
                if name in form.cleaned_data
            },
            weights=form.weights,
            links_changed=any(
                formset.has_changed()
                for formset in formsets
                if formset.model in (VacancySkill, Qualification)
            ),
        )

    # -- pages -----------------------------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        custom = [
            path(
                "<int:object_id>/shortlist/", wrap(self.shortlist_view), name="recruiting_vacancy_shortlist"
            ),
            path("<int:object_id>/board/", wrap(self.board_view), name="recruiting_vacancy_board"),
            path("<int:object_id>/compare/", wrap(self.compare_view), name="recruiting_vacancy_compare"),
        ]
        for action in ("publish", "close", "reextract", "rescore"):
            custom.append(
                path(
                    f"<int:object_id>/{action}/",
                    wrap(self.action_view),
                    {"action": action},
                    name=f"recruiting_vacancy_{action}",
                )
            )
        return custom + super().get_urls()

    def shortlist_view(self, request, object_id):
        return shortlist.shortlist_view(self, request, object_id)

    def compare_view(self, request, object_id):
        return shortlist.compare_view(self, request, object_id)

    def board_view(self, request, object_id):
        return board.board_view(self, request, object_id)

    def action_view(self, request, object_id, action):
        return actions.vacancy_action_view(self, request, object_id, action)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        vacancy = self.get_object(request, object_id)
        if vacancy is not None:
            histogram = selectors.vacancy_score_histogram(vacancy=vacancy)
            extra_context.update(
                shortlist_url=reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk]),
                board_url=reverse("admin:recruiting_vacancy_board", args=[vacancy.pk]),
                scored_total=histogram["total"],
                histogram=histogram_svg(histogram),
                stage_counts=dict(vacancy.applications.values_list("stage").annotate(n=Count("pk"))),
                can_edit_vacancy=permissions.can_edit_vacancy(request.user),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # -- changelist actions ----------------------------------------------------------------------------------
    @admin.action(description="Publish selected vacancies", permissions=["change"])
    def publish(self, request, queryset):
        changed = 0
        for vacancy in queryset.exclude(status=Vacancy.Status.OPEN, published_at__isnull=False):
            vacancy_publish(vacancy=vacancy, actor=request.user)
            changed += 1
        self.message_user(
            request, ngettext("%d vacancy published.", "%d vacancies published.", changed) % changed
        )

    @admin.action(description="Close selected vacancies", permissions=["change"])
    def close(self, request, queryset):
        changed = 0
        for vacancy in queryset.exclude(status=Vacancy.Status.CLOSED):
            vacancy_close(vacancy=vacancy, actor=request.user)
            changed += 1
        self.message_user(request, ngettext("%d vacancy closed.", "%d vacancies closed.", changed) % changed)

    @admin.action(description="Rescore selected vacancies against all candidates", permissions=["change"])
    def rescore(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        for vacancy_id in ids:
            matching_enqueue.enqueue_vacancy_scoring(vacancy_id=vacancy_id)
        self.message_user(
            request,
            ngettext(
                "Rescoring queued for %d vacancy; the shortlist updates when it finishes.",
                "Rescoring queued for %d vacancies; the shortlists update when they finish.",
                len(ids),
            )
            % len(ids),
        )
