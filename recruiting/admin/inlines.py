"""The rows edited inside a vacancy's or candidate's page: skills, qualifications, work history.  Rows a person
adds or changes become ``origin="entered"``, which re-extraction keeps."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from recruiting.admin.site import RecruiterOnlyEditMixin
from recruiting.models import (
    CandidateSkill,
    Experience,
    Qualification,
    SkillOrigin,
    VacancySkill,
)


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
