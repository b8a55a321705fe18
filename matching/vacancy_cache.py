"""A per-process cache of the vacancies of a scoring pass, vectorised for the engine (``CachedVacancies``).

One candidate's save is scored against 1,000 vacancies without reloading or re-vectorising them; one cheap
aggregate query tells whether any vacancy's scoring inputs changed since the entry was built.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from matching import scoring
from matching.selectors import vacancy_documents
from recruiting.models import Qualification, Vacancy, VacancySkill


class CachedVacancies:
    """The vacancies of a scoring pass, ready for the engine: ids, documents, matrices, weights as JSON.

    Built once and kept per worker process (``cached_vacancies``) while the vacancies' scoring inputs stay the same,
    so one candidate's save is scored against 1,000 vacancies without reloading or re-vectorising them.
    """

    def __init__(self, model: scoring.MatchingModel, rows: list[tuple[Vacancy, scoring.VacancyDocument]]):
        self.ids = [v.pk for v, _ in rows]
        self.vacancies = {v.pk: v for v, _ in rows}
        self.documents = [d for _, d in rows]
        self.matrices = scoring.vacancy_matrices(model, self.documents)
        self.weights_json = [json.dumps(d.weights.as_dict()) for d in self.documents]

    def __len__(self) -> int:
        return len(self.ids)


_cache: dict[tuple, CachedVacancies] = {}


def _vacancy_signature() -> tuple:
    """What changes when any scoring input of any vacancy changes: the vacancies (edits bump ``updated_at``;
    ``min_years``/levels set by extraction without a save are summed), their skill links and qualifications.
    One query, one pass over each of the three tables (their aggregates side by side; no id lists: cheap at
    1,000 vacancies)."""
    from django.db import connection

    v, s, q = Vacancy._meta.db_table, VacancySkill._meta.db_table, Qualification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM "
            f"(SELECT COUNT(*), MAX(updated_at), SUM(id), SUM(min_years_experience), SUM(min_qualification_level) "
            f"FROM {v}) AS vacancies, "
            f"(SELECT COUNT(*), SUM(id), SUM(mentions), SUM(skill_id), "
            f"SUM(CASE WHEN importance = 'required' THEN id END) FROM {s}) AS links, "
            f"(SELECT COUNT(*), SUM(id), SUM(level) FROM {q} WHERE vacancy_id IS NOT NULL) AS qualifications"
        )
        return tuple(cursor.fetchone())


def cached_vacancies(model: scoring.MatchingModel, vacancy_ids: Sequence[int]) -> CachedVacancies:
    """The engine-ready vacancies, from this process's cache when their inputs have not changed (one cheap
    aggregate query checks), else loaded and vectorised anew."""
    ids = sorted(set(vacancy_ids))
    key = (model.version, tuple(ids), _vacancy_signature())
    entry = _cache.get(key)
    if entry is None:
        entry = CachedVacancies(model, vacancy_documents(ids))
        if len(_cache) >= 4:
            _cache.clear()
        _cache[key] = entry
    return entry
