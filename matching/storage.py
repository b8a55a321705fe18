"""What is stored of a scoring pass, and how: the storage policy (which pairs are kept, which are explained), the
row layout, and the bulk upsert and delete SQL (PostgreSQL: COPY into a staging table, then one
``INSERT … ON CONFLICT``).

Called by the scoring service (``matching.services``) only: never by models, selectors or views.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import F

from matching import rescore_table, scoring
from matching.models import MatchScore
from recruiting.shortlist_cache import model_written

MATCH_SCORE_UPDATE_FIELDS = [
    "state",
    "score",
    "skills_score",
    "qualifications_score",
    "text_score",
    "matched_skills",
    "missing_skills",
    "explanation",
    "engine_version",
    "vocabulary_version",
    "model_version",
    "weights",
    "stale",
    "computed_at",
    "explained",
    "confidence",
]
ROW_COLUMNS = ["candidate_id", "vacancy_id", *MATCH_SCORE_UPDATE_FIELDS]
_GROUPS = (
    ("skills_score", ("required", "desirable", "profile")),
    ("qualifications_score", ("qualification",)),
    ("text_score", ("text",)),
)


def pairs_kept(
    ranking: np.ndarray,
    *,
    vacancy_thresholds: np.ndarray,
    applied: np.ndarray,
    insufficient: np.ndarray,
    top_n: int,
    exact_top_n: bool,
    candidate_thresholds: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The storage policy of one chunk, pure: ``(keep, explained)``, boolean ``(n_candidates, n_vacancies)`` each.

    ``ranking``: scores 0–100 with insufficient pairs at -1.  Kept: pairs at or above their vacancy's shortlist
    threshold (``vacancy_thresholds``, one per vacancy, ``-inf`` when it has none; 0.001 of slack, as the
    threshold comes from the float32 scan), pairs of candidates who applied (``applied``), and each candidate's
    ``top_n`` best vacancies — exactly when ``exact_top_n`` (every scorable vacancy is in the chunk), else those
    at or above ``candidate_thresholds`` (each candidate's N-th best stored score elsewhere, ``-inf`` when fewer
    are stored).  Explained when stored: kept pairs on a shortlist, applied pairs and insufficient pairs (their
    reason is cheap); the other kept pairs are stored narrow (``explained=False``)."""
    shortlist = (ranking >= vacancy_thresholds[np.newaxis, :] - 1e-3) | applied
    keep = shortlist.copy()
    n_c, n_v = ranking.shape
    if exact_top_n and n_v <= top_n:
        keep[:] = True
    elif exact_top_n:
        best = np.argpartition(-ranking, top_n - 1, axis=1)[:, :top_n]
        keep[np.arange(n_c)[:, None], best] = True
    elif candidate_thresholds is not None:
        keep |= ranking >= candidate_thresholds[:, np.newaxis]
    return keep, keep & (shortlist | insufficient)


# A narrow row's own values, staged lean; every other column of ``ROW_COLUMNS`` is one of the chunk's constants
# (``NarrowRows.constants``) or the vacancy's weights (``NarrowRows.weights_json``).
NARROW_COLUMNS = [
    "candidate_id",
    "vacancy_id",
    "score",
    "skills_score",
    "qualifications_score",
    "text_score",
    "confidence",
]


@dataclass(frozen=True)
class NarrowRows:
    """A chunk's narrow rows (``explained=False``), lean: what differs by row, once per row; what the chunk's rows
    share, once.

    ``values``: one tuple of ``NARROW_COLUMNS`` per row.  ``constants``: every other column of ``ROW_COLUMNS`` but
    ``weights``, the same for each row (JSON columns as JSON text).  ``weights_json``: the weights (JSON text) by
    vacancy id, for each vacancy of ``values``.  ``rows()`` spells them out in full; ``rows_upsert`` stages them
    lean on PostgreSQL (a full rescore stores ~24,000 narrow rows a chunk)."""

    values: list[tuple]
    constants: dict[str, object]
    weights_json: dict[int, str]

    def __len__(self) -> int:
        return len(self.values)

    def rows(self) -> list[tuple]:
        """Each row in full (``ROW_COLUMNS``, JSON columns as JSON text), in the order of ``values``."""
        at = {c: i for i, c in enumerate(NARROW_COLUMNS)}
        vacancy = at["vacancy_id"]
        return [
            tuple(
                v[at[c]]
                if c in at
                else self.weights_json[v[vacancy]]
                if c == "weights"
                else self.constants[c]
                for c in ROW_COLUMNS
            )
            for v in self.values
        ]


