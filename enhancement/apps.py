from __future__ import annotations

from django.apps import AppConfig


class EnhancementConfig(AppConfig):
    name = "enhancement"
    verbose_name = "Enhancement: corpora, systems, test sets"
