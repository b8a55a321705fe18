"""The one explanation presenter: a stored match score's explanation turned into display data, for every face —
the recruiter workspace (pages and CSV export), the candidate portal, the REST API and ``export_scores``.

Pure (no Django): it reads a row's fields (``score``, ``state``, ``explanation``, ``matched_skills``,
``missing_skills``, ``confidence``) from a ``MatchScore`` or any object with the same attributes.  The faces only
format what it returns (strings, rounded numbers, words); the band of a row comes from ``row_band`` (cut-offs in
``matching.bands``) and the ranking order from ``matching.ranking``.  The SQL fast path of the API shortlist
(``recruiting.api.ranked``) passes the same stored JSON through and is held equal to the serializer by
``tests/api/test_ranked_page.py``.

It reads only what the MatchScore row stores (components with their weights and points, matched and missing
skills with their contributions and evidence, confidence and flags, versions), never the vacancy's current
configuration, so an old explanation renders again exactly as it was computed.  Rows stored before the engine
wrote confidence, flags and evidence levels lack those keys: every reader here then returns nothing extra.

What the engine stores (docs/CONTRACTS.md): ``MatchScore.confidence`` ("high", "medium", "low"; "" for insufficient
data); ``explanation["confidence_reason"]`` (text); ``explanation["flags"]``, a list of ``{"code": "keyword_list" |
"language", "message": text}``; in each matched skill ``evidence_level`` ("used", "listed", "mentioned", "entered",
"related") and, when credited through a related skill the candidate has, ``related_to`` (the candidate's skill)
and ``credit`` (0–1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matching.bands import Bands, required_counts
from matching.bands import band as _band
from matching.language import language_name
from matching.scoring import COMPONENT_LABELS, COMPONENTS, ComponentWeights

INSUFFICIENT_DATA = "insufficient_data"  # ``MatchScore.State.INSUFFICIENT_DATA``
CONFIDENCE_LEVELS = ("high", "medium", "low")
EVIDENCE_LEVELS = ("used", "listed", "mentioned", "entered", "related")


def score_confidence(score) -> tuple[str, str]:
    """``(confidence, reason)`` of a stored score: "high" / "medium" / "low" or "" (none stored), and the reason."""
    explanation = score.explanation if isinstance(score.explanation, dict) else {}
    confidence = getattr(score, "confidence", "") or explanation.get("confidence") or ""
    if confidence not in CONFIDENCE_LEVELS:
        confidence = ""
    reason = explanation.get("confidence_reason")
    return confidence, reason if isinstance(reason, str) else ""


def score_flags(score) -> list[dict]:
    """The well-formed flags of a stored score: ``[{"code": …, "message": …}]`` (empty for old rows)."""
    explanation = score.explanation if isinstance(score.explanation, dict) else {}
    flags = explanation.get("flags")
    if not isinstance(flags, list):
        return []
    return [
        {"code": str(f.get("code", "")), "message": str(f["message"])}
        for f in flags
        if isinstance(f, dict) and f.get("message")
    ]


def skill_credit(entry: dict) -> dict:
    """How one matched skill was counted: ``level`` (an evidence level or ""), ``related_to``, ``credit_pct``
    (None unless credited through a related skill) and ``text``, e.g. "used" or
    "credited 60 % through PyTorch (related)"."""
    level = entry.get("evidence_level")
    level = level if level in EVIDENCE_LEVELS else ""
    related_to = entry.get("related_to") if isinstance(entry.get("related_to"), str) else ""
    credit = entry.get("credit")
    credit_pct = None
    if related_to and isinstance(credit, (int, float)) and not isinstance(credit, bool):
        credit_pct = round(min(max(float(credit), 0.0), 1.0) * 100)
    if related_to:
        amount = f"{credit_pct} % " if credit_pct is not None else ""
        text = f"credited {amount}through {related_to} (related)"
        level = level or "related"
    else:
        text = level
    return {"level": level, "related_to": related_to, "credit_pct": credit_pct, "text": text}


def explanation_lines(score) -> list[str]:
    """Lines that explain ``score`` (a MatchScore or any object with the same fields), e.g.::

    Score 63.2 of 100 (engine 1.1.0, vocabulary 3f2a…, weights as stored)
    Confidence: medium — no skill from the vocabulary recognised: scored on text similarity only
    Note: keyword list: little evidence of use
    Required skills: 71.0 × 0.30 = 21.3 points
    + Python (required, used): 4.1 points — "Skills: Python, SQL"
    + TensorFlow (desirable, credited 60 % through PyTorch (related)): 1.0 points
    − Kafka (desirable): would add 1.2 points
    """
    explanation = score.explanation or {}
    if score.score is None:
        return [f"Insufficient data: {explanation.get('reason') or 'not enough to score'}"]
    lines = [
        (
            f"Score {score.score:.1f} of 100 (engine {score.engine_version}, vocabulary "
            f"{score.vocabulary_version or 'n/a'}, model {score.model_version or 'n/a'})"
        )
    ]
    confidence, reason = score_confidence(score)
    if confidence:
        lines.append(f"Confidence: {confidence}" + (f" — {reason}" if reason else ""))
    lines.extend(f"Note: {flag['message']}" for flag in score_flags(score))
    for c in explanation.get("components", []):
        if c.get("weight"):
            lines.append(f"{c['label']}: {c['score']:.1f} × {c['weight']:.2f} = {c['points']:.1f} points")
    for s in score.matched_skills or []:
        evidence = f' — "{s["evidence"]}"' if s.get("evidence") else ""
        how = ", ".join(p for p in (s.get("importance", ""), skill_credit(s)["text"]) if p)
        lines.append(f"+ {s['skill']} ({how}): {s.get('contribution', 0):.1f} points{evidence}")
    for s in score.missing_skills or []:
        lines.append(f"− {s['skill']} ({s.get('importance', '')}): would add {s.get('gain', 0):.1f} points")
    return lines


def _number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class Component:
    """One component of a stored explanation: ``score`` 0–100 as stored (``score_clamped`` for bar widths),
    ``weight`` 0–1 as used, ``points`` (its share of the 0–100 score).  ``applies`` is False for a component of
    weight 0 (no minimum experience, no desirable skills): every face shows it as not applicable.  ``detail`` says
    what was compared where the engine stored it (the role title: the CV's job titles and the vacancy-title skills).
    """

    name: str
    label: str
    score: float
    weight: float
    points: float
    detail: str = ""

    @property
    def applies(self) -> bool:
        return self.weight > 0

    @property
    def score_clamped(self) -> float:
        return min(max(self.score, 0.0), 100.0)


def component_names() -> tuple[str, ...]:
    """The score's components in the engine's order (``matching.scoring.COMPONENTS``), for column headers."""
    return COMPONENTS


def component_choices() -> list[tuple[str, str, float]]:
    """``(name, label, default weight)`` of each component in the engine's order, for a weights form."""
    defaults = ComponentWeights().as_dict()
    return [(name, COMPONENT_LABELS[name], defaults[name]) for name in COMPONENTS]


def language_label(code: str) -> str:
    """ "German (de)" for a stored ISO 639-1 code, "— (not detected)" for ""."""
    return f"{language_name(code)} ({code})" if code else "— (not detected)"


def components(row) -> list[Component]:
    """The well-formed components of ``row``'s stored explanation, in the engine's order (required, desirable,
    qualification, experience, profile, text; any other name after), labels defaulted from the engine's."""
    explanation = row.explanation if isinstance(row.explanation, dict) else {}
    found = [c for c in explanation.get("components") or [] if isinstance(c, dict)]
    order = {name: i for i, name in enumerate(COMPONENTS)}
    found.sort(key=lambda c: order.get(c.get("name"), len(order)))
    return [
        Component(
            name=str(c.get("name", "")),
            label=c.get("label")
            or COMPONENT_LABELS.get(str(c.get("name", "")), str(c.get("name", "")).capitalize()),
            score=_number(c.get("score")),
            weight=_number(c.get("weight")),
            points=_number(c.get("points")),
            detail=_role_detail(c) if c.get("name") == "role" else "",
        )
        for c in found
    ]


def _role_detail(component: dict) -> str:
    """ "Senior Data Scientist; Data Analyst — the vacancy's title names Machine learning" for a stored role
    component (``matching.scoring.explain_pair``), "" when it stored no titles and no title skills."""
    titles = [str(t) for t in component.get("titles") or [] if t][:3]
    wanted = [str(s) for s in component.get("vacancy_title_skills") or [] if s]
    if not wanted:
        return ""
    names = ", ".join(wanted)
    if not titles:
        return f"no job title on the CV; the vacancy's title names {names}"
    unbacked = [str(s) for s in component.get("unbacked_title_skills") or [] if s]
    note = (
        f" ({', '.join(unbacked)} named only in a title, not backed by the rest of the CV)"
        if unbacked
        else ""
    )
    return f"{'; '.join(titles)} — the vacancy's title names {names}{note}"


def row_band(row, bands: Bands) -> str:
    """The match band of a stored row ("strong", "good", "partial", "weak"; "none" without a score): its score
    against ``bands``, capped by the required skills it meets (``matching.bands``)."""
    met, total = required_counts(row.matched_skills, row.missing_skills)
    return _band(row.score, bands, required_met=met, required_total=total)


@dataclass(frozen=True)
class Explanation:
    """A stored row's explanation, read once for every face (``Explanation.from_row``).

    ``stored_components`` and ``stored_flags`` are the stored JSON lists as they are (what the API returns, and
    what its SQL fast path passes through); ``components`` and ``flags`` are the well-formed ones pages show.
    """

    insufficient: bool
    score: float | None
    reason: str
    confidence: str
    confidence_reason: str
    components: list[Component] = field(default_factory=list)
    flags: list[dict] = field(default_factory=list)
    stored_components: list = field(default_factory=list)
    stored_flags: list = field(default_factory=list)

    @classmethod
    def from_row(cls, row) -> Explanation:
        explanation = row.explanation if isinstance(row.explanation, dict) else {}
        confidence, confidence_reason = score_confidence(row)
        flags, stored_components = explanation.get("flags"), explanation.get("components")
        return cls(
            insufficient=row.state == INSUFFICIENT_DATA or row.score is None,
            score=row.score,
            reason=str(explanation.get("reason") or ""),
            confidence=confidence,
            confidence_reason=confidence_reason,
            components=components(row),
            flags=score_flags(row),
            stored_components=stored_components if isinstance(stored_components, list) else [],
            stored_flags=flags if isinstance(flags, list) else [],
        )
