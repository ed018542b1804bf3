"""The test link: instructions, consent and language, then the rater's session."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from listening import methods, services
from listening.models import ListeningTest, Rater
from listening.selectors import listening_test_language_choices
from listening.views.common import browser_rater_id, remember, speaking


@never_cache
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


def _entry(request: HttpRequest, test: ListeningTest, choices) -> HttpResponse:
    context = {
        "test": test,
        "intro": methods.spec(test.method).intro,
        "languages": choices,
        "error": None,
    }
    if request.method != "POST":
        if test.status != ListeningTest.Status.LIVE:
            context["error"] = _("This test is not open for rating.")
        return render(request, "listening/entry.html", context)
    language = request.POST.get("language", "")
    if not request.POST.get("consent"):
        context["error"] = _("Please confirm that you agree to take part.")
    elif language not in {code for code, _name in choices}:
        context["error"] = _("Please choose the language you speak natively.")
    else:
        rater = services.rater_get_or_create(
            platform=Rater.Platform.PANEL,
            external_id=f"{browser_rater_id(request)}:{language}",
            language=language,
        )
        remember(request, rater)
        try:
            session = services.session_start(test=test, rater=rater)
        except services.RatingError as exc:
            context["error"] = exc.rater_message
            return render(request, "listening/entry.html", context, status=exc.status)
        return redirect("listening:session", token=session.token)
    return render(request, "listening/entry.html", context, status=400)
