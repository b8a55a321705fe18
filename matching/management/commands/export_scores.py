"""``export_scores [--vacancy REF] [--top K] [--format csv|jsonl] [--out FILE]``: one row per pair, ranked."""

from __future__ import annotations

import csv
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from matching.models import MatchScore
from matching.scoring import COMPONENTS
from recruiting.models import Vacancy

FIELDS = ["vacancy_ref", "candidate_ref", "score", "rank", "state", "reason", "matched_skills", "missing_skills",
          "evidence",
          *[f"{name}_score" for name in COMPONENTS], "engine_version", "vocabulary_version", "computed_at"]


def export_rows(*, vacancy: Vacancy | None = None, top: int | None = None):
    """Yield one dict per stored pair, per vacancy ranked by score (best first; insufficient data last)."""
    vacancies = [vacancy] if vacancy else list(Vacancy.objects.order_by("reference", "pk"))
    for v in vacancies:
        scores = (MatchScore.objects.filter(vacancy=v).select_related("candidate")
                  .order_by("-score", "candidate__reference"))
        scored = [s for s in scores if s.score is not None] + [s for s in scores if s.score is None]
        for rank, s in enumerate(scored[:top] if top else scored, start=1):
            components = {c["name"]: c["score"] for c in s.explanation.get("components", [])}
            yield {
                "vacancy_ref": v.reference,
                "candidate_ref": s.candidate.reference,
                "score": "" if s.score is None else round(s.score, 2),
                "rank": rank,
                "state": s.state,
                "reason": s.explanation.get("reason", ""),
                "matched_skills": s.matched_skills,
                "missing_skills": s.missing_skills,
                **{f"{name}_score": components.get(name, "") for name in COMPONENTS},
                "engine_version": s.engine_version,
                "vocabulary_version": s.vocabulary_version,
                "computed_at": s.computed_at.isoformat(),
            }


def _skills_cell(skills: list[dict], key: str) -> str:
    # "Python (required, 8.3); Kafka (desirable, 1.2)" — the points each skill adds or would add.
    return "; ".join(f"{s['skill']} ({s.get('importance', '')}, {s.get(key, 0):.1f})" for s in skills)


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
            out = open(opts["out"], "w", newline="", encoding="utf-8") if opts["out"] else sys.stdout
        except OSError as exc:
            raise CommandError(f"cannot write {opts['out']}: {exc.strerror}") from exc
        count = 0
        try:
            if opts["format"] == "csv":
                writer = csv.DictWriter(out, fieldnames=FIELDS)
                writer.writeheader()
            for row in export_rows(vacancy=vacancy, top=opts["top"]):
                if opts["format"] == "csv":
                    writer.writerow({**row, "matched_skills": _skills_cell(row["matched_skills"], "contribution"),
                                     "missing_skills": _skills_cell(row["missing_skills"], "gain"),
                                     "evidence": " | ".join(f"{s['skill']}: {s['evidence']}"
                                                            for s in row["matched_skills"] if s.get("evidence"))})
                else:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if opts["out"]:
                out.close()
        if opts["out"]:
            self.stdout.write(f"Exported {count} match scores to {opts['out']}.")
