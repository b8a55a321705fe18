"""Duplicate candidates: finding them, and merging one into another without losing anything.

Two candidate records are likely the same person when they share an e-mail address (ignoring case), the same
uploaded CV file (``cv_sha256``), or near-identical CV text: cosine similarity of their TF-IDF word vectors
(sublinear term frequency, unigrams) of at least ``NEAR_IDENTICAL`` (0.9).

A merge (``candidate_merge``) folds the duplicate into the kept record in one transaction and then deletes the
duplicate.  Nothing is lost:

- applications are re-pointed; when both applied to the same vacancy the more advanced application is kept
  (hired > offer > interview > screening > applied > rejected > withdrawn; a tie keeps the kept record's) and
  the other one's stage history is written into a note before it is removed;
- match scores are re-pointed; for a vacancy scored for both, the newer score is kept;
- notes and work experiences are re-pointed;
- skill links and qualifications the kept record lacks are re-pointed as ``entered`` (a person decided to
  merge them, and a later re-extraction from the kept CV must not drop them); shared skills keep the higher
  mention count;
- the duplicate's CV text becomes a note (when it differs), and blank profile fields (name, e-mail, headline,
  location, CV file, portal account) are filled from the duplicate.

CV text is never logged; the audit log records the merge by ids only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Abs, Length

from matching.enqueue import enqueue_candidate_scoring
from matching.models import MatchScore
from recruiting.models import (
    Application,
    Candidate,
    CandidateSkill,
    Experience,
    Note,
    Qualification,
    SkillOrigin,
)
from recruiting.services import audit_log

logger = logging.getLogger(__name__)

NEAR_IDENTICAL = 0.9
# Only CVs within this length ratio are compared by text (near-identical texts have near-identical lengths;
# a CV pasted twice still falls inside), and at most TEXT_CANDIDATES of them, the closest in length: the work
# of a candidate page stays bounded however large the pool grows.
LENGTH_RATIO = 2.0
TEXT_CANDIDATES = 1000

STAGE_RANK = {
    Application.Stage.WITHDRAWN: 0,
    Application.Stage.REJECTED: 1,
    Application.Stage.APPLIED: 2,
    Application.Stage.SCREENING: 3,
    Application.Stage.INTERVIEW: 4,
    Application.Stage.OFFER: 5,
    Application.Stage.HIRED: 6,
}


@dataclass
class Duplicate:
    """A likely duplicate of a candidate, with why it is one."""

    candidate: Candidate
    reasons: list[str] = field(default_factory=list)
    similarity: float | None = None


def text_similarities(text: str, others: dict[int, str]) -> dict[int, float]:
    """Cosine similarity of ``text`` to each of ``others`` (id → text) over TF-IDF word vectors fitted on them
    all.  Pure: no database."""
    ids = [pk for pk, other in others.items() if other.strip()]
    if not text.strip() or not ids:
        return {}
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True, lowercase=True, token_pattern=r"(?u)\b\w[\w+#.-]*\b")
    try:
        matrix = vectorizer.fit_transform([text] + [others[pk] for pk in ids])
    except ValueError:  # no usable word at all
        return {}
    sims = (matrix[1:] @ matrix[0].T).toarray().ravel()  # rows are L2-normalised: dot product = cosine
    return {pk: float(s) for pk, s in zip(ids, sims)}


def candidate_duplicates(*, candidate: Candidate, queryset=None) -> list[Duplicate]:
    """Likely duplicates of ``candidate`` among ``queryset`` (default: every candidate), most certain
    first."""
    pool = (Candidate.objects.all() if queryset is None else queryset).exclude(pk=candidate.pk)
    found: dict[int, Duplicate] = {}

    def add(other: Candidate, reason: str, similarity: float | None = None) -> None:
        entry = found.setdefault(other.pk, Duplicate(candidate=other))
        entry.reasons.append(reason)
        if similarity is not None:
            entry.similarity = similarity

    light = pool.defer("cv_text")
    if candidate.email.strip():
        for other in light.filter(email__iexact=candidate.email.strip()):
            add(other, "same e-mail address")
    if candidate.cv_sha256:
        for other in light.filter(cv_sha256=candidate.cv_sha256):
            add(other, "same CV file")
    length = len(candidate.cv_text or "")
    if length:
        rows = dict(
            pool.annotate(n=Length("cv_text"))
            .filter(n__gte=int(length / LENGTH_RATIO), n__lte=int(length * LENGTH_RATIO))
            .annotate(gap=Abs(F("n") - length))
            .order_by("gap", "pk")
            .values_list("pk", "cv_text")[:TEXT_CANDIDATES]
        )
        similar = {
            pk: s for pk, s in text_similarities(candidate.cv_text, rows).items() if s >= NEAR_IDENTICAL
        }
        if similar:
            for other in light.filter(pk__in=similar):
                add(other, f"near-identical CV text ({similar[other.pk]:.0%} similar)", similar[other.pk])
    return sorted(found.values(), key=lambda d: (-len(d.reasons), -(d.similarity or 0), d.candidate.pk))


# --- merging ------------------------------------------------------------------------------------------------
@dataclass
class MergeResult:
    kept: Candidate
    merged_id: int
    applications_moved: int = 0
    applications_folded: int = 0
    scores_moved: int = 0
    notes_moved: int = 0
    skills_moved: int = 0
    qualifications_moved: int = 0


def _history_text(application: Application) -> str:
    lines = []
    for change in application.stage_changes.select_related("actor").order_by("created_at", "pk"):
        who = change.actor.get_username() if change.actor else "the candidate or the system"
        move = f"{change.get_from_stage_display() or 'new'} → {change.get_to_stage_display()}"
        reason = f": {change.reason}" if change.reason else ""
        lines.append(f"- {change.created_at:%Y-%m-%d %H:%M} {move} by {who}{reason}")
    return "\n".join(lines) or "- (no recorded history)"


@transaction.atomic
def candidate_merge(*, keep: Candidate, duplicate: Candidate, actor=None) -> MergeResult:
    """Fold ``duplicate`` into ``keep`` (see the module docstring) and delete ``duplicate``.

    Raises ``ValueError`` when both are the same record.
    """
    if keep.pk == duplicate.pk:
        raise ValueError("A candidate cannot be merged into itself.")
    locked = {c.pk: c for c in Candidate.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])}
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    result = MergeResult(kept=keep, merged_id=duplicate.pk)
    label = f"candidate #{duplicate.pk} ({duplicate.reference})"

    # Applications: one per vacancy; the more advanced one wins.
    kept_apps = {a.vacancy_id: a for a in Application.objects.select_for_update().filter(candidate=keep)}
    for app in Application.objects.select_for_update().filter(candidate=duplicate).select_related("vacancy"):
        other = kept_apps.get(app.vacancy_id)
        if other is None:
            Application.objects.filter(pk=app.pk).update(candidate=keep)
            result.applications_moved += 1
            continue
        winner, loser = (app, other) if STAGE_RANK[app.stage] > STAGE_RANK[other.stage] else (other, app)
        Note.objects.create(
            candidate=keep,
            application=winner,
            author=actor,
            body=(
                f"Merged from {label}: a second application to {app.vacancy.title} "
                f"({loser.get_stage_display().lower()}) was folded into this one. Its history:\n"
                f"{_history_text(loser)}"
                + (f"\nIts cover note:\n{loser.cover_note}" if loser.cover_note else "")
            ),
        )
        Note.objects.filter(application=loser).update(application=winner)
        Application.objects.filter(pk=loser.pk).delete()
        if winner.pk == app.pk:
            Application.objects.filter(pk=app.pk).update(candidate=keep)
        kept_apps[app.vacancy_id] = winner
        result.applications_folded += 1

    # Match scores: the newer one per vacancy.
    kept_scores = {
        s.vacancy_id: s
        for s in MatchScore.objects.filter(candidate=keep).only("pk", "vacancy_id", "computed_at")
    }
    for score in MatchScore.objects.filter(candidate=duplicate).only("pk", "vacancy_id", "computed_at"):
        other = kept_scores.get(score.vacancy_id)
        if other is not None and other.computed_at >= score.computed_at:
            MatchScore.objects.filter(pk=score.pk).delete()
            continue
        if other is not None:
            MatchScore.objects.filter(pk=other.pk).delete()
        MatchScore.objects.filter(pk=score.pk).update(candidate=keep)
        result.scores_moved += 1

    result.notes_moved = Note.objects.filter(candidate=duplicate).update(candidate=keep)
    Experience.objects.filter(candidate=duplicate).update(candidate=keep)

    # Skills: the kept record's links stay; the duplicate's others are moved, as entered links.
    kept_skills = {link.skill_id: link for link in CandidateSkill.objects.filter(candidate=keep)}
    for link in CandidateSkill.objects.filter(candidate=duplicate):
        mine = kept_skills.get(link.skill_id)
        if mine is None:
            CandidateSkill.objects.filter(pk=link.pk).update(candidate=keep, origin=SkillOrigin.ENTERED)
            result.skills_moved += 1
        elif link.mentions > mine.mentions or (link.evidence and not mine.evidence):
            CandidateSkill.objects.filter(pk=mine.pk).update(
                mentions=max(mine.mentions, link.mentions), evidence=mine.evidence or link.evidence
            )
    kept_quals = {(q.level, q.field.lower()) for q in Qualification.objects.filter(candidate=keep)}
    for qual in Qualification.objects.filter(candidate=duplicate):
        if (qual.level, qual.field.lower()) not in kept_quals:
            Qualification.objects.filter(pk=qual.pk).update(candidate=keep, origin=SkillOrigin.ENTERED)
            kept_quals.add((qual.level, qual.field.lower()))
            result.qualifications_moved += 1

    if duplicate.cv_text.strip() and duplicate.cv_text.strip() != keep.cv_text.strip():
        Note.objects.create(
            candidate=keep,
            author=actor,
            body=f"CV text of {label}, merged into this record:\n\n{duplicate.cv_text}",
        )

    # Blank profile fields are filled from the duplicate; the portal account moves when the kept record has
    # none.
    changed = []
    for name in ("name", "email", "headline", "location", "salary_currency"):
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
            changed.append(name)
    for name in ("years_experience", "salary_expectation", "consent_given_at"):
        if getattr(keep, name) is None and getattr(duplicate, name) is not None:
            setattr(keep, name, getattr(duplicate, name))
            changed.append(name)
    if not keep.cv_file and duplicate.cv_file:
        keep.cv_file, keep.cv_sha256 = duplicate.cv_file.name, duplicate.cv_sha256
        changed += ["cv_file", "cv_sha256"]
    duplicate_user_id = duplicate.user_id
    duplicate_id = duplicate.pk
    duplicate.delete()  # cascades only what was not moved: nothing but the row itself
    if keep.user_id is None and duplicate_user_id is not None:
        keep.user_id = duplicate_user_id
        changed.append("user")
    if changed:
        keep.save(update_fields=[*changed, "updated_at"])

    audit_log(actor=actor, action="merge", obj=keep, detail={"merged_candidate_id": duplicate_id})
    enqueue_candidate_scoring(candidate_id=keep.pk)
    logger.info("merged candidate %d into %d", duplicate_id, keep.pk)
    return result


def merge_preview(*, keep: Candidate, duplicate: Candidate) -> dict[str, int]:
    """What a merge would move (counts), for the confirmation page."""
    shared = set(Application.objects.filter(candidate=keep).values_list("vacancy_id", flat=True))
    apps = list(Application.objects.filter(candidate=duplicate).values_list("vacancy_id", flat=True))
    return {
        "applications": len(apps),
        "applications_shared": sum(1 for v in apps if v in shared),
        "scores": MatchScore.objects.filter(candidate=duplicate).count(),
        "notes": Note.objects.filter(candidate=duplicate).count(),
        "skills": CandidateSkill.objects.filter(candidate=duplicate)
        .exclude(Q(skill_id__in=CandidateSkill.objects.filter(candidate=keep).values("skill_id")))
        .count(),
        "qualifications": Qualification.objects.filter(candidate=duplicate).count(),
        "experiences": Experience.objects.filter(candidate=duplicate).count(),
    }
