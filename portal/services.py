"""Writes of the candidate portal: a candidate's own profile, CV, skills, qualifications and experience, the
pending CV upload between "parse" and "confirm".  The data export and the erasure of an account are in
``portal.privacy``.

Every write that changes what the engine scores (CV, skills, qualifications, experience, salary …) touches
``Candidate.updated_at`` and enqueues the candidate's rescoring after commit; the pages show "scoring…" until a
score newer than ``updated_at`` is stored (see ``portal.selectors.candidate_scoring_pending``).

CV text and e-mail addresses are personal data: they never reach a log line or an exception message.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from matching import enqueue as matching_enqueue
from matching import vocabulary_store
from matching.evidence import LEVEL_WEIGHTS
from matching.extraction import extract_qualifications, extract_years_experience
from matching.models import Skill
from recruiting.documents import (
    DOCUMENT_TYPES_TEXT,
    DocumentError,
    display_name,
    has_document_extension,
    read_document,
)
from recruiting.models import (
    Candidate,
    CandidateSkill,
    DegreeLevel,
    Experience,
    Qualification,
    SkillOrigin,
)
from recruiting.names import name_from_cv

PORTAL_SOURCE = "portal"
PENDING_CV_DIR = "cv-pending"


class ProfileError(ValueError):
    """A change to a profile that is not allowed; the message is fit to show the candidate."""


# --- the candidate behind an account ---------------------------------------------------------------------
def candidate_reference(user) -> str:
    return f"user-{user.pk}"


@transaction.atomic
def candidate_create_for_user(*, user, consent_given_at=None) -> Candidate:
    """The candidate linked to ``user`` (``source="portal"``, ``reference="user-<id>"``), created with the
    date the user consented to the processing of their personal data.  Idempotent."""
    candidate, created = Candidate.objects.get_or_create(
        source=PORTAL_SOURCE,
        reference=candidate_reference(user),
        defaults={
            "user": user,
            "email": user.email or "",
            "consent_given_at": consent_given_at or timezone.now(),
        },
    )
    if not created and candidate.user_id != user.pk:
        candidate.user = user
        candidate.save(update_fields=["user", "updated_at"])
    return candidate


def candidate_email_sync(*, user, email: str) -> None:
    """Keep the candidate's e-mail equal to the account's primary address (after a change of e-mail)."""
    Candidate.objects.filter(user=user).update(email=email)


def _rescore(candidate: Candidate) -> None:
    """Mark the profile as saved now (``updated_at``) and rescore it once the transaction commits."""
    candidate.save(update_fields=["updated_at"])
    matching_enqueue.enqueue_candidate_scoring(candidate_id=candidate.pk)


# --- skills ------------------------------------------------------------------------------------------------
def skills_resolve(names) -> tuple[list[Skill], list[str]]:
    """The vocabulary skills named by ``names`` (canonical names or aliases, any case), in the given order and
    without repeats, and the names that are not in the vocabulary."""
    wanted = [n.strip() for n in names if n and n.strip()]
    if not wanted:
        return [], []
    vocabulary = list(Skill.objects.only("id", "name", "aliases", "category"))
    by_key: dict[str, Skill] = {}
    for skill in vocabulary:
        by_key.setdefault(skill.name.casefold(), skill)
    for skill in vocabulary:  # a canonical name wins over another skill's alias
        for alias in skill.aliases or ():
            by_key.setdefault(str(alias).casefold(), skill)
    found: list[Skill] = []
    unknown: list[str] = []
    for name in wanted:
        skill = by_key.get(name.casefold())
        if skill is None:
            if name not in unknown:
                unknown.append(name)
        elif skill not in found:
            found.append(skill)
    return found, unknown


def split_skill_names(text: str) -> list[str]:
    """Skill names typed into one field, separated by commas, semicolons or new lines."""
    for sep in (";", "\n"):
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


@transaction.atomic
def candidate_skills_add(*, candidate: Candidate, names: list[str]) -> list[CandidateSkill]:
    """Add vocabulary skills to the profile as entered by the candidate.  Raises ``ProfileError`` naming the
    skills that are not in the vocabulary (nothing is added then)."""
    skills, unknown = skills_resolve(names)
    if unknown:
        raise ProfileError(
            f"Not in our skill list: {', '.join(unknown)}. Pick a suggestion, or try another name for it."
        )
    if not skills:
        raise ProfileError("Enter a skill.")
    links = []
    for skill in skills:
        link, created = CandidateSkill.objects.get_or_create(
            candidate=candidate, skill=skill, defaults={"origin": SkillOrigin.ENTERED, "mentions": 1}
        )
        if not created and link.origin != SkillOrigin.ENTERED:
            link.origin = SkillOrigin.ENTERED
            link.save(update_fields=["origin"])
        links.append(link)
    _rescore(candidate)
    return links


@transaction.atomic
def candidate_skill_remove(*, candidate: Candidate, link_id: int) -> None:
    """Remove one of the candidate's own skills.  Raises ``CandidateSkill.DoesNotExist`` for anyone else's."""
    CandidateSkill.objects.get(pk=link_id, candidate=candidate).delete()
    _rescore(candidate)


# --- qualifications ---------------------------------------------------------------------------------------
@transaction.atomic
def candidate_qualification_add(
    *, candidate: Candidate, level: int, field: str = "", evidence: str = ""
) -> Qualification:
    """Add a degree (``DegreeLevel``) in ``field``.  Adding the same degree twice is a no-op."""
    if level not in DegreeLevel.values:
        raise ProfileError("Choose a qualification level.")
    field = field.strip()[:200]
    existing = candidate.qualifications.filter(level=level, field__iexact=field).first()
    if existing:
        return existing
    qualification = Qualification.objects.create(
        candidate=candidate, level=level, field=field, origin=SkillOrigin.ENTERED, evidence=evidence[:500]
    )
    _rescore(candidate)
    return qualification


@transaction.atomic
def candidate_qualification_remove(*, candidate: Candidate, qualification_id: int) -> None:
    Qualification.objects.get(pk=qualification_id, candidate=candidate).delete()
    _rescore(candidate)


# --- experience --------------------------------------------------------------------------------------------
def years_from_periods(periods, today: date) -> float:
    """Total years covered by ``(start, end or None)`` periods, overlaps counted once."""
    spans = sorted((start, min(end or today, today)) for start, end in periods if start <= today)
    total_days, current_start, current_end = 0, None, None
    for start, end in spans:
        if end < start:
            continue
        if current_end is None or start > current_end:
            if current_end is not None:
                total_days += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total_days += (current_end - current_start).days
    return round(total_days / 365.25, 1)


def _refresh_years_experience(candidate: Candidate) -> None:
    """Years of experience from the entered jobs (overlaps once), or read from the CV when none are entered."""
    today = timezone.now().date()
    periods = list(candidate.experiences.values_list("start_date", "end_date"))
    years = (
        years_from_periods(periods, today) if periods else extract_years_experience(candidate.cv_text, today)
    )
    if years != candidate.years_experience:
        candidate.years_experience = years
        candidate.save(update_fields=["years_experience", "updated_at"])


@transaction.atomic
def candidate_experience_add(
    *,
    candidate: Candidate,
    title: str,
    start_date: date,
    end_date: date | None = None,
    organisation: str = "",
    description: str = "",
) -> Experience:
    """Add a job to the work history; the years of experience the engine uses follow the entries."""
    if end_date is not None and end_date < start_date:
        raise ProfileError("The end date is before the start date.")
    if start_date > timezone.now().date():
        raise ProfileError("The start date is in the future.")
    experience = Experience.objects.create(
        candidate=candidate,
        title=title.strip()[:200],
        organisation=organisation.strip()[:200],
        start_date=start_date,
        end_date=end_date,
        description=description.strip(),
    )
    _refresh_years_experience(candidate)
    _rescore(candidate)
    return experience


@transaction.atomic
def candidate_experience_remove(*, candidate: Candidate, experience_id: int) -> None:
    Experience.objects.get(pk=experience_id, candidate=candidate).delete()
    _refresh_years_experience(candidate)
    _rescore(candidate)


# --- CV upload: parse, keep pending, confirm ------------------------------------------------------------
@dataclass(frozen=True)
class CvFindings:
    """What a CV text shows: skills (canonical name → mentions, with the line that shows each best, its evidence
    level and strength, ``matching.evidence``) and degrees."""

    skills: dict[str, int]
    evidence: dict[str, str]
    qualifications: list  # of matching.extraction.QualificationMention, without repeats
    levels: dict[str, str] = field(default_factory=dict)
    strengths: dict[str, float] = field(default_factory=dict)


def cv_findings(text: str) -> CvFindings:
    found = vocabulary_store.cv_evidence(text)
    seen, qualifications = set(), []
    for q in extract_qualifications(text):
        key = (q.level, q.field.lower())
        if key not in seen:
            seen.add(key)
            qualifications.append(q)
    return CvFindings(
        skills={name: e.mentions for name, e in found.skills.items()},
        evidence={name: e.line for name, e in found.skills.items()},
        qualifications=qualifications,
        levels={name: e.level for name, e in found.skills.items()},
        strengths={name: e.strength for name, e in found.skills.items()},
    )


def _extension_of_content(data: bytes) -> str:
    """The extension that fits content ``read_document`` accepted (it checked the type from the bytes)."""
    head = data[:1024].lstrip(b"\x00\t\n\r\x0c ")
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        return ".docx"
    return ".txt"


def cv_pending_create(*, data: bytes, filename: str) -> dict:
    """Read an uploaded CV and keep it pending until the candidate confirms what was found.

    Returns the pending state (JSON-serialisable, for the session): a random ``token``, the ``path`` of the file
    in storage under a random name (never the uploader's file name), the display ``name``, ``size``, ``sha256``
    and the parsed ``text``.  Nothing is written to any candidate.  Raises ``DocumentError`` with a message for
    the candidate when the file is empty, too large, corrupt, of the wrong type or without text.
    """
    name = display_name(filename)
    if not has_document_extension(name):
        raise DocumentError(f"{name} is not a {DOCUMENT_TYPES_TEXT} file.")
    text = read_document(data, name, max_bytes=settings.CV_MAX_UPLOAD_BYTES)
    token = uuid.uuid4().hex
    path = default_storage.save(f"{PENDING_CV_DIR}/{token}{_extension_of_content(data)}", ContentFile(data))
    return {
        "token": token,
        "path": path,
        "name": name,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "text": text,
        "created_at": timezone.now().isoformat(),
    }


def cv_pending_discard(*, pending: dict | None) -> None:
    """Delete a pending upload's file (the candidate cancelled, uploaded another, or deleted the account)."""
    path = (pending or {}).get("path", "")
    if path and path.startswith(f"{PENDING_CV_DIR}/") and default_storage.exists(path):
        default_storage.delete(path)


def cv_pending_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete pending uploads older than ``older_than`` that nobody confirmed.  Returns the files deleted."""
    try:
        _, files = default_storage.listdir(PENDING_CV_DIR)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    deleted = 0
    for name in files:
        path = f"{PENDING_CV_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted


def cv_confirm(
    *,
    candidate: Candidate,
    pending: dict,
    skill_names: list[str],
    added_skills: list[str] = (),
    qualification_indexes: list[int] = (),
) -> Candidate:
    """Store a pending CV on the candidate with what the candidate confirmed.

    The text becomes ``cv_text``; the file moves to the candidate's ``cv_file`` under a random name (the old
    file is deleted after commit); the skills the candidate kept (``skill_names``, among those found) and added
    (``added_skills``, vocabulary names or aliases) are stored as entered by the candidate; found skills they
    unchecked are not stored; ``qualification_indexes`` pick the found degrees to keep.  Then the candidate is
    rescored after commit.  All or nothing: raises ``ProfileError`` (unknown added skill, upload expired)
    before anything is written.
    """
    path = pending.get("path", "")
    if not path.startswith(f"{PENDING_CV_DIR}/") or not default_storage.exists(path):
        raise ProfileError("The uploaded CV has expired. Please upload it again.")
    text = pending["text"]
    findings = cv_findings(text)
    kept = [name for name in skill_names if name in findings.skills]
    extra, unknown = skills_resolve(added_skills)
    if unknown:
        raise ProfileError(
            f"Not in our skill list: {', '.join(unknown)}. Pick a suggestion, or try another name for it."
        )
    chosen = {i for i in qualification_indexes if 0 <= i < len(findings.qualifications)}
    qualifications = [q for i, q in enumerate(findings.qualifications) if i in chosen]

    with default_storage.open(path, "rb") as handle:
        data = handle.read()
    extension = _extension_of_content(data)
    new_file = ContentFile(data, name=f"{uuid.uuid4().hex}{extension}")
    old_path = candidate.cv_file.name if candidate.cv_file else ""
    try:
        with transaction.atomic():
            candidate.cv_file.save(new_file.name, new_file, save=False)
            candidate.cv_text = text
            candidate.cv_name = name_from_cv(text)
            candidate.cv_sha256 = pending.get("sha256", "")
            candidate.save(update_fields=["cv_file", "cv_text", "cv_name", "cv_sha256", "updated_at"])
            known, _ = skills_resolve(kept)
            by_name = {s.name: s for s in known}
            # Found skills the candidate unchecked are dropped, also when an earlier CV put them on the profile.
            unchecked = set(findings.skills) - set(kept) - {s.name for s in extra}
            candidate.skill_links.filter(skill__name__in=unchecked).delete()
            candidate.skill_links.filter(origin=SkillOrigin.EXTRACTED).delete()
            for name in kept:
                skill = by_name.get(name)
                if skill is None:
                    continue
                CandidateSkill.objects.update_or_create(
                    candidate=candidate,
                    skill=skill,
                    defaults={
                        "origin": SkillOrigin.ENTERED,
                        "mentions": findings.skills[name],
                        "evidence": findings.evidence.get(name, ""),
                        "evidence_level": findings.levels.get(name, ""),
                        "strength": findings.strengths.get(name, LEVEL_WEIGHTS["entered"]),
                    },
                )
            for skill in extra:
                CandidateSkill.objects.get_or_create(
                    candidate=candidate, skill=skill, defaults={"origin": SkillOrigin.ENTERED, "mentions": 1}
                )
            candidate.qualifications.filter(origin=SkillOrigin.EXTRACTED).delete()
            for q in qualifications:
                if not candidate.qualifications.filter(level=q.level, field__iexact=q.field[:200]).exists():
                    Qualification.objects.create(
                        candidate=candidate,
                        level=q.level,
                        field=q.field[:200],
                        origin=SkillOrigin.ENTERED,
                        evidence=q.line[:500],
                    )
            _refresh_years_experience(candidate)
            matching_enqueue.enqueue_candidate_scoring(candidate_id=candidate.pk)
            if old_path and old_path != candidate.cv_file.name:
                transaction.on_commit(lambda: default_storage.delete(old_path))
            transaction.on_commit(lambda: cv_pending_discard(pending=pending))
    except Exception:
        if candidate.cv_file and candidate.cv_file.name != old_path:
            default_storage.delete(candidate.cv_file.name)
        candidate.refresh_from_db()
        raise
    return candidate
