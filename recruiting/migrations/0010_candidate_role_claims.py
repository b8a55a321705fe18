"""``Candidate.role_claims`` (engine 2.2.0, issue 12): the skills a CV's job titles name that nothing else in the
CV backs, kept apart from ``role_skills`` (the backed ones, which earn role credit).  Filled by re-extraction
(the stale sweep re-extracts profiles of an older extraction version)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recruiting", "0009_candidate_role_titles"),
    ]

    operations = [
        migrations.AddField(
            model_name="candidate",
            name="role_claims",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="skills the job titles name that nothing else in the CV backs (a title is a claim)",
            ),
        ),
        migrations.AlterField(
            model_name="candidate",
            name="role_skills",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="skills those job titles name that the rest of the CV backs, e.g. Data Scientist → Data science",
            ),
        ),
    ]
