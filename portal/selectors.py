"""Reads of the candidate portal.  Selectors own the query shape: every function here runs a fixed number of
queries, whatever the number of vacancies, applications or skills.

``vacancy_match`` turns a stored match score into what the vacancy page says to the candidate ("your match"):
the score, the skills met and missing, the qualification and experience fit in plain words, and the missing
skills that would raise the score most.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from matching import presentation
from matching.bands import DEFAULT_BANDS, Bands, required_counts
from matching.bands import band as match_band
from matching.bands import label as band_label
from matching.models import MatchScore, Skill
from matching.presentation import score_confidence, score_flags, skill_credit
from matching.ranking import rank_text, ranking_order_by
from matching.scoring import minimum_qualification_level
from matching.services import match_scores_explain
from recruiting.models import (
    Application,
    ApplicationStageChange,
    Candidate,
    CandidateSkill,
    DegreeLevel,
    Vacancy,
)
from recruiting.permissions import candidate_match_scores
from recruiting.selectors import match_bands, with_vacancy_rank

# How long the pages wait for the worker before scoring the pair on the page itself.
SCORING_WAIT = timedelta(seconds=60)
IMPROVEMENTS_SHOWN = 5


def candidate_profile(*, candidate: Candidate) -> Candidate:
    """The candidate with skills, qualifications and experience loaded (a fixed number of queries)."""
    return (
        Candidate.objects.filter(pk=candidate.pk)
        .prefetch_related(
            Prefetch(
                "skill_links", queryset=CandidateSkill.objects.select_related("skill").order_by("skill__name")
            ),
            "qualifications",
            "experiences",
        )
        .get()
    )


def candidate_has_content(*, candidate: Candidate) -> bool:
    """Whether there is anything to score: a CV or at least one skill."""
    return bool(candidate.cv_text.strip()) or candidate.skill_links.exists()


def candidate_scoring_pending(*, candidate: Candidate) -> bool:
    """True while the profile's last save has not been scored yet: the candidate has something to score, there
    are vacancies to score against, and no match score was computed since ``updated_at``."""
    if not candidate_has_content(candidate=candidate):
        return False
    fresh = MatchScore.objects.filter(candidate=candidate, computed_at__gte=candidate.updated_at)
    return not fresh.exists() and Vacancy.objects.exclude(status=Vacancy.Status.CLOSED).exists()


def skill_suggestions() -> list[str]:
    """Names of the skill vocabulary, for the ``<datalist>`` of skill fields."""
    return list(Skill.objects.order_by("name").values_list("name", flat=True))


# --- vacancies -------------------------------------------------------------------------------------------
#: How the portal's vacancy list can be ordered: newest first (everyone) or by "your match" (a candidate).
VACANCY_SORTS = {"newest": "Newest first", "match": "Your match"}


def search_skill_names(value: str) -> set[str]:
    """Vocabulary skills a search names (by name or alias, case-insensitive) and the skills related to them in the
    engine's related-skill data (``matching.vocabulary_store.related_skills``: broader, narrower and sibling skills).
    Empty when the search names no skill."""
    from matching.vocabulary_store import related_skills, skill_extractor

    needle = value.strip().lower()
    if not needle:
        return set()
    named = set()
    for name, aliases in Skill.objects.values_list("name", "aliases"):
        if needle == name.lower() or needle in {str(a).lower() for a in aliases or ()}:
            named.add(name)
    if not named:
        return set()
    related = related_skills(skill_extractor()[1])
    return named | {other for name in named for other in related.get(name, ())}


def vacancies_sorted(
    queryset: QuerySet[Vacancy], *, sort: str, candidate: Candidate | None
) -> QuerySet[Vacancy]:
    """``queryset`` (annotated by ``vacancies_for_candidate``) in the chosen order: ``"match"`` puts the
    candidate's best matches first (unscored last, then newest); anything else, or no candidate, newest first."""
    if sort == "match" and candidate is not None:
        return queryset.order_by(F("my_score").desc(nulls_last=True), "-created_at", "pk")
    return queryset


