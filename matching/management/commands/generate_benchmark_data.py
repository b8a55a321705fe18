"""``generate_benchmark_data --candidates N --vacancies M``: synthetic CVs and vacancies, written in bulk.

The texts come from ``matching.synthetic`` with the project vocabulary; with ``--shape-from CSV`` (e.g.
``../shared/data/resumes/UpdatedResumeDataSet.csv``) the CVs name skills as often as the real CVs of that file
do.  Rows are written with ``bulk_create`` in batches; profiles (skills with evidence, qualifications, years,
language, roles, CV name) and term counts are extracted exactly as imports extract them
(``matching.profiles.candidates_refresh_profiles`` per batch, ``vacancy_refresh_profile`` per vacancy), without
enqueueing any scoring: run ``score --all`` after.
"""

from __future__ import annotations

import csv
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from matching import profiles
from matching.extraction import repair_text
from matching.models import Skill
from matching.synthetic import SyntheticCorpus, skill_shape
from matching.vocabulary_store import skill_extractor, vocabulary_held
from recruiting.models import Candidate, Vacancy


class Command(BaseCommand):
    help = (
        "Write N synthetic candidates and M synthetic vacancies into the database, in bulk, for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--candidates", type=int, required=True)
        parser.add_argument("--vacancies", type=int, required=True)
        parser.add_argument(
            "--shape-from",
            metavar="CSV",
            help="real CVs (a Resume or text column) to copy the skill-frequency shape from",
        )
        parser.add_argument("--source", default="benchmark", help="source of the rows (default: benchmark)")
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **opts):
        if opts["candidates"] < 0 or opts["vacancies"] < 0 or opts["batch"] < 1:
            raise CommandError("counts must be ≥ 0 and --batch ≥ 1")
        extractor, _ = skill_extractor()
        skills = dict(Skill.objects.values_list("name", "id"))
        if not skills:
            raise CommandError("the skill vocabulary is empty: run migrate first")
        names = sorted(skills)
        if opts["shape_from"]:
            csv.field_size_limit(10**8)
            try:
                with open(opts["shape_from"], encoding="utf-8", newline="") as f:
                    texts = {repair_text(r.get("Resume") or r.get("text") or "") for r in csv.DictReader(f)}
            except OSError as exc:
                raise CommandError(f"cannot read {opts['shape_from']}: {exc.strerror}") from exc
            shape = skill_shape([extractor.counts(t) for t in texts if t.strip()], names)
            self.stdout.write(f"Skill-frequency shape from {len(texts)} real CVs.")
        else:
            shape = [0.3 / (1 + i) ** 0.8 for i in range(len(names))]
        corpus = SyntheticCorpus(names, shape, seed=opts["seed"])
        start = time.monotonic()
        offset = Vacancy.objects.filter(source=opts["source"]).count()
        vacancies = []
        for i in range(opts["vacancies"]):
            title, text = corpus.vacancy()
            vacancies.append(
                Vacancy(
                    title=title,
                    reference=f"bench-v{offset + i:07d}",
                    source=opts["source"],
                    description=text,
                    status=Vacancy.Status.OPEN,
                    published_at=timezone.now(),
                )
            )
        with transaction.atomic():
            Vacancy.objects.bulk_create(vacancies, batch_size=opts["batch"])
            created = list(
                Vacancy.objects.filter(source=opts["source"], reference__in=[v.reference for v in vacancies])
            )
            with vocabulary_held():
                for v in created:  # extracted as saving or importing a vacancy extracts it
                    profiles.vacancy_refresh_profile(vacancy=v)
        self.stdout.write(f"Wrote {len(created)} vacancies.")

        offset = Candidate.objects.filter(source=opts["source"]).count()
        written = 0
        for batch_start in range(0, opts["candidates"], opts["batch"]):
            n = min(opts["batch"], opts["candidates"] - batch_start)
            rows = [
                Candidate(
                    reference=f"bench-c{offset + batch_start + i:08d}",
                    source=opts["source"],
                    source_label="synthetic",
                    cv_text=corpus.cv(),
                )
                for i in range(n)
            ]
            with transaction.atomic():
                Candidate.objects.bulk_create(rows, batch_size=opts["batch"])
                # profiles and term counts exactly as an import chunk extracts them
                profiles.candidates_refresh_profiles(candidates=rows)
            written += n
            self.stdout.write(f"  {written:,} of {opts['candidates']:,} candidates", ending="\r")
            self.stdout.flush()
        self.stdout.write(
            f"\nWrote {written:,} candidates and {len(created):,} vacancies in "
            f"{time.monotonic() - start:.1f} s (no scoring enqueued: run 'score --all')."
        )
