"""``TextModel`` becomes ``StoredMatchingModel`` (issue 13): the stored form of ``matching.scoring.MatchingModel``,
named like it, so the fitted model has one name in memory and in the database.  A rename: no data changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0009_document_terms"),
    ]

    operations = [
        migrations.RenameModel(old_name="TextModel", new_name="StoredMatchingModel"),
    ]
