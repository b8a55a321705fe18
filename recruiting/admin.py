"""The recruiter workspace: vacancies (requirements, publish / close, re-extract, rescore) with their
shortlist and pipeline board; candidates with profile, CV, every match score, applications with history,
notes and duplicates; applications; stage e-mail templates; the audit log.

Access (``recruiting.permissions``): recruiters see and do everything; hiring managers see only the vacancies
they are named on — the vacancy, its shortlist, board and applications, and the candidates who applied — and
add notes; superusers also read the audit log.  Every queryset below is narrowed by role, so a hiring manager
who types another vacancy's URL gets "not found", and every custom view (``recruiting.workspace``) checks the
role again.  The default ``admin.site`` is kept; only its ``has_permission`` and login form are replaced.

Stage moves never happen here by editing a field: they go through ``recruiting.services.application_move``
(board, shortlist bulk actions), which records the history and e-mails the candidate.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import HttpRequest
from django.template import TemplateSyntaxError
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from matching import enqueue as matching_enqueue
from matching import presentation
from matching import profiles as matching_profiles
from recruiting import permissions, selectors, services, workspace
from recruiting.duplicates import candidate_duplicates
from recruiting.markup import render_description
from recruiting.models import (
    Application,
    ApplicationStageChange,
    AuditLogEntry,
    Candidate,
    CandidateSkill,
    Experience,
    Qualification,
    SkillOrigin,
    StageEmailTemplate,
    Vacancy,
    VacancySkill,
)
from recruiting.notifications import TEMPLATE_VARIABLES, stage_email_render, template_check
from recruiting.services import audit_log, vacancy_close, vacancy_publish


def _recruiter_workspace_has_permission(request: HttpRequest) -> bool:
    return permissions.user_can_use_recruiter_workspace(request.user)


class RecruiterAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, refusing accounts that are neither recruiters nor hiring managers (candidates'
    portal accounts included) instead of logging them in only to show "not authorized"."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Workspace accounts sign in with their e-mail address (create_recruiter makes it the username).
        self.fields["username"].label = "E-mail address"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not permissions.user_can_use_recruiter_workspace(user):
            raise ValidationError(
                "This account cannot use the recruiter workspace. Ask an administrator to add it to the "
                "Recruiters or Hiring managers group.",
                code="not_recruiter",
            )


# Instance attributes: shadow AdminSite.has_permission / login_form on the default site.
admin.site.has_permission = _recruiter_workspace_has_permission
admin.site.login_form = RecruiterAuthenticationForm


class RecruiterOnlyEditMixin:
    """Adding, changing and deleting need recruiter rights on top of the model permissions."""

    def has_add_permission(self, request, *args):
        return permissions.is_recruiter(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return permissions.is_recruiter(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_recruiter(request.user) and super().has_delete_permission(request, obj)


# --- inlines ------------------------------------------------------------------------------------------------


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose inputs carry their column's name as ``aria-label``: the column header is not a
    ``<label>``, so without it a screen reader announces an unnamed select or box (WCAG 1.3.1, 4.1.2; issue 17)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs.setdefault("aria-label", str(formfield.label))
        return formfield

    def get_formset(self, request, obj=None, **kwargs):
        base = super().get_formset(request, obj, **kwargs)
        name = f"Delete this {self.verbose_name or self.model._meta.verbose_name}"

        class LabelledFormSet(base):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs.setdefault("aria-label", name)

        return LabelledFormSet


class _EnteredOnEditFormSet(forms.BaseInlineFormSet):
    """Rows a person adds or changes become ``origin="entered"``: re-extraction keeps them."""

    def save_new(self, form, commit=True):
        form.instance.origin = SkillOrigin.ENTERED
        return super().save_new(form, commit)

    def save_existing(self, form, obj, commit=True):
        if form.has_changed():
            obj.origin = SkillOrigin.ENTERED
        return super().save_existing(form, obj, commit)


class VacancySkillInline(RecruiterOnlyEditMixin, LabelledTabularInline):
    model = VacancySkill
    formset = _EnteredOnEditFormSet
    fields = ("skill", "importance", "origin", "mentions")
    readonly_fields = ("origin", "mentions")
    autocomplete_fields = ("skill",)
    extra = 1
    verbose_name = "skill"
    verbose_name_plural = "Skills asked for (required and desirable)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill").order_by("importance", "skill__name")


class VacancyQualificationInline(RecruiterOnlyEditMixin, LabelledTabularInline):
    model = Qualification
    formset = _EnteredOnEditFormSet
    fk_name = "vacancy"
    fields = ("level", "field", "origin", "evidence")
    readonly_fields = ("origin", "evidence")
    extra = 0
    verbose_name_plural = "Qualifications asked for"


class CandidateSkillInline(RecruiterOnlyEditMixin, LabelledTabularInline):
    model = CandidateSkill
    formset = _EnteredOnEditFormSet
    fields = ("skill", "origin", "mentions", "evidence")
    readonly_fields = ("origin", "mentions")
    autocomplete_fields = ("skill",)
    extra = 0
    verbose_name = "skill"
    verbose_name_plural = "Skills"
    classes = ("collapse",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill").order_by("skill__name")


class CandidateQualificationInline(RecruiterOnlyEditMixin, LabelledTabularInline):
    model = Qualification
    formset = _EnteredOnEditFormSet
    fk_name = "candidate"
    fields = ("level", "field", "origin", "evidence")
    readonly_fields = ("origin",)
    extra = 0
    verbose_name_plural = "Qualifications"
    classes = ("collapse",)


class ExperienceInline(admin.TabularInline):
    """Work history is the candidate's own (entered in the portal): shown, never edited by recruiters."""

    model = Experience
    fields = ("title", "organisation", "start_date", "end_date")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Work history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- vacancies ----------------------------------------------------------------------------------------------


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
        return workspace.shortlist_view(self, request, object_id)

    def compare_view(self, request, object_id):
        return workspace.compare_view(self, request, object_id)

    def board_view(self, request, object_id):
        return workspace.board_view(self, request, object_id)

    def action_view(self, request, object_id, action):
        return workspace.vacancy_action_view(self, request, object_id, action)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        vacancy = self.get_object(request, object_id)
        if vacancy is not None:
            histogram = selectors.vacancy_score_histogram(vacancy=vacancy)
            extra_context.update(
                shortlist_url=reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk]),
                board_url=reverse("admin:recruiting_vacancy_board", args=[vacancy.pk]),
                scored_total=histogram["total"],
                histogram=workspace.histogram_svg(histogram),
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


