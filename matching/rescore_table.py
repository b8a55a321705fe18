"""A full rescore's own table (PostgreSQL): the run writes every stored pair into a fresh table with no constraint
and one index (the candidate), and the table replaces the match-score table in one transaction when the last chunk
is stored (100,000 × 1,000: 171–180 s → 110–120 s for the whole run, benchmarks/README.md).

Why: writing 5.3 M rows into the live table costs PostgreSQL ≈ 1 s of CPU a 26,000-row chunk (heap, five indexes
kept up row by row, a foreign-key check per row: benchmarks/README.md, issue 15).  Loaded bare and indexed once,
the same rows cost a fraction of it: building the five indexes of 5.3 M rows takes ≈ 12 s and checking both
foreign keys ≈ 2.6 s (measured with ``psql`` on the 100,000 × 1,000 benchmark database).  Readers see the old
scores, complete, until the swap, and the new ones, complete, after it: never a shortlist half rescored.

What keeps the two tables the same while a run is in flight:
- every other writer of scores (a saved CV's or vacancy's scoring, ``matching.storage.rows_upsert`` with
  ``rows_delete_unkept``) copies the pairs it wrote from the live table into this one (``pairs_mirror``) under an
  exclusive advisory lock, which a chunk's write takes shared: a chunk and a mirror never interleave, so a pair
  is never in this table twice;
- rows of vacancies the run does not score (closed ones) are copied at the swap;
- a candidate's or vacancy's deletion deletes its rows here too (``owner_deleted``, a ``post_delete`` receiver);
  rows a chunk wrote at the same moment are dropped after the swap, before the foreign keys the swap added
  ``NOT VALID`` are validated (``constraints_validate``).

Not copied: an explanation filled in on read meanwhile (``match_scores_explain``: filled in again on the next read)
and stale marks (the stale sweep derives them again from ``computed_at`` against the candidate's and vacancy's
``updated_at``, so a row a chunk computed before its CV changed is marked and rescored).

A pair keeps its id across a full rescore (the ranking's tie-break): a chunk reads it from the live table, a new
pair takes the next value of the live table's identity sequence; the new table's identity continues after it.

The indexes and constraints are those the live table has when the swap runs (read from the catalogue), under
the same names: a later migration that changes them applies to the new table as to the old.  Its columns are
the live table's when the run started: a migration that changed them meanwhile refuses the swap (``SwapRefused``;
the run fails, the live table stays as it is).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.db import connection as default_connection
from django.db import connections

from matching.models import MatchScore
from recruiting.shortlist_cache import model_written

logger = logging.getLogger(__name__)

TABLE = "matching_matchscore_next"
OLD_TABLE = "matching_matchscore_old"  # the replaced table, between the swap's commit and its drop
# pg_advisory_xact_lock key of the run table's writers: chunks take it shared, mirrors and the swap exclusive.
LOCK_KEY = 0x6D5F7265  # "m_re"
# How long the swap waits for a lock (seconds) before it gives up; its task is retried.
SWAP_LOCK_TIMEOUT_SECONDS = 20
_HELPER_INDEX = "matchscore_next_candidate"


class SwapRefused(Exception):
    """The run table no longer has the live table's columns (a migration ran while the run was in flight)."""


def _columns(cursor, table: str) -> list[tuple]:
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    return cursor.fetchall()


def live_table() -> str:
    return MatchScore._meta.db_table


def supported(connection=None) -> bool:
    """Whether a full rescore writes into its own table here: PostgreSQL with ``MATCHING_RESCORE_TABLE`` on."""
    connection = connection or default_connection
    return connection.vendor == "postgresql" and settings.MATCHING_RESCORE_TABLE


def exists(connection=None) -> bool:
    """Whether a run table is in place (a full rescore is in flight, or one died and left it)."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE])
        return bool(cursor.fetchone()[0])


def create(connection=None) -> None:
    """Create the run table empty (dropping one a dead run left): the live table's columns and storage settings,
    no constraint but NOT NULL, one index (candidates: what a chunk and a mirror replace), autovacuum off while it
    loads.  The ``id`` column has no default: writers take ids from the live table (``id_sequence``)."""
    connection = connection or default_connection
    live = live_table()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {live} INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMPRESSION) "
            "WITH (autovacuum_enabled = false)"
        )
        cursor.execute(f"CREATE INDEX {_HELPER_INDEX} ON {TABLE} (candidate_id)")


def drop(connection=None) -> None:
    """Drop the run table (a run that failed): the live table was never touched."""
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def id_sequence(connection) -> str:
    """The live table's identity sequence (qualified name), asked once per connection."""
    known = getattr(connection, "_matching_id_sequence", None)
    if known is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [live_table()])
            known = connection._matching_id_sequence = cursor.fetchone()[0]
    return known


