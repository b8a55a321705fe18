"""Receivers of account signals (django-allauth): keep the candidate's e-mail equal to the account's."""

from __future__ import annotations

from allauth.account.signals import email_changed
from django.dispatch import receiver

from portal import services


@receiver(email_changed, dispatch_uid="portal.candidate_email_sync")
def candidate_email_follows_account(sender, request, user, from_email_address, to_email_address, **kwargs):
    services.candidate_email_sync(user=user, email=to_email_address.email)
