"""Plain-text rendering of a stored match score's explanation, and the readers every page shares.

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
