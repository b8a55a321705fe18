"""Fewer indexes on match scores: a full rescore stores millions of rows and every row pays every index.

Dropped, each served by another index or never used on its own (``EXPLAIN`` of the queries that filter on them,
benchmarks/README.md):

- ``candidate_id``: a prefix of the unique pair (candidate, vacancy);
- ``vacancy_id``: on PostgreSQL a prefix of ``matchscore_vacancy_ranked`` (migration 0006); SQLite, which has no
  ranked index, keeps one of its own (``matchscore_vacancy``, created here);
- ``confidence`` (and its ``LIKE`` twin): filtered only together with a vacancy or a candidate;
- ``stale``: replaced by ``matchscore_stale_candidate``, (candidate) where stale, which serves the stale sweep's
  "candidates with stale scores" and to which a freshly stored row (not stale) adds nothing.

``score`` stays: the global list's ``?ordering=score`` and the match bands' index-only scan use it.
"""

import django.db.models.deletion
from django.db import migrations, models

SQLITE_VACANCY = "CREATE INDEX IF NOT EXISTS matchscore_vacancy ON matching_matchscore (vacancy_id)"
SQLITE_VACANCY_DROP = "DROP INDEX IF EXISTS matchscore_vacancy"


def vacancy_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(SQLITE_VACANCY)


def vacancy_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(SQLITE_VACANCY_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0010_rename_textmodel_storedmatchingmodel"),
        ("recruiting", "0012_import_runs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="matchscore",
            name="candidate",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="match_scores",
                to="recruiting.candidate",
            ),
        ),
        migrations.AlterField(
            model_name="matchscore",
            name="confidence",
            field=models.CharField(
                blank=True,
                choices=[("high", "High"), ("medium", "Medium"), ("low", "Low")],
                default="",
                help_text="how much evidence the score rests on; empty when data is insufficient",
                max_length=6,
            ),
        ),
        migrations.AlterField(
            model_name="matchscore",
            name="stale",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="matchscore",
            name="vacancy",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="match_scores",
                to="recruiting.vacancy",
            ),
        ),
        migrations.AddIndex(
            model_name="matchscore",
            index=models.Index(
                condition=models.Q(("stale", True)), fields=["candidate"], name="matchscore_stale_candidate"
            ),
        ),
        migrations.RunPython(vacancy_index, vacancy_index_drop),
    ]
