"""The open shared link: a random id per browser. It offers no identity guarantee (a private
window is a new rater), so it is for the demo and for lab use."""

from __future__ import annotations

import secrets

from django.http import HttpRequest

from listening.platforms.base import Entrant, Platform

BROWSER_KEY = "auricle_browser"


def browser_id(request: HttpRequest) -> str:
    """A random id for this browser, kept in the server-side session."""
    if BROWSER_KEY not in request.session:
        request.session[BROWSER_KEY] = secrets.token_urlsafe(12)
    return request.session[BROWSER_KEY]


class OpenLink(Platform):
    code = "open"
    identity_guaranteed = False

    def entrant(self, request: HttpRequest, *, language: str) -> Entrant:
        return Entrant(participant_id=f"{browser_id(request)}:{language}")
