"""The API's permission by role and its pagination, named in settings.REST_FRAMEWORK (kept
apart from access.api, which imports DRF's views: those read these settings on import)."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission

from access.roles import Role, user_may


class RolePermission(BasePermission):
    """Reads need the view's read_role (default analyst), writes its write_role (default
    organizer). A request without credentials is answered 401, one below the role 403."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            role = getattr(view, "read_role", Role.ANALYST)
        else:
            role = getattr(view, "write_role", Role.ORGANIZER)
        self.message = f"this needs the {role.group} role"
        return user_may(user=request.user, role=role)


class Pages(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
