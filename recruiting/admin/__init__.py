"""The recruiter workspace: vacancies (requirements, publish / close, re-extract, rescore) with their
shortlist and pipeline board; candidates with profile, CV, every match score, applications with history,
notes and duplicates; applications; stage e-mail templates; the audit log; and matching's data (skills, match
scores, scoring runs).  One module per model admin; ``site`` replaces the default site's ``has_permission`` and
login form.

Access (``recruiting.permissions``): recruiters see and do everything; hiring managers see only the vacancies
they are named on — the vacancy, its shortlist, board and applications, and the candidates who applied — and
add notes; superusers also read the audit log.  Every queryset is narrowed by role, so a hiring manager who types
another vacancy's URL gets "not found", and every custom view (``recruiting.workspace``) checks the role again.

Stage moves never happen here by editing a field: they go through ``recruiting.services.application_move``
(board, shortlist bulk actions), which records the history and e-mails the candidate.
"""

# Importing each module registers its model admins with the default site (admin.autodiscover imports this package).
from recruiting.admin import applications, audit, candidates, emails, scores, site, vacancies  # noqa: F401
