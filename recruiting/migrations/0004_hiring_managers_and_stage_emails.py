"""Data migration for the recruiter workspace (issue 5):

- the "Hiring managers" group (read-only on their own vacancies, their applications and shortlists; they add
  notes), with its permissions;
- the Recruiters group's permissions on the models added in 0003 (notes, stage history, stage e-mails);
- one default stage e-mail template per pipeline stage (recruiters edit them in the admin).

Tables are frozen here on purpose; ``recruiting.permissions`` holds the live copy used by
``create_recruiter``.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RECRUITERS = "Recruiters"
HIRING_MANAGERS = "Hiring managers"

RECRUITER_ADDITIONS = {
    ("recruiting", "note"): ("view", "add"),
    ("recruiting", "applicationstagechange"): ("view",),
    ("recruiting", "experience"): ("view",),
    ("recruiting", "stageemailtemplate"): ("view", "change"),
}

HIRING_MANAGER_PERMISSIONS = {
    ("recruiting", "vacancy"): ("view",),
    ("recruiting", "candidate"): ("view",),
    ("recruiting", "application"): ("view",),
    ("recruiting", "note"): ("view", "add"),
    ("recruiting", "applicationstagechange"): ("view",),
    ("recruiting", "experience"): ("view",),
    ("matching", "matchscore"): ("view",),
}

SIGN_OFF = "\n\nKind regards,\nThe MatchWork recruitment team"

STAGE_EMAILS = [
    (
        "applied",
        True,
        "We have your application for {{ vacancy.title }}",
        (
            "Dear {{ candidate.name }},\n\nThank you for applying for {{ vacancy.title }}. "
            "We will be in touch as soon "
            "as we have reviewed your application."
        ),
    ),
    (
        "screening",
        True,
        "Your application for {{ vacancy.title }} is being reviewed",
        (
            "Dear {{ candidate.name }},\n\nGood news: your application for {{ vacancy.title }} "
            "has moved to screening. "
            "A recruiter is reviewing your profile and will contact you about next steps."
        ),
    ),
    (
        "interview",
        True,
        "Interview for {{ vacancy.title }}",
        (
            "Dear {{ candidate.name }},\n\nWe would like to invite you to interview for {{ vacancy.title }}. "
            "A recruiter will contact you shortly to arrange a time."
        ),
    ),
    (
        "offer",
        True,
        "An offer for {{ vacancy.title }}",
        (
            "Dear {{ candidate.name }},\n\nWe are delighted to tell you that we are preparing an offer for "
            "{{ vacancy.title }}. A recruiter will be in touch with the details."
        ),
    ),
    (
        "hired",
        True,
        "Welcome aboard: {{ vacancy.title }}",
        (
            "Dear {{ candidate.name }},\n\nCongratulations, and welcome! "
            "Your new role as {{ vacancy.title }} is "
            "confirmed."
        ),
    ),
    (
        "rejected",
        True,
        "Your application for {{ vacancy.title }}",
        (
            "Dear {{ candidate.name }},\n\nThank you for your interest in {{ vacancy.title }}. After careful "
            "consideration we will not be taking your application further. "
            "We will keep your profile in mind for "
            "other roles."
        ),
    ),
    (
        "withdrawn",
        False,
        "You withdrew your application for {{ vacancy.title }}",
        (
            "Dear {{ candidate.name }},\n\nThis confirms that you withdrew your application for "
            "{{ vacancy.title }}."
        ),
    ),
]


def _grant(apps, using, group_name, table):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.using(using).get_or_create(name=group_name)
    for (app_label, model_name), actions in table.items():
        content_type = ContentType.objects.using(using).get(app_label=app_label, model=model_name)
        group.permissions.add(
            *Permission.objects.using(using).filter(
                content_type=content_type, codename__in=[f"{action}_{model_name}" for action in actions]
            )
        )


def forwards(apps, schema_editor):
    using = schema_editor.connection.alias
    for app_label in ("recruiting", "matching"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # create_permissions skips apps without a models module
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None
    _grant(apps, using, RECRUITERS, RECRUITER_ADDITIONS)
    _grant(apps, using, HIRING_MANAGERS, HIRING_MANAGER_PERMISSIONS)

    StageEmailTemplate = apps.get_model("recruiting", "StageEmailTemplate")
    for stage, active, subject, body in STAGE_EMAILS:
        StageEmailTemplate.objects.using(using).get_or_create(
            stage=stage, defaults={"subject": subject, "body": body + SIGN_OFF, "active": active}
        )


def backwards(apps, schema_editor):
    using = schema_editor.connection.alias
    apps.get_model("auth", "Group").objects.using(using).filter(name=HIRING_MANAGERS).delete()
    apps.get_model("recruiting", "StageEmailTemplate").objects.using(using).filter(
        stage__in=[row[0] for row in STAGE_EMAILS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recruiting", "0003_domain_for_portal_workspace_api"),
        ("matching", "0002_matchscore"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
