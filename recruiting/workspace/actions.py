"""The workspace's buttons and small pages: a vacancy's publish / close / re-extract / rescore, a candidate's
CV download, notes and duplicate merge, and starting a full rescore."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify

from matching import enqueue as matching_enqueue
from matching import profiles as matching_profiles
from matching import runs as matching_runs
from recruiting import permissions
from recruiting.documents import document_download
from recruiting.services import (
    audit_log,
    note_add,
    vacancy_rescore,
)
from recruiting.workspace.forms import (
    NoteForm,
)
from recruiting.workspace.pages import back, candidate_or_404, page_context, vacancy_or_404


def vacancy_action_view(model_admin, request: HttpRequest, object_id, action: str) -> HttpResponse:
    """``publish``, ``close``, ``reextract`` or ``rescore`` one vacancy (POST, recruiters only)."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    vacancy = vacancy_or_404(request, object_id)
    if not permissions.can_edit_vacancy(request.user):
        raise PermissionDenied
    from recruiting.services import vacancy_close, vacancy_publish

    if action == "publish":
        vacancy_publish(vacancy=vacancy, actor=request.user)
        messages.success(
            request, "The vacancy is published: open to candidates, and its shortlist is being rescored."
        )
    elif action == "close":
        vacancy_close(vacancy=vacancy, actor=request.user)
        messages.success(
            request, "The vacancy is closed: it has left the portal and gets no new applications."
        )
    elif action == "reextract":
        matching_profiles.vacancy_refresh_profile(vacancy=vacancy)
        vacancy_rescore(vacancy=vacancy)
        messages.success(
            request,
            "Requirements re-extracted from the description (skills you entered are kept); "
            "rescoring is queued.",
        )
    elif action == "rescore":
        matching_enqueue.enqueue_vacancy_scoring(vacancy_id=vacancy.pk)
        messages.success(request, "Rescoring queued; the shortlist updates when it finishes.")
    else:
        raise Http404
    return HttpResponseRedirect(reverse("admin:recruiting_vacancy_change", args=[vacancy.pk]))


# --- candidate: CV file, notes, merge -----------------------------------------------------------------------
def cv_download_view(model_admin, request: HttpRequest, object_id) -> HttpResponse:
    """Stream the candidate's original CV file as a download, after the role check; logged as ``view_cv``."""
    candidate = candidate_or_404(request, object_id)
    if not candidate.cv_file:
        raise Http404("This candidate has no CV file.")
    try:
        response = document_download(
            candidate.cv_file, stem=f"cv-{slugify(candidate.reference) or candidate.pk}"
        )
    except FileNotFoundError:
        raise Http404("The CV file is missing from storage.") from None
    audit_log(actor=request.user, action="view_cv", obj=candidate, detail={"via": "file download"})
    return response


def note_add_view(model_admin, request: HttpRequest, object_id) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    candidate = candidate_or_404(request, object_id)
    if not permissions.can_add_note(request.user):
        raise PermissionDenied
    applications = list(
        permissions.visible_applications(request.user).filter(candidate=candidate).select_related("vacancy")
    )
    form = NoteForm(request.POST, applications=applications)
    url = reverse("admin:recruiting_candidate_change", args=[candidate.pk]) + "#notes"
    if not form.is_valid():
        messages.error(request, "The note was not saved: write some text (at most 5,000 characters).")
        return back(request, url)
    chosen = {a.pk: a for a in applications}.get(form.cleaned_data["application"])
    note_add(candidate=candidate, author=request.user, body=form.cleaned_data["body"], application=chosen)
    messages.success(request, "Note added.")
    return back(request, url)


def merge_view(model_admin, request: HttpRequest, object_id, other_id) -> HttpResponse:
    """Confirm (GET) and merge (POST) candidate ``other_id`` into ``object_id``: recruiters only."""
    from recruiting.duplicates import candidate_merge, merge_preview

    if not permissions.can_merge_candidates(request.user):
        raise PermissionDenied
    keep = candidate_or_404(request, object_id, defer_cv=False)
    duplicate = candidate_or_404(request, other_id, defer_cv=False)
    if keep.pk == duplicate.pk:
        raise Http404
    if request.method == "POST":
        result = candidate_merge(keep=keep, duplicate=duplicate, actor=request.user)
        messages.success(
            request,
            (
                f"Candidate #{result.merged_id} merged into this record: "
                f"{result.applications_moved} application(s) moved, "
                f"{result.applications_folded} folded into an existing one, {result.scores_moved} score(s), "
                f"{result.notes_moved} note(s), {result.skills_moved} skill(s) and "
                f"{result.qualifications_moved} "
                f"qualification(s) moved."
            ),
        )
        return HttpResponseRedirect(reverse("admin:recruiting_candidate_change", args=[keep.pk]))
    return TemplateResponse(
        request,
        "admin/recruiting/candidate/merge_confirm.html",
        page_context(
            model_admin,
            request,
            title="Merge duplicate candidates",
            keep=keep,
            duplicate=duplicate,
            preview=merge_preview(keep=keep, duplicate=duplicate),
        ),
    )


# --- scoring runs -------------------------------------------------------------------------------------------
def scoring_run_start_view(model_admin, request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    if not permissions.can_start_rescore(request.user):
        raise PermissionDenied
    run = matching_runs.scoring_run_start(scope="all")
    # A worker plans the chunks after this request commits, so their number is not known here.
    messages.success(
        request,
        f"Full rescore started (run {run.pk}): {run.total:,} pairs; a worker is planning its chunks. "
        "Progress shows below.",
    )
    return HttpResponseRedirect(reverse("admin:matching_scoringrun_changelist"))
