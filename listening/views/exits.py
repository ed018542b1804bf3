"""How a rater leaves: sent on to the platform with the code that fits, or shown it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from listening.models import Participation, Session
from listening.platforms import platform_for
from listening.platforms.services import participation_finish, reasons_told

Outcome = Participation.Outcome


def screened_out(
    request: HttpRequest, platform, message: str | None, status: int = 403
) -> HttpResponse:
    """Refused at qualification or blocked: told why and sent on at once with the platform's
    screened-out code, before any unpaid work."""
    context = {"blocked": message, "exit_url": platform.exit_url(Outcome.SCREENED_OUT)}
    return render(request, "listening/blocked.html", context, status=status)


def session_end(request: HttpRequest, session: Session) -> HttpResponse:
    """A finished session: a platform rater who passed every hard check goes straight to the
    platform's completion URL; one who failed one is told which, in their language, then
    leaves with the failed-check code; a panel rater sees the completion code."""
    participation = participation_finish(session=session)
    platform = platform_for(session.test)
    outcome = participation.outcome if participation else Outcome.COMPLETED
    url = platform.exit_url(outcome) if session.completed_at else None
    if url and outcome == Outcome.COMPLETED:
        return redirect(url)
    # Told only where a platform pays by the outcome; the open link and panels show the code.
    failed = reasons_told(participation) if participation and url else []
    context = {"session": session, "exit_url": url, "failed": failed}
    return render(request, "listening/done.html", context)


def paused(request: HttpRequest, session: Session) -> HttpResponse:
    """The test was paused or closed while the rater was in it: no more votes."""
    return render(request, "listening/paused.html", {"session": session}, status=409)
