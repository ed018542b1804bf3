"""What every rater page shares: whose session this is, and which language it speaks."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation

from listening.models import Rater, Session

# Which raters this browser entered as: a signed cookie (Django's signing, under SECRET_KEY),
# so that a rater's page or vote reads no session row, and any web host can check it.
OWNER_COOKIE = "auricle_raters"
_OWNER_SALT = "listening.owner"
_OWNER_MOST = 20  # raters one browser holds (a lab machine shared by a panel)
OWNER_MAX_AGE = 14 * 24 * 3600
# Test-language codes whose interface catalogue goes by another name.
INTERFACE_LANGUAGE = {"zh": "zh-hans"}


def owner_ids(request: HttpRequest) -> list[int]:
    """The rater ids this browser's cookie names; none when it is missing, forged or old."""
    value = request.get_signed_cookie(
        OWNER_COOKIE, default="", salt=_OWNER_SALT, max_age=OWNER_MAX_AGE
    )
    return [int(part) for part in value.split(",") if part.isdigit()]


def owner_value(ids: list[int]) -> str:
    """The cookie's value for these raters (a test sets it as the entry page would)."""
    from django.core import signing

    text = ",".join(str(i) for i in sorted(set(ids))[-_OWNER_MOST:])
    return signing.get_cookie_signer(salt=OWNER_COOKIE + _OWNER_SALT).sign(text)


def remember(request: HttpRequest, response: HttpResponse, rater: Rater) -> HttpResponse:
    response.set_cookie(
        OWNER_COOKIE,
        owner_value([*owner_ids(request), rater.id]),
        max_age=OWNER_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def owned_session(request: HttpRequest, token: uuid.UUID) -> Session:
    session = get_object_or_404(Session.objects.select_related("test", "rater"), token=token)
    if session.rater_id not in owner_ids(request):
        raise Http404("no such session in this browser")
    return session


@contextmanager
def speaking(language: str):
    """Render in the interface language for a test language."""
    with translation.override(INTERFACE_LANGUAGE.get(language, language)):
        yield
