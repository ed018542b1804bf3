from __future__ import annotations

from django.apps import AppConfig


class OrganizeConfig(AppConfig):
    name = "organize"
    verbose_name = "Organize: guided tests, preview and monitoring"
