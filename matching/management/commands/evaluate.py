"""``evaluate``: ranking quality and robustness of the engine beside plain TF-IDF and BM25 over the raw text.

Label mode (candidates imported with a source label, e.g. ``import_candidates … --label-column``)::

    manage.py evaluate --relevant-label "Data Science" --negative-labels "HR,Advocate,Arts" [--vacancies REF,…]

prints precision@k, nDCG@k, MAP and ROC AUC, each a mean over the vacancies with a bootstrap 95 % interval
(candidates resampled with replacement), for the engine, plain TF-IDF and BM25 side by side.

Pairwise mode::

    manage.py evaluate --pairwise FILE.jsonl

reads one JSON object per line with ``vacancy``, ``better`` and ``worse`` texts and prints the share of pairs
each ranker orders correctly (ties count one half).

Robustness mode (issue 12 item 9; any candidates, no labels needed)::

    manage.py evaluate --robustness [--vacancies REF,…] [--source S] [--min-hard-negative 1.0] [--max-stuffing-rank 20]

prints, per vacancy and as a summary, for each ranker: the rank of four generated keyword-stuffed CVs among the
pool plus itself (and whether the engine flags them as keyword lists), hard-negative accuracy (a CV against the
same CV with every sentence naming a skill removed), rank change under synonym rewrites, the engine's
confidence and language flags, and the number of tied scores.  See ``matching.robustness``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from matching import evaluation, robustness, selectors, services
from matching.rankers import (
    BM25,
    ENGINE,
    PLAIN,
    RANKERS,
    bm25_scores,
    engine_scores,
    plain_tfidf_scores,
    robustness_report,
)
from recruiting.models import Candidate, Vacancy


def _shares(counts: Counter, total: int, *, blank: str = "insufficient") -> str:
    """``"high 40 (24.1%), …"`` in descending order; the empty key is shown as ``blank``."""
    if not total:
        return "none"
    return ", ".join(f"{key or blank} {count} ({count / total:.1%})" for key, count in counts.most_common())


class Command(BaseCommand):
    help = (
        "Measure ranking quality (precision@k, nDCG@k, MAP, ROC AUC with bootstrap 95 % intervals) of the "
        "engine beside plain TF-IDF and BM25, on candidates with source labels; with --pairwise, the share of "
        "(vacancy, better CV, worse CV) triples ranked correctly; with --robustness, keyword stuffing, hard "
        "negatives, synonym rewrites, confidence and ties on any candidates."
    )

    def add_arguments(self, parser):
        parser.add_argument("--relevant-label", help="the source label of relevant candidates")
        parser.add_argument(
            "--negative-labels",
            default="",
            help="comma-separated labels counted as negatives for ROC AUC (default: all others)",
        )
        parser.add_argument(
            "--vacancies", default="", help="comma-separated vacancy references (default: all)"
        )
        parser.add_argument("--source", help="only candidates from this source")
        parser.add_argument("--k", type=int, default=10, help="cut-off for precision and nDCG (default 10)")
        parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
        parser.add_argument("--per-vacancy", action="store_true", help="also print one line per vacancy")
        parser.add_argument(
            "--pairwise", metavar="FILE.jsonl", help="pairwise mode: read triples from this file"
        )
        parser.add_argument(
            "--min-precision", type=float, help="exit 1 when the engine's mean precision@k is lower"
        )
        parser.add_argument("--min-ndcg", type=float, help="exit 1 when the engine's mean nDCG@k is lower")
        parser.add_argument("--min-auc", type=float, help="exit 1 when the engine's lowest ROC AUC is lower")
        parser.add_argument(
            "--robustness",
            action="store_true",
            help="robustness mode: stuffing, hard negatives, rewrites, confidence, ties (no labels)",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="seed of the generated stuffing CVs (default 0)"
        )
        parser.add_argument(
            "--min-hard-negative",
            type=float,
            help="robustness: exit 1 when the engine's hard-negative accuracy (0–1, ties fail) is lower",
        )
        parser.add_argument(
            "--max-stuffing-rank",
            type=int,
            metavar="N",
            help="robustness: exit 1 when the engine ranks any stuffing CV N-th or better "
            "(20: every stuffing CV must rank below 20th)",
        )

    def handle(self, *args, **opts):
        if opts["pairwise"]:
            return self._pairwise(Path(opts["pairwise"]))
        if opts["robustness"]:
            return self._robustness(opts)
        if not opts["relevant_label"]:
            raise CommandError("give --relevant-label (or --pairwise FILE)")
        if opts["k"] < 1 or opts["resamples"] < 10:
            raise CommandError("--k must be ≥ 1 and --resamples ≥ 10")
        return self._labels(opts)

    # --- label mode --------------------------------------------------------------------------------------------
    def _labels(self, opts) -> None:
        candidates = Candidate.objects.exclude(source_label="").order_by("pk")
        if opts["source"]:
            candidates = candidates.filter(source=opts["source"])
        rows = list(candidates.values_list("pk", "reference", "source_label", "cv_text"))
        if not rows:
            raise CommandError("no candidates with a source label: import them with --label-column")
        labels = [r[2] for r in rows]
        relevant = opts["relevant_label"]
        if relevant not in labels:
            raise CommandError(
                f"no candidate is labelled {relevant!r}; labels: {', '.join(sorted(set(labels)))}"
            )
        negatives = {x.strip() for x in opts["negative_labels"].split(",") if x.strip()} or None
        unknown = (negatives or set()) - set(labels)
        if unknown:
            raise CommandError(f"unknown negative labels: {', '.join(sorted(unknown))}")
        vacancies = self._vacancies(opts)

        ids = [r[1] for r in rows]
        cv_texts, vacancy_texts = [r[3] for r in rows], [v[2] for v in vacancies]
        rankers = {
            ENGINE: engine_scores([r[0] for r in rows], [v[0] for v in vacancies]),
            PLAIN: plain_tfidf_scores(cv_texts, vacancy_texts),
            BM25: bm25_scores(cv_texts, vacancy_texts),
        }
        k, n = opts["k"], len(rows)
        n_neg = sum(1 for lab in labels if lab != relevant and (negatives is None or lab in negatives))
        self.stdout.write(
            f"Ranking quality: {len(vacancies)} vacancies × {n} candidates; relevant {relevant!r} "
            f"({labels.count(relevant)}), negatives {n_neg} ({'all other labels' if negatives is None else len(negatives)} "
            f"labels); k={k}; 95 % intervals from {opts['resamples']} bootstrap resamples of the candidates."
        )

        results = {}
        for name, scores in rankers.items():
            results[name] = self._metrics(scores, labels, ids, relevant, negatives, k, opts["resamples"])
        names = list(rankers)
        header = f"{'metric':<16}" + "".join(f"{name:>28}" for name in names)
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for metric in (f"precision@{k}", f"nDCG@{k}", "MAP", "ROC AUC (mean)", "ROC AUC (min)"):
            cells = []
            for name in names:
                est = results[name][metric]
                cells.append(
                    f"{est.mean:6.3f} [{est.low:5.3f}, {est.high:5.3f}]".rjust(28)
                    if est.low == est.low
                    else f"{est.mean:6.3f}".rjust(28)
                )
            self.stdout.write(f"{metric:<16}" + "".join(cells))
        if opts["per_vacancy"]:
            for name in names:
                self.stdout.write(f"\n{name}, per vacancy:")
                for (_, ref, _), m in zip(vacancies, results[name]["per_vacancy"], strict=True):
                    auc = "n/a" if m.auc is None else f"{m.auc:.3f}"
                    self.stdout.write(
                        f"  {ref}: P@{k}={m.precision:.2f} nDCG@{k}={m.ndcg:.2f} "
                        f"AP={m.average_precision:.2f} AUC={auc}"
                    )
        engine = results[ENGINE]
        failures = []
        if opts["min_precision"] is not None and engine[f"precision@{k}"].mean < opts["min_precision"]:
            failures.append(f"precision@{k} {engine[f'precision@{k}'].mean:.3f} < {opts['min_precision']}")
        if opts["min_ndcg"] is not None and engine[f"nDCG@{k}"].mean < opts["min_ndcg"]:
            failures.append(f"nDCG@{k} {engine[f'nDCG@{k}'].mean:.3f} < {opts['min_ndcg']}")
        if opts["min_auc"] is not None and engine["ROC AUC (min)"].mean < opts["min_auc"]:
            failures.append(f"min ROC AUC {engine['ROC AUC (min)'].mean:.3f} < {opts['min_auc']}")
        if failures:
            raise CommandError("below the minimum: " + "; ".join(failures))

    @staticmethod
    def _vacancies(opts) -> list[tuple[int, str, str]]:
        """``(pk, reference, description)`` of the vacancies chosen by ``--vacancies`` (default: all)."""
        vacancies = Vacancy.objects.order_by("reference", "pk")
        wanted = [x.strip() for x in opts["vacancies"].split(",") if x.strip()]
        if wanted:
            vacancies = vacancies.filter(reference__in=wanted)
            missing = set(wanted) - set(vacancies.values_list("reference", flat=True))
            if missing:
                raise CommandError(f"no vacancy with reference {', '.join(sorted(missing))}")
        vacancies = list(vacancies.values_list("pk", "reference", "description"))
        if not vacancies:
            raise CommandError("no vacancies to evaluate")
        return vacancies

    @staticmethod
    def _metrics(scores: np.ndarray, labels, ids, relevant, negatives, k, resamples) -> dict:
        def per_vacancy(index: np.ndarray):
            out = []
            for j in range(scores.shape[1]):
                col = scores[index, j]
                out.append(
                    evaluation.ranking_metrics(
                        [None if np.isnan(s) else float(s) for s in col],
                        [labels[i] for i in index],
                        [f"{ids[i]}#{p}" for p, i in enumerate(index)],
                        relevant=relevant,
                        negatives=negatives,
                        k=k,
                    )
                )
            return out

        full = per_vacancy(np.arange(len(labels)))

        def summary(ms):
            aucs = [m.auc for m in ms if m.auc is not None]
            return {
                f"precision@{k}": np.mean([m.precision for m in ms]),
                f"nDCG@{k}": np.mean([m.ndcg for m in ms]),
                "MAP": np.mean([m.average_precision for m in ms]),
                "ROC AUC (mean)": np.mean(aucs) if aucs else np.nan,
                "ROC AUC (min)": np.min(aucs) if aucs else np.nan,
            }

        point = summary(full)
        rng = np.random.default_rng(0)
        samples = {name: [] for name in point}
        for _ in range(resamples):
            index = rng.integers(0, len(labels), size=len(labels))
            for name, value in summary(per_vacancy(index)).items():
                samples[name].append(value)
        out = {}
        for name, value in point.items():
            values = np.array([v for v in samples[name] if not np.isnan(v)])
            low, high = (
                (np.percentile(values, 2.5), np.percentile(values, 97.5)) if len(values) else (np.nan, np.nan)
            )
            out[name] = evaluation.Estimate(float(value), float(low), float(high))
        out["per_vacancy"] = full
        return out

    # --- robustness mode ---------------------------------------------------------------------------------------
    def _robustness(self, opts) -> None:
        candidates = Candidate.objects.exclude(cv_text="").order_by("pk")
        if opts["source"]:
            candidates = candidates.filter(source=opts["source"])
        texts = list(candidates.values_list("cv_text", flat=True))
        if not texts:
            raise CommandError("no candidates with a CV text to evaluate")
        chosen = self._vacancies(opts)
        docs = {v.pk: d for v, d in selectors.vacancy_documents([pk for pk, _, _ in chosen])}
        report = robustness_report(
            texts, [(ref, text, docs[pk]) for pk, ref, text in chosen], seed=opts["seed"]
        )
        shapes = robustness.SHAPES
        n = report.pool_size
        w = self.stdout.write
        w(
            f"Robustness: {len(chosen)} vacancies × {n} candidates; stuffing seed {opts['seed']}. Stuffing: rank "
            f"of each generated CV among the {n} + itself (1 = best, {n + 1} = last). Hard negatives: share of "
            f"(vacancy, CV meeting ≥ 1 required skill) pairs where the CV scores strictly above itself with every "
            f"skill sentence removed. Rewrite: |rank change| of CVs whose skills were renamed by another alias."
        )
        head = (
            f"  {'ranker':<24}" + "".join(f"{s:>15}" for s in shapes) + f"{'hard-neg':>10}{'h-ties':>8}"
            f"{'Δrank mean':>11}{'max':>5}{'ties':>6}"
        )
        for v in report.vacancies:
            pairs = v.hard_negative[ENGINE][0]
            w(f"\n{v.reference}: {pairs} hard-negative pairs, {len(v.rewrite[ENGINE])} rewritten CVs")
            w(head)
            for name in RANKERS:
                p, higher, ties = v.hard_negative[name]
                moves = v.rewrite[name]
                w(
                    f"  {name:<24}"
                    + "".join(f"{v.stuffing_rank[name][s]:>15}" for s in shapes)
                    + (f"{higher / p:>10.3f}{ties:>8}" if p else f"{'n/a':>10}{'':>8}")
                    + (f"{np.mean(moves):>11.2f}{max(moves):>5}" if moves else f"{'n/a':>11}{'':>5}")
                    + f"{v.ties[name]:>6}"
                )
            w(
                "  engine keyword-list flag: "
                + ", ".join(f"{s} {'yes' if v.stuffing_flag[s] else 'NO'}" for s in shapes)
            )
            w("  engine confidence over the pool: " + _shares(v.confidence, n))

        m = len(report.vacancies)
        w(f"\nSummary over {m} vacancies")
        w(
            f"  {'ranker':<24}" + "".join(f"{s:>15}" for s in shapes) + f"{'hard-neg':>10}{'h-ties':>8}"
            f"{'Δrank mean':>11}{'max':>5}{'ties':>6}"
        )
        summary = {}
        for name in RANKERS:
            best = {s: min(v.stuffing_rank[name][s] for v in report.vacancies) for s in shapes}
            pairs = sum(v.hard_negative[name][0] for v in report.vacancies)
            higher = sum(v.hard_negative[name][1] for v in report.vacancies)
            ties = sum(v.hard_negative[name][2] for v in report.vacancies)
            moves = [x for v in report.vacancies for x in v.rewrite[name]]
            summary[name] = (best, higher / pairs if pairs else None)
            w(
                f"  {name:<24}"
                + "".join(f"{best[s]:>15}" for s in shapes)
                + (f"{higher / pairs:>10.3f}{ties:>8}" if pairs else f"{'n/a':>10}{'':>8}")
                + (f"{np.mean(moves):>11.2f}{max(moves):>5}" if moves else f"{'n/a':>11}{'':>5}")
                + f"{sum(v.ties[name] for v in report.vacancies) / m:>6.1f}"
            )
        w(
            "  (stuffing: best rank reached over the vacancies; hard-neg: over all pairs; ties: mean per vacancy)"
        )
        for s in shapes:
            flagged = sum(v.stuffing_flag[s] for v in report.vacancies)
            w(f"  engine flags {s} as a keyword list for {flagged} of {m} vacancies")
        w(
            f"  pool CVs flagged as keyword lists by the engine: {report.keyword_lists} of {n} "
            f"({report.keyword_lists / n:.1%})"
        )
        w("  pool CVs by language: " + _shares(report.languages, n, blank="unknown"))
        total = Counter()
        for v in report.vacancies:
            total.update(v.confidence)
        w("  engine confidence over all pairs: " + _shares(total, n * m))

        failures = []
        best, accuracy = summary[ENGINE]
        if opts["max_stuffing_rank"] is not None:
            worst = min(best.values())
            if worst <= opts["max_stuffing_rank"]:
                failures.append(f"a stuffing CV ranks {worst} ≤ {opts['max_stuffing_rank']}")
        if opts["min_hard_negative"] is not None and (
            accuracy is None or accuracy < opts["min_hard_negative"]
        ):
            shown = "n/a" if accuracy is None else f"{accuracy:.3f}"
            failures.append(f"hard-negative accuracy {shown} < {opts['min_hard_negative']}")
        if failures:
            raise CommandError("below the minimum: " + "; ".join(failures))

    # --- pairwise mode -----------------------------------------------------------------------------------------
    def _pairwise(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path.name}: {exc}") from exc
        triples = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                triples.append((str(item["vacancy"]), str(item["better"]), str(item["worse"])))
            except (ValueError, KeyError, TypeError):
                raise CommandError(
                    f"{path.name}: line {number} is not a JSON object with vacancy, better and worse"
                ) from None
        if not triples:
            raise CommandError(f"{path.name} holds no pairs")
        texts = sorted({t for triple in triples for t in triple})
        index = {t: i for i, t in enumerate(texts)}
        vacancy_texts = sorted({v for v, _, _ in triples})
        base = plain_tfidf_scores(texts, vacancy_texts)
        cvs = sorted({t for _, better, worse in triples for t in (better, worse)})
        cv_index = {t: i for i, t in enumerate(cvs)}
        bm25 = bm25_scores(cvs, vacancy_texts)
        v_index = {t: j for j, t in enumerate(vacancy_texts)}
        correct = {ENGINE: 0.0, PLAIN: 0.0, BM25: 0.0}

        def point(b: float, w: float) -> float:
            return 1.0 if b > w else 0.5 if b == w else 0.0

        for vacancy, better, worse in triples:
            j = v_index[vacancy]
            correct[PLAIN] += point(base[index[better], j], base[index[worse], j])
            correct[BM25] += point(bm25[cv_index[better], j], bm25[cv_index[worse], j])
            eb, ew = services.score_texts(vacancy_text=vacancy, cv_texts=[better, worse])
            eb = -1.0 if eb is None else eb
            ew = -1.0 if ew is None else ew
            correct[ENGINE] += point(eb, ew)
        self.stdout.write(f"Pairwise: {len(triples)} (vacancy, better CV, worse CV) triples from {path.name}")
        for name, value in correct.items():
            self.stdout.write(f"  {name:<20} ranked {value / len(triples):.3f} of pairs correctly")
