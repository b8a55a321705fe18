"""Forms of the candidate portal.  They validate input; the writes are in ``portal.services``."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from portal import services
from recruiting.documents import DOCUMENT_CONTENT_TYPES, DOCUMENT_EXTENSIONS
from recruiting.models import DegreeLevel, EmploymentType, RemoteOption, Seniority

CURRENCIES = [
    ("GBP", "GBP (£)"),
    ("EUR", "EUR (€)"),
    ("USD", "USD ($)"),
    ("CHF", "CHF"),
    ("SEK", "SEK"),
    ("NOK", "NOK"),
    ("DKK", "DKK"),
    ("PLN", "PLN"),
    ("CAD", "CAD"),
    ("AUD", "AUD"),
    ("INR", "INR"),
]


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with the consent to the processing of personal data, recorded with its date."""

    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": "We can only create your account with your consent to process your data."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = format_html(
            "I agree that MatchWork processes my personal data (my profile and CV) to match me with vacancies, "
            'as described in the <a href="{}">privacy notice</a>.',
            reverse("portal:privacy"),
        )
        self.fields["email"].help_text = "We send a link to this address to confirm it is yours."
        self.fields["consent"] = self.fields.pop("consent")  # last, just above the button

    def save(self, request):
        user = super().save(request)
        services.candidate_create_for_user(user=user, consent_given_at=timezone.now())
        return user


class ConsentForm(forms.Form):
    """Consent for an existing account without a candidate profile (e.g. made before the portal)."""

    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": "We can only create your profile with your consent to process your data."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = format_html(
            "I agree that MatchWork processes my personal data (my profile and CV) to match me with vacancies, "
            'as described in the <a href="{}">privacy notice</a>.',
            reverse("portal:privacy"),
        )


class ProfileForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        required=False,
        label="Full name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    headline = forms.CharField(
        max_length=200,
        required=False,
        label="Headline",
        help_text="One line about you, e.g. “ML engineer, recommender systems”.",
    )
    location = forms.CharField(
        max_length=200,
        required=False,
        label="Location",
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    open_to_remote = forms.BooleanField(required=False, label="Open to remote work")
    open_to_relocation = forms.BooleanField(required=False, label="Open to relocation")
    salary_expectation = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        label="Salary expectation (per year)",
        widget=forms.NumberInput(attrs={"step": "1000", "inputmode": "numeric"}),
    )
    salary_currency = forms.ChoiceField(choices=[("", "—"), *CURRENCIES], required=False, label="Currency")

    def clean(self):
        data = super().clean()
        if data.get("salary_expectation") is not None and not data.get("salary_currency"):
            self.add_error("salary_currency", "Choose the currency of your salary expectation.")
        return data


class SkillAddForm(forms.Form):
    skills = forms.CharField(
        max_length=500,
        label="Add skills",
        help_text="Start typing for suggestions; separate several skills with commas.",
        widget=forms.TextInput(attrs={"list": "skill-vocabulary", "autocomplete": "off"}),
    )

    def clean_skills(self):
        names = services.split_skill_names(self.cleaned_data["skills"])
        if not names:
            raise forms.ValidationError("Enter a skill.")
        found, unknown = services.skills_resolve(names)
        if unknown:
            raise forms.ValidationError(
                f"Not in our skill list: {', '.join(unknown)}. Pick a suggestion, or try another name for it."
            )
        return [skill.name for skill in found]


class QualificationForm(forms.Form):
    level = forms.TypedChoiceField(choices=[("", "Choose…"), *DegreeLevel.choices], coerce=int, label="Level")
    field = forms.CharField(
        max_length=200, required=False, label="Field of study", help_text="e.g. computer science"
    )


class DateInput(forms.DateInput):
    input_type = "date"


class ExperienceForm(forms.Form):
    title = forms.CharField(max_length=200, label="Job title")
    organisation = forms.CharField(max_length=200, required=False, label="Organisation")
    start_date = forms.DateField(label="Started", widget=DateInput())
    end_date = forms.DateField(
        required=False, label="Ended", help_text="Leave empty if you work there now.", widget=DateInput()
    )
    description = forms.CharField(
        required=False, label="What you did", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        today = timezone.now().date()
        if start and start > today:
            self.add_error("start_date", "The start date is in the future.")
        if start and end and end < start:
            self.add_error("end_date", "The end date is before the start date.")
        return data


class CvUploadForm(forms.Form):
    cv = forms.FileField(
        label="CV file",
        help_text="PDF, Word (DOCX) or plain text (TXT, Markdown), at most 5 MB.",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ",".join(
                    [
                        *sorted(DOCUMENT_EXTENSIONS),
                        *sorted({t.split(";")[0] for t in DOCUMENT_CONTENT_TYPES.values()}),
                    ]
                )
            }
        ),
        error_messages={
            "required": "Choose a CV file to upload.",
            "empty": "This file is empty; choose the file that holds your CV.",
            "invalid": "No file was received; try again.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.CV_MAX_UPLOAD_BYTES
        self.fields["cv"].help_text = f"PDF, Word (DOCX) or plain text, at most {limit // (1024 * 1024)} MB."

    def clean_cv(self):
        """Refuse a file over the limit before reading it; its content is checked by ``cv_pending_create``."""
        upload = self.cleaned_data["cv"]
        limit = settings.CV_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is {upload.size / (1024 * 1024):.1f} MB; the largest CV we accept is "
                f"{limit // (1024 * 1024)} MB."
            )
        return upload


class CvConfirmForm(forms.Form):
    """The skills and degrees found in a pending CV, to keep or uncheck, and skills to add."""

    token = forms.CharField(widget=forms.HiddenInput)
    skills = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Skills found in your CV"
    )
    qualifications = forms.TypedMultipleChoiceField(
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Qualifications found in your CV",
    )
    added_skills = forms.CharField(
        required=False,
        max_length=500,
        label="Add skills we missed",
        help_text="Start typing for suggestions; separate several skills with commas.",
        widget=forms.TextInput(attrs={"list": "skill-vocabulary", "autocomplete": "off"}),
    )

    def __init__(self, *args, findings: services.CvFindings, **kwargs):
        super().__init__(*args, **kwargs)
        self.findings = findings
        self.fields["skills"].choices = [(name, name) for name in sorted(findings.skills, key=str.lower)]
        self.fields["qualifications"].choices = [
            (i, f"{DegreeLevel(q.level).label}{f' in {q.field}' if q.field else ''}")
            for i, q in enumerate(findings.qualifications)
        ]
        if not self.is_bound:
            self.initial.setdefault("skills", list(findings.skills))
            self.initial.setdefault("qualifications", list(range(len(findings.qualifications))))

    def clean_added_skills(self):
        names = services.split_skill_names(self.cleaned_data.get("added_skills", ""))
        _, unknown = services.skills_resolve(names)
        if unknown:
            raise forms.ValidationError(
                f"Not in our skill list: {', '.join(unknown)}. Pick a suggestion, or try another name for it."
            )
        return names


class ApplyForm(forms.Form):
    cover_note = forms.CharField(
        required=False,
        max_length=5000,
        label="Cover note",
        help_text="A few lines for the recruiter: why this role, and when you could start.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


# Choices for the vacancy filters (shared with portal.filters).
SENIORITY_CHOICES = [c for c in Seniority.choices if c[0]]
REMOTE_CHOICES = [c for c in RemoteOption.choices if c[0]]
EMPLOYMENT_CHOICES = [c for c in EmploymentType.choices if c[0]]
