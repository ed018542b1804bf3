"""Error pages a rater can read: 403, 404 and 500 in the rater's language (the 429 is
config.ratelimit.too_many). A page of a session speaks the session's language, even in a
browser that does not own it; any other speaks the browser's."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from listening.models import Session
from listening.views.common import speaking


def _session_language(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    token = match.kwargs.get("token") if match else None
    if not isinstance(token, uuid.UUID):
        return None
    return Session.objects.filter(token=token).values_list("rater__language", flat=True).first()


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    language = _session_language(request)
    if language is None:
        return render(request, template, status=status)
    with speaking(language):
        return render(request, template, status=status)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(request, "404.html", 404)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(request, "403.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Nothing that could fail again: no database, the language the request already has."""
    return HttpResponse(render_to_string("500.html"), status=500)
