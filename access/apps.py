from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "Access: roles"

    def ready(self) -> None:
        from access.groups import groups_sync

        # After every migrate (and every test database flush): each role's group exists and
        # holds its permissions, models added since included.
        post_migrate.connect(groups_sync, sender=self, dispatch_uid="access.groups_sync")


class RoleAdminConfig(admin_apps.AdminConfig):
    """The admin, entered only by users holding a role (admin.site is access.site's)."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin

    default_site = "access.site.RoleAdminSite"
