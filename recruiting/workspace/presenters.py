"""A match score as the workspace shows it: band colour, component bars, matched and missing skills, rank, the
score histogram's geometry and a shortlist row.  Pure display data (dicts of strings) for the templates and the
CSV export; the explanation itself is read through ``matching.presentation``.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from matching import presentation
from matching.bands import DEFAULT_BANDS, Bands, required_counts
from matching.bands import band as match_band
from matching.bands import label as band_label
from matching.models import MatchScore
from matching.presentation import score_confidence, score_flags, skill_credit
from matching.ranking import Rank, rank_text
from recruiting import permissions
from recruiting.models import Application, Candidate, SkillImportance
from recruiting.workspace.blind import candidate_label, conceals, redact

SHORTLIST_TOP_SKILLS = 5  # required skills shown per row before "+N more"
STAGE_LABELS = dict(Application.Stage.choices)
NOT_APPLICABLE = "n/a"


def _number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _pct(value: float) -> str:
    return f"{min(max(value, 0.0), 100.0):.1f}"


#: The workspace's colour classes (``ws-band-*``) of the match bands (``matching.bands``, their one home).
BAND_CLASSES = {"strong": "high", "good": "mid", "partial": "low", "weak": "low", "none": "none"}


def score_band(value: float | None, bands: Bands = DEFAULT_BANDS) -> str:
    """Colour class (high, mid, low, or none when not scored) of a bare score, as on the board's cards, which
    carry no skill counts: its match band by the cut-offs alone (``matching.bands.band``, their one home)."""
    return BAND_CLASSES[match_band(value, bands)]


def component_bars(score: MatchScore) -> list[dict]:
    """The explanation's components as bars (``matching.presentation.components``: engine order first, then any
    other names).  A component with weight 0 did not apply: its score is ``NOT_APPLICABLE`` ("n/a") and its bar
    width 0, on every page and in the CSV export."""
    return [
        {
            "name": c.name,
            "label": c.label,
            "score": f"{c.score:.0f}" if c.applies else NOT_APPLICABLE,
            "width": _pct(c.score) if c.applies else "0.0",
            "weight": f"{c.weight:.0%}",
            "points": f"{c.points:.1f}",
            "applies": c.applies,
            "detail": c.detail,
        }
        for c in presentation.components(score)
    ]


def score_summary(
    score: MatchScore,
    *,
    candidate: Candidate | None = None,
    conceal: bool = False,
    bands: Bands = DEFAULT_BANDS,
) -> dict:
    """Score, band, state, staleness, component bars and matched / missing skills of one match score.  With
    ``conceal`` the evidence lines are redacted (no names, no e-mail addresses); ``bands`` are the match bands
    of the score distribution (``recruiting.selectors.match_bands``)."""
    explanation = score.explanation if isinstance(score.explanation, dict) else {}
    insufficient = score.state == MatchScore.State.INSUFFICIENT_DATA or score.score is None
    matched = [
        {
            "skill": m.get("skill", "?"),
            "importance": m.get("importance", ""),
            "required": m.get("importance") == SkillImportance.REQUIRED,
            "evidence": redact(m.get("evidence", ""), candidate) if conceal else m.get("evidence", ""),
            "contribution": f"{_number(m.get('contribution')):.1f}",
            "credit": skill_credit(m),
        }
        for m in (score.matched_skills or [])
        if isinstance(m, dict)
    ]
    missing = [
        {
            "skill": m.get("skill", "?"),
            "importance": m.get("importance", ""),
            "required": m.get("importance") == SkillImportance.REQUIRED,
            "gain": f"{_number(m.get('gain')):.1f}",
        }
        for m in (score.missing_skills or [])
        if isinstance(m, dict)
    ]
    missing.sort(key=lambda m: not m["required"])
    # The shortlist's compact cells: the top required skills met (most points first) and missing (largest gain
    # first); the rest, desirable ones included, behind "+N more".
    by_points = sorted(matched, key=lambda m: (not m["required"], -_number(m["contribution"])))
    by_gain = sorted(missing, key=lambda m: (not m["required"], -_number(m["gain"])))
    matched_top = [m for m in by_points if m["required"]][:SHORTLIST_TOP_SKILLS]
    missing_top = [m for m in by_gain if m["required"]][:SHORTLIST_TOP_SKILLS]
    value = None if score.score is None else _number(score.score)
    required_met, required_total = required_counts(score.matched_skills, score.missing_skills)
    band_name = presentation.row_band(score, bands)
    confidence, confidence_reason = score_confidence(score)
    rank = Rank(getattr(score, "vacancy_rank", None), bool(getattr(score, "vacancy_tied", False)))
    return {
        "score": "—" if value is None else f"{value:.0f}",
        "score_exact": "" if value is None else f"{value:.1f}",
        "score_width": _pct(value or 0.0),
        "band": BAND_CLASSES[band_name],
        "band_label": band_label(band_name),
        "required_met": required_met,
        "required_total": required_total,
        "insufficient": insufficient,
        "reason": explanation.get("reason") or "Not enough data to score this pair.",
        "stale": bool(score.stale),
        "components": [] if insufficient else component_bars(score),
        "matched": matched,
        "missing": missing,
        "matched_top": matched_top,
        "matched_more": [m for m in by_points if m not in matched_top],
        "missing_top": missing_top,
        "missing_more": [m for m in by_gain if m not in missing_top],
        "engine_version": score.engine_version,
        "computed_at": score.computed_at,
        "confidence": confidence,
        "confidence_reason": confidence_reason,
        "flags": score_flags(score),
        # Rank among the vacancy's candidates, when the selector annotated it (``with_vacancy_rank``).
        "rank": rank.rank,
        "rank_label": rank.label,
        "tied": rank.tied,
        "rank_text": rank_text(rank.rank, rank.tied, getattr(score, "vacancy_ranked", None)),
    }


def histogram_svg(histogram: dict, *, min_score: float | None = None) -> dict:
    """Geometry of the score histogram (drawn as inline SVG by the template): one bar per bin, its count on
    top, the bin's lower bound below; bins under ``min_score`` are drawn muted."""
    width, height, top, bottom, left = 420, 150, 18, 22, 6
    bins = histogram["bins"]
    peak = max((count for _, _, count in bins), default=0) or 1
    slot = (width - 2 * left) / len(bins)
    plot = height - top - bottom
    bars = []
    for i, (low, high, count) in enumerate(bins):
        h = round(plot * count / peak, 1)
        x = round(left + i * slot + 2, 1)
        bars.append(
            {
                "x": x,
                "y": round(top + plot - h, 1),
                "w": round(slot - 4, 1),
                "h": h,
                "cx": round(x + (slot - 4) / 2, 1),
                "count": count,
                "low": f"{low:.0f}",
                "high": f"{high:.0f}",
                "label_y": round(top + plot - h - 4, 1),
                "muted": min_score is not None and high <= min_score,
            }
        )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "baseline": top + plot,
        "axis_y": height - 6,
        "left": left,
        "right": width - left,
        "total": histogram["total"],
        "insufficient": histogram["insufficient"],
    }