def pairs_mirror(connection, candidate_ids: list[int], vacancy_ids: list[int]) -> None:
    """Inside the caller's transaction, after it wrote the live table's rows of these pairs: make the run table's
    rows of the same pairs equal to the live table's (deleted where the live table has none).  Waits for chunks in
    flight (their lock is shared, this one exclusive)."""
    live = live_table()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        where = "candidate_id = ANY(%s) AND vacancy_id + 0 = ANY(%s)"
        params = [list(candidate_ids), list(vacancy_ids)]
        cursor.execute(f"DELETE FROM {TABLE} WHERE {where}", params)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {live} WHERE {where}", params)


def chunk_lock(connection) -> None:
    """Inside a chunk's transaction, before it writes the run table: the writers' lock, shared (chunks write
    disjoint candidates; a mirror waits)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK_KEY])


def _catalogue(cursor, table: str) -> tuple[list[tuple[str, str, str | None]], list[tuple[str, str, str]]]:
    """``(indexes, constraints)`` of ``table``: each index as ``(name, definition, constraint type or None)``,
    each constraint not backed by an index as ``(name, type, definition)``."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid), c.contype FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
        "WHERE x.indrelid = %s::regclass ORDER BY i.relname",
        [table],
    )
    indexes = [(name, definition, kind) for name, definition, kind in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('c', 'f') ORDER BY conname",
        [table],
    )
    return indexes, list(cursor.fetchall())


def _temporary_name(name: str) -> str:
    return f"{name[:56]}_next"


def _retired_name(name: str) -> str:
    return f"{name[:56]}_old"


