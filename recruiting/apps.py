from django.apps import AppConfig


class RecruitingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recruiting"
    verbose_name = "Recruiting"

    def ready(self) -> None:
        import logging

        from django.conf import settings

        from . import signals  # noqa: F401
        from . import notifications  # noqa: F401  (stage-change e-mails, a receiver of events)
        from . import webhooks  # noqa: F401  (webhook deliveries, a receiver of events)

        if not settings.CELERY_BROKER_URL:
            logging.getLogger("recruiting").warning(
                "No CELERY_BROKER_URL configured: Celery tasks run in-process (eager mode)."
            )
