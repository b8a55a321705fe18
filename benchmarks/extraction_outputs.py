"""Every extraction output of a set of texts, written to a file so that two versions of the code can be compared:
run it from each checkout over the same inputs, then ``--compare`` the two files.  Not a test; it reads data files
whose paths are given (CV and job CSVs are never copied into the project).

    ../.venv/bin/python extraction_outputs.py --database NAME --out new.pickle \\
        --cv-csv RESUMES.csv:Resume --cv-csv JOBS.csv:description --text-dir SEEDS/ --synthetic 2000
    ../.venv/bin/python extraction_outputs.py --compare old.pickle new.pickle

``NAME`` is a migrated database of this project (its stored vocabulary is read, nothing is written).  For each
text: ``repair_text`` of the cell as read, then on the repaired text (and, for CSV cells, on the cell unrepaired
as well) what a candidate's profile reads — ``neutralise``, term counts, language (batched and alone), skill
evidence, role titles and their skills, qualifications, years of experience, the CV name — and what a vacancy's
reads (minimum years required, the requirement decision).  ``--compare`` prints, per output, how many texts it
was compared on and how many differ, and exits 1 when any does.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import pickle
import sys
from pathlib import Path

import _stack


def _plain(value):
    """Outputs as plain comparable values (dataclasses as dicts, numpy arrays as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _inputs(a) -> list[tuple[str, str]]:
    """``[(key, text)]`` of every input text."""
    out: list[tuple[str, str]] = []
    csv.field_size_limit(sys.maxsize)
    for spec in a.cv_csv:
        path, column = spec.rsplit(":", 1)
        with open(path, encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                out.append((f"{Path(path).name}:{number}", row[column]))
    for folder in a.text_dir:
        for path in sorted(Path(folder).iterdir()):
            if path.is_file():
                out.append((path.name, path.read_text(encoding="utf-8")))
    if a.synthetic:
        from matching.models import Skill
        from matching.synthetic import SyntheticCorpus

        names = sorted(Skill.objects.values_list("name", flat=True))
        shape = [0.3 / (1 + i) ** 0.8 for i in range(len(names))]
        corpus = SyntheticCorpus(names, shape, seed=a.seed)
        out += [(f"synthetic-cv:{i}", corpus.cv()) for i in range(a.synthetic)]
        out += [(f"synthetic-vacancy:{i}", corpus.vacancy()[1]) for i in range(max(1, a.synthetic // 10))]
    return out


def _outputs(a) -> dict:
    from datetime import date

    from matching.extraction import (
        decide_requirements,
        extract_min_years_required,
        extract_qualifications,
        extract_role_titles,
        extract_years_experience,
        repair_text,
    )
    from matching.fairness import neutralise
    from matching.terms import text_terms
    from matching.vocabulary_store import (
        cv_evidence,
        cv_roles,
        language_of,
        languages_of,
        skill_extractor,
        vocabulary_held,
    )
    from recruiting.names import name_from_cv

    today = date(2026, 11, 29)
    results: dict[str, dict[str, object]] = {}
    with vocabulary_held():
        extractor, _ = skill_extractor()
        texts: list[tuple[str, str]] = []
        for key, raw in _inputs(a):
            repaired = repair_text(raw).strip()
            results.setdefault("repair_text", {})[key] = repaired
            texts.append((key, repaired))
            if not key.startswith("synthetic") and repaired != raw:
                texts.append((key + ":unrepaired", raw))
        neutral = [neutralise(text, names=["Jane Doe"]) for _, text in texts]
        languages = languages_of(neutral)
        terms = text_terms(neutral)
        for (key, text), clean, language, counts in zip(texts, neutral, languages, terms, strict=True):
            found = cv_evidence(clean)
            out = {
                "neutralise": clean,
                "language batched": language,
                "language alone": language_of(clean),
                "term counts": counts,
                "evidence": found,
                "roles": cv_roles(clean, found),
                "role titles": extract_role_titles(clean),
                "qualifications": extract_qualifications(clean),
                "qualifications raw": extract_qualifications(text),
                "years": extract_years_experience(clean, today),
                "years raw": extract_years_experience(text, today),
                "cv name": name_from_cv(text),
                "min years required": extract_min_years_required(text),
                "requirements": decide_requirements(text, extractor, title=text.split("\n", 1)[0][:80]),
            }
            for name, value in out.items():
                results.setdefault(name, {})[key] = _plain(value)
    return results


def _compare(old_path: str, new_path: str) -> int:
    with open(old_path, "rb") as handle:
        old = pickle.load(handle)
    with open(new_path, "rb") as handle:
        new = pickle.load(handle)
    bad = 0
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name, {}), new.get(name, {})
        keys = a.keys() | b.keys()
        differ = sorted(k for k in keys if a.get(k, "missing") != b.get(k, "missing"))
        bad += len(differ)
        print(
            f"{name:<22} {len(keys):>6} texts, {len(differ)} differ" + (f": {differ[:5]}" if differ else "")
        )
    return 1 if bad else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database")
    ap.add_argument("--out")
    ap.add_argument("--cv-csv", action="append", default=[], metavar="PATH:COLUMN")
    ap.add_argument("--text-dir", action="append", default=[], metavar="FOLDER")
    ap.add_argument(
        "--synthetic", type=int, default=0, help="this many synthetic CVs (and a tenth as vacancies)"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    a = ap.parse_args()
    if a.compare:
        sys.exit(_compare(*a.compare))
    _stack.django_setup(_stack.stack_env(a.database))
    results = _outputs(a)
    with open(a.out, "wb") as handle:
        pickle.dump(results, handle)
    print(f"{len(results['repair_text'])} texts, {len(results['neutralise'])} read, written to {a.out}")


if __name__ == "__main__":
    main()
