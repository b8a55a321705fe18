"""Writes to the recruiting domain.  Every entry point (commands, admin, portal, API, tasks) calls these.

Each service refreshes the extracted profile (skills, qualifications) of what it saved and enqueues its
rescoring once the surrounding transaction commits, so a worker never reads uncommitted rows.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from matching import enqueue as matching_enqueue
from matching import profiles as matching_profiles
from matching.extraction import (
    extract_employment_type,
    extract_remote,
    extract_salaries,
    extract_seniority,
    repair_text,
)
from matching.models import MatchScore
from matching.scoring import ComponentWeights
from recruiting import events, permissions
from recruiting.models import Application, ApplicationStageChange, AuditLogEntry, Candidate, Note, Vacancy


def _vacancy_terms_from_text(description: str) -> dict:
    """Seniority, employment type, remote option and salary read from a vacancy's text."""
    terms: dict = {
        "seniority": extract_seniority(description),
        "employment_type": extract_employment_type(description),
        "remote": extract_remote(description),
    }
    salaries = extract_salaries(description)
    yearly = [s for s in salaries if s.period == "year"]
    daily = [s for s in salaries if s.period == "day"]
    if yearly:
        currency = yearly[0].currency
        same = [s for s in yearly if s.currency == currency]
        lows = [s.minimum for s in same]
        highs = [s.maximum or s.minimum for s in same]
        terms.update(salary_min=min(lows), salary_max=max(highs), salary_currency=currency)
    if daily:
        currency = daily[0].currency
        same = [s for s in daily if s.currency == currency]
        # The day rate keeps its own currency: a text may quote a salary in dollars and a day rate in pounds.
        terms.update(
            day_rate_min=min(s.minimum for s in same),
            day_rate_max=max(s.maximum or s.minimum for s in same),
            day_rate_currency=currency,
        )
        terms.setdefault("salary_currency", currency)
    return terms


#: The vacancy fields an import writes (``vacancy_import_fields``): what a failed import run restores.
VACANCY_IMPORT_FIELDS = (
    "title",
    "description",
    "status",
    "seniority",
    "employment_type",
    "remote",
    "salary_min",
    "salary_max",
    "salary_currency",
    "day_rate_min",
    "day_rate_max",
    "day_rate_currency",
)
#: The candidate fields an import writes (``candidate_import_fields``).
CANDIDATE_IMPORT_FIELDS = ("cv_text", "source_label", "name", "email")


def vacancy_import_fields(
    *, reference: str, title: str, description: str, status: str, repaired: bool = False
) -> dict:
    """The fields ``vacancy_upsert`` (and a bulk import's chunk) store for a vacancy text: the repaired text, the
    title (≤ 300 characters; the reference when empty), ``status`` and the terms read from the text (a term the
    text does not state is left out, so a stored value stays).  ``repaired``: the text was repaired already (an
    importer's reading does it), so ftfy is not run twice.  Raises ``ValueError`` when the text is empty."""
    description = (description if repaired else repair_text(description)).strip()
    if not description:
        raise ValueError("the vacancy text is empty")
    fields = {"title": title.strip()[:300] or reference, "description": description, "status": status}
    fields.update(_vacancy_terms_from_text(description))
    return fields


def candidate_import_fields(
    *, cv_text: str, name: str = "", email: str = "", source_label: str = "", repaired: bool = False
) -> dict:
    """The fields ``candidate_upsert`` (and a bulk import's chunk) store for a CV: the repaired text, the label
    (≤ 200 characters) and the name and e-mail when given (an empty one leaves the stored value).  ``repaired``:
    the text was repaired already (an importer's reading does it), so ftfy is not run twice.  Raises
    ``ValueError`` when the CV text is empty."""
    cv_text = (cv_text if repaired else repair_text(cv_text)).strip()
    if not cv_text:
        raise ValueError("the CV text is empty")
    fields = {"cv_text": cv_text, "source_label": source_label.strip()[:200]}
    if name:
        fields["name"] = name.strip()[:200]
    if email:
        fields["email"] = email.strip()
    return fields