# --- candidates ---------------------------------------------------------------------------------------------


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
        return workspace.cv_download_view(self, request, object_id)

    def note_view(self, request, object_id):
        return workspace.note_add_view(self, request, object_id)

    def merge_view(self, request, object_id, other_id):
        return workspace.merge_view(self, request, object_id, other_id)

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
            row = workspace.score_summary(score, candidate=candidate, bands=bands)
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
            "ws_note_form": workspace.NoteForm(applications=applications),
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


class StageHistoryInline(admin.TabularInline):
    model = ApplicationStageChange
    fields = ("created_at", "from_stage", "to_stage", "actor", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Stage history (who moved it, when, from where, why)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(workspace.BlindReviewAdminMixin, admin.ModelAdmin):
    """Read-only: applications are made by candidates (portal, API) or by sourcing from a shortlist, and move
    on the vacancy's board — both through the services, which keep the history.  Blind review holds on the
    list and the change page (``workspace.BlindReviewAdminMixin``)."""

    list_display = (
        "candidate_display",
        "vacancy",
        "stage",
        "advanced",
        "created_at",
        "updated_at",
        "board_link",
    )
    list_filter = ("stage", "source", "vacancy__status", "created_at")
    search_fields = (
        "candidate__reference",
        "candidate__name",
        "candidate__cv_name",
        "vacancy__title",
        "vacancy__reference",
    )
    readonly_fields = (
        "candidate_display",
        "vacancy",
        "stage",
        "source",
        "advanced",
        "cover_note",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = (StageHistoryInline,)
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            permissions.visible_applications(request.user, super().get_queryset(request))
            .select_related("candidate", "vacancy")
            .defer("candidate__cv_text", "vacancy__description")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def blind_advanced_expr(self):
        return F("advanced")

    @admin.display(description="Candidate", ordering="candidate__reference")
    def candidate_display(self, obj: Application) -> str:
        return self.blind_candidate(obj)

    @admin.display(description="Board")
    def board_link(self, obj: Application) -> str:
        return format_html(
            '<a href="{}">Open board</a>', reverse("admin:recruiting_vacancy_board", args=[obj.vacancy_id])
        )


# --- stage e-mails ------------------------------------------------------------------------------------------


class StageEmailTemplateForm(forms.ModelForm):
    class Meta:
        model = StageEmailTemplate
        fields = ("stage", "subject", "body", "active")

    def clean(self):
        data = super().clean()
        for name in ("subject", "body"):
            if data.get(name):
                try:
                    template_check(data[name])
                except TemplateSyntaxError as exc:
                    self.add_error(name, f"Template error: {exc}")
        return data


@admin.register(StageEmailTemplate)
class StageEmailTemplateAdmin(RecruiterOnlyEditMixin, admin.ModelAdmin):
    form = StageEmailTemplateForm
    list_display = ("stage", "subject", "active")
    list_editable = ("active",)
    ordering = ("stage",)
    readonly_fields = ("variables", "preview")
    fieldsets = (
        (None, {"fields": ("stage", "active", "subject", "body")}),
        ("Help", {"fields": ("variables", "preview")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("stage", *self.readonly_fields) if obj else self.readonly_fields

    def get_changelist_form(self, request, **kwargs):
        """The list's "active" boxes are named after their row ("Active: Interview"): a box under a column
        header has no ``<label>`` (WCAG 4.1.2; issue 17)."""
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if "active" in self.fields and self.instance.pk:
                    self.fields["active"].widget.attrs["aria-label"] = (
                        f"Active: {self.instance.get_stage_display()}"
                    )

        return LabelledForm

    @admin.display(description="Variables you can use")
    def variables(self, obj) -> str:
        return format_html(
            "{}<br><span class='mw-quiet'>Django template syntax, e.g. "
            "<code>{{{{ candidate.name }}}}</code>, <code>{{% if reason %}}…{{% endif %}}</code>. "
            "Values are escaped in the HTML part.</span>",
            ", ".join(TEMPLATE_VARIABLES),
        )

    @admin.display(description="Preview (example candidate)")
    def preview(self, obj) -> str:
        if not obj or not obj.pk:
            return "Save to see a preview."
        context = {
            "candidate": {"name": "Ada Example", "email": "ada@example.com"},
            "vacancy": {"title": "Machine Learning Engineer", "reference": "MLE-1", "location": "London"},
            "application": {
                "stage": obj.stage,
                "stage_label": obj.get_stage_display(),
                "from_stage_label": "Applied",
            },
            "reason": "Strong PyTorch experience",
        }
        try:
            subject, text, _ = stage_email_render(obj, context)
        except Exception as exc:  # noqa: BLE001 - shown to the editor, never sent
            return f"Cannot render: {exc}"
        return format_html('<strong>{}</strong><pre class="mw-cv">{}</pre>', subject, text)


# --- audit log ----------------------------------------------------------------------------------------------
AUDIT_IDS_SHOWN = 10


def audit_detail_text(detail) -> str:
    """An audit entry's ``detail`` in words, keys in alphabetical order (PostgreSQL's jsonb keeps no insertion
    order, so the same entry reads the same on every database): ``blind: no · candidate ids: 4, 9, 12 · format:
    csv · rows: 3``; lists longer than ``AUDIT_IDS_SHOWN`` end with "+N more"; "—" when empty."""
    if not isinstance(detail, dict):
        return "—" if detail in (None, "", [], {}) else str(detail)
    parts = []
    for key, value in sorted(detail.items(), key=lambda item: str(item[0])):
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value[:AUDIT_IDS_SHOWN])
            more = len(value) - AUDIT_IDS_SHOWN
            value = shown + (f" +{more} more" if more > 0 else "") if value else "none"
        elif isinstance(value, dict):
            value = audit_detail_text(value)
        parts.append(f"{str(key).replace('_', ' ')}: {value}")
    return " · ".join(parts) or "—"


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read-only, superusers only."""

    list_display = ("created_at", "actor", "action", "object_type", "object_id", "detail_text")
    list_filter = ("action", "object_type", "created_at")
    search_fields = ("object_id", "actor__username", "action")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)

    @admin.display(description="Detail")
    def detail_text(self, obj: AuditLogEntry) -> str:
        return audit_detail_text(obj.detail)

    def has_module_permission(self, request):
        return permissions.can_read_audit_log(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_read_audit_log(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
