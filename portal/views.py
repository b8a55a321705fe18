"""Candidate portal: vacancies with "your match", the candidate's profile and CV, applications, privacy.

Views stay thin: validate a form → call a service (``portal.services``, ``recruiting.services``) → redirect or
render.  Every object a candidate can act on is looked up through the candidate of the signed-in user, so no
URL reaches another candidate's profile, CV, application, export or match: an id that is not theirs is a 404.

Vacancy descriptions are untrusted text: they are rendered as Markdown and sanitised by ``recruiting.markup``
(the ``description_html`` filter), never put in a page raw.
"""

from __future__ import annotations

import functools
import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matching import services as matching_services
from matching import staleness as matching_staleness
from portal import privacy as privacy_services
from portal import selectors, services
from portal.filters import VacancyFilter
from portal.forms import (
    AccountDeleteForm,
    ApplyForm,
    ConsentForm,
    CvConfirmForm,
    CvUploadForm,
    ExperienceForm,
    ProfileForm,
    QualificationForm,
    SkillAddForm,
)
from recruiting import selectors as recruiting_selectors
from recruiting.documents import DocumentError, document_download
from recruiting.models import (
    Application,
    Candidate,
    CandidateSkill,
    Experience,
    Qualification,
    SkillImportance,
    Vacancy,
)
from recruiting.permissions import candidate_of
from recruiting.services import (
    CANDIDATE_PROFILE_FIELDS,
    ApplicationError,
    application_create,
    application_withdraw,
    candidate_profile_update,
)

VACANCIES_PER_PAGE = 20
KEY_SKILLS_SHOWN = 5
PENDING_CV_SESSION_KEY = "portal_pending_cv"


