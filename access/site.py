from __future__ import annotations

from django.contrib import admin

from access.roles import user_role


class RoleAdminSite(admin.AdminSite):
    """The admin for staff who hold a role. What each may see or change comes from the role's
    group permissions (access.roles.ADMIN_PERMISSIONS): analysts and viewers only view."""

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and user_role(user=request.user) is not None
