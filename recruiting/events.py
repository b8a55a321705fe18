"""Domain events, announced after the transaction that caused them commits.

Receivers (webhooks, e-mail, audit) connect to :data:`event_emitted`; a receiver's failure is logged and never
undoes or blocks the change that emitted the event.

Events: ``application.created``, ``application.stage_changed``, ``match_score.updated``, ``vacancy.published``.
Payloads are JSON-serialisable dicts of ids and public fields; they never carry CV text.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

#: Sent with ``event`` (a name above) and ``payload`` (a dict) once the emitting transaction has committed.
event_emitted = Signal()
#: Sent with ``event`` and ``payloads`` (a list of dicts) by :func:`emit_many`: one signal for many events of one
#: kind, so a receiver can handle them with one lookup (a rescore of 1,000 vacancies is one signal, not 1,000).
events_emitted = Signal()


def _send_after_commit(signal: Signal, event: str, **kwargs) -> None:
    """Send ``signal`` once the current transaction commits; a receiver's failure is logged (never CV text)."""

    def send() -> None:
        for receiver, result in signal.send_robust(sender=None, event=event, **kwargs):
            if isinstance(result, Exception):
                logger.error(
                    "receiver %s failed on %s: %s",
                    getattr(receiver, "__name__", receiver),
                    event,
                    type(result).__name__,
                )

    transaction.on_commit(send)


def emit(event: str, payload: dict) -> None:
    """Announce ``event`` after the current transaction commits (at once outside a transaction)."""
    _send_after_commit(event_emitted, event, payload=payload)


def emit_many(event: str, payloads: list[dict]) -> None:
    """Announce many ``event`` payloads at once after the current transaction commits (see ``events_emitted``).
    Receivers of single events (``event_emitted``) are not called: only batch receivers are."""
    if payloads:
        _send_after_commit(events_emitted, event, payloads=payloads)