def vacancies_for_candidate(queryset: QuerySet[Vacancy], *, candidate: Candidate | None) -> QuerySet[Vacancy]:
    """Annotate the candidate's ``my_score``, ``my_state``, ``my_matched`` / ``my_missing`` (the skills, for the
    band's required-skill rule) and ``applied`` (subqueries: no extra queries)."""
    if candidate is None:
        return queryset
    scores = MatchScore.objects.filter(candidate=candidate, vacancy=OuterRef("pk"))
    applied = Application.objects.filter(candidate=candidate, vacancy=OuterRef("pk")).exclude(
        stage=Application.Stage.WITHDRAWN
    )
    return queryset.annotate(
        my_score=Subquery(scores.values("score")[:1]),
        my_state=Subquery(scores.values("state")[:1]),
        my_matched=Subquery(scores.values("matched_skills")[:1]),
        my_missing=Subquery(scores.values("missing_skills")[:1]),
        applied=Exists(applied),
    )


def candidate_application_for(*, candidate: Candidate, vacancy: Vacancy) -> Application | None:
    return Application.objects.filter(candidate=candidate, vacancy=vacancy).first()


# --- "your match" -----------------------------------------------------------------------------------------------
COMPONENT_WORDS = {
    "qualification": "Your highest degree against the role's minimum, and its field (details below).",
    "experience": "Your years of experience against the role's minimum (details below).",
    "profile": "How closely your whole skill set resembles the one the role asks for.",
    "text": "How close the wording of your CV is to the job description.",
    "role": "How closely the job titles on your CV match the role's title (the same field, or a related one).",
}


@dataclass
class MatchPresentation:
    """What the vacancy page shows a candidate about their fit: a presenter of one match score (plain words, bars).

    ``state`` is ``scored``, ``insufficient_data``, ``pending`` (the worker has not scored the last profile
    save yet), ``empty`` (no CV and no skills yet) or ``unscored`` (nothing stored: score it on the page).
    """

    state: str
    score: float | None = None
    reason: str = ""
    components: list[dict] = field(default_factory=list)
    required_met: list[str] = field(default_factory=list)
    required_missing: list[str] = field(default_factory=list)
    desirable_met: list[str] = field(default_factory=list)
    desirable_missing: list[str] = field(default_factory=list)
    qualification: dict = field(default_factory=dict)
    experience: dict = field(default_factory=dict)
    improvements: list[dict] = field(default_factory=list)
    computed_at: object = None
    # Issue 12: how much evidence the score rests on, notes on the CV, how each matched skill was counted, and the
    # rank among the vacancy's candidates (stored scores only; empty for old rows and on-demand scores).
    confidence: str = ""
    confidence_reason: str = ""
    flags: list[dict] = field(default_factory=list)
    skills_counted: list[dict] = field(default_factory=list)
    rank: int | None = None
    tied: bool = False
    ranked_among: int | None = None

    @property
    def rank_text(self) -> str:
        """ "ranked 3rd of 166" (or "" when there is no rank)."""
        return rank_text(self.rank, self.tied, self.ranked_among)

    @property
    def score_rounded(self) -> int | None:
        return None if self.score is None else round(self.score)

    bands: Bands = DEFAULT_BANDS

    @property
    def band(self) -> str:
        """ "strong", "good", "partial" or "weak" (``matching.bands``: from the score distribution, capped by the
        required skills met); "none" without a score."""
        total = len(self.required_met) + len(self.required_missing)
        return match_band(self.score, self.bands, required_met=len(self.required_met), required_total=total)

    @property
    def verdict(self) -> str:
        """ "Strong match" … "Weak match" (``matching.bands``)."""
        return "" if self.score is None else band_label(self.band)


def _level_label(level: int | None) -> str:
    if not level:
        return ""
    return DegreeLevel(level).label


def _with_article(label: str) -> str:
    return f"an {label}" if label[:1].lower() in "aeiou" else f"a {label}"


