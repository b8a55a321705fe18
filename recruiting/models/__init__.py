"""Core recruiting domain: vacancies, candidates, their skills and qualifications, and applications.

Models hold data and what the database can enforce; behaviour lives in ``services.py`` (writes) and
``selectors.py`` (reads), after HackSoft's Django Styleguide.

One module per domain (``vacancies``, ``candidates``, ``profiles``, ``applications``, ``imports``, ``webhooks``,
``audit``, ``idempotency``; shared ``choices`` and the ``base`` model); every name is re-exported here, so
``from recruiting.models import Candidate`` and the migrations' ``recruiting.models.cv_upload_to`` keep working.
"""

from recruiting.models.applications import Application, ApplicationStageChange, Note, StageEmailTemplate
from recruiting.models.audit import AuditLogEntry
from recruiting.models.base import TimeStampedModel
from recruiting.models.candidates import Candidate, Experience, cv_upload_to
from recruiting.models.choices import (
    DegreeLevel,
    EmploymentType,
    RemoteOption,
    Seniority,
    SkillImportance,
    SkillOrigin,
)
from recruiting.models.idempotency import IdempotencyKey
from recruiting.models.imports import ImportChunk, ImportRun
from recruiting.models.profiles import CandidateSkill, Qualification, VacancySkill
from recruiting.models.vacancies import Vacancy
from recruiting.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Application",
    "ApplicationStageChange",
    "AuditLogEntry",
    "Candidate",
    "CandidateSkill",
    "DegreeLevel",
    "EmploymentType",
    "Experience",
    "IdempotencyKey",
    "ImportChunk",
    "ImportRun",
    "Note",
    "Qualification",
    "RemoteOption",
    "Seniority",
    "SkillImportance",
    "SkillOrigin",
    "StageEmailTemplate",
    "TimeStampedModel",
    "Vacancy",
    "VacancySkill",
    "WebhookDelivery",
    "WebhookEndpoint",
    "cv_upload_to",
]
