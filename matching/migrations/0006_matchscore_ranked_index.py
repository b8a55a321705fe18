"""The ranked shortlist's index on PostgreSQL: (vacancy, score DESC NULLS LAST, id), the exact order of the API and
the pages, so a page is an index range scan that stops after ``limit`` rows.  It replaces (vacancy, -score), which
PostgreSQL could not use for NULLS LAST.  SQLite cannot declare NULLS LAST in an index and gets none."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS matchscore_vacancy_ranked ON matching_matchscore "
    "(vacancy_id, score DESC NULLS LAST, id)"
)
DROP = "DROP INDEX IF EXISTS matchscore_vacancy_ranked"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0005_matchscore_explained"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="matchscore", name="matchscore_vacancy_rank"),
        migrations.RunPython(create, drop),
    ]
