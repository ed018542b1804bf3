from __future__ import annotations

from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "listening"
    verbose_name = "Listening: tests, raters, sessions, votes"
