from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0007_evidence_language_confidence"),
    ]

    operations = [
        migrations.AddField(
            model_name="scoringrun",
            name="chunk_failures",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="chunk index → times its task died; each death resends it at once",
            ),
        ),
    ]
