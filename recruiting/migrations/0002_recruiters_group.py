"""Create the "Recruiters" group with its permissions on the recruiting and matching models.

Data migration; the permission table below is frozen here on purpose (``recruiting.permissions`` holds the
live copy used by ``create_recruiter``).  Permissions are created first with ``create_permissions``, since
on a fresh database they would otherwise appear only after ``post_migrate``.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Recruiters"

PERMISSIONS = {
    ("recruiting", "vacancy"): ("view", "change", "add"),
    ("recruiting", "candidate"): ("view", "change", "add"),
    ("recruiting", "application"): ("view", "change", "add"),
    ("recruiting", "vacancyskill"): ("view", "change", "add"),
    ("recruiting", "candidateskill"): ("view", "change", "add"),
    ("recruiting", "qualification"): ("view", "change", "add"),
    ("matching", "matchscore"): ("view",),
    ("matching", "scoringrun"): ("view",),
    ("matching", "skill"): ("view",),
}


def create_recruiters_group(apps, schema_editor):
    using = schema_editor.connection.alias
    for app_label in ("recruiting", "matching"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # create_permissions skips apps without a models module
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP_NAME)
    for (app_label, model_name), actions in PERMISSIONS.items():
        content_type = ContentType.objects.using(using).get(app_label=app_label, model=model_name)
        permissions = Permission.objects.using(using).filter(
            content_type=content_type, codename__in=[f"{action}_{model_name}" for action in actions]
        )
        group.permissions.add(*permissions)


def delete_recruiters_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recruiting", "0001_initial"),
        ("matching", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_recruiters_group, delete_recruiters_group)]
