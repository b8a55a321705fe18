"""A candidate's privacy rights in the portal: the export of everything held about them (GDPR art. 15/20) and the
erasure of their account (art. 17).  CV text and e-mail addresses never reach a log line or an exception message.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from matching.models import MatchScore
from matching.services import match_scores_explain
from portal.services import ProfileError
from recruiting.models import (
    Application,
    Candidate,
)
from recruiting.permissions import candidate_match_scores


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def candidate_data_export(*, user) -> dict:
    """Everything we hold about ``user`` as candidate: account, profile, CV text, skills, qualifications,
    experience, applications with their stage history, and match scores with their explanations — for the
    vacancies the candidate may see (``recruiting.permissions.candidate_match_scores``: no draft's title)."""
    from allauth.account.models import EmailAddress

    data: dict = {
        "format": "matchwork-candidate-export/1",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
    }
    candidate = (
        Candidate.objects.filter(user=user)
        .prefetch_related("skill_links__skill", "qualifications", "experiences")
        .first()
    )
    if candidate is None:
        data["profile"] = None
        return data
    data["profile"] = {
        "name": candidate.name,
        "name_read_from_cv": candidate.cv_name,
        "display_name": candidate.display_name,
        "email": candidate.email,
        "headline": candidate.headline,
        "location": candidate.location,
        "open_to_remote": candidate.open_to_remote,
        "open_to_relocation": candidate.open_to_relocation,
        "salary_expectation": str(candidate.salary_expectation)
        if candidate.salary_expectation is not None
        else None,
        "salary_currency": candidate.salary_currency,
        "years_experience": candidate.years_experience,
        "self_reported_group": candidate.self_reported_group,
        "consent_given_at": _iso(candidate.consent_given_at),
        "created_at": _iso(candidate.created_at),
        "updated_at": _iso(candidate.updated_at),
        "cv_file": {"stored": bool(candidate.cv_file), "sha256": candidate.cv_sha256},
    }
    data["cv_text"] = candidate.cv_text
    data["skills"] = [
        {
            "skill": link.skill.name,
            "category": link.skill.category,
            "origin": link.origin,
            "mentions": link.mentions,
            "evidence": link.evidence,
        }
        for link in sorted(candidate.skill_links.all(), key=lambda ln: ln.skill.name.lower())
    ]
    data["qualifications"] = [
        {
            "level": q.level,
            "level_label": q.get_level_display(),
            "field": q.field,
            "origin": q.origin,
            "evidence": q.evidence,
        }
        for q in candidate.qualifications.all()
    ]
    data["experience"] = [
        {
            "title": e.title,
            "organisation": e.organisation,
            "start_date": _iso(e.start_date),
            "end_date": _iso(e.end_date),
            "description": e.description,
        }
        for e in candidate.experiences.all()
    ]
    applications = (
        Application.objects.filter(candidate=candidate)
        .select_related("vacancy")
        .prefetch_related("stage_changes")
        .order_by("created_at", "pk")
    )
    data["applications"] = [
        {
            "vacancy": {"id": a.vacancy_id, "title": a.vacancy.title, "reference": a.vacancy.reference},
            "stage": a.stage,
            "cover_note": a.cover_note,
            "created_at": _iso(a.created_at),
            "updated_at": _iso(a.updated_at),
            "history": [
                {"from_stage": c.from_stage, "to_stage": c.to_stage, "at": _iso(c.created_at)}
                for c in a.stage_changes.all()
            ],
        }
        for a in applications
    ]
    data["match_scores"] = [
        {
            "vacancy": {"id": s.vacancy_id, "title": s.vacancy.title},
            "state": s.state,
            "score": s.score,
            "computed_at": _iso(s.computed_at),
            "matched_skills": s.matched_skills,
            "missing_skills": s.missing_skills,
            "explanation": s.explanation,
            "engine_version": s.engine_version,
        }
        for s in match_scores_explain(
            list(
                candidate_match_scores(candidate, MatchScore.objects.all())
                .select_related("vacancy")
                .order_by("vacancy__title", "vacancy_id")
            )
        )
    ]
    return data


@transaction.atomic
def candidate_account_delete(*, user) -> None:
    """Erase ``user`` and their personal data.

    The candidate is deleted with its skills, qualifications, experience, match scores and recruiters' notes
    (cascades), and its CV file is removed from storage after commit.  Applications stay, with
    ``candidate=NULL`` and no cover note, as anonymous statistics.  Then the user account is deleted.
    """
    if user.is_staff or user.is_superuser:
        raise ProfileError("Staff accounts are removed by an administrator, not from the portal.")
    candidate = Candidate.objects.filter(user=user).first()
    if candidate is not None:
        cv_path = candidate.cv_file.name if candidate.cv_file else ""
        Application.objects.filter(candidate=candidate).update(cover_note="")
        candidate.delete()
        if cv_path:
            transaction.on_commit(lambda: default_storage.delete(cv_path))
    user.delete()
