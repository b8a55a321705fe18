"""Delete CV uploads that were parsed but never confirmed (``media/cv-pending/``), older than ``--hours``."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from portal.services import cv_pending_purge


class Command(BaseCommand):
    help = "Delete pending CV uploads that nobody confirmed within --hours (default 24)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24.0)

    def handle(self, *args, hours: float, **options):
        deleted = cv_pending_purge(older_than=timedelta(hours=hours))
        self.stdout.write(f"deleted {deleted} pending CV upload{'s' if deleted != 1 else ''}")
