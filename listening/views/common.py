"""What every rater page shares: whose session this is, and which language it speaks."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation

from listening.models import Rater, Session
from listening.services import rows

# Which raters this browser entered as: a signed cookie (Django's signing, under SECRET_KEY),
# so that a rater's page or vote reads no session row, and any web host can check it.
OWNER_COOKIE = "auricle_raters"
_OWNER_SALT = "listening.owner"
_OWNER_MOST = 20  # raters one browser holds (a lab machine shared by a panel)
OWNER_MAX_AGE = 14 * 24 * 3600
_SESSION_KEY_BEFORE = "auricle_rater_ids"  # where a browser's raters were kept before the cookie
# Test-language codes whose interface catalogue goes by another name.
INTERFACE_LANGUAGE = {"zh": "zh-hans"}


def owner_ids(request: HttpRequest) -> list[int]:
    """The rater ids this browser's cookie names, oldest entry first; none when it is missing,
    forged or old. A browser that entered before the cookie existed is read from its session
    row instead (only then: a rater's pages read no session row)."""
    value = request.get_signed_cookie(
        OWNER_COOKIE, default=None, salt=_OWNER_SALT, max_age=OWNER_MAX_AGE
    )
    if value is None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return []
        return [i for i in request.session.get(_SESSION_KEY_BEFORE, []) if isinstance(i, int)]
    return [int(part) for part in value.split(",") if part.isdigit()]


def owner_value(ids: list[int]) -> str:
    """The cookie's value for these raters, in order of entry: the latest _OWNER_MOST kept,
    each once (a test sets it as the entry page would)."""
    kept = list(dict.fromkeys(reversed(ids)))[:_OWNER_MOST][::-1]
    text = ",".join(str(i) for i in kept)
    return signing.get_cookie_signer(salt=OWNER_COOKIE + _OWNER_SALT).sign(text)


def remember(request: HttpRequest, response: HttpResponse, rater: Rater) -> HttpResponse:
    """response, with the browser's cookie naming rater too (as the latest entry)."""
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
    """The session, its test and rater loaded, when this browser entered as its rater; a 404
    otherwise, the same whether the token is unknown or someone else's."""
    session = rows.session_found(token=token, rater_ids=tuple(owner_ids(request)), lock=False)
    if session is None:
        raise Http404("no such session in this browser")
    return session


@contextmanager
def speaking(language: str):
    """Render in the interface language for a test language."""
    with translation.override(INTERFACE_LANGUAGE.get(language, language)):
        yield