@transaction.atomic
def vacancy_upsert(
    *, source: str, reference: str, title: str, description: str, status: str = Vacancy.Status.OPEN
) -> tuple[Vacancy, bool]:
    """Create or update the vacancy ``(source, reference)`` from its text.

    Returns ``(vacancy, created)``.  Terms (seniority, salary, …) and the extracted skills and
    qualifications are read from ``description``; links a recruiter entered are kept.  Rescoring of the
    vacancy is enqueued after commit.  Raises ``ValueError`` when ``description`` is empty.
    """
    defaults = vacancy_import_fields(reference=reference, title=title, description=description, status=status)
    vacancy, created = Vacancy.objects.update_or_create(source=source, reference=reference, defaults=defaults)
    if created or not vacancy.requirements_edited:
        # A recruiter's edits to the requirements survive a re-import: only an explicit re-extract replaces them.
        matching_profiles.vacancy_refresh_profile(vacancy=vacancy)
    else:
        matching_profiles.vacancy_terms_refresh(vacancy=vacancy)
    matching_enqueue.enqueue_vacancy_scoring(vacancy_id=vacancy.id)
    return vacancy, created


@transaction.atomic
def candidate_upsert(
    *,
    source: str,
    reference: str,
    cv_text: str,
    name: str = "",
    email: str = "",
    source_label: str = "",
    cv_file: File | None = None,
) -> tuple[Candidate, bool]:
    """Create or update the candidate ``(source, reference)`` with a CV text.

    Returns ``(candidate, created)``.  The text is repaired (ftfy); skills and qualifications are
    extracted; rescoring is enqueued after commit.  Raises ``ValueError`` when the CV text is empty.
    """
    defaults = candidate_import_fields(cv_text=cv_text, name=name, email=email, source_label=source_label)
    candidate, created = Candidate.objects.update_or_create(
        source=source, reference=reference, defaults=defaults
    )
    if cv_file is not None:
        candidate.cv_file.save(cv_file.name, cv_file, save=True)
    matching_profiles.candidate_refresh_profile(candidate=candidate)
    matching_enqueue.enqueue_candidate_scoring(candidate_id=candidate.id)
    return candidate, created


#: Fields a candidate edits on their own profile (portal and API).
CANDIDATE_PROFILE_FIELDS = (
    "name",
    "headline",
    "location",
    "open_to_remote",
    "open_to_relocation",
    "salary_expectation",
    "salary_currency",
)