def narrow_rows_values(
    candidate_ids: Sequence[int],
    vacancy_ids: Sequence[int],
    rows: np.ndarray,
    columns: np.ndarray,
    matrices: scoring.ScoreMatrices,
    model,
    vocab_version: str,
    weights_json: Sequence[str],
    now,
    groups: dict[str, np.ndarray],
) -> NarrowRows:
    """The stored rows of the pairs ``(rows[k], columns[k])`` of a chunk kept narrow, in that order: score and
    component group scores, no explanation (``explained=False``; ``matching.services.match_scores_explain`` fills
    it in).  ``candidate_ids`` / ``vacancy_ids`` / ``weights_json`` (the vacancy's weights as JSON text) by row /
    column of ``matrices``.  Values are taken out of the matrices for all pairs at once (a full rescore stores
    ~24,000 narrow rows per chunk); each equals the pair's own ``float`` (the score rounded to 2 decimals by
    Python's ``round``, as ever)."""
    rows, columns = np.asarray(rows, dtype=np.intp), np.asarray(columns, dtype=np.intp)
    cids = np.asarray(candidate_ids)[rows].tolist()
    vids = np.asarray(vacancy_ids)[columns].tolist()
    scores = [round(x, 2) for x in matrices.score[rows, columns].tolist()]
    skills, qualifications, text = (
        groups[name][rows, columns].tolist()
        for name in ("skills_score", "qualifications_score", "text_score")
    )
    names = (*scoring.CONFIDENCE_LEVELS, "")  # level -1 (insufficient): ""
    confidence = [names[level] for level in matrices.confidence_level[rows, columns].tolist()]
    return NarrowRows(
        values=list(zip(cids, vids, scores, skills, qualifications, text, confidence, strict=True)),
        constants={
            "state": MatchScore.State.SCORED,
            "matched_skills": "[]",
            "missing_skills": "[]",
            "explanation": "{}",
            "engine_version": scoring.ENGINE_VERSION,
            "vocabulary_version": vocab_version,
            "model_version": model.version,
            "stale": False,
            "computed_at": now,
            "explained": False,
        },
        weights_json={vacancy_ids[j]: weights_json[j] for j in np.unique(columns).tolist()},
    )


def candidate_thresholds(
    candidate_ids: Sequence[int], exclude_vacancy_ids: Sequence[int], n: int
) -> dict[int, float]:
    """Each candidate's N-th best stored score among other vacancies (absent when fewer than N are stored)."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    ranked = (
        MatchScore.objects.filter(candidate_id__in=candidate_ids, score__isnull=False)
        .exclude(vacancy_id__in=exclude_vacancy_ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("candidate_id")], order_by=F("score").desc()))
        .filter(rank=n)
        .values_list("candidate_id", "score")
    )
    return dict(ranked)


def group_scores(matrices: scoring.ScoreMatrices) -> dict[str, np.ndarray]:
    """The stored component group scores (0–100, 2 decimals), ``(n_candidates, n_vacancies)`` each: the weighted
    mean of the group's components with the weights used, 0 where the group has no weight."""
    w = matrices.weights
    out = {}
    for column, names in _GROUPS:
        ks = [scoring.COMPONENTS.index(n) for n in names]
        total = w[:, ks].sum(axis=1)
        points = sum(matrices.components[n] * w[:, k][np.newaxis, :] for n, k in zip(names, ks, strict=True))
        out[column] = np.where(
            total[np.newaxis, :] > 0,
            np.round(100.0 * points / np.where(total > 0, total, 1.0)[np.newaxis, :], 2),
            0.0,
        )
    return out


