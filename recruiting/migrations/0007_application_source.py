"""``Application.source``: how an application came about, for the hiring reports' "candidates by source".

Backfill of existing rows, from what the database already tells:
- a move from "applied" whose reason starts with "sourced from the shortlist" (``recruiting.services.shortlist_advance``)
  → ``sourced``;
- else the candidate's own ``source``: a portal account (``portal``) → ``portal``, a candidate created through
  the API (``api``) → ``api``;
- else (imported candidates, rows made by scripts, erased candidates) → ``import``, the field's default.

An application a portal account made through ``POST /api/v1/applications/`` before this field existed cannot be
told from one made in the portal, so it is backfilled as ``portal``.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef

SOURCED_REASON = "sourced from the shortlist"


def backfill(apps, schema_editor):
    Application = apps.get_model("recruiting", "Application")
    ApplicationStageChange = apps.get_model("recruiting", "ApplicationStageChange")
    # shortlist_advance creates the application ("applied") and moves it to screening with the sourcing reason.
    sourced = Exists(
        ApplicationStageChange.objects.filter(
            application=OuterRef("pk"), from_stage="applied", reason__startswith=SOURCED_REASON
        )
    )
    Application.objects.filter(sourced).update(source="sourced")
    rest = Application.objects.exclude(source="sourced")
    rest.filter(candidate__source="portal").update(source="portal")
    rest.filter(candidate__source="api").update(source="api")


class Migration(migrations.Migration):
    dependencies = [
        ("recruiting", "0006_evidence_language_confidence"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="source",
            field=models.CharField(
                choices=[
                    ("portal", "Portal"),
                    ("import", "Import"),
                    ("api", "API"),
                    ("sourced", "Recruiter-sourced"),
                ],
                db_index=True,
                default="import",
                help_text="how the application came about: the candidate applied in the portal or through the API, a "
                "recruiter sourced them from the shortlist, or it was loaded by an import or a script",
                max_length=10,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