@transaction.atomic
def candidate_profile_update(*, candidate: Candidate, cv_text: str | None = None, **fields) -> Candidate:
    """A candidate updates their own profile fields (``CANDIDATE_PROFILE_FIELDS``; strings are stripped, the salary
    currency upper-cased) and, optionally, their CV text (skills and qualifications are then extracted again).
    The candidate is rescored after commit.  Raises ``TypeError`` on a field that is not a profile field.
    Used by the portal's profile page and the API's ``PATCH /me/``."""
    unknown = set(fields) - set(CANDIDATE_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(candidate, name, value.strip() if isinstance(value, str) else value)
    candidate.salary_currency = (candidate.salary_currency or "").upper()
    candidate.save(update_fields=[*dict.fromkeys([*fields, "salary_currency", "updated_at"])])
    if cv_text is not None and cv_text.strip() != candidate.cv_text:
        candidate, _ = candidate_upsert(
            source=candidate.source,
            reference=candidate.reference,
            cv_text=cv_text,
            source_label=candidate.source_label,
        )
    else:
        matching_enqueue.enqueue_candidate_scoring(candidate_id=candidate.pk)
    return candidate


# --- vacancies: publishing ----------------------------------------------------------------------------------
@transaction.atomic
def vacancy_publish(*, vacancy: Vacancy, actor=None) -> Vacancy:
    """Open a vacancy to candidates and announce ``vacancy.published``.  Publishing an open vacancy is a no-op."""
    if vacancy.status == Vacancy.Status.OPEN and vacancy.published_at:
        return vacancy
    vacancy.status = Vacancy.Status.OPEN
    vacancy.published_at = vacancy.published_at or timezone.now()
    vacancy.save(update_fields=["status", "published_at", "updated_at"])
    matching_enqueue.enqueue_vacancy_scoring(vacancy_id=vacancy.id)
    events.emit(
        "vacancy.published",
        {"vacancy_id": vacancy.id, "reference": vacancy.reference, "title": vacancy.title},
    )
    return vacancy


# --- vacancies: a recruiter's edits --------------------------------------------------------------------------
#: What a recruiter edits on a vacancy (the workspace's form, the API's PATCH).
VACANCY_EDIT_FIELDS = (
    "title",
    "reference",
    "source",
    "description",
    "seniority",
    "employment_type",
    "location",
    "remote",
    "salary_min",
    "salary_max",
    "salary_currency",
    "day_rate_min",
    "day_rate_max",
    "day_rate_currency",
    "min_qualification_level",
    "min_years_experience",
)
#: The requirement fields: a recruiter's change to one of them (or to the weights, or to the skill and
#: qualification rows) is kept when the vacancy is re-imported (``Vacancy.requirements_edited``).
VACANCY_REQUIREMENT_FIELDS = ("min_qualification_level", "min_years_experience")


def vacancy_weights_check(weights: dict) -> dict[str, float]:
    """A vacancy's component weights as stored (name → float; missing components keep their defaults).  Raises
    ``ValueError`` on an unknown component, a negative or non-numeric weight, or all weights 0
    (``matching.scoring.ComponentWeights.from_mapping``)."""
    ComponentWeights.from_mapping(weights)
    return {name: float(value) for name, value in weights.items()}


def vacancy_rescore(*, vacancy: Vacancy) -> None:
    """Mark ``vacancy``'s stored scores stale and enqueue its rescoring once the transaction commits."""
    MatchScore.objects.filter(vacancy=vacancy, stale=False).update(stale=True)
    matching_enqueue.enqueue_vacancy_scoring(vacancy_id=vacancy.pk)


@transaction.atomic
def vacancy_update(
    *,
    vacancy: Vacancy,
    actor,
    fields: dict | None = None,
    weights: dict | None = None,
    links_changed: bool = False,
) -> Vacancy:
    """A recruiter edits ``vacancy``: the one path of the workspace's form and the API's PATCH.

    ``fields`` maps names in ``VACANCY_EDIT_FIELDS`` to new values (unchanged ones may be passed too);
    ``weights`` replaces the component weights (a partial mapping: missing components keep their defaults;
    None leaves them alone); ``links_changed`` says the caller changed the vacancy's skill or qualification rows
    itself (the workspace's inline rows).  Then:

    - a changed description is read again: its extracted skills and qualifications follow it (rows a person
      entered are kept), and the terms (seniority, salary, …) that ``fields`` does not set follow the text;
    - a change to a requirement (``VACANCY_REQUIREMENT_FIELDS``, the weights or the rows) marks the
      requirements as edited by a person, so a re-import keeps them;
    - any change marks the vacancy's scores stale, enqueues its rescoring and is written to the audit log
      (``vacancy_update``, with the names of the changed fields).

    Nothing changed: nothing is written.  Raises ``PermissionDenied`` when ``actor`` may not edit vacancies
    (recruiters only), ``ValueError`` on an unknown field, bad weights or an empty description.
    """
    if not permissions.can_edit_vacancy(actor):
        raise PermissionDenied("Only recruiters edit vacancies.")
    fields = dict(fields or {})
    unknown = set(fields) - set(VACANCY_EDIT_FIELDS)
    if unknown:
        raise ValueError(f"not vacancy fields: {', '.join(sorted(unknown))}")
    if "description" in fields:
        fields["description"] = repair_text(fields["description"] or "").strip()
        if not fields["description"]:
            raise ValueError("the vacancy text is empty")
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()[:300] or vacancy.reference
    if weights is not None:
        weights = vacancy_weights_check(weights)

    stored = Vacancy.objects.select_for_update().get(pk=vacancy.pk)
    changed = [name for name, value in fields.items() if getattr(stored, name) != value]
    if "description" in changed:
        for name, value in _vacancy_terms_from_text(fields["description"]).items():
            if name not in fields and getattr(stored, name) != value:
                fields[name] = value
                changed.append(name)
    weights_changed = weights is not None and weights != (stored.weights or {})
    if not (changed or weights_changed or links_changed):
        return vacancy

    update = [*changed]
    for name in changed:
        setattr(vacancy, name, fields[name])
    if weights_changed:
        vacancy.weights = weights
        update.append("weights")
    if weights_changed or links_changed or set(changed) & set(VACANCY_REQUIREMENT_FIELDS):
        vacancy.requirements_edited = True
        update.append("requirements_edited")
    vacancy.save(update_fields=[*update, "updated_at"])
    if "description" in changed:
        matching_profiles.vacancy_refresh_profile(vacancy=vacancy)
    vacancy_rescore(vacancy=vacancy)
    audit_log(
        actor=actor,
        action="vacancy_update",
        obj=vacancy,
        detail={
            "fields": sorted([*changed, *(["weights"] if weights_changed else [])]),
            "rows": links_changed,
        },
    )
    return vacancy


@transaction.atomic
def vacancy_close(*, vacancy: Vacancy, actor=None) -> Vacancy:
    """Close a vacancy: it leaves the portal and gets no new applications or scores."""
    vacancy.status = Vacancy.Status.CLOSED
    vacancy.save(update_fields=["status", "updated_at"])
    return vacancy


# --- applications and the pipeline ---------------------------------------------------------------------------
class ApplicationError(ValueError):
    """A change to an application that is not allowed; the message is fit to show the user."""


TERMINAL_STAGES = {Application.Stage.HIRED, Application.Stage.REJECTED, Application.Stage.WITHDRAWN}
PIPELINE_ORDER = [
    Application.Stage.APPLIED,
    Application.Stage.SCREENING,
    Application.Stage.INTERVIEW,
    Application.Stage.OFFER,
    Application.Stage.HIRED,
]


def _application_payload(application: Application) -> dict:
    return {
        "application_id": application.id,
        "candidate_id": application.candidate_id,
        "vacancy_id": application.vacancy_id,
        "stage": application.stage,
    }


@transaction.atomic
def application_create(
    *,
    candidate: Candidate,
    vacancy: Vacancy,
    cover_note: str = "",
    actor=None,
    source: str = Application.Source.IMPORT,
) -> Application:
    """Apply ``candidate`` to an open ``vacancy``.  One application per pair.  The candidate gets the "applied"
    e-mail (``recruiting.notifications``) unless a recruiter sourced them (``source`` "sourced").

    ``source`` (``Application.Source``) says how it came about: the portal, the API, a recruiter sourcing the
    candidate, or an import or script (the default); a re-opened application keeps its first source.
    Raises ``ApplicationError`` when the vacancy is not open or the candidate already applied (a withdrawn
    application may be re-opened by applying again), ``ValueError`` for an unknown ``source``.
    """
    if source not in Application.Source.values:
        raise ValueError(f"unknown application source {source!r}")
    vacancy = Vacancy.objects.select_for_update().get(pk=vacancy.pk)
    if vacancy.status != Vacancy.Status.OPEN:
        raise ApplicationError("This vacancy is not open for applications.")
    existing = Application.objects.select_for_update().filter(candidate=candidate, vacancy=vacancy).first()
    if existing and existing.stage != Application.Stage.WITHDRAWN:
        raise ApplicationError("You have already applied for this vacancy.")
    if existing:
        return application_move(
            application=existing, to_stage=Application.Stage.APPLIED, actor=actor, reason="applied again"
        )
    application = Application.objects.create(
        candidate=candidate, vacancy=vacancy, cover_note=cover_note.strip(), source=source
    )
    ApplicationStageChange.objects.create(
        application=application, from_stage="", to_stage=application.stage, actor=actor, reason="applied"
    )
    matching_enqueue.enqueue_candidate_scoring(candidate_id=candidate.id)
    events.emit("application.created", _application_payload(application))
    return application


@transaction.atomic
def application_move(*, application: Application, to_stage: str, actor=None, reason: str = "") -> Application:
    """Move an application to ``to_stage``, record who, when, from where and why, e-mail the candidate and
    announce ``application.stage_changed``.

    Raises ``ApplicationError`` for an unknown stage, a move to the stage it is already at, or a move out of
    hired.  Moving to ``rejected`` needs a reason.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    if to_stage not in Application.Stage.values:
        raise ApplicationError(f"Unknown pipeline stage {to_stage!r}.")
    if to_stage == application.stage:
        raise ApplicationError(f"The application is already at {application.get_stage_display().lower()}.")
    if application.stage == Application.Stage.HIRED:
        raise ApplicationError("A hired candidate's application cannot move.")
    if to_stage == Application.Stage.REJECTED and not reason.strip():
        raise ApplicationError("Give a reason for the rejection.")
    from_stage = application.stage
    application.stage = to_stage
    fields = ["stage", "updated_at"]
    if to_stage not in (Application.Stage.APPLIED, Application.Stage.REJECTED, Application.Stage.WITHDRAWN):
        application.revealed = True
        fields.append("revealed")
    application.save(update_fields=fields)
    ApplicationStageChange.objects.create(
        application=application, from_stage=from_stage, to_stage=to_stage, actor=actor, reason=reason.strip()
    )
    if actor is not None and to_stage != Application.Stage.WITHDRAWN:
        audit_log(
            actor=actor, action="stage_change", obj=application, detail={"from": from_stage, "to": to_stage}
        )
    events.emit(
        "application.stage_changed",
        {**_application_payload(application), "from_stage": from_stage, "reason": reason.strip()},
    )
    return application


def application_withdraw(*, application: Application, actor=None) -> Application:
    """The candidate withdraws.  Raises ``ApplicationError`` when it is already withdrawn or hired."""
    return application_move(
        application=application,
        to_stage=Application.Stage.WITHDRAWN,
        actor=actor,
        reason="withdrawn by the candidate",
    )


@transaction.atomic
def shortlist_reject(*, vacancy: Vacancy, candidate: Candidate, actor, reason: str) -> Application:
    """Reject ``candidate``'s application to ``vacancy`` from the shortlist, with ``reason`` (the candidate may
    see it).  Recorded as a stage change by ``actor`` and written to the audit log (``application_move``).

    Raises ``PermissionDenied`` when ``actor`` may not move applications (recruiters only), and
    ``ApplicationError`` when the candidate has not applied, the reason is empty or the application cannot move.
    """
    if not permissions.can_move_applications(actor):
        raise PermissionDenied("Only recruiters move applications.")
    application = Application.objects.filter(vacancy=vacancy, candidate=candidate).first()
    if application is None:
        raise ApplicationError("has not applied, so there is nothing to reject")
    return application_move(
        application=application, to_stage=Application.Stage.REJECTED, actor=actor, reason=reason
    )


# --- workspace writes: notes and the shortlist's advance -------------------------------------------------
def note_add(*, candidate: Candidate, author, body: str, application: Application | None = None) -> Note:
    """Add a note on ``candidate`` (optionally about one of its applications).  Raises ``PermissionDenied`` when
    ``author`` may not add notes (``permissions.can_add_note``), ``ValueError`` when the body is empty or the
    application belongs to someone else."""
    if not permissions.can_add_note(author):
        raise PermissionDenied("Only recruiters and hiring managers add notes.")
    body = body.strip()
    if not body:
        raise ValueError("A note needs some text.")
    if application is not None and application.candidate_id != candidate.pk:
        raise ValueError("That application belongs to another candidate.")
    return Note.objects.create(candidate=candidate, application=application, author=author, body=body)


def next_stage(stage: str) -> str | None:
    """The pipeline stage after ``stage`` (None at hired, rejected or withdrawn)."""
    if stage not in PIPELINE_ORDER:
        return None
    index = PIPELINE_ORDER.index(stage)
    return PIPELINE_ORDER[index + 1] if index + 1 < len(PIPELINE_ORDER) else None


@transaction.atomic
def shortlist_advance(*, vacancy: Vacancy, candidate: Candidate, actor, reason: str = "") -> Application:
    """Advance ``candidate`` one pipeline stage on ``vacancy``.

    A candidate who has not applied is *sourced*: an application is created for them and moved straight to
    screening, with the recruiter as actor and "sourced from the shortlist" as reason.  Raises
    ``PermissionDenied`` when ``actor`` may not move applications (recruiters only), ``ApplicationError`` when
    there is no next stage (hired, rejected, withdrawn) or the vacancy is not open.
    """
    if not permissions.can_move_applications(actor):
        raise PermissionDenied("Only recruiters move applications.")
    application = Application.objects.filter(vacancy=vacancy, candidate=candidate).first()
    if application is None:
        application = application_create(
            candidate=candidate, vacancy=vacancy, actor=actor, source=Application.Source.SOURCED
        )
        why = "sourced from the shortlist" + (f": {reason.strip()}" if reason.strip() else "")
        return application_move(
            application=application, to_stage=Application.Stage.SCREENING, actor=actor, reason=why
        )
    target = next_stage(application.stage)
    if target is None:
        raise ApplicationError(
            f"is at {Application.Stage(application.stage).label.lower()}; there is no next stage"
        )
    return application_move(
        application=application,
        to_stage=target,
        actor=actor,
        reason=reason.strip() or "advanced from the shortlist",
    )


# --- audit ------------------------------------------------------------------------------------------------------
def audit_log(*, actor, action: str, obj, detail: dict | None = None) -> AuditLogEntry:
    """Record a recruiter action on candidate data (``view_cv``, ``export``, ``stage_change`` …)."""
    return AuditLogEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        detail=detail or {},
    )
