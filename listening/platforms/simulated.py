"""The demo's simulated raters: identity is the name the simulation gives each one."""

from __future__ import annotations

from django.http import HttpRequest

from listening.platforms.base import Entrant, Platform


class Simulated(Platform):
    code = "simulated"

    def entrant(self, request: HttpRequest, *, language: str) -> Entrant:
        return Entrant(participant_id=request.GET.get("rater", ""))
