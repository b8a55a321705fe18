"""CSV ingestion end to end: ``import_candidates FILE.csv`` in one process against the same file fanned out over
Celery workers, with PostgreSQL and Redis (issue 15, parallel ingestion).

    python benchmarks/bench_import.py --candidates 5000 [--workers 2] [--chunk-size 500] [--baseline-candidates N]

Sets up its own database (``bench_import``, or ``--database``), writes a CSV of synthetic CVs (``matching.synthetic``, the project
vocabulary, the default skill shape of ``generate_benchmark_data``) to a temporary file, then times the command
from start to the last chunk stored, each time on an empty candidate table:

1. today's path, one process: ``importers.import_candidate_csv`` (one transaction, ``candidate_upsert`` per row);
2. ``import_candidates --in-process``: the import run's chunks written one after another in the command's process;
3. ``import_candidates`` with ``--workers`` worker processes (concurrency 1 each) writing the chunks.

Prints each wall time, CVs per second and the ratios of the rates; the read phase (parsing, repair, checks: serial,
in the command) apart from the chunks.  ``--baseline-candidates N`` runs paths 1 and 2 (the one-process baselines)
over the file's first N CVs only, in a CSV of their own, and the workers over all of them: at 100,000 CVs the
baselines would take longer than the run they are compared with.  By default they run over the same CVs.  Rescoring is enqueued once per import but there is no vacancy, so it costs nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time

import _stack


def _cpu() -> float:
    """CPU seconds of every finished child process and their children (the command, the workers and their pool
    processes once stopped); PostgreSQL's own time is not in it."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE recruiting_candidate, recruiting_importrun CASCADE")


def _write_csv(path: str, n: int, seed: int, subset: tuple[str, int] | None = None) -> None:
    """``n`` synthetic CVs into ``path``; with ``subset`` ``(path, m)``, the first ``m`` of them also into that file."""
    from matching.models import Skill
    from matching.synthetic import SyntheticCorpus

    names = sorted(Skill.objects.values_list("name", flat=True))
    shape = [0.3 / (1 + i) ** 0.8 for i in range(len(names))]  # generate_benchmark_data's default shape
    corpus = SyntheticCorpus(names, shape, seed=seed)
    with contextlib.ExitStack() as stack:
        writers = [csv.writer(stack.enter_context(open(path, "w", encoding="utf-8", newline="")))]
        if subset:
            writers.append(
                csv.writer(stack.enter_context(open(subset[0], "w", encoding="utf-8", newline="")))
            )
        for writer in writers:
            writer.writerow(["id", "label", "text"])
        for i in range(n):
            row = [f"bench-c{i:08d}", "synthetic", corpus.cv()]
            for writer in writers if subset and i < subset[1] else writers[:1]:
                writer.writerow(row)


# 100,000 synthetic CVs make a ~480 MB CSV, over the 200 MiB default an API upload is held to: the benchmark
# imports it as an operator would, with the limit raised (``--max-csv-mb``).
_MAX_CSV_MB = 2048


def _command(env: dict, path: str, *extra: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "import_candidates", path, "--text-column", "text", "--id-column", "id",
         "--label-column", "label", "--max-csv-mb", str(_MAX_CSV_MB), *extra],
        cwd=_stack.ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start


