"""Each role's group and its admin permissions, made to match access.roles."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from access.roles import ADMIN_PERMISSIONS, Role


def role_permissions(*, role: Role) -> list[Permission]:
    found = []
    for app_label, codenames in ADMIN_PERMISSIONS[role].items():
        rows = Permission.objects.filter(content_type__app_label=app_label)
        if codenames != ["*"]:
            rows = rows.filter(codename__in=codenames)
        found.extend(rows)
    return found


def groups_sync(**kwargs) -> None:
    """Create the three groups if missing and give each exactly its role's permissions."""
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.group)
        group.permissions.set(role_permissions(role=role))
