"""The test link: instructions, consent and language, then the rater's session. Who the rater
is comes from the test's platform: a Prolific link, a panel invitation, or this browser."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from config.ratelimit import client_address, rate_hit, too_many
from config.security import methods_only
from listening import methods, services
from listening.identity import participant_hash
from listening.models import ListeningTest
from listening.platforms import platform_for
from listening.platforms.errors import RaterExcluded
from listening.platforms.models import Participation
from listening.progress import session_minutes
from listening.selectors import listening_test_language_choices
from listening.services.errors import NotLive, RaterBlocked
from listening.views.common import INTERFACE_LANGUAGE, remember, speaking
from listening.views.exits import screened_out


@never_cache
@methods_only("GET", "POST")
def entry(request: HttpRequest, token: str) -> HttpResponse:
    test = get_object_or_404(ListeningTest, entry_token=token)
    choices = listening_test_language_choices(test=test)
    languages = [code for code, _name in choices]
    chosen = request.POST.get("language", "") if request.method == "POST" else ""
    # One language: the page speaks it. Several: the browser's choice until the rater picks.
    language = chosen if chosen in languages else (languages[0] if len(languages) == 1 else None)
    if language is None:
        return _entry(request, test, choices)
    with speaking(language):
        return _entry(request, test, choices)


def _browser_language(request: HttpRequest, choices) -> tuple[str, str] | None:
    """The test language the browser asks for, offered as a suggestion and never chosen for
    the rater: a browser set to English says little about a mother tongue."""
    asked = getattr(request, "LANGUAGE_CODE", "") or ""
    for code, name in choices:
        if INTERFACE_LANGUAGE.get(code, code) == asked.lower():
            return code, name
    return None


def _entry(request: HttpRequest, test: ListeningTest, choices) -> HttpResponse:
    platform = platform_for(test)
    context = {
        "test": test,
        "intro": methods.spec(test.method).intro,
        "languages": choices,
        "chosen": request.POST.get("language", "") if request.method == "POST" else "",
        "suggestion": _browser_language(request, choices) if len(choices) > 1 else None,
        "minutes": test.consent_minutes or session_minutes(test=test),
        "error": None,
    }
    try:
        platform.entry_check(request)
    except services.RatingError as exc:
        context.update(error=exc.rater_message, refused=True)
        return render(request, "listening/entry.html", context, status=exc.status)
    if request.method != "POST":
        if test.status != ListeningTest.Status.LIVE:
            context["error"] = NotLive().rater_message
        return render(request, "listening/entry.html", context)
    if rate_hit(name="entry_address", key=client_address(request)):
        return too_many(request, "entry_address")
    language = request.POST.get("language", "")
    if not request.POST.get("consent"):
        context["error"] = _("Please confirm that you agree to take part.")
    elif language not in {code for code, _name in choices}:
        context["error"] = _("Please choose the language you speak natively.")
    else:
        return _start(request, test, platform, language, context)
    return render(request, "listening/entry.html", context, status=400)


def _start(request, test, platform, language, context) -> HttpResponse:
    """Refusals that need no rater come first: a closed test or a language it lacks stores
    nobody; then the rater and the session are made together, or not at all."""
    try:
        services.session_open_check(test=test, language=language)
        entrant = platform.entrant(request, language=language)
        identity = participant_hash(platform=platform.code, participant_id=entrant.participant_id)
        if rate_hit(name="entry_identity", key=identity):
            return too_many(request, "entry_identity")
        session = services.session_enter(
            test=test, platform=platform, entrant=entrant, language=language
        )
    except (RaterBlocked, RaterExcluded) as exc:
        # Screened out before any unpaid work: a platform rater leaves with its code at once;
        # on the open link or a panel the entry page says why.
        if platform.exit_url(Participation.Outcome.SCREENED_OUT):
            return screened_out(request, platform, exc.rater_message, exc.status)
        context["error"] = exc.rater_message
        return render(request, "listening/entry.html", context, status=exc.status)
    except services.RatingError as exc:
        context["error"] = exc.rater_message
        return render(request, "listening/entry.html", context, status=exc.status)
    return remember(request, redirect("listening:session", token=session.token), session.rater)