def rows_delete_unkept(candidate_ids: list[int], vacancy_ids: list[int], now) -> set[int]:
    """Delete the stored rows of these pairs computed before ``now``; returns the vacancies they belonged to.

    On PostgreSQL the rows are found through the candidates alone and the vacancies checked on each row
    (``vacancy_id + 0``): with both lists as index conditions PostgreSQL probes the unique pair index once per
    (candidate, vacancy) combination — 500 × 1,000 probes, 500 ms a chunk at 100,000 × 1,000 against 13 ms
    (``EXPLAIN ANALYZE``, benchmarks/README.md)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {MatchScore._meta.db_table} WHERE candidate_id = ANY(%s) "
                "AND vacancy_id + 0 = ANY(%s) AND computed_at < %s RETURNING vacancy_id",
                [list(candidate_ids), list(vacancy_ids), now],
            )
            touched = {row[0] for row in cursor.fetchall()}
        if touched:
            model_written(MatchScore)  # raw SQL bypasses the ORM's hooks
        return touched
    dropped = MatchScore.objects.filter(
        candidate_id__in=candidate_ids, vacancy_id__in=vacancy_ids, computed_at__lt=now
    )
    touched = set(dropped.values_list("vacancy_id", flat=True).distinct())
    dropped.delete()
    return touched


def row_values(
    candidate_id,
    vacancy_id,
    pair: scoring.PairScore | scoring.PairExplanation,
    model,
    vocab_version,
    weights_json,
    now,
    groups,
    i,
    j,
) -> tuple:
    """One stored row (columns ``ROW_COLUMNS``, JSON columns as JSON text) of an explained pair: ``matched_skills``,
    ``missing_skills`` and ``explanation`` are ``json.dumps`` of the pair's lists and of ``{"state", "reason",
    "components", "engine_version", "confidence", "confidence_reason", "flags"}``, that text put together from the
    pair's JSON text (``scoring.explain_pairs_json``: a full rescore stores ~2,300 explained rows per chunk)."""
    text = pair if isinstance(pair, scoring.PairExplanation) else scoring.PairExplanation.of(pair)
    scored = text.state == MatchScore.State.SCORED
    explanation = (
        f'{{"state": {scoring.json_string(text.state)}, "reason": {scoring.json_string(text.reason)}, '
        f'"components": {text.components}, "engine_version": {_ENGINE_VERSION_JSON}, '
        f'"confidence": {scoring.json_string(text.confidence)}, "confidence_reason": {scoring.json_string(text.confidence_reason)}, '
        f'"flags": {text.flags}}}'
    )
    return (
        candidate_id,
        vacancy_id,
        text.state,
        text.score,
        float(groups["skills_score"][i, j]) if scored else 0.0,
        float(groups["qualifications_score"][i, j]) if scored else 0.0,
        float(groups["text_score"][i, j]) if scored else 0.0,
        text.matched,
        text.missing,
        explanation,
        scoring.ENGINE_VERSION,
        vocab_version,
        model.version,
        weights_json,
        False,
        now,
        True,
        text.confidence,
    )


_ENGINE_VERSION_JSON = json.dumps(scoring.ENGINE_VERSION)


# Staging tables, emptied at commit: explained rows in full, narrow rows lean (binary COPY: no text to format here,
# no floats to parse there) and the narrow rows' weights once per vacancy (a jsonb parse per vacancy, not per row;
# the key tells the planner the join keeps one row per narrow row, as temporary tables have no statistics).  ``k``
# is each row's place in the chunk: rows are inserted in that order, so their ids (the ranking's tie-break)
# follow it.
_STAGE_NARROW_COLUMNS = ["k", *NARROW_COLUMNS]


def _stage_types(connection) -> dict[str, str]:
    """The column types of the staging tables by ``ROW_COLUMNS``' name: the table's own, from the model's fields
    (one home: a migration that changes a column changes the stage with it)."""
    return {c: MatchScore._meta.get_field(c).db_type(connection) for c in ROW_COLUMNS}


def _stage_sql(types: dict[str, str]) -> tuple[str, ...]:
    """The statements creating the staging tables (temporary, emptied at commit)."""
    return (
        "CREATE TEMP TABLE IF NOT EXISTS matchscore_stage_rows (k integer, "
        + ", ".join(f"{c} {types[c]}" for c in ROW_COLUMNS)
        + ") ON COMMIT DELETE ROWS",
        "CREATE TEMP TABLE IF NOT EXISTS matchscore_stage_narrow (k integer, "
        + ", ".join(f"{c} {types[c]}" for c in NARROW_COLUMNS)
        + ") ON COMMIT DELETE ROWS",
        (
            "CREATE TEMP TABLE IF NOT EXISTS matchscore_stage_weights (vacancy_id bigint PRIMARY KEY, weights jsonb) "
            "ON COMMIT DELETE ROWS"
        ),
    )


