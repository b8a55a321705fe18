"""Applications in the workspace: read-only, with their stage history; blind review holds on the list and the change
page (``recruiting.workspace.blind.BlindReviewAdminMixin``)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html

from recruiting import permissions
from recruiting.models import (
    Application,
    ApplicationStageChange,
)
from recruiting.workspace.blind import BlindReviewAdminMixin


class StageHistoryInline(admin.TabularInline):
    model = ApplicationStageChange
    fields = ("created_at", "from_stage", "to_stage", "actor", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Stage history (who moved it, when, from where, why)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(BlindReviewAdminMixin, admin.ModelAdmin):
    """Read-only: applications are made by candidates (portal, API) or by sourcing from a shortlist, and move
    on the vacancy's board — both through the services, which keep the history.  Blind review holds on the
    list and the change page (``recruiting.workspace.blind.BlindReviewAdminMixin``)."""

    list_display = (
        "candidate_display",
        "vacancy",
        "stage",
        "revealed",
        "created_at",
        "updated_at",
        "board_link",
    )
    list_filter = ("stage", "source", "vacancy__status", "created_at")
    search_fields = (
        "candidate__reference",
        "candidate__name",
        "candidate__cv_name",
        "vacancy__title",
        "vacancy__reference",
    )
    readonly_fields = (
        "candidate_display",
        "vacancy",
        "stage",
        "source",
        "revealed",
        "cover_note",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = (StageHistoryInline,)
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            permissions.visible_applications(request.user, super().get_queryset(request))
            .select_related("candidate", "vacancy")
            .defer("candidate__cv_text", "vacancy__description")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def blind_revealed_expr(self):
        return F("revealed")

    @admin.display(description="Candidate", ordering="candidate__reference")
    def candidate_display(self, obj: Application) -> str:
        return self.blind_candidate(obj)

    @admin.display(description="Board")
    def board_link(self, obj: Application) -> str:
        return format_html(
            '<a href="{}">Open board</a>', reverse("admin:recruiting_vacancy_board", args=[obj.vacancy_id])
        )


# --- stage e-mails ------------------------------------------------------------------------------------------
