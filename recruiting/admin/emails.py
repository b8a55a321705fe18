"""The e-mail templates sent to a candidate when their application moves to a stage."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.template import TemplateSyntaxError
from django.utils.html import format_html

from recruiting.admin.site import RecruiterOnlyEditMixin
from recruiting.models import (
    StageEmailTemplate,
)
from recruiting.notifications import TEMPLATE_VARIABLES, stage_email_render, template_check


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