def shortlist_rows(scores, *, vacancy, blind: bool, user, bands: Bands = DEFAULT_BANDS) -> list[dict]:
    recruiter = permissions.is_recruiter(user)
    rows = []
    for score in scores:
        candidate = score.candidate
        applied = score.application_id is not None
        concealed = conceals(blind, score.application_revealed)
        # Hiring managers open only people who applied to their vacancy; nobody opens a concealed profile
        # from here.
        can_open = not concealed and (recruiter or applied)
        rows.append(
            {
                "candidate_id": candidate.pk,
                "label": candidate_label(candidate, concealed=concealed),
                "concealed": concealed,
                "email": "" if concealed else candidate.email,
                "detail": ""
                if concealed
                else " · ".join(
                    p for p in (candidate.headline, candidate.location, candidate.source_label) if p
                ),
                "url": reverse("admin:recruiting_candidate_change", args=[candidate.pk]) if can_open else "",
                "stage": score.application_stage or "",
                "stage_label": STAGE_LABELS.get(score.application_stage or "", "Not applied"),
                **score_summary(score, candidate=candidate, conceal=concealed, bands=bands),
            }
        )
    return rows


def years_text(value: float | None) -> str:
    if value is None:
        return "not stated"
    return f"{value:.1f}".rstrip("0").rstrip(".") + (" year" if round(value, 1) == 1 else " years")