def _phases() -> str:
    from recruiting.models import ImportRun

    run = ImportRun.objects.latest("pk")
    chunks = (run.finished_at - run.started_at).total_seconds() if run.started_at and run.finished_at else 0.0
    return f"{run.chunks_total} chunks written in {chunks:.1f} s ({run.status})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candidates", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-today", action="store_true", help="skip today's one-transaction path")
    ap.add_argument("--database", default="bench_import", help="the database it drops and creates")
    ap.add_argument(
        "--baseline-candidates",
        type=int,
        metavar="N",
        help="run the one-process baselines (today's path, --in-process) over the first N CVs only (default: all)",
    )
    a = ap.parse_args()
    if a.baseline_candidates is not None and not 0 < a.baseline_candidates <= a.candidates:
        ap.error("--baseline-candidates must be between 1 and --candidates")
    env = _stack.fresh_database(a.database)
    _stack.django_setup(env)
    from recruiting.models import Candidate

    handle, path = tempfile.mkstemp(suffix=".csv", prefix="bench-import-")
    os.close(handle)
    n = a.candidates
    nb = a.baseline_candidates or n  # the baselines' CVs: the first nb of the file
    base_path = path
    if nb < n:
        handle, base_path = tempfile.mkstemp(suffix=".csv", prefix="bench-import-baseline-")
        os.close(handle)
    try:
        print("load average at the start (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
        t0 = time.perf_counter()
        _write_csv(path, n, a.seed, (base_path, nb) if nb < n else None)
        print(f"data: {n:,} synthetic CVs, {os.path.getsize(path) / 2**20:.1f} MB of CSV, "
              f"written in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        if nb < n:
            print(f"the one-process baselines run over the first {nb:,} of them; the workers over all {n:,}")
        results, counts = {}, {}
        from recruiting.import_reading import read_candidate_csv

        t0 = time.perf_counter()
        read_candidate_csv(
            path, text_column="text", id_column="id", label_column="label", max_bytes=_MAX_CSV_MB * 2**20
        )
        print(f"read phase alone, one process (parse, ftfy repair, checks): {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        read_candidate_csv(
            path,
            text_column="text",
            id_column="id",
            label_column="label",
            processes=os.cpu_count() or 1,
            max_bytes=_MAX_CSV_MB * 2**20,
        )
        print(
            f"read phase alone as the command reads (repair in {os.cpu_count()} processes): "
            f"{time.perf_counter() - t0:.1f} s"
        )
        if not a.skip_today:
            code = (
                "import django, time; django.setup(); from recruiting.importers import import_candidate_csv; "
                f"import_candidate_csv({base_path!r}, text_column='text', id_column='id', label_column='label')"
            )
            start, cpu = time.perf_counter(), _cpu()
            subprocess.run([sys.executable, "-c", code], cwd=_stack.ROOT, env=env, check=True)
            results["today"], counts["today"] = time.perf_counter() - start, nb
            cpu_today = _cpu() - cpu
            assert Candidate.objects.count() == nb
            print(
                f"today, one process, one transaction{_over(nb, n)}: {results['today']:.1f} s, "
                f"{nb / results['today']:.1f} CVs/s; {cpu_today:.1f} CPU s ({cpu_today / nb * 1000:.1f} ms per CV)"
            )
            _truncate()
        chunk = ["--chunk-size", str(a.chunk_size)]
        cpu = _cpu()
        results["in-process"], counts["in-process"] = _command(env, base_path, "--in-process", *chunk), nb
        cpu_in_process = _cpu() - cpu
        assert Candidate.objects.count() == nb
        print(
            f"import run --in-process{_over(nb, n)}: {results['in-process']:.1f} s, "
            f"{nb / results['in-process']:.1f} CVs/s; "
            + _phases()
            + f"; {cpu_in_process:.1f} CPU s ({cpu_in_process / nb * 1000:.1f} ms per CV)"
        )
        _truncate()
        subprocess.run(["redis-cli", "-u", _stack.REDIS, "FLUSHDB"], check=True, capture_output=True)
        cpu = _cpu()
        procs = _stack.start_workers(env, a.workers, concurrency=1)
        try:
            results["workers"] = _command(env, path, *chunk)
        finally:
            _stack.stop_workers(procs)
        cpu_workers = _cpu() - cpu  # the command (waiting) and the workers, start-up included
        assert Candidate.objects.count() == n
        print(
            f"import run, {a.workers} workers: {results['workers']:.1f} s, {n / results['workers']:.1f} CVs/s; "
            + _phases()
            + f"; {cpu_workers:.1f} CPU s with the workers' start-up ({cpu_workers / n * 1000:.1f} ms per CV)"
        )
        print("load average at the end (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
        for base in ("today", "in-process"):
            if base in results:
                rate, base_rate = n / results["workers"], counts[base] / results[base]
                print(
                    f"ratio: {a.workers} workers {rate / base_rate:.2f}× the rate of {base}"
                    + (f" ({rate:.1f} against {base_rate:.1f} CVs/s{_over(nb, n)})" if nb < n else "")
                )
    finally:
        os.unlink(path)
        if base_path != path:
            os.unlink(base_path)


def _over(nb: int, n: int) -> str:
    return f" over the first {nb:,} CVs" if nb < n else ""


if __name__ == "__main__":
    main()