def _narrow_places(rows: Sequence[tuple | None], narrow: NarrowRows | None) -> tuple[NarrowRows, list[int]]:
    """``(narrow, places)``: the narrow rows (empty for ``None``) and the indexes of ``rows`` they fill.  Raises
    ``ValueError`` when the counts differ."""
    narrow = narrow or NarrowRows([], {}, {})
    places = [k for k, row in enumerate(rows) if row is None]
    if len(places) != len(narrow):
        raise ValueError(f"{len(places)} places for {len(narrow)} narrow rows")
    return narrow, places


def rows_upsert(rows: Sequence[tuple | None], narrow: NarrowRows | None = None) -> None:
    """Upsert a chunk's rows on (candidate, vacancy), inside the caller's transaction, in the order of ``rows``:
    ``rows`` holds each row (``ROW_COLUMNS``, JSON columns as JSON text) or ``None`` where the next row of
    ``narrow`` goes (as many ``None`` as ``narrow`` has rows).  PostgreSQL: COPY into temporary staging tables —
    narrow rows lean, their shared values as parameters and their weights once per vacancy — and one
    ``INSERT … SELECT … ON CONFLICT DO UPDATE``; elsewhere ``bulk_create`` with ``update_conflicts``.  Either
    way the stored rows are those of ``rows`` with ``narrow.rows()`` in its places."""
    narrow, places = _narrow_places(rows, narrow)
    if not rows:
        return
    from django.db import connection

    if connection.vendor == "postgresql":
        _rows_upsert_postgresql(connection, rows, places, narrow)
        model_written(MatchScore)  # COPY and raw SQL bypass the ORM's hooks
        return
    filled = iter(narrow.rows())
    objects = [row_object(next(filled) if row is None else row) for row in rows]
    MatchScore.objects.bulk_create(
        objects,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["candidate", "vacancy"],
        update_fields=MATCH_SCORE_UPDATE_FIELDS,
    )


def run_table_mirror(candidate_ids: list[int], vacancy_ids: list[int]) -> None:
    """After this transaction wrote the live rows of these pairs: while a full rescore's table exists, copy them
    into it (``matching.rescore_table.pairs_mirror``), so the swap keeps them.  Nothing elsewhere."""
    from django.db import connection

    if rescore_table.exists(connection):
        rescore_table.pairs_mirror(connection, candidate_ids, vacancy_ids)


def scores_table_vacuum(connection) -> bool:
    """``VACUUM (ANALYZE)`` the match-score table, after a scoring run has rewritten many of its rows.  Returns
    whether it ran: only on PostgreSQL and outside a transaction (``VACUUM`` cannot run in one).

    Why: a full rescore leaves every changed row as a new version whose page is no longer all-visible.  The
    shortlist's rank and count queries are index-only scans, which then visit the heap for each entry until a
    vacuum sets the visibility map again; measured at 100k x 1k (benchmarks/README.md), the API fell from
    45.5 to 2.5 requests/s, with timeouts, until autovacuum came.  The vacuum took 6 s there.  ``ANALYZE`` refreshes
    the planner's statistics for the new score distribution.  Raises ``django.db.DatabaseError`` as the cursor
    does."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(MatchScore._meta.db_table)}")
    return True


def toast_compression_lz4(connection) -> bool:
    """Whether this PostgreSQL server can compress TOAST values with LZ4 (built ``--with-lz4``, PostgreSQL 14+; the
    Debian packages and the official images are).  Asked once per connection."""
    known = getattr(connection, "_matching_lz4", None)
    if known is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(bool_or('lz4' = ANY(enumvals)), false) FROM pg_settings "
                "WHERE name = 'default_toast_compression'"
            )
            known = connection._matching_lz4 = bool(cursor.fetchone()[0])
    return known


def rows_insert_run_table(
    candidate_ids: list[int], rows: Sequence[tuple | None], narrow: NarrowRows | None
) -> None:
    """A full rescore's chunk (PostgreSQL, ``matching.rescore_table``): replace the run table's rows of
    ``candidate_ids`` by ``rows`` (as ``rows_upsert`` takes them), inside the caller's transaction, under the run
    table writers' shared lock.  Each pair keeps the id it has in the live table; a new pair takes the live
    table's next id, in the order of ``rows``."""
    from django.db import connection

    narrow, places = _narrow_places(rows, narrow)
    rescore_table.chunk_lock(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {rescore_table.TABLE} WHERE candidate_id = ANY(%s)", [list(candidate_ids)]
        )
    if rows:
        _rows_upsert_postgresql(connection, rows, places, narrow, run_table=True)


