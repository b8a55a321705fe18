"""``evaluate``: ranking quality of the engine beside plain TF-IDF over the raw text, on labelled candidates.

Label mode (candidates imported with a source label, e.g. ``import_candidates … --label-column``)::

    manage.py evaluate --relevant-label "Data Science" --negative-labels "HR,Advocate,Arts" [--vacancies REF,…]

prints precision@k, nDCG@k, MAP and ROC AUC, each a mean over the vacancies with a bootstrap 95 % interval
(candidates resampled with replacement), for both rankers side by side.

Pairwise mode::

    manage.py evaluate --pairwise FILE.jsonl

reads one JSON object per line with ``vacancy``, ``better`` and ``worse`` texts and prints the share of pairs
each ranker orders correctly (ties count one half).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from sklearn.feature_extraction.text import TfidfVectorizer

from matching import evaluation, scoring, services
from recruiting.models import Candidate, Vacancy


def plain_tfidf_scores(cv_texts: list[str], vacancy_texts: list[str]) -> np.ndarray:
    """The baseline: cosine similarity of TF-IDF over raw text (English stop words, uni- and bigrams, sublinear
    tf), fitted on CVs and vacancies together; shape ``(n_cvs, n_vacancies)``, 0–100."""
    matrix = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True).fit_transform(
        list(cv_texts) + list(vacancy_texts))
    n = len(cv_texts)
    return 100.0 * (matrix[:n] @ matrix[n:].T).toarray()


def engine_scores(candidate_ids: list[int], vacancy_ids: list[int]) -> np.ndarray:
    """The engine's scores with the stored model, computed now (not read from stored rows); ``NaN`` where data
    is insufficient.  Shape ``(n_candidates, n_vacancies)`` in the order of the ids given."""
    model = services.model_current()
    cands = services.candidate_documents(candidate_ids)
    vacs = services.vacancy_documents(vacancy_ids)
    c_order = {c.pk: i for i, (c, _, _) in enumerate(cands)}
    v_order = {v.pk: j for j, (v, _) in enumerate(vacs)}
    m = scoring.score_chunk(model, [d for _, d, _ in cands], [d for _, d in vacs])
    scores = np.where(m.insufficient, np.nan, m.score)
    return scores[[c_order[i] for i in candidate_ids]][:, [v_order[j] for j in vacancy_ids]]


class Command(BaseCommand):
    help = ("Measure ranking quality (precision@k, nDCG@k, MAP, ROC AUC with bootstrap 95 % intervals) of the "
            "engine beside plain TF-IDF, on candidates with source labels; or, with --pairwise, the share of "
            "(vacancy, better CV, worse CV) triples ranked correctly.")

    def add_arguments(self, parser):
        parser.add_argument("--relevant-label", help="the source label of relevant candidates")
        parser.add_argument("--negative-labels", default="",
                            help="comma-separated labels counted as negatives for ROC AUC (default: all others)")
        parser.add_argument("--vacancies", default="", help="comma-separated vacancy references (default: all)")
        parser.add_argument("--source", help="only candidates from this source")
        parser.add_argument("--k", type=int, default=10, help="cut-off for precision and nDCG (default 10)")
        parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
        parser.add_argument("--per-vacancy", action="store_true", help="also print one line per vacancy")
        parser.add_argument("--pairwise", metavar="FILE.jsonl", help="pairwise mode: read triples from this file")
        parser.add_argument("--min-precision", type=float, help="exit 1 when the engine's mean precision@k is lower")
        parser.add_argument("--min-ndcg", type=float, help="exit 1 when the engine's mean nDCG@k is lower")
        parser.add_argument("--min-auc", type=float, help="exit 1 when the engine's lowest ROC AUC is lower")

    def handle(self, *args, **opts):
        if opts["pairwise"]:
            return self._pairwise(Path(opts["pairwise"]))
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
            raise CommandError(f"no candidate is labelled {relevant!r}; labels: {', '.join(sorted(set(labels)))}")
        negatives = {x.strip() for x in opts["negative_labels"].split(",") if x.strip()} or None
        unknown = (negatives or set()) - set(labels)
        if unknown:
            raise CommandError(f"unknown negative labels: {', '.join(sorted(unknown))}")
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

        ids = [r[1] for r in rows]
        rankers = {
            "plain TF-IDF": plain_tfidf_scores([r[3] for r in rows], [v[2] for v in vacancies]),
            f"engine {scoring.ENGINE_VERSION}": engine_scores([r[0] for r in rows], [v[0] for v in vacancies]),
        }
        k, n = opts["k"], len(rows)
        n_neg = sum(1 for lab in labels if lab != relevant and (negatives is None or lab in negatives))
        self.stdout.write(
            f"Ranking quality: {len(vacancies)} vacancies × {n} candidates; relevant {relevant!r} "
            f"({labels.count(relevant)}), negatives {n_neg} ({'all other labels' if negatives is None else len(negatives)} "
            f"labels); k={k}; 95 % intervals from {opts['resamples']} bootstrap resamples of the candidates.")

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
                cells.append(f"{est.mean:6.3f} [{est.low:5.3f}, {est.high:5.3f}]".rjust(28)
                             if est.low == est.low else f"{est.mean:6.3f}".rjust(28))
            self.stdout.write(f"{metric:<16}" + "".join(cells))
        if opts["per_vacancy"]:
            for name in names:
                self.stdout.write(f"\n{name}, per vacancy:")
                for (_, ref, _), m in zip(vacancies, results[name]["per_vacancy"], strict=True):
                    auc = "n/a" if m.auc is None else f"{m.auc:.3f}"
                    self.stdout.write(f"  {ref}: P@{k}={m.precision:.2f} nDCG@{k}={m.ndcg:.2f} "
                                      f"AP={m.average_precision:.2f} AUC={auc}")
        engine = results[names[-1]]
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
    def _metrics(scores: np.ndarray, labels, ids, relevant, negatives, k, resamples) -> dict:
        def per_vacancy(index: np.ndarray):
            out = []
            for j in range(scores.shape[1]):
                col = scores[index, j]
                out.append(evaluation.ranking_metrics(
                    [None if np.isnan(s) else float(s) for s in col], [labels[i] for i in index],
                    [f"{ids[i]}#{p}" for p, i in enumerate(index)], relevant=relevant, negatives=negatives, k=k))
            return out

        full = per_vacancy(np.arange(len(labels)))

        def summary(ms):
            aucs = [m.auc for m in ms if m.auc is not None]
            return {f"precision@{k}": np.mean([m.precision for m in ms]), f"nDCG@{k}": np.mean([m.ndcg for m in ms]),
                    "MAP": np.mean([m.average_precision for m in ms]),
                    "ROC AUC (mean)": np.mean(aucs) if aucs else np.nan,
                    "ROC AUC (min)": np.min(aucs) if aucs else np.nan}

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
            low, high = (np.percentile(values, 2.5), np.percentile(values, 97.5)) if len(values) else (np.nan, np.nan)
            out[name] = evaluation.Estimate(float(value), float(low), float(high))
        out["per_vacancy"] = full
        return out

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
                raise CommandError(f"{path.name}: line {number} is not a JSON object with vacancy, better and worse"
                                   ) from None
        if not triples:
            raise CommandError(f"{path.name} holds no pairs")
        texts = sorted({t for triple in triples for t in triple})
        index = {t: i for i, t in enumerate(texts)}
        vacancy_texts = sorted({v for v, _, _ in triples})
        base = plain_tfidf_scores(texts, vacancy_texts)
        v_index = {t: j for j, t in enumerate(vacancy_texts)}
        correct = {"plain TF-IDF": 0.0, f"engine {scoring.ENGINE_VERSION}": 0.0}
        for vacancy, better, worse in triples:
            b, w = base[index[better], v_index[vacancy]], base[index[worse], v_index[vacancy]]
            correct["plain TF-IDF"] += 1.0 if b > w else 0.5 if b == w else 0.0
            eb, ew = services.score_texts(vacancy_text=vacancy, cv_texts=[better, worse])
            eb = -1.0 if eb is None else eb
            ew = -1.0 if ew is None else ew
            correct[f"engine {scoring.ENGINE_VERSION}"] += 1.0 if eb > ew else 0.5 if eb == ew else 0.0
        self.stdout.write(f"Pairwise: {len(triples)} (vacancy, better CV, worse CV) triples from {path.name}")
        for name, value in correct.items():
            self.stdout.write(f"  {name:<20} ranked {value / len(triples):.3f} of pairs correctly")
