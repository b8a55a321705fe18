"""The recruiter workspace's own pages inside the admin: the shortlist and comparison (``shortlist``), the
pipeline board (``board``), vacancy buttons, the CV download, notes, merging duplicates and starting a full
rescore (``actions``); what they show of a match score (``presenters``), their forms (``forms``) and blind review
(``blind``).

Views stay thin: check the role (``recruiting.permissions``) → validate → call a service → redirect or render.
They are wired into the admin by ``VacancyAdmin.get_urls`` / ``CandidateAdmin.get_urls`` /
``ScoringRunAdmin.get_urls``, so ``admin_view`` (login, workspace access, CSRF) wraps every one of them; each
view checks the object-level role again (``pages.vacancy_or_404`` / ``candidate_or_404``) and answers 404 for a
vacancy or candidate the user may not see.
"""