@contextmanager
def swap_lock(connection):
    """Hold the swap's own session lock (one swap at a time) for the ``with`` block."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY + 1])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY + 1])


def swap(connection, *, run_vacancy_ids: list[int], inside: Callable[[], None] | None = None) -> dict:
    """Index the run table as the live table is indexed, then, in one transaction, copy in the live rows of
    vacancies the run did not score and put the run table in the live table's place (its indexes, constraints and
    identity under the live names); ``inside`` is called last in that transaction (the caller records its run as
    done).  Must run outside a transaction.  Returns timings in seconds by step.

    Raises ``django.db.OperationalError`` when a lock is not granted within ``SWAP_LOCK_TIMEOUT_SECONDS`` (the
    task retries), ``SwapRefused`` when the columns differ, and ``django.db.IntegrityError`` if the run table
    holds a pair twice (a bug); in either of the last two the live table stays as it was."""
    live = live_table()
    candidates = MatchScore._meta.get_field("candidate").related_model._meta.db_table
    vacancies = MatchScore._meta.get_field("vacancy").related_model._meta.db_table
    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {OLD_TABLE}")  # a swap that died before it could drop it
        indexes, constraints = _catalogue(cursor, live)
        started = time.monotonic()
        # Outside the swap's transaction: readers and writers of the live table go on meanwhile.  Each statement
        # commits on its own (a mirror waits on one index build at a time, never on the lock of the swap).
        for name, definition, _kind in indexes:
            temp = _temporary_name(name)
            cursor.execute(f"DROP INDEX IF EXISTS {temp}")  # a swap that died after building it
            head, _, tail = definition.partition(" USING ")
            unique = "UNIQUE " if head.startswith("CREATE UNIQUE") else ""
            cursor.execute(f"CREATE {unique}INDEX {temp} ON {TABLE} USING {tail}")
        timings["indexes"] = time.monotonic() - started
        # Statistics before readers plan against it: the table has none (autovacuum is off while it loads), and
        # the vacuum after the swap, which analyses it too, comes seconds later.
        started = time.monotonic()
        cursor.execute(f"ANALYZE {TABLE}")
        timings["analyze"] = time.monotonic() - started

    from django.db import transaction

    started = time.monotonic()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT_SECONDS}s'")
        # Deferred foreign-key checks still pending on the live table (a caller's own transaction: tests) are
        # made now: a table with pending trigger events cannot be dropped.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # The live table first: no score is written until the swap commits, and no candidate or vacancy deleted
        # (Django deletes their scores first, so a deletion either committed or waits).  Then the tables the
        # foreign keys reference, in the mode adding a foreign key takes (in the order a deletion takes them).
        cursor.execute(f"LOCK TABLE {live} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"LOCK TABLE {candidates}, {vacancies} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        if _columns(cursor, live) != _columns(cursor, TABLE):
            raise SwapRefused("the match-score table's columns changed while the run was in flight")
        # Vacancies the run did not score (closed ones) keep their live rows; usually none, so this costs nothing.
        cursor.execute(f"SELECT id FROM {vacancies} WHERE NOT (id = ANY(%s))", [list(run_vacancy_ids)])
        outside = [v for (v,) in cursor.fetchall()]
        kept_from_live = 0
        if outside:
            cursor.execute(f"DELETE FROM {TABLE} WHERE vacancy_id = ANY(%s)", [outside])
            cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {live} WHERE vacancy_id = ANY(%s)", [outside])
            kept_from_live = cursor.rowcount
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {TABLE}")
        (max_id,) = cursor.fetchone()
        cursor.execute(f"SELECT last_value, is_called FROM {id_sequence(connection)}")
        last_value, is_called = cursor.fetchone()
        next_id = max(max_id, last_value if is_called else last_value - 1) + 1
        # The old table is renamed away, not dropped: unlinking its gigabytes of files under the lock took seconds
        # (2.5 s at 100,000 x 1,000); it is dropped after the commit.  Its index names (schema-wide) and its id
        # sequence's name are freed for the new table.
        cursor.execute(f"ALTER TABLE {live} RENAME TO {OLD_TABLE}")
        for name, _definition, _kind in indexes:
            cursor.execute(f"ALTER INDEX {name} RENAME TO {_retired_name(name)}")
        sequence = id_sequence(connection)
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {OLD_TABLE}_id_seq")
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {live}")
        cursor.execute(f"DROP INDEX {_HELPER_INDEX}")
        for name, _definition, kind in indexes:
            cursor.execute(f"ALTER INDEX {_temporary_name(name)} RENAME TO {name}")
            if kind == "p":
                cursor.execute(f"ALTER TABLE {live} ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name}")
            elif kind == "u":
                cursor.execute(f"ALTER TABLE {live} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}")
        for name, kind, definition in constraints:
            # NOT VALID: enforced from now on, the existing rows checked after the swap (``constraints_validate``)
            # without holding the live table's lock, once rows of owners deleted meanwhile are gone.
            cursor.execute(f"ALTER TABLE {live} ADD CONSTRAINT {name} {definition} NOT VALID")
        cursor.execute(
            f"ALTER TABLE {live} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START WITH {int(next_id)})"
        )
        cursor.execute(f"ALTER TABLE {live} RESET (autovacuum_enabled)")
        model_written(MatchScore)  # every shortlist page cached is out of date
        if inside is not None:
            inside()
    connection._matching_id_sequence = None
    timings["swap"] = time.monotonic() - started
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {OLD_TABLE}")
    timings["old table dropped"] = time.monotonic() - started
    logger.info(
        "match scores: run table swapped in (%d rows of unscored vacancies kept; %s)",
        kept_from_live,
        ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
    )
    return timings


def owner_deleted(sender, instance, **kwargs) -> None:
    """``post_delete`` receiver of candidates and vacancies: while a run table exists, delete the instance's rows
    from it too (Django deleted them from the live table), so the swap brings back no score of a deleted
    candidate."""
    from django.db import router

    connection = connections[router.db_for_write(sender)]
    if not exists(connection):
        return
    column = (
        "candidate_id" if sender is MatchScore._meta.get_field("candidate").related_model else "vacancy_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE {column} = %s", [instance.pk])


def constraints_validate(connection=None) -> int:
    """After a swap: drop rows whose candidate or vacancy is gone (a chunk wrote them as the deletion ran), then
    validate the live table's constraints the swap added ``NOT VALID`` (a scan each, under a lock that lets reads
    and writes go on).  Returns how many were validated; none off PostgreSQL."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return 0
    live = live_table()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, confrelid::regclass::text, (SELECT attname FROM pg_attribute "
            "WHERE attrelid = conrelid AND attnum = conkey[1]) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND NOT convalidated ORDER BY conname",
            [live],
        )
        pending = cursor.fetchall()
        for _name, referenced, column in pending:
            if referenced != "-":
                cursor.execute(
                    f"DELETE FROM {live} s WHERE NOT EXISTS (SELECT FROM {referenced} r WHERE r.id = s.{column})"
                )
        for name, _referenced, _column in pending:
            cursor.execute(f"ALTER TABLE {live} VALIDATE CONSTRAINT {name}")
    return len(pending)
