from django.apps import AppConfig


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # Registers the tasks with the Celery app: services enqueue them by name (``matching.enqueue``) and never
        # import the task module, which is the top layer.
        from . import tasks  # noqa: F401