def candidate_required(view):
    """Sign-in required, and a candidate profile: the view gets it as its second argument.  An account without
    one (made before the portal, or a recruiter's) is sent to give consent first."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        candidate = candidate_of(request.user)
        if candidate is None:
            return redirect(f"{reverse('portal:profile_start')}?next={request.path}")
        return view(request, candidate, *args, **kwargs)

    return wrapper


# --- vacancies -----------------------------------------------------------------------------------------------
def _decorate(vacancy: Vacancy) -> Vacancy:
    """Attach display-ready pay text and skill lists (from the prefetched skill links; no queries)."""
    links = list(vacancy.skill_links.all())
    vacancy.salary_text = recruiting_selectors.vacancy_salary_text(vacancy)
    vacancy.day_rate_text = recruiting_selectors.vacancy_day_rate_text(vacancy)
    vacancy.required_skills = [link.skill for link in links if link.importance == SkillImportance.REQUIRED]
    vacancy.desirable_skills = [link.skill for link in links if link.importance != SkillImportance.REQUIRED]
    vacancy.key_skills = [link.skill for link in links[:KEY_SKILLS_SHOWN]]
    vacancy.more_skills = max(len(links) - KEY_SKILLS_SHOWN, 0)
    return vacancy


@require_GET
def vacancy_list(request: HttpRequest) -> HttpResponse:
    candidate = candidate_of(request.user)
    filterset = VacancyFilter(request.GET or None, queryset=recruiting_selectors.vacancy_list_open())
    queryset = selectors.vacancies_for_candidate(filterset.qs, candidate=candidate)
    sort = request.GET.get("sort", "newest")
    sort = (
        sort if sort in selectors.VACANCY_SORTS and (candidate is not None or sort == "newest") else "newest"
    )
    queryset = selectors.vacancies_sorted(queryset, sort=sort, candidate=candidate)
    paginator = Paginator(queryset, VACANCIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = [_decorate(vacancy) for vacancy in page.object_list]
    if candidate is not None:
        bands = recruiting_selectors.match_bands()
        for vacancy in page.object_list:
            vacancy.my_band = selectors.vacancy_band(vacancy, bands)
    filtered = any(request.GET.get(name) for name in filterset.form.fields)
    return render(
        request,
        "portal/vacancy_list.html",
        {
            "page_obj": page,
            "vacancies": page.object_list,
            "paginator": paginator,
            "filter": filterset,
            "filtered": filtered,
            "candidate": candidate,
            "sort": sort,
            "sorts": selectors.VACANCY_SORTS,
        },
    )


def _vacancy_context(request: HttpRequest, vacancy: Vacancy, candidate: Candidate | None, **extra) -> dict:
    context = {
        "vacancy": _decorate(vacancy),
        "candidate": candidate,
        "signed_in": request.user.is_authenticated,
    }
    if candidate is not None:
        bands = recruiting_selectors.match_bands()
        match = selectors.vacancy_match(candidate=candidate, vacancy=vacancy, bands=bands)
        if match.state == "unscored":
            # Not among the stored scores (the storage policy keeps each candidate's best vacancies and each
            # vacancy's shortlist), stale, or the worker is late: compute this one pair now, without storing it.
            try:
                score = matching_services.match_score_on_demand(candidate=candidate, vacancy=vacancy)
            except matching_services.ModelNotReady:
                # No fitted model is stored yet: a web request never fits one (minutes over the whole pool).  The
                # candidate's scoring task fits it; the page shows "scoring…" and refreshes.
                matching_staleness.enqueue_candidate_scoring_once(candidate_id=candidate.pk)
                match = selectors.MatchPresentation(state="pending")
            else:
                match = selectors.match_view_from_score(
                    score, candidate=candidate, vacancy=vacancy, bands=bands
                )
        context.update(
            match=match,
            auto_refresh=match.state == "pending",
            application=selectors.candidate_application_for(candidate=candidate, vacancy=vacancy),
            apply_form=extra.pop("apply_form", None) or ApplyForm(),
        )
    context.update(extra)
    return context


@require_GET
def vacancy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vacancy = recruiting_selectors.vacancy_get_open(pk=pk)
    if vacancy is None:
        raise Http404("No open vacancy with this id.")
    candidate = candidate_of(request.user)
    return render(request, "portal/vacancy_detail.html", _vacancy_context(request, vacancy, candidate))


@require_POST
@candidate_required
def vacancy_apply(request: HttpRequest, candidate: Candidate, pk: int) -> HttpResponse:
    vacancy = recruiting_selectors.vacancy_get_open(pk=pk)
    if vacancy is None:
        raise Http404("No open vacancy with this id.")
    form = ApplyForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "portal/vacancy_detail.html",
            _vacancy_context(request, vacancy, candidate, apply_form=form),
        )
    try:
        application_create(
            candidate=candidate,
            vacancy=vacancy,
            cover_note=form.cleaned_data["cover_note"],
            actor=request.user,
            source=Application.Source.PORTAL,
        )
    except ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect("portal:vacancy_detail", pk=vacancy.pk)
    messages.success(request, f"You applied for {vacancy.title}. You can follow it here.")
    return redirect("portal:application_list")


# --- applications ------------------------------------------------------------------------------------------
@require_GET
@candidate_required
def application_list(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    applications = selectors.candidate_applications(candidate=candidate)
    return render(request, "portal/application_list.html", {"applications": applications})


@require_POST
@candidate_required
def application_withdraw_view(request: HttpRequest, candidate: Candidate, pk: int) -> HttpResponse:
    application = get_object_or_404(Application.objects.select_related("vacancy"), pk=pk, candidate=candidate)
    try:
        application_withdraw(application=application, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You withdrew your application for {application.vacancy.title}.")
    return redirect("portal:application_list")


# --- profile -----------------------------------------------------------------------------------------------
def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def profile_start(request: HttpRequest) -> HttpResponse:
    """Consent for an account that has no candidate profile yet; creates the profile."""
    if candidate_of(request.user) is not None:
        return redirect("portal:profile")
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.candidate_create_for_user(user=request.user, consent_given_at=timezone.now())
        messages.success(request, "Your candidate profile is ready. Add your CV to see your matches.")
        return redirect(_safe_next(request, reverse("portal:profile")))
    return render(request, "portal/profile_start.html", {"form": form, "next": _safe_next(request, "")})


def _profile_initial(candidate: Candidate) -> dict:
    return {name: getattr(candidate, name) for name in CANDIDATE_PROFILE_FIELDS}


def _render_profile(request: HttpRequest, candidate: Candidate, **forms) -> HttpResponse:
    candidate = selectors.candidate_profile(candidate=candidate)
    pending = selectors.candidate_scoring_pending(candidate=candidate)
    # Refresh by itself while the worker should be done any moment; later (worker down) stop, so that forms
    # being filled in are not reset every 5 seconds.
    recent = timezone.now() - candidate.updated_at < selectors.SCORING_WAIT
    context = {
        "candidate": candidate,
        "profile_form": forms.get("profile_form") or ProfileForm(initial=_profile_initial(candidate)),
        "skill_form": forms.get("skill_form") or SkillAddForm(),
        "qualification_form": forms.get("qualification_form") or QualificationForm(),
        "experience_form": forms.get("experience_form") or ExperienceForm(),
        "upload_form": forms.get("upload_form") or CvUploadForm(),
        "skill_suggestions": selectors.skill_suggestions(),
        "scoring_pending": pending,
        "auto_refresh": pending and recent,
        "has_content": selectors.candidate_has_content(candidate=candidate),
        "best_matches": [] if pending else selectors.candidate_best_matches(candidate=candidate),
        "pending_upload": request.session.get(PENDING_CV_SESSION_KEY),
    }
    return render(request, "portal/profile.html", context)


@require_http_methods(["GET", "POST"])
@candidate_required
def profile(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            candidate_profile_update(candidate=candidate, **form.cleaned_data)
            messages.success(request, "Your details are saved.")
            return redirect("portal:profile")
        return _render_profile(request, candidate, profile_form=form)
    return _render_profile(request, candidate)


@require_POST
@candidate_required
def skill_add(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = SkillAddForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, candidate, skill_form=form)
    try:
        links = services.candidate_skills_add(candidate=candidate, names=form.cleaned_data["skills"])
    except services.ProfileError as exc:
        form.add_error("skills", str(exc))
        return _render_profile(request, candidate, skill_form=form)
    names = ", ".join(link.skill.name for link in links)
    messages.success(request, f"Added {names}.")
    return redirect(f"{reverse('portal:profile')}#skills")


@require_POST
@candidate_required
def skill_remove(request: HttpRequest, candidate: Candidate, pk: int) -> HttpResponse:
    try:
        services.candidate_skill_remove(candidate=candidate, link_id=pk)
    except CandidateSkill.DoesNotExist:
        raise Http404("No such skill on your profile.") from None
    messages.success(request, "Skill removed.")
    return redirect(f"{reverse('portal:profile')}#skills")


@require_POST
@candidate_required
def qualification_add(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = QualificationForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, candidate, qualification_form=form)
    services.candidate_qualification_add(
        candidate=candidate, level=form.cleaned_data["level"], field=form.cleaned_data["field"]
    )
    messages.success(request, "Qualification added.")
    return redirect(f"{reverse('portal:profile')}#qualifications")


@require_POST
@candidate_required
def qualification_remove(request: HttpRequest, candidate: Candidate, pk: int) -> HttpResponse:
    try:
        services.candidate_qualification_remove(candidate=candidate, qualification_id=pk)
    except Qualification.DoesNotExist:
        raise Http404("No such qualification on your profile.") from None
    messages.success(request, "Qualification removed.")
    return redirect(f"{reverse('portal:profile')}#qualifications")


@require_POST
@candidate_required
def experience_add(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = ExperienceForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, candidate, experience_form=form)
    try:
        services.candidate_experience_add(candidate=candidate, **form.cleaned_data)
    except services.ProfileError as exc:
        form.add_error(None, str(exc))
        return _render_profile(request, candidate, experience_form=form)
    messages.success(request, "Experience added.")
    return redirect(f"{reverse('portal:profile')}#experience")


@require_POST
@candidate_required
def experience_remove(request: HttpRequest, candidate: Candidate, pk: int) -> HttpResponse:
    try:
        services.candidate_experience_remove(candidate=candidate, experience_id=pk)
    except Experience.DoesNotExist:
        raise Http404("No such experience on your profile.") from None
    messages.success(request, "Experience removed.")
    return redirect(f"{reverse('portal:profile')}#experience")


# --- CV: upload → confirm → save; download -------------------------------------------------------------------
@require_POST
@candidate_required
def cv_upload(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    """Read the uploaded CV and keep it pending (file under a random name, text in the session); nothing is
    stored on the candidate until they confirm what was found."""
    form = CvUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["cv"]
        try:
            pending = services.cv_pending_create(data=upload.read(), filename=upload.name)
        except DocumentError as exc:
            form.add_error("cv", str(exc))
        else:
            services.cv_pending_discard(pending=request.session.get(PENDING_CV_SESSION_KEY))
            request.session[PENDING_CV_SESSION_KEY] = pending
            return redirect("portal:cv_confirm")
    return _render_profile(request, candidate, upload_form=form)


@require_http_methods(["GET", "POST"])
@candidate_required
def cv_confirm(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    pending = request.session.get(PENDING_CV_SESSION_KEY)
    if not pending:
        messages.info(request, "Upload your CV first.")
        return redirect("portal:profile")
    findings = services.cv_findings(pending["text"])
    if request.method == "POST":
        form = CvConfirmForm(request.POST, findings=findings)
        if form.is_valid():
            if form.cleaned_data["token"] != pending["token"]:
                messages.error(request, "You uploaded another CV meanwhile; please check this one.")
                return redirect("portal:cv_confirm")
            try:
                services.cv_confirm(
                    candidate=candidate,
                    pending=pending,
                    skill_names=form.cleaned_data["skills"],
                    added_skills=form.cleaned_data["added_skills"],
                    qualification_indexes=form.cleaned_data["qualifications"],
                )
            except services.ProfileError as exc:
                form.add_error(None, str(exc))
            else:
                request.session.pop(PENDING_CV_SESSION_KEY, None)
                messages.success(request, "Your CV is saved; your matches update within seconds.")
                return redirect("portal:profile")
    else:
        form = CvConfirmForm(initial={"token": pending["token"]}, findings=findings)
    return render(
        request,
        "portal/cv_confirm.html",
        {
            "form": form,
            "pending": pending,
            "findings": findings,
            "skill_suggestions": selectors.skill_suggestions(),
            "preview": pending["text"][:1500],
        },
    )


@require_POST
@candidate_required
def cv_cancel(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    services.cv_pending_discard(pending=request.session.pop(PENDING_CV_SESSION_KEY, None))
    messages.info(request, "The upload was discarded; your profile is unchanged.")
    return redirect("portal:profile")


@require_GET
@candidate_required
def cv_download(request: HttpRequest, candidate: Candidate) -> FileResponse:
    """The signed-in candidate's own CV file; there is no URL for anyone else's."""
    if not candidate.cv_file:
        raise Http404("You have not uploaded a CV.")
    try:
        return document_download(candidate.cv_file, stem="my-cv")
    except FileNotFoundError:
        raise Http404("Your CV file is missing; please upload it again.") from None


# --- privacy -----------------------------------------------------------------------------------------------
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/privacy.html",
        {
            "candidate": candidate_of(request.user),
        },
    )


@require_GET
@login_required
def privacy_export(request: HttpRequest) -> HttpResponse:
    """All the signed-in user's data as a JSON attachment."""
    data = privacy_services.candidate_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="matchwork-my-data-{timezone.now():%Y-%m-%d}.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def privacy_delete(request: HttpRequest) -> HttpResponse:
    """Erase the account after the password is confirmed; applications stay only as anonymous statistics."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            privacy_services.candidate_account_delete(user=request.user)
        except services.ProfileError as exc:
            form.add_error(None, str(exc))
        else:
            services.cv_pending_discard(pending=request.session.get(PENDING_CV_SESSION_KEY))
            logout(request)
            messages.success(request, "Your account and your personal data have been deleted.")
            return redirect("portal:vacancy_list")
    return render(
        request,
        "portal/privacy_delete.html",
        {
            "form": form,
            "candidate": candidate_of(request.user),
        },
    )
