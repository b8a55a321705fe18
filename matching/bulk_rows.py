"""Bulk row writes of a whole chunk (issue 15, "writes use COPY on PostgreSQL"): new rows by ``COPY … FROM STDIN``,
changed fields by one ``UPDATE … FROM (VALUES …)``, ids taken from a table's sequence beforehand.  Elsewhere (SQLite)
Django's ``bulk_create`` / ``bulk_update``.  The one home of these writes: ``matching.profiles`` (skill links,
qualifications, candidates' extracted fields), ``matching.term_store`` (term counts), ``recruiting.importers``
(an import chunk's new candidates) and ``recruiting.import_runs`` (an import run's chunk payloads) call it.  No rule
of what is stored lives here: the stored rows are those ``bulk_create`` / ``bulk_update`` would store for the same
instances.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection, models

from recruiting.shortlist_cache import model_written

BULK_BATCH = 5000  # rows per INSERT / UPDATE statement where the database has no COPY

# Field classes (exactly these, not subclasses) whose ``pre_save`` reads the attribute and whose
# ``get_db_prep_save`` gives back, unchanged, a value that is ``None`` or of this Python type (Django 5.2: their
# ``get_prep_value`` only converts, ``int(v)`` / ``float(v)`` / ``str`` kept / ``bool(v)``).  ``rows_insert`` writes
# such values as they are instead of through the field's four calls (a 1,000-CV import chunk's 7,500 skill links:
# 93–175 → 7–13 ms of CPU); any other value or field (JSON, dates, binary, ``auto_now``) still goes through the
# field.  A key is judged by its target.
_AS_IS: dict[type, type] = {
    models.AutoField: int,
    models.BigAutoField: int,
    models.SmallAutoField: int,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.FloatField: float,
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
}


def _as_is_type(field) -> type | None:
    """The Python type whose values ``field`` stores as they are (``_AS_IS``), or ``None``: every value through the
    field.  A foreign key (``ForeignKey``, ``OneToOneField``) stores its target field's value."""
    if type(field) in (models.ForeignKey, models.OneToOneField):
        field = field.target_field
    return _AS_IS.get(type(field))


def _row_values(fields: Sequence, *, adding: bool) -> Callable[[object], list]:
    """A function giving the values of ``fields`` to write for an instance: for a new row (``adding``) what
    ``field.get_db_prep_save(field.pre_save(obj, True), connection)`` gives, as ``bulk_create`` writes it; for a
    saved one what ``field.get_db_prep_save(getattr(obj, field.attname), connection)`` gives, as ``bulk_update``
    writes it.  ``_AS_IS`` values are read directly in both."""
    plan = [(f, f.attname, _as_is_type(f)) for f in fields]

    def values(obj) -> list:
        out = []
        for field, attname, kind in plan:
            if kind is not None:
                value = getattr(obj, attname)
                if value is None or type(value) is kind:
                    out.append(value)
                    continue
            value = field.pre_save(obj, True) if adding else getattr(obj, attname)
            out.append(field.get_db_prep_save(value, connection))
        return out

    return values


def ids_reserve(model, count: int) -> list[int] | None:
    """``count`` fresh primary keys of ``model``'s table, ascending, taken from its sequence in one query
    (``nextval`` over ``generate_series``; a concurrent writer's ids never collide with them, and an id taken and
    not used, e.g. by a rolled-back transaction, is a gap as after a failed ``INSERT``).  For ``rows_insert`` with
    the ids set on the instances.  ``None`` where the database has no sequence to take them from (not PostgreSQL):
    there the table gives the ids on insert.  Raises whatever the database raises."""
    if connection.vendor != "postgresql":
        return None
    if count <= 0:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def rows_insert(model, rows: Sequence) -> None:
    """Insert the unsaved instances ``rows`` of ``model``.  Their primary key is written when every instance
    carries one (ids from ``ids_reserve``, or a one-to-one key such as ``CandidateTerms.candidate``); when none
    does the table gives the ids, which are then not set on the instances (callers keep no reference to them).  On
    PostgreSQL one ``COPY … FROM STDIN`` (``bulk_create`` formats every value into the text of a multi-row
    ``INSERT`` on our side, psycopg's client-side binding, for PostgreSQL to parse again); elsewhere
    ``bulk_create``, ``BULK_BATCH`` rows a statement.  Each value is the field's own (``pre_save`` then
    ``get_db_prep_save``, so ``auto_now`` fields are set on the instances; a plain number, text or flag is read
    as it is, which is what those calls give back: ``_AS_IS``), hence the stored rows are those ``bulk_create``
    stores.  Instances with their keys given are marked saved, as ``bulk_create`` leaves them.  Raises
    ``ValueError`` when some instances carry a primary key and others not; otherwise whatever the database raises
    (``django.db`` errors)."""
    if not rows:
        return
    meta = model._meta
    given = [obj.pk is not None for obj in rows]
    if any(given) and not all(given):
        raise ValueError(f"{meta.label}: some rows carry a primary key and some do not")
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=BULK_BATCH)
        return
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if given[0] or not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    values = _row_values(fields, adding=True)
    # COPY runs on psycopg's own cursor, outside Django's error wrapping: wrapped, so a dropped connection is
    # django.db.OperationalError (retried by the tasks), as in matching.storage.rows_upsert.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for obj in rows:
            copy.write_row(values(obj))
    model_written(model, created=True)  # COPY bypasses the ORM's hooks; these rows are new
    if given[0]:
        for obj in rows:  # as bulk_create leaves them: a later save() updates instead of inserting
            obj._state.adding, obj._state.db = False, connection.alias


def rows_update(model, rows: Sequence, names: Sequence[str]) -> None:
    """Write fields ``names`` of the saved instances ``rows`` of ``model``, ``BULK_BATCH`` rows a statement.  On
    PostgreSQL one ``UPDATE … FROM (VALUES …)``: Django's ``bulk_update`` builds one ``CASE`` per field over every
    row, which PostgreSQL evaluates row by row (quadratic: 4.6 s for 1,000 candidates, 1.3 ms of Python per
    row); elsewhere ``bulk_update``.  Raises whatever the database raises."""
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, names, batch_size=BULK_BATCH)
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    pk = model._meta.pk
    columns = [pk, *fields]
    row_sql = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in columns) + ")"
    values = _row_values(columns, adding=False)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BULK_BATCH):
            batch = rows[start : start + BULK_BATCH]
            params = [value for obj in batch for value in values(obj)]
            cursor.execute(
                f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} "
                f"FROM (VALUES {', '.join([row_sql] * len(batch))}) "
                f"AS v({', '.join(quote(f.column) for f in columns)}) "
                f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}",
                params,
            )
    model_written(model, fields=names)  # raw SQL bypasses the ORM's hooks
