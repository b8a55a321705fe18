"""Reads for the recruiter workspace and the portal.  Selectors own the query shape.

Every function here runs a fixed number of queries, whatever the number of rows it returns: a shortlist of
50 or 500 candidates is one query.  Selectors whose rows show an explanation call
``matching.services.match_scores_explain`` on them explicitly: rows the storage policy stored narrow are
explained (and saved) then; reading a queryset never writes.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Floor

from matching.bands import Bands, bands_from_counts
from matching.models import MatchScore
from matching.ranking import ranking_order_by
from matching.services import match_scores_explain
from recruiting.models import Candidate, CandidateSkill, ImportRun, SkillImportance, Vacancy, VacancySkill

INSUFFICIENT_DATA = MatchScore.State.INSUFFICIENT_DATA


def _ranked(queryset: QuerySet[MatchScore]) -> QuerySet[MatchScore]:
    """Scores in the ranking order (``matching.ranking``): best first, no score last, then id."""
    return queryset.order_by(*ranking_order_by())


def with_vacancy_rank(queryset: QuerySet[MatchScore], *, among: bool = False) -> QuerySet[MatchScore]:
    """Annotate each score's rank among its vacancy's scores (``matching.ranking``: 1 + the number strictly
    higher, equal scores share a rank): ``vacancy_rank`` (None without a score) and ``vacancy_tied``; with
    ``among`` also ``vacancy_ranked`` (how many of the vacancy's candidates have a score, the "of 166").

    Correlated subqueries, so any page is still one query; the rank ignores the page's filters.
    """
    same_vacancy = MatchScore.objects.filter(vacancy=OuterRef("vacancy_id")).order_by().values("vacancy")
    higher = same_vacancy.filter(score__gt=OuterRef("score")).annotate(n=Count("pk")).values("n")
    queryset = queryset.annotate(
        vacancy_rank=Case(
            When(score__isnull=True, then=Value(None)),
            default=Coalesce(Subquery(higher), Value(0)) + 1,
            output_field=IntegerField(),
        ),
        vacancy_tied=Exists(
            MatchScore.objects.filter(vacancy=OuterRef("vacancy_id"), score=OuterRef("score")).exclude(
                pk=OuterRef("pk")
            )
        ),
    )
    if among:
        scored = same_vacancy.filter(score__isnull=False).annotate(n=Count("pk")).values("n")
        queryset = queryset.annotate(vacancy_ranked=Coalesce(Subquery(scored), Value(0)))
    return queryset


BANDS_CACHE_KEY = "matching:bands:v1"
BANDS_CACHE_SECONDS = 300


def match_bands() -> Bands:
    """The match bands of the current score distribution (``matching.bands``): one grouped query over the stored
    scores (at most 101 rows, whatever their number), cached for ``BANDS_CACHE_SECONDS`` — the distribution of
    thousands of scores moves slowly, and every shortlist, board and portal page needs it."""
    return cache.get_or_set(BANDS_CACHE_KEY, _match_bands_uncached, BANDS_CACHE_SECONDS)


def _match_bands_uncached() -> Bands:
    rows = (
        MatchScore.objects.filter(score__isnull=False)
        .annotate(bucket=Floor("score"))
        .order_by()
        .values("bucket")
        .annotate(n=Count("pk"))
        .values_list("bucket", "n")
    )
    counts: dict[int, int] = {}
    for bucket, n in rows:
        key = int(min(max(bucket, 0), 100))
        counts[key] = counts.get(key, 0) + n
    return bands_from_counts(counts)


def vacancies_with_score_stats(queryset: QuerySet[Vacancy]) -> QuerySet[Vacancy]:
    """Annotate ``scored_count`` and ``best_score`` (None when unscored) with correlated subqueries."""
    scores = MatchScore.objects.filter(vacancy=OuterRef("pk")).order_by().values("vacancy")
    return queryset.annotate(
        scored_count=Coalesce(Subquery(scores.annotate(n=Count("pk")).values("n")), Value(0)),
        best_score=Subquery(scores.annotate(best=Max("score")).values("best")),
    )


def candidates_with_score_stats(queryset: QuerySet[Candidate]) -> QuerySet[Candidate]:
    """Annotate ``skill_count`` and ``best_score`` with subqueries (no join fan-out between the two)."""
    skills = CandidateSkill.objects.filter(candidate=OuterRef("pk")).order_by().values("candidate")
    scores = MatchScore.objects.filter(candidate=OuterRef("pk")).order_by().values("candidate")
    return queryset.annotate(
        skill_count=Coalesce(Subquery(skills.annotate(n=Count("pk")).values("n")), Value(0)),
        best_score=Subquery(scores.annotate(best=Max("score")).values("best")),
    )


# --- portal ---------------------------------------------------------------------------------------------


def _skill_links_prefetch() -> Prefetch:
    return Prefetch(
        "skill_links",
        queryset=VacancySkill.objects.select_related("skill").order_by(
            Case(When(importance=SkillImportance.REQUIRED, then=Value(0)), default=Value(1)),
            "-mentions",
            "skill__name",
        ),
    )


def vacancy_list_open() -> QuerySet[Vacancy]:
    """Open vacancies, newest first, with their skill links prefetched (for the key-skill chips)."""
    return (
        Vacancy.objects.filter(status=Vacancy.Status.OPEN)
        .order_by("-created_at", "pk")
        .prefetch_related(_skill_links_prefetch())
    )


def vacancy_get_open(*, pk: int) -> Vacancy | None:
    """One open vacancy with skills and qualifications, or None (drafts and closed ones are not public)."""
    return (
        Vacancy.objects.filter(pk=pk, status=Vacancy.Status.OPEN)
        .prefetch_related(_skill_links_prefetch(), "qualifications")
        .first()
    )


# --- display helpers (pure) -----------------------------------------------------------------------------

CURRENCY_SYMBOLS = {
    "GBP": "£",
    "USD": "$",
    "EUR": "€",
    "INR": "₹",
    "JPY": "¥",
    "CNY": "¥",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "SGD": "S$",
    "HKD": "HK$",
    "CHF": "CHF ",
    "SEK": "SEK ",
    "NOK": "NOK ",
    "DKK": "DKK ",
    "PLN": "PLN ",
}


def _money(amount: Decimal, currency: str) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), f"{currency.upper()} " if currency else "")
    whole = amount == amount.to_integral_value()
    return f"{symbol}{amount:,.0f}" if whole else f"{symbol}{amount:,.2f}"


def money_range_text(
    minimum: Decimal | None, maximum: Decimal | None, currency: str, *, per: str = ""
) -> str:
    """``£60,000–£80,000``, ``from £60,000``, ``up to £80,000`` or "" — with `` per day`` when ``per``."""
    if minimum is None and maximum is None:
        return ""
    if minimum is not None and maximum is not None and minimum != maximum:
        text = f"{_money(minimum, currency)}–{_money(maximum, currency)}"
    elif minimum is not None and maximum is not None:
        text = _money(minimum, currency)
    elif minimum is not None:
        text = f"from {_money(minimum, currency)}"
    else:
        text = f"up to {_money(maximum, currency)}"
    return f"{text} per {per}" if per else text


def vacancy_salary_text(vacancy: Vacancy) -> str:
    return money_range_text(vacancy.salary_min, vacancy.salary_max, vacancy.salary_currency)


def vacancy_day_rate_text(vacancy: Vacancy) -> str:
    """The day rate in its own currency (``day_rate_currency``; the salary's when empty): ``£450 per day``."""
    currency = vacancy.day_rate_currency or vacancy.salary_currency
    return money_range_text(vacancy.day_rate_min, vacancy.day_rate_max, currency, per="day")


# --- recruiter workspace: shortlist, histogram, board, candidate page ---------------------------------------

HISTOGRAM_BINS = 10


def shortlist_scores(
    *,
    vacancy: Vacancy,
    min_score: float | None = None,
    stage: str = "",
    applied: str = "",
    skill: str = "",
    confidence: str = "",
    limit: int = 50,
    rank: bool = True,
    scores: QuerySet[MatchScore] | None = None,
) -> tuple[list[MatchScore], int]:
    """The filtered, ranked shortlist of ``vacancy`` and how many rows match the filters (two queries).

    Each score carries ``application_id``, ``application_stage`` and ``application_revealed`` (``None`` when
    the candidate has not applied), and with ``rank`` its ``vacancy_rank`` / ``vacancy_tied`` among all the
    vacancy's scores (``with_vacancy_rank``).  Filters: ``min_score`` (0–100), ``stage`` (a pipeline stage, or
    "none" for candidates who have not applied), ``applied`` ("yes" / "no"), ``skill`` (a skill name the candidate
    has, case-insensitive), ``confidence`` ("high", "medium" or "low").  ``Candidate.cv_text`` is never loaded.
    ``scores`` (default: all) is the match scores the user may see (``recruiting.permissions.visible_match_scores``:
    a hiring manager's shortlist holds only the vacancy's applicants); the rank stays the rank among all.
    """
    from recruiting.models import Application

    application = Application.objects.filter(vacancy=vacancy, candidate=OuterRef("candidate_id"))
    scores = MatchScore.objects.all() if scores is None else scores
    queryset = scores.filter(vacancy=vacancy).annotate(
        application_id=Subquery(application.values("pk")[:1]),
        application_stage=Subquery(application.values("stage")[:1]),
        application_revealed=Subquery(application.values("revealed")[:1]),
    )
    if min_score is not None:
        queryset = queryset.filter(score__gte=min_score)
    if stage == "none":
        queryset = queryset.filter(application_id__isnull=True)
    elif stage:
        queryset = queryset.filter(application_stage=stage)
    if applied == "yes":
        queryset = queryset.filter(application_id__isnull=False)
    elif applied == "no":
        queryset = queryset.filter(application_id__isnull=True)
    if skill:
        queryset = queryset.filter(
            Exists(
                CandidateSkill.objects.filter(candidate=OuterRef("candidate_id"), skill__name__iexact=skill)
            )
        )
    if confidence:
        queryset = queryset.filter(confidence=confidence)
    total = queryset.count()
    if rank:
        queryset = with_vacancy_rank(queryset)
    rows = (
        _ranked(queryset)
        .select_related("candidate")
        .only(
            "pk",
            "vacancy_id",
            "candidate",
            "state",
            "score",
            "skills_score",
            "qualifications_score",
            "text_score",
            "matched_skills",
            "missing_skills",
            "explanation",
            "engine_version",
            "model_version",
            "stale",
            "computed_at",
            "confidence",
            "explained",
            "candidate__id",
            "candidate__name",
            "candidate__cv_name",
            "candidate__email",
            "candidate__reference",
            "candidate__source",
            "candidate__source_label",
            "candidate__headline",
            "candidate__location",
        )[: max(limit, 0)]
    )
    return match_scores_explain(list(rows)), total


def compare_scores(
    *, vacancy: Vacancy, candidate_ids: list[int], scores: QuerySet[MatchScore] | None = None
) -> list[MatchScore]:
    """The match scores of ``candidate_ids`` for ``vacancy`` in the order of the ids, each with its
    ``application_revealed`` / ``application_stage``, its rank, and the candidate's qualifications and work history
    prefetched (three queries, whatever the number of candidates).  ``scores`` limits them to what the user may
    see (``recruiting.permissions.visible_match_scores``); ids without a visible score are left out."""
    from recruiting.models import Application, Experience, Qualification

    application = Application.objects.filter(vacancy=vacancy, candidate=OuterRef("candidate_id"))
    scores = MatchScore.objects.all() if scores is None else scores
    rows = list(
        with_vacancy_rank(scores.filter(vacancy=vacancy, candidate_id__in=candidate_ids), among=True)
        .annotate(
            application_stage=Subquery(application.values("stage")[:1]),
            application_revealed=Subquery(application.values("revealed")[:1]),
        )
        .select_related("candidate")
        .defer("candidate__cv_text")
        .prefetch_related(
            Prefetch("candidate__qualifications", queryset=Qualification.objects.order_by("-level", "field")),
            Prefetch("candidate__experiences", queryset=Experience.objects.order_by("-start_date")),
        )
    )
    order = {pk: i for i, pk in enumerate(candidate_ids)}
    return match_scores_explain(sorted(rows, key=lambda s: order.get(s.candidate_id, len(order))))


def vacancy_score_histogram(*, vacancy: Vacancy) -> dict:
    """The vacancy's score distribution in ``HISTOGRAM_BINS`` bins of equal width over 0–100 (the last bin
    includes 100), plus the number of pairs with insufficient data and the total (one query)."""
    width = 100 / HISTOGRAM_BINS
    aggregates = {"total": Count("pk"), "insufficient": Count("pk", filter=Q(score__isnull=True))}
    for i in range(HISTOGRAM_BINS):
        low = i * width
        upper = Q(score__lte=100) if i == HISTOGRAM_BINS - 1 else Q(score__lt=low + width)
        aggregates[f"b{i}"] = Count("pk", filter=Q(score__gte=low) & upper)
    counts = MatchScore.objects.filter(vacancy=vacancy).aggregate(**aggregates)
    return {
        "bins": [(i * width, (i + 1) * width, counts[f"b{i}"]) for i in range(HISTOGRAM_BINS)],
        "insufficient": counts["insufficient"],
        "total": counts["total"],
    }


def vacancy_skill_names(*, vacancy: Vacancy) -> list[str]:
    """Names of the skills ``vacancy`` asks for, required first (for the shortlist's skill filter)."""
    return list(
        VacancySkill.objects.filter(vacancy=vacancy)
        .order_by("importance", "skill__name")
        .values_list("skill__name", flat=True)
    )


def vacancy_board_applications(*, vacancy: Vacancy) -> list:
    """Every application to ``vacancy`` with its candidate (no CV), match score and latest stage change
    (``score``, ``score_stale``, ``last_reason``, ``last_from_stage``, ``last_moved_at``,
    ``last_actor``) — one query."""
    from recruiting.models import Application, ApplicationStageChange

    latest = ApplicationStageChange.objects.filter(application=OuterRef("pk")).order_by("-created_at", "-pk")
    score = MatchScore.objects.filter(vacancy=vacancy, candidate=OuterRef("candidate_id"))
    return list(
        Application.objects.filter(vacancy=vacancy)
        .select_related("candidate")
        .defer("candidate__cv_text", "cover_note")
        .annotate(
            score=Subquery(score.values("score")[:1]),
            score_stale=Subquery(score.values("stale")[:1]),
            last_reason=Subquery(latest.values("reason")[:1]),
            last_from_stage=Subquery(latest.values("from_stage")[:1]),
            last_moved_at=Subquery(latest.values("created_at")[:1]),
            last_actor=Subquery(latest.values("actor__username")[:1]),
        )
        .order_by(F("score").desc(nulls_last=True), "pk")
    )


def candidate_scores(
    *, candidate: Candidate, vacancies: QuerySet[Vacancy], scores: QuerySet[MatchScore] | None = None
) -> list[MatchScore]:
    """Every match score of ``candidate`` against ``vacancies``, best first, vacancy loaded, each with its rank
    among the vacancy's candidates (``with_vacancy_rank(among=True)``) — one query.  ``scores`` (default: all)
    is the match scores the user may see (``recruiting.permissions.visible_match_scores``)."""
    scores = MatchScore.objects.all() if scores is None else scores
    queryset = (
        scores.filter(candidate=candidate, vacancy__in=vacancies)
        .select_related("vacancy")
        .defer("vacancy__description")
    )
    return match_scores_explain(list(_ranked(with_vacancy_rank(queryset, among=True))))


def candidate_applications(*, candidate: Candidate, applications: QuerySet) -> list:
    """``candidate``'s applications (from ``applications``, already limited to what the user may see) with
    their vacancy and full stage history, who moved them included (two queries)."""
    from recruiting.models import ApplicationStageChange

    history = ApplicationStageChange.objects.select_related("actor").order_by("created_at", "pk")
    return list(
        applications.filter(candidate=candidate)
        .select_related("vacancy")
        .defer("vacancy__description")
        .prefetch_related(Prefetch("stage_changes", queryset=history))
        .order_by("-updated_at", "-pk")
    )


# --- hiring reports (recruiting.reports; the numbers: recruiting.hiring_stats) ------------------------------


def report_applications_scope(
    *, applications: QuerySet, vacancy: Vacancy | None = None, since=None, before=None
) -> QuerySet:
    """``applications`` (already narrowed to what the user may see) received on ``vacancy`` (all when None)
    from ``since`` (aware datetime, inclusive) to ``before`` (exclusive); no query is run."""
    if vacancy is not None:
        applications = applications.filter(vacancy=vacancy)
    if since is not None:
        applications = applications.filter(created_at__gte=since)
    if before is not None:
        applications = applications.filter(created_at__lt=before)
    return applications


def report_application_rows(*, applications: QuerySet) -> list[dict]:
    """One dict per application of ``applications``: ``pk``, ``vacancy_id``, ``vacancy__title``,
    ``vacancy__reference``, ``vacancy__status``, ``stage``, ``source``, ``created_at`` (one query, no personal
    data)."""
    return list(
        applications.order_by("vacancy__title", "vacancy__reference", "pk").values(
            "pk",
            "vacancy_id",
            "vacancy__title",
            "vacancy__reference",
            "vacancy__status",
            "stage",
            "source",
            "created_at",
        )
    )


def report_stage_histories(*, applications: QuerySet) -> dict[int, list[tuple[str, object]]]:
    """The stage history of each application of ``applications``: ``{application id: [(to_stage, at), …]}`` in
    time order (one query; applications with no recorded change are absent)."""
    from recruiting.models import ApplicationStageChange

    histories: dict[int, list[tuple[str, object]]] = {}
    rows = (
        ApplicationStageChange.objects.filter(application__in=applications.order_by().values("pk"))
        .order_by("application_id", "created_at", "pk")
        .values_list("application_id", "to_stage", "created_at")
    )
    for application_id, to_stage, at in rows:
        histories.setdefault(application_id, []).append((to_stage, at))
    return histories


def report_decision_scores(
    *, applications: QuerySet, scores: QuerySet[MatchScore]
) -> list[tuple[str, float]]:
    """``(stage, score)`` of each application of ``applications`` now at hired or rejected whose candidate has a
    match score for the vacancy among ``scores`` (what the user may see); erased candidates and unscored pairs
    are left out (one query)."""
    from recruiting.models import Application

    score = scores.filter(candidate=OuterRef("candidate_id"), vacancy=OuterRef("vacancy_id")).values("score")[
        :1
    ]
    return list(
        applications.filter(stage__in=[Application.Stage.HIRED, Application.Stage.REJECTED])
        .annotate(decision_score=Subquery(score))
        .filter(decision_score__isnull=False)
        .order_by("pk")
        .values_list("stage", "decision_score")
    )


def import_runs_recent(*, limit: int = 10) -> list[ImportRun]:
    """The ``limit`` latest import runs, newest first, with their progress (one query; chunk payloads not read)."""
    return list(ImportRun.objects.order_by("-created_at", "-pk")[:limit])
