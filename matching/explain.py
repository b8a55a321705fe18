"""Plain-text rendering of a stored match score's explanation.

It reads only what the MatchScore row stores (components with their weights and points, matched and missing
skills with their contributions and evidence, versions), never the vacancy's current configuration, so an old
explanation renders again exactly as it was computed.
"""

from __future__ import annotations


def explanation_lines(score) -> list[str]:
    """Lines that explain ``score`` (a MatchScore or any object with the same fields), e.g.::

        Score 63.2 of 100 (engine 1.1.0, vocabulary 3f2a…, weights as stored)
        Required skills: 71.0 × 0.30 = 21.3 points
        + Python (required): 4.1 points — "Skills: Python, SQL"
        − Kafka (desirable): would add 1.2 points
    """
    explanation = score.explanation or {}
    if score.score is None:
        return [f"Insufficient data: {explanation.get('reason') or 'not enough to score'}"]
    lines = [f"Score {score.score:.1f} of 100 (engine {score.engine_version}, vocabulary "
             f"{score.vocabulary_version or 'n/a'}, model {score.model_version or 'n/a'})"]
    for c in explanation.get("components", []):
        if c.get("weight"):
            lines.append(f"{c['label']}: {c['score']:.1f} × {c['weight']:.2f} = {c['points']:.1f} points")
    for s in score.matched_skills or []:
        evidence = f' — "{s["evidence"]}"' if s.get("evidence") else ""
        lines.append(f"+ {s['skill']} ({s.get('importance', '')}): {s.get('contribution', 0):.1f} points{evidence}")
    for s in score.missing_skills or []:
        lines.append(f"− {s['skill']} ({s.get('importance', '')}): would add {s.get('gain', 0):.1f} points")
    return lines
