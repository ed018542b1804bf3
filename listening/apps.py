from __future__ import annotations

from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "listening"
    verbose_name = "Listening: tests, raters, sessions, votes"

    def ready(self) -> None:
        from enhancement.storage import audio_fetched
        from listening.services.serving import audio_fetched as stamp

        audio_fetched.connect(stamp, dispatch_uid="listening.serving")
