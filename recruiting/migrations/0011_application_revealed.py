"""``Application.advanced`` becomes ``Application.revealed`` (issue 13): the flag says blind review shows the
candidate (set by the first move past "applied"), not a stage.  A rename: no data changes.  The API keeps its
public field name ``advanced``."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recruiting", "0010_candidate_role_claims"),
    ]

    operations = [
        migrations.RenameField(model_name="application", old_name="advanced", new_name="revealed"),
        migrations.AlterField(
            model_name="application",
            name="revealed",
            field=models.BooleanField(
                default=False,
                help_text="a recruiter has moved the application past 'applied': blind review shows the candidate "
                "from then on",
            ),
        ),
    ]
