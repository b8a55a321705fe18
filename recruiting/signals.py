"""Model signal receivers of the recruiting app.

Saves and deletes of what a shortlist page shows, and ``migrate``, replace the shortlist cache's generation after
commit (``recruiting.shortlist_cache.model_written`` decides what counts: any match score; a candidate's or
vacancy's shown fields; not a new one).  A candidate's or vacancy's delete cascades to its match scores, so those
need no receiver of their own (one on ``MatchScore`` deletes would make every cascade load the rows it deletes).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from matching.models import MatchScore
from recruiting.models import Candidate, Vacancy
from recruiting.shortlist_cache import model_written, shortlist_data_changed


@receiver(post_save, sender=Candidate, dispatch_uid="recruiting.shortlist.candidate_saved")
@receiver(post_save, sender=Vacancy, dispatch_uid="recruiting.shortlist.vacancy_saved")
@receiver(post_save, sender=MatchScore, dispatch_uid="recruiting.shortlist.match_score_saved")
def shortlist_row_saved(sender, using=None, created=False, update_fields=None, **kwargs) -> None:
    model_written(sender, using, fields=update_fields, created=created)


@receiver(post_delete, sender=Candidate, dispatch_uid="recruiting.shortlist.candidate_deleted")
@receiver(post_delete, sender=Vacancy, dispatch_uid="recruiting.shortlist.vacancy_deleted")
def shortlist_row_deleted(sender, using=None, **kwargs) -> None:
    model_written(sender, using)


@receiver(post_migrate, dispatch_uid="recruiting.shortlist.migrated")
def shortlist_schema_migrated(sender, using=None, **kwargs) -> None:
    shortlist_data_changed(using)
