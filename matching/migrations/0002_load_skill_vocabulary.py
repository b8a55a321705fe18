"""Load the project skill vocabulary (``matching/data/skills.csv``) into ``matching.Skill``.

Reversible: unapplying deletes the rows with ``source="project"``.  Existing rows with the same name are left
as they are (so re-applying after a manual edit never overwrites it).

Depends on ``0002_matchscore`` (the second auto-generated migration of this app) rather than only on
``0001_initial``, so that the app keeps a single migration leaf.
"""

from django.db import migrations

PROJECT_SOURCE = "project"


def load_vocabulary(apps, schema_editor):
    from matching.vocabulary import load_project_vocabulary

    Skill = apps.get_model("matching", "Skill")
    existing = {name.lower() for name in Skill.objects.values_list("name", flat=True)}
    Skill.objects.bulk_create(
        [
            Skill(
                name=entry.name,
                aliases=list(entry.aliases),
                category=entry.category,
                ambiguous=entry.ambiguous,
                broader=list(entry.broader),
                source=PROJECT_SOURCE,
            )
            for entry in load_project_vocabulary()
            if entry.name.lower() not in existing
        ]
    )


def unload_vocabulary(apps, schema_editor):
    Skill = apps.get_model("matching", "Skill")
    Skill.objects.filter(source=PROJECT_SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        ("matching", "0002_matchscore"),
    ]

    operations = [
        migrations.RunPython(load_vocabulary, unload_vocabulary),
    ]
