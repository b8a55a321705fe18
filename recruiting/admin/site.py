"""Who may use the recruiter workspace (the default ``admin.site``, its ``has_permission`` and login form
replaced) and who may edit in it (``RecruiterOnlyEditMixin``)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from recruiting import permissions


def _recruiter_workspace_has_permission(request: HttpRequest) -> bool:
    return permissions.user_can_use_recruiter_workspace(request.user)


class RecruiterAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, refusing accounts that are neither recruiters nor hiring managers (candidates'
    portal accounts included) instead of logging them in only to show "not authorized"."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Workspace accounts sign in with their e-mail address (create_recruiter makes it the username).
        self.fields["username"].label = "E-mail address"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not permissions.user_can_use_recruiter_workspace(user):
            raise ValidationError(
                "This account cannot use the recruiter workspace. Ask an administrator to add it to the "
                "Recruiters or Hiring managers group.",
                code="not_recruiter",
            )


# Instance attributes: shadow AdminSite.has_permission / login_form on the default site.
admin.site.has_permission = _recruiter_workspace_has_permission
admin.site.login_form = RecruiterAuthenticationForm


class RecruiterOnlyEditMixin:
    """Adding, changing and deleting need recruiter rights on top of the model permissions."""

    def has_add_permission(self, request, *args):
        return permissions.is_recruiter(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return permissions.is_recruiter(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_recruiter(request.user) and super().has_delete_permission(request, obj)


# --- inlines ------------------------------------------------------------------------------------------------
