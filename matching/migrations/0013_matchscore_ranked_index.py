"""Match scores across vacancies in the ranking's order: ``matchscore_ranked`` (score DESC NULLS LAST) replaces the
plain index on ``score``.

The API's ``/match-scores/`` lists every score a recruiter may see in the ranking order (``matching.ranking``:
score descending, no score last, then id).  The plain ``score`` index cannot give NULLS LAST in descending order,
so PostgreSQL joined and sorted every stored row for each page: 12.5 s for the first 50 of 5.3 million rows
(100,000 candidates × 1,000 vacancies, benchmarks/README.md).  This index gives that order (equal scores ordered by
id in an incremental sort of each group) and, read backwards, its reverse; it also serves ``?min_score=``.  It has
the plain index's size, so writing a row costs what it did.  SQLite, whose NULLs already sort first, gets a plain
index on ``score`` under the same name.  The build holds off writes to the table while it runs (≈ 4 s at 5.3
million rows).
"""

from django.db import migrations, models

CREATE = {
    "postgresql": "CREATE INDEX IF NOT EXISTS matchscore_ranked ON matching_matchscore (score DESC NULLS LAST)",
    "sqlite": "CREATE INDEX IF NOT EXISTS matchscore_ranked ON matching_matchscore (score)",
}
DROP = "DROP INDEX IF EXISTS matchscore_ranked"


def create(apps, schema_editor):
    sql = CREATE.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in CREATE:
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0012_shortlist_scan_slice"),
    ]

    # The plain index goes first: on SQLite altering the field may rebuild the table, which keeps only the indexes
    # the models declare.  In one transaction, so no reader sees the table without either.
    operations = [
        migrations.AlterField(
            model_name="matchscore",
            name="score",
            field=models.FloatField(
                blank=True, help_text="0–100; empty when data is insufficient", null=True
            ),
        ),
        migrations.RunPython(create, drop),
    ]