def _rows_upsert_postgresql(
    connection, rows, places: list[int], narrow: NarrowRows, run_table: bool = False
) -> None:
    table = MatchScore._meta.db_table
    columns = ", ".join(ROW_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in MATCH_SCORE_UPDATE_FIELDS)
    types = _stage_types(connection)
    narrow_select = ", ".join(
        f"n.{c}" if c in NARROW_COLUMNS else "w.weights" if c == "weights" else f"%({c})s::{types[c]}"
        for c in ROW_COLUMNS
    )
    lz4 = toast_compression_lz4(connection)
    with connection.cursor() as cursor:
        # An explained row's JSON (≈ 3–4 kB of text) is compressed when it is staged, and stored as it was
        # compressed: LZ4 instead of the default pglz, which was ≈ 6 % of the backend's CPU in a chunk's upsert
        # (perf, 100,000 × 1,000).  Values read back the same; only this transaction's new values are affected.
        if lz4:
            cursor.execute("SET LOCAL default_toast_compression = lz4")
        for sql in _stage_sql(types):
            cursor.execute(sql)
        # COPY runs on psycopg's own cursor, outside Django's error wrapping: wrap it, so a dropped connection is
        # django.db.OperationalError (retried by the tasks) and marks the connection for closing.
        with connection.wrap_database_errors:
            if len(places) < len(rows):
                with cursor.cursor.copy(f"COPY matchscore_stage_rows (k, {columns}) FROM STDIN") as copy:
                    for k, row in enumerate(rows):
                        if row is not None:
                            copy.write_row((k, *row))
            if narrow:
                with cursor.cursor.copy(
                    f"COPY matchscore_stage_narrow ({', '.join(_STAGE_NARROW_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    copy.set_types(["integer", *(types[c].split("(")[0] for c in NARROW_COLUMNS)])
                    for k, values in zip(places, narrow.values, strict=True):
                        copy.write_row((k, *values))
                with cursor.cursor.copy(
                    "COPY matchscore_stage_weights (vacancy_id, weights) FROM STDIN"
                ) as copy:
                    for item in narrow.weights_json.items():
                        copy.write_row(item)
        source = f"SELECT k, {columns} FROM matchscore_stage_rows"
        if narrow:
            source += (
                f" UNION ALL SELECT n.k, {narrow_select} FROM matchscore_stage_narrow n "
                "JOIN matchscore_stage_weights w USING (vacancy_id)"
            )
        if run_table:
            # nextval is computed after the sort (a volatile function in the select list), so new ids follow k.
            picked = ", ".join(f"s.{c}" for c in ROW_COLUMNS)
            cursor.execute(
                f"INSERT INTO {rescore_table.TABLE} (id, {columns}) "
                f"SELECT coalesce(l.id, nextval('{rescore_table.id_sequence(connection)}')), {picked} "
                f"FROM ({source}) s LEFT JOIN {table} l "
                "ON l.candidate_id = s.candidate_id AND l.vacancy_id = s.vacancy_id ORDER BY s.k",
                narrow.constants if narrow else None,
            )
        else:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({source}) s ORDER BY k "
                f"ON CONFLICT (candidate_id, vacancy_id) DO UPDATE SET {updates}",
                narrow.constants if narrow else None,
            )
        # Emptied at commit; emptied now too, for a caller that upserts twice in one transaction.
        cursor.execute("DELETE FROM matchscore_stage_rows")
        cursor.execute("DELETE FROM matchscore_stage_narrow")
        cursor.execute("DELETE FROM matchscore_stage_weights")


_JSON_COLUMNS = frozenset({"matched_skills", "missing_skills", "explanation", "weights"})


def row_object(row: tuple) -> MatchScore:
    """An unsaved ``MatchScore`` from one row of ``ROW_COLUMNS`` (JSON columns as JSON text)."""
    return MatchScore(
        **{c: (json.loads(v) if c in _JSON_COLUMNS else v) for c, v in zip(ROW_COLUMNS, row, strict=True)}
    )
