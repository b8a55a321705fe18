"""Reads for the recruiter workspace and the portal.  Selectors own the query shape.

Every function here runs a fixed number of queries, whatever the number of rows it returns: a shortlist of
50 or 500 candidates is one query.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Case,
    Count,
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
from django.db.models.functions import Coalesce

from matching.models import MatchScore
from recruiting.models import Candidate, CandidateSkill, SkillImportance, Vacancy, VacancySkill

INSUFFICIENT_DATA = MatchScore.State.INSUFFICIENT_DATA


def _ranked(queryset: QuerySet[MatchScore]) -> QuerySet[MatchScore]:
    """Scores best first; "insufficient data" (no score) last."""
    return queryset.annotate(
        insufficient=Case(
            When(Q(state=INSUFFICIENT_DATA) | Q(score__isnull=True), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("insufficient", F("score").desc(nulls_last=True), "pk")


def vacancy_shortlist(*, vacancy: Vacancy, limit: int = 50) -> list[MatchScore]:
    """The ranked shortlist for ``vacancy``: its top ``limit`` match scores, candidate loaded (one query).

    ``Candidate.cv_text`` is deferred: a shortlist never needs the CV.
    """
    queryset = (
        MatchScore.objects.filter(vacancy=vacancy).select_related("candidate").defer("candidate__cv_text")
    )
    return list(_ranked(queryset)[: max(limit, 0)])


def vacancy_scored_count(*, vacancy: Vacancy) -> int:
    """How many candidates have a match score for ``vacancy``."""
    return MatchScore.objects.filter(vacancy=vacancy).count()


def candidate_best_vacancies(*, candidate: Candidate, limit: int = 10) -> list[MatchScore]:
    """The ``limit`` vacancies ``candidate`` fits best, vacancy loaded (one query)."""
    queryset = (
        MatchScore.objects.filter(candidate=candidate).select_related("vacancy").defer("vacancy__description")
    )
    return list(_ranked(queryset)[: max(limit, 0)])


def candidate_scored_count(*, candidate: Candidate) -> int:
    return MatchScore.objects.filter(candidate=candidate).count()


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
    "GBP": "£", "USD": "$", "EUR": "€", "INR": "₹", "JPY": "¥", "CNY": "¥",
    "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "SGD": "S$", "HKD": "HK$",
    "CHF": "CHF ", "SEK": "SEK ", "NOK": "NOK ", "DKK": "DKK ", "PLN": "PLN ",
}


def _money(amount: Decimal, currency: str) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), f"{currency.upper()} " if currency else "")
    whole = amount == amount.to_integral_value()
    return f"{symbol}{amount:,.0f}" if whole else f"{symbol}{amount:,.2f}"


def money_range_text(minimum: Decimal | None, maximum: Decimal | None, currency: str, *, per: str = "") -> str:
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
    return money_range_text(vacancy.day_rate_min, vacancy.day_rate_max, vacancy.salary_currency, per="day")