def qualification_fit(*, candidate: Candidate, vacancy: Vacancy) -> dict:
    """``{"fits": True | False | None, "text": plain words}`` for the candidate's degrees against the role's."""
    vacancy_quals = list(vacancy.qualifications.all())
    wanted = minimum_qualification_level(vacancy.min_qualification_level, (q.level for q in vacancy_quals))
    fields = sorted({q.field for q in vacancy_quals if q.field})
    held = list(candidate.qualifications.all())
    best = max(held, key=lambda q: q.level, default=None)
    held_text = (
        f"you have {_with_article(_level_label(best.level))}{f' in {best.field}' if best.field else ''}"
        if best
        else "your profile lists no degree"
    )
    if not wanted:
        return {"fits": None, "text": f"The role names no minimum qualification; {held_text}."}
    wanted_text = f"at least {_with_article(_level_label(wanted))}"
    if fields:
        wanted_text += f" in {' or '.join(fields)}"
    fits = best is not None and best.level >= wanted
    return {"fits": fits, "text": f"The role asks for {wanted_text}; {held_text}."}


def _years(value: float) -> str:
    value = round(value, 1)
    text = f"{value:g}"
    return f"{text} year{'' if value == 1 else 's'}"


def experience_fit(*, candidate: Candidate, vacancy: Vacancy) -> dict:
    wanted = vacancy.min_years_experience
    have = candidate.years_experience
    have_text = (
        f"your profile shows about {_years(have)}" if have else "your profile shows no dated experience yet"
    )
    if not wanted:
        return {"fits": None, "text": f"The role names no minimum experience; {have_text}."}
    fits = bool(have) and have >= wanted
    return {"fits": fits, "text": f"The role asks for {_years(wanted)} of experience; {have_text}."}


def _component_words(name: str, view: MatchPresentation) -> str:
    if name == "required":
        total = len(view.required_met) + len(view.required_missing)
        return f"You have {len(view.required_met)} of the {total} required skills."
    if name == "desirable":
        total = len(view.desirable_met) + len(view.desirable_missing)
        return f"You have {len(view.desirable_met)} of the {total} desirable skills."
    return COMPONENT_WORDS.get(name, "")


EVIDENCE_WORDS = {
    "used": "used in your experience",
    "listed": "listed among your skills",
    "mentioned": "mentioned in your CV",
    "entered": "added to your profile by you",
}


def _credit_words(credit: dict) -> str:
    """How a matched skill was counted, in the candidate's words."""
    if credit["related_to"]:
        return credit["text"]
    return EVIDENCE_WORDS.get(credit["level"], credit["level"])


def vacancy_band(vacancy: Vacancy, bands: Bands) -> str:
    """The band of a vacancy annotated by ``vacancies_for_candidate`` (score and required skills met)."""
    met, total = required_counts(getattr(vacancy, "my_matched", None), getattr(vacancy, "my_missing", None))
    return match_band(getattr(vacancy, "my_score", None), bands, required_met=met, required_total=total)


def score_band_of(score: MatchScore, bands: Bands) -> str:
    """The band of a stored match score (score and required skills met)."""
    return presentation.row_band(score, bands)


