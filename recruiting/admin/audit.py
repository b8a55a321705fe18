"""The audit log: read-only, superusers only."""

from __future__ import annotations

from django.contrib import admin

from recruiting import permissions
from recruiting.models import (
    AuditLogEntry,
)

AUDIT_IDS_SHOWN = 10


def audit_detail_text(detail) -> str:
    """An audit entry's ``detail`` in words, keys in alphabetical order (PostgreSQL's jsonb keeps no insertion
    order, so the same entry reads the same on every database): ``blind: no · candidate ids: 4, 9, 12 · format:
    csv · rows: 3``; lists longer than ``AUDIT_IDS_SHOWN`` end with "+N more"; "—" when empty."""
    if not isinstance(detail, dict):
        return "—" if detail in (None, "", [], {}) else str(detail)
    parts = []
    for key, value in sorted(detail.items(), key=lambda item: str(item[0])):
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value[:AUDIT_IDS_SHOWN])
            more = len(value) - AUDIT_IDS_SHOWN
            value = shown + (f" +{more} more" if more > 0 else "") if value else "none"
        elif isinstance(value, dict):
            value = audit_detail_text(value)
        parts.append(f"{str(key).replace('_', ' ')}: {value}")
    return " · ".join(parts) or "—"


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read-only, superusers only."""

    list_display = ("created_at", "actor", "action", "object_type", "object_id", "detail_text")
    list_filter = ("action", "object_type", "created_at")
    search_fields = ("object_id", "actor__username", "action")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)

    @admin.display(description="Detail")
    def detail_text(self, obj: AuditLogEntry) -> str:
        return audit_detail_text(obj.detail)

    def has_module_permission(self, request):
        return permissions.can_read_audit_log(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_read_audit_log(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
