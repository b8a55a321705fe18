from django.apps import AppConfig

#: The broker Celery is given when ``CELERY_BROKER_URL`` is empty and tasks run in-process (eager mode): Celery
#: still acquires a producer to publish an eager task, and an empty URL would make kombu fall back to a host-less
#: AMQP URL and warn "No hostname was supplied" on every start.  Nothing is ever sent to it.
IN_PROCESS_BROKER_URL = "memory://localhost//"


def use_in_process_broker(app, broker_url: str) -> None:
    """Point the Celery ``app`` at ``IN_PROCESS_BROKER_URL`` when ``broker_url`` is empty (eager mode)."""
    if not broker_url:
        app.conf.broker_url = IN_PROCESS_BROKER_URL


class RecruitingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recruiting"
    verbose_name = "Recruiting"

    def ready(self) -> None:
        import logging

        from django.conf import settings

        from . import (
            notifications,  # noqa: F401  (stage-change e-mails, a receiver of events)
            signals,  # noqa: F401
            tasks,  # noqa: F401  (registers the tasks with Celery: webhooks enqueue them by name)
            webhooks,  # noqa: F401  (webhook deliveries, a receiver of events)
        )
        from .celery import app

        use_in_process_broker(app, settings.CELERY_BROKER_URL)
        # In development (DEBUG) eager mode is the default and ``make run`` says so once; every manage.py
        # process repeating it was noise.  A production process without a broker is worth a warning.
        if not settings.CELERY_BROKER_URL and not settings.DEBUG:
            logging.getLogger("recruiting").warning(
                "No CELERY_BROKER_URL configured: Celery tasks run in-process (eager mode)."
            )
