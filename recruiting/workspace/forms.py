"""The workspace's forms: the shortlist's filters and bulk actions, and a note on a candidate."""

from __future__ import annotations

from django import forms

from matching.models import MatchScore
from recruiting.models import Application

SHORTLIST_DEFAULT_LIMIT = 50
SHORTLIST_MAX_LIMIT = 500


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


class NoteForm(forms.Form):
    body = forms.CharField(label="Note", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    application = forms.TypedChoiceField(label="About", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", "The candidate in general")] + [
            (a.pk, f"{a.vacancy.title} ({a.get_stage_display().lower()})") for a in applications
        ]
