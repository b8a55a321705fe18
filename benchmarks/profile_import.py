"""Where an import chunk's CPU goes, per CV (issue 15, ingestion): each extraction stage of
``matching.profiles.candidates_refresh_profiles`` timed alone over the same synthetic CVs (the least of
``--repeat`` runs; a stage timed alone asks the vocabulary's digest each call, which a chunk asks once), then a
whole chunk's write as a worker runs it (``recruiting.importers.candidates_write_chunk``: the candidates' rows,
their profiles and term counts) with this process's CPU and its PostgreSQL backend's, and once more under cProfile
(CPU time; its overhead inflates Python calls several times), each inside a transaction that is rolled back.

    cd benchmarks && ../.venv/bin/python profile_import.py --database NAME [--fresh] [--candidates 1000] [--top 30]

``NAME`` is a database of this project's schema this script may write to (dropped, created and migrated first with
``--fresh``).  Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

import _stack


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", required=True)
    ap.add_argument("--fresh", action="store_true", help="drop, create and migrate the database first")
    ap.add_argument("--candidates", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument(
        "--repeat", type=int, default=3, help="each stage is timed this many times; the least counts"
    )
    a = ap.parse_args()
    env = _stack.fresh_database(a.database) if a.fresh else _stack.stack_env(a.database)
    _stack.django_setup(env)
    from datetime import date

    from django.db import transaction

    from matching.extraction import extract_qualifications, extract_role_titles, extract_years_experience
    from matching.fairness import neutralise
    from matching.models import Skill
    from matching.synthetic import SyntheticCorpus
    from matching.terms import text_terms
    from matching.vocabulary_store import cv_evidence, cv_roles, languages_of, skill_extractor
    from recruiting.names import name_from_cv

    names = sorted(Skill.objects.values_list("name", flat=True))
    shape = [0.3 / (1 + i) ** 0.8 for i in range(len(names))]
    corpus = SyntheticCorpus(names, shape, seed=a.seed)
    raw = [corpus.cv() for _ in range(a.candidates)]
    extractor, _ = skill_extractor()
    n = len(raw)

    def timed(label: str, fn) -> object:
        best, out = None, None
        for _ in range(a.repeat):
            start = time.process_time()
            out = fn()
            spent = time.process_time() - start
            best = spent if best is None else min(best, spent)
        print(f"{label:<28} {best / n * 1000:6.3f} CPU ms per CV")
        return out

    texts = timed("neutralise", lambda: [neutralise(t, names=[f"Person {i}"]) for i, t in enumerate(raw)])
    timed("term counts", lambda: text_terms(texts))
    timed("language (batched)", lambda: languages_of(texts))
    found = timed("skill evidence", lambda: [cv_evidence(t) for t in texts])
    timed("  extractor.find alone", lambda: [extractor.find(t) for t in texts])
    timed("role titles", lambda: [cv_roles(t, e) for t, e in zip(texts, found, strict=True)])
    timed("  extract_role_titles", lambda: [extract_role_titles(t) for t in texts])
    timed("qualifications", lambda: [extract_qualifications(t) for t in texts])
    today = date(2026, 11, 29)
    timed("years of experience", lambda: [extract_years_experience(t, today) for t in texts])
    timed("CV name", lambda: [name_from_cv(t) for t in raw])

    from django.db import connection

    from recruiting.import_reading import CandidateRecord
    from recruiting.importers import candidates_write_chunk

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    records = [
        CandidateRecord(reference=f"p{i}", cv_text=t.strip(), origin=f"row {i}", source_label="synthetic")
        for i, t in enumerate(raw)
    ]

    def chunk(profile: cProfile.Profile | None) -> None:
        with transaction.atomic():
            candidates_write_chunk(records[:50], source="warm")  # caches warm
            start, server, wall = time.process_time(), _stack.cpu_seconds(backend), time.perf_counter()
            if profile:
                profile.enable()
            candidates_write_chunk(records, source="profile")
            if profile:
                profile.disable()
            cpu, server = time.process_time() - start, _stack.cpu_seconds(backend) - server
            wall = time.perf_counter() - wall
            transaction.set_rollback(True)
        print(
            f"candidates_write_chunk{' (profiled)' if profile else ''}: {cpu / n * 1000:.3f} CPU ms per CV here + "
            f"{server / n * 1000:.3f} PostgreSQL = {(cpu + server) / n * 1000:.3f} ({wall / n * 1000:.3f} ms wall)"
        )

    for _ in range(a.repeat):
        chunk(None)
    profile = cProfile.Profile(time.process_time)
    chunk(profile)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(a.top)
    stats.sort_stats("cumulative").print_stats(a.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
