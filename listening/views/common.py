"""What every rater page shares: whose session this is, and which language it speaks."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import translation

from listening.models import Rater, Session

_RATER_KEY = "auricle_rater_ids"
# Test-language codes whose interface catalogue goes by another name.
INTERFACE_LANGUAGE = {"zh": "zh-hans"}


def remember(request: HttpRequest, rater: Rater) -> None:
    ids = set(request.session.get(_RATER_KEY, []))
    ids.add(rater.id)
    request.session[_RATER_KEY] = sorted(ids)


def owned_session(request: HttpRequest, token: uuid.UUID) -> Session:
    session = get_object_or_404(Session.objects.select_related("test", "rater"), token=token)
    if session.rater_id not in request.session.get(_RATER_KEY, []):
        raise Http404("no such session in this browser")
    return session


@contextmanager
def speaking(language: str):
    """Render in the interface language for a test language."""
    with translation.override(INTERFACE_LANGUAGE.get(language, language)):
        yield