def match_view_from_score(
    score: MatchScore, *, candidate: Candidate, vacancy: Vacancy, bands: Bands = DEFAULT_BANDS
) -> MatchPresentation:
    """Plain words and bar widths for a stored score (no queries beyond the prefetched qualifications); its band
    and verdict come from ``bands`` (``recruiting.selectors.match_bands``)."""
    explanation = score.explanation or {}
    if score.state == MatchScore.State.INSUFFICIENT_DATA or score.score is None:
        return MatchPresentation(
            state="insufficient_data", reason=explanation.get("reason", ""), computed_at=score.computed_at
        )
    confidence, confidence_reason = score_confidence(score)
    view = MatchPresentation(
        state="scored",
        score=score.score,
        bands=bands,
        computed_at=score.computed_at,
        confidence=confidence,
        confidence_reason=confidence_reason,
        flags=score_flags(score),
        rank=getattr(score, "vacancy_rank", None),
        tied=bool(getattr(score, "vacancy_tied", False)),
        ranked_among=getattr(score, "vacancy_ranked", None),
    )
    for entry in score.matched_skills or []:
        (view.desirable_met if entry.get("importance") == "desirable" else view.required_met).append(
            entry["skill"]
        )
        credit = skill_credit(entry)
        if credit["level"]:
            view.skills_counted.append(
                {
                    "skill": entry["skill"],
                    "importance": entry.get("importance", ""),
                    "words": _credit_words(credit),
                    **credit,
                }
            )
    for entry in score.missing_skills or []:
        target = view.desirable_missing if entry.get("importance") == "desirable" else view.required_missing
        target.append(entry["skill"])
    view.qualification = qualification_fit(candidate=candidate, vacancy=vacancy)
    view.experience = experience_fit(candidate=candidate, vacancy=vacancy)
    for c in presentation.components(score):
        if not c.applies:
            continue
        view.components.append(
            {
                "name": c.name,
                "label": c.label,
                "score": round(c.score_clamped),
                "weight_pct": round(c.weight * 100),
                "points": round(c.points, 1),
                "words": " ".join(p for p in (_component_words(c.name, view), c.detail) if p),
            }
        )
    gains = sorted(
        (e for e in score.missing_skills or [] if float(e.get("gain") or 0) > 0),
        key=lambda e: (-float(e["gain"]), e["skill"]),
    )
    view.improvements = [
        {"skill": e["skill"], "importance": e.get("importance", ""), "gain": round(float(e["gain"]), 1)}
        for e in gains[:IMPROVEMENTS_SHOWN]
    ]
    return view


def vacancy_match(
    *, candidate: Candidate, vacancy: Vacancy, now=None, bands: Bands = DEFAULT_BANDS
) -> MatchPresentation:
    """The candidate's match for ``vacancy``.  ``state="unscored"`` asks the caller to score the pair now
    (``matching.services.match_score_on_demand``): no score is stored for it, or it is stale, or the worker has
    not caught up with the last save within ``SCORING_WAIT``."""
    if not candidate_has_content(candidate=candidate):
        return MatchPresentation(state="empty")
    score = with_vacancy_rank(
        MatchScore.objects.filter(candidate=candidate, vacancy=vacancy), among=True
    ).first()
    if score is not None:
        match_scores_explain([score])  # a row stored narrow is explained (and saved) now
    fresh = score is not None and not score.stale and score.computed_at >= candidate.updated_at
    if fresh:
        return match_view_from_score(score, candidate=candidate, vacancy=vacancy, bands=bands)
    now = now or timezone.now()
    if now - candidate.updated_at < SCORING_WAIT and candidate_scoring_pending(candidate=candidate):
        return MatchPresentation(state="pending")
    return MatchPresentation(state="unscored")


# --- applications ----------------------------------------------------------------------------------------
def candidate_applications(*, candidate: Candidate) -> list[Application]:
    """The candidate's applications, newest first, with the vacancy and the stage history (two queries)."""
    return list(
        Application.objects.filter(candidate=candidate)
        .select_related("vacancy")
        .defer("vacancy__description")
        .prefetch_related(
            Prefetch("stage_changes", queryset=ApplicationStageChange.objects.order_by("created_at", "pk"))
        )
        .order_by("-created_at", "-pk")
    )


def candidate_best_matches(*, candidate: Candidate, limit: int = 5) -> list[MatchScore]:
    """The candidate's best-scored open vacancies, vacancy loaded, each with the candidate's rank among the
    vacancy's candidates (``vacancy_rank``, ``vacancy_tied``, ``vacancy_ranked``; ``rank_text``) — one query."""
    scores = list(
        with_vacancy_rank(
            candidate_match_scores(
                candidate,
                MatchScore.objects.filter(
                    vacancy__status=Vacancy.Status.OPEN, state=MatchScore.State.SCORED, score__isnull=False
                ),
            ),
            among=True,
        )
        .select_related("vacancy")
        .defer("vacancy__description")
        .order_by(*ranking_order_by())[: max(limit, 0)]
    )
    bands = match_bands()
    for s in scores:
        s.rank_text = rank_text(s.vacancy_rank, s.vacancy_tied, s.vacancy_ranked)
        s.band = score_band_of(s, bands)
    return scores
