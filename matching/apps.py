from django.apps import AppConfig


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        # Registers the tasks with the Celery app: services enqueue them by name (``matching.enqueue``) and never
        # import the task module, which is the top layer.
        from . import tasks  # noqa: F401
        from .models import CandidateTerms
        from .term_store import candidate_terms_deleted

        # A CV's stored term counts leave the document frequencies when they are deleted, by whatever path (a
        # candidate's deletion cascades to them): ``matching.term_store``.
        post_delete.connect(
            candidate_terms_deleted, sender=CandidateTerms, dispatch_uid="candidate_terms_deleted"
        )
        # While a full rescore writes its own table, a deleted candidate's or vacancy's rows leave it too.
        from recruiting.models import Candidate, Vacancy

        from .rescore_table import owner_deleted

        for model in (Candidate, Vacancy):
            post_delete.connect(owner_deleted, sender=model, dispatch_uid=f"rescore_table_{model.__name__}")
