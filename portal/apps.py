from django.apps import AppConfig


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "Candidate portal"

    def ready(self) -> None:
        from portal import receivers  # noqa: F401 - connects the account signal receivers
