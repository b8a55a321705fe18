"""``export_scores [--vacancy REF] [--top K] [--format csv|jsonl] [--out FILE]``: one row per pair, ranked.

Columns include the rank (equal scores share it, ``tied``), the score's ``confidence`` and its reason, and its
``flags`` (CSV: their messages joined by "; "; JSONL: the list of ``{code, message}``).  CSV cells that a
spreadsheet would run as a formula are escaped by ``recruiting.csvsafe`` (the one home of that rule)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from matching.models import MatchScore
from matching.presentation import score_confidence, score_flags, skill_credit
from matching.ranking import competition_ranks, ranking_order_by
from matching.scoring import COMPONENTS
from matching.services import match_scores_explain
from recruiting.csvsafe import SafeDictWriter
from recruiting.models import Vacancy

FIELDS = [
    "vacancy_ref",
    "candidate_ref",
    "score",
    "rank",
    "tied",
    "state",
    "reason",
    "confidence",
    "confidence_reason",
    "flags",
    "matched_skills",
    "missing_skills",
    "evidence",
    *[f"{name}_score" for name in COMPONENTS],
    "engine_version",
    "vocabulary_version",
    "computed_at",
]


def export_rows(*, vacancy: Vacancy | None = None, top: int | None = None):
    """Yield one dict per stored pair, per vacancy in the ranking order of ``matching.ranking`` (best first,
    insufficient data last, then the match score's id); ``rank`` is the competition rank among all the vacancy's
    scores (equal scores share it, ``tied``), "" without a score.  ``flags`` is a list of ``{code, message}``."""
    vacancies = [vacancy] if vacancy else list(Vacancy.objects.order_by("reference", "pk"))
    for v in vacancies:
        scored = match_scores_explain(
            list(
                MatchScore.objects.filter(vacancy=v).select_related("candidate").order_by(*ranking_order_by())
            )
        )
        ranks = competition_ranks([s.score for s in scored])
        for s, rank in (
            list(zip(scored, ranks, strict=True))[:top] if top else zip(scored, ranks, strict=True)
        ):
            components = {c["name"]: c["score"] for c in s.explanation.get("components", [])}
            confidence, confidence_reason = score_confidence(s)
            yield {
                "vacancy_ref": v.reference,
                "candidate_ref": s.candidate.reference,
                "score": "" if s.score is None else round(s.score, 2),
                "rank": "" if rank.rank is None else rank.rank,
                "tied": rank.tied,
                "state": s.state,
                "reason": s.explanation.get("reason", ""),
                "confidence": confidence,
                "confidence_reason": confidence_reason,
                "flags": score_flags(s),
                "matched_skills": s.matched_skills,
                "missing_skills": s.missing_skills,
                **{f"{name}_score": components.get(name, "") for name in COMPONENTS},
                "engine_version": s.engine_version,
                "vocabulary_version": s.vocabulary_version,
                "computed_at": s.computed_at.isoformat(),
            }


def _skills_cell(skills: list[dict], key: str) -> str:
    # "Python (required, 8.3, used); TensorFlow (desirable, 1.0, credited 60 % through PyTorch (related));
    # Kafka (desirable, 1.2)" — the points each skill adds or would add, and how a matched skill was counted.
    def how(s: dict) -> str:
        counted = skill_credit(s)["text"] if key == "contribution" else ""
        return f"{s.get('importance', '')}, {s.get(key, 0):.1f}" + (f", {counted}" if counted else "")

    return "; ".join(f"{s['skill']} ({how(s)})" for s in skills)


class Command(BaseCommand):
    help = "Export stored match scores, one row per (vacancy, candidate) pair with its rank and explanation."

    def add_arguments(self, parser):
        parser.add_argument("--vacancy", metavar="REF", help="only this vacancy (by reference)")
        parser.add_argument("--top", type=int, metavar="K", help="only the K best per vacancy")
        parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
        parser.add_argument("--out", metavar="FILE", help="write here instead of standard output")

    def handle(self, *args, **opts):
        vacancy = None
        if opts["vacancy"]:
            vacancy = Vacancy.objects.filter(reference=opts["vacancy"]).first()
            if vacancy is None:
                raise CommandError(f"no vacancy with reference {opts['vacancy']!r}")
        if opts["top"] is not None and opts["top"] < 1:
            raise CommandError("--top must be at least 1")
        try:
            out = open(opts["out"], "w", newline="", encoding="utf-8") if opts["out"] else sys.stdout  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot write {opts['out']}: {exc.strerror}") from exc
        count = 0
        try:
            if opts["format"] == "csv":
                writer = SafeDictWriter(out, fieldnames=FIELDS)  # escapes spreadsheet formulas
                writer.writeheader()
            for row in export_rows(vacancy=vacancy, top=opts["top"]):
                if opts["format"] == "csv":
                    writer.writerow(
                        {
                            **row,
                            "tied": "yes" if row["tied"] else "",
                            "flags": "; ".join(f["message"] for f in row["flags"]),
                            "matched_skills": _skills_cell(row["matched_skills"], "contribution"),
                            "missing_skills": _skills_cell(row["missing_skills"], "gain"),
                            "evidence": " | ".join(
                                f"{s['skill']}: {s['evidence']}"
                                for s in row["matched_skills"]
                                if s.get("evidence")
                            ),
                        }
                    )
                else:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if opts["out"]:
                out.close()
        if opts["out"]:
            self.stdout.write(f"Exported {count} match scores to {opts['out']}.")
