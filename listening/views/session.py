"""The session page shows whatever step the server says the rater is on."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from config.security import methods_only
from enhancement.storage import audio_urls
from listening import methods, services
from listening.models import CheckItem, ListeningTest, Session
from listening.platforms import platform_for
from listening.platforms.services import participation_finish
from listening.selectors import LANGUAGE_NAMES
from listening.services.errors import RaterBlocked
from listening.views import exits, stimulus
from listening.views.common import owned_session, speaking

State = Session.State


@never_cache
@methods_only("GET")
def session_page(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    session = owned_session(request, token)
    with speaking(session.rater.language):
        return render_step(request, session)


def render_step(request, session: Session, error: str | None = None, status: int = 200):
    live = session.test.status == ListeningTest.Status.LIVE
    if session.state in Session.OPEN_STATES and not live and not session.rater.preview:
        return exits.paused(request, session)
    if session.state == State.QUALIFICATION:
        return _qualification(request, session, error, status)
    if session.state == State.SETUP:
        return _setup(request, session, error, status)
    if session.state in (State.TRAINING, State.RATING):
        assignment = services.assignment_next(session=session, heard=False)
        if assignment is not None:
            return _rate(request, session, assignment, error, status)
        session.refresh_from_db()
    if session.state == State.BLOCKED:
        until = services.rater_blocked_until(
            test=session.test, rater=session.rater, now=timezone.now()
        )
        message = RaterBlocked(until=until).rater_message if until else None
        participation_finish(session=session)
        return exits.screened_out(request, platform_for(session.test), message)
    if session.state == State.ABANDONED:
        return render(request, "listening/expired.html", {"session": session}, status=410)
    return exits.session_end(request, session)


def _trials(session: Session, kind: str, label=None) -> list[dict]:
    """The session's trials of a kind for the page; label(number) names a typed answer's
    field."""
    items = list(services.check_items(session=session, kind=kind))
    names = [item.audio for item in items] + [item.audio_b for item in items if item.audio_b]
    urls = iter(audio_urls(names))  # one insert for the page's links
    found = [{"key": item.key, "url": next(urls)} for item in items]
    for item, trial in zip(items, found, strict=True):
        trial["url_b"] = next(urls) if item.audio_b else ""
    return [
        {
            **trial,
            "field": f"{kind}-{trial['key']}",
            "label": label(number) if label else "",
        }
        for number, trial in enumerate(found, 1)
    ]


def _digits_label(number: int) -> str:
    return _("Digits %(number)s") % {"number": number}


def _sum_label(number: int) -> str:
    return _("Sum")


def _qualification(request, session, error, status):
    context = {
        "session": session,
        "error": error,
        "languages": sorted(LANGUAGE_NAMES.items(), key=lambda pair: pair[0]),
        "hearing": _trials(session, CheckItem.Kind.HEARING, _digits_label),
        "bandwidth": _trials(session, CheckItem.Kind.BANDWIDTH),
    }
    return render(request, "listening/qualification.html", context, status=status)


def _setup(request, session, error, status):
    context = {
        "session": session,
        "error": error,
        "calibration": _trials(session, CheckItem.Kind.CALIBRATION),
        "two_ear": _trials(session, CheckItem.Kind.TWO_EAR, _sum_label),
        "environment": _trials(session, CheckItem.Kind.ENVIRONMENT),
    }
    return render(request, "listening/setup.html", context, status=status)


def _rate(request, session, assignment, error, status):
    method = methods.spec(session.test.method)
    shown = stimulus.step(session, assignment)
    context = {
        "session": session,
        "step": shown,
        # The progress bar reads these.
        "position": shown["position"],
        "total": shown["total"],
        "training": shown["training"],
        "question": method.question,
        "scales": method.scales,
        "keyboard_digits": method.keyboard_digits,
        "signed": method.signed,
        "error": error,
    }
    return render(request, "listening/rate.html", context, status=status)


def _refused(request, session, exc: services.RatingError):
    session.refresh_from_db()
    return render_step(request, session, error=exc.rater_message, status=exc.status)


@never_cache
@methods_only("POST")
def qualification(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    return _check_post(request, token, services.qualification_submit)


@never_cache
@methods_only("POST")
def setup(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    return _check_post(request, token, services.setup_submit)


def _check_post(request, token, submit) -> HttpResponse:
    session = owned_session(request, token)
    with speaking(session.rater.language):
        try:
            submit(session=session, data=request.POST)
        except services.RatingError as exc:
            return _refused(request, session, exc)
    return redirect("listening:session", token=session.token)
