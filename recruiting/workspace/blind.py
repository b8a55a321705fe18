"""Blind review on every recruiter page that names a candidate for a vacancy.

``?blind=1`` / ``?blind=0`` (remembered in the session) replaces names, e-mail addresses and references with
"Candidate #<id>" in the HTML itself — shortlist, comparison, board, CSV export, and the admin's application and
match-score lists and change pages (``BlindReviewAdminMixin``) — until a recruiter reveals the candidate past blind
review (``Application.revealed``, set when they advance them).  The rule lives in ``conceals`` and the label in
``candidate_label``.  There are no photos in the data model, so none are shown.
"""

from __future__ import annotations

import re

from django.http import HttpRequest

from recruiting.models import Candidate

BLIND_SESSION_KEY = "workspace_blind_review"
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def blind_review(request: HttpRequest) -> bool:
    """Whether blind review is on for this session; ``?blind=1`` / ``?blind=0`` switches it."""
    value = request.GET.get("blind")
    if value in ("0", "1"):
        request.session[BLIND_SESSION_KEY] = value == "1"
    return bool(request.session.get(BLIND_SESSION_KEY, False))


def blind_review_on(request: HttpRequest) -> bool:
    """Whether blind review is on for this session, without switching it (for admin querysets)."""
    return bool(request.session.get(BLIND_SESSION_KEY, False))


def conceals(blind: bool, revealed: bool | None) -> bool:
    """The blind-review rule, in one place: with blind review on, a candidate stays hidden until a recruiter
    moves their application past "applied" (``Application.revealed``); a candidate who has not applied (``revealed``
    None) stays hidden."""
    return bool(blind) and not revealed


def candidate_label(candidate: Candidate | None, *, concealed: bool) -> str:
    """How every recruiter page names a candidate: "Candidate #<id>" when concealed by blind review, else the
    display name (``recruiting.names``: profile name, name on the CV, readable file name, never a generated id)."""
    if candidate is None:
        return "Former candidate (account erased)"
    if concealed:
        return f"Candidate #{candidate.pk}"
    return candidate.display_name


class BlindReviewAdminMixin:
    """Blind review on the admin's own pages that list or show a candidate per vacancy (applications, match
    scores): the candidate column / field reads ``candidate_label`` under the same rule as the shortlist, the
    change page's title and breadcrumb follow it, and searching by name, e-mail or reference is off while blind review is
    on (such a search would otherwise tell which rows are that person).  ``?blind=1`` / ``?blind=0`` on the list
    switches it like on the shortlist.

    Each row is annotated with ``ws_blind`` (the session's switch) and ``ws_revealed`` (``blind_revealed_expr``),
    so the display methods, which get no request, need no shared state.
    """

    blind_name_search_fields = (
        "candidate__name",
        "candidate__cv_name",
        "candidate__email",
        "candidate__reference",
    )
    change_form_template = "admin/blind_review/change_form.html"
    object_history_template = "admin/blind_review/object_history.html"

    def blind_revealed_expr(self):  # pragma: no cover - each admin says where "revealed" lives
        raise NotImplementedError

    def get_queryset(self, request):
        from django.db.models import BooleanField, Value

        return (
            super()
            .get_queryset(request)
            .annotate(
                ws_blind=Value(blind_review_on(request), BooleanField()),
                ws_revealed=self.blind_revealed_expr(),
            )
        )

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if blind_review_on(request):
            fields = tuple(f for f in fields if f not in self.blind_name_search_fields)
        return fields

    def changelist_view(self, request, extra_context=None):
        if "blind" in request.GET:
            blind_review(request)  # switches the session's setting
            request.GET = request.GET.copy()
            del request.GET["blind"]  # not a list filter
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context.setdefault("subtitle", self.blind_object_label(obj))
            extra_context["ws_object_label"] = self.blind_object_label(obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["title"] = f"Change history: {self.blind_object_label(obj)}"
            extra_context["ws_object_label"] = self.blind_object_label(obj)
        return super().history_view(request, object_id, extra_context)

    @staticmethod
    def blind_concealed(obj) -> bool:
        return conceals(getattr(obj, "ws_blind", False), getattr(obj, "ws_revealed", None))

    def blind_candidate(self, obj) -> str:
        return candidate_label(obj.candidate, concealed=self.blind_concealed(obj))

    def blind_object_label(self, obj) -> str:
        return f"{self.blind_candidate(obj)} → {obj.vacancy}"


def redact(text: str, candidate: Candidate | None) -> str:
    """``text`` (a CV line) without e-mail addresses or the parts of the candidate's names (profile, CV)."""
    text = _EMAIL_RE.sub("[e-mail]", text or "")
    names = " ".join(n for n in (getattr(candidate, "name", ""), getattr(candidate, "cv_name", "")) if n)
    if names:
        for part in sorted({p for p in re.split(r"\s+", names) if len(p) > 1}, key=len, reverse=True):
            text = re.sub(rf"\b{re.escape(part)}\b", "[name]", text, flags=re.IGNORECASE)
    return text
