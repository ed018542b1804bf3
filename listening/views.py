"""Rater pages: plain Django views; the server holds every piece of state."""

from __future__ import annotations

import secrets
import uuid

from django.core import signing
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from enhancement import storage
from listening import services
from listening.models import ListeningTest, Rater, Session
from listening.selectors import test_language_choices

ACR_LABELS = [
    (5, gettext_lazy("Excellent")),
    (4, gettext_lazy("Good")),
    (3, gettext_lazy("Fair")),
    (2, gettext_lazy("Poor")),
    (1, gettext_lazy("Bad")),
]

_RATER_KEY = "auricle_rater_ids"


def _browser_rater_id(request: HttpRequest) -> str:
    """A random id for this browser, kept in the server-side session."""
    if "auricle_browser" not in request.session:
        request.session["auricle_browser"] = secrets.token_urlsafe(12)
    return request.session["auricle_browser"]


def _remember(request: HttpRequest, rater: Rater) -> None:
    ids = set(request.session.get(_RATER_KEY, []))
    ids.add(rater.id)
    request.session[_RATER_KEY] = sorted(ids)


@never_cache
def entry(request: HttpRequest, token: str) -> HttpResponse:
    test = get_object_or_404(ListeningTest, entry_token=token)
    choices = test_language_choices(test=test)
    languages = {code for code, _ in choices}
    context = {"test": test, "languages": choices, "error": None}
    if request.method == "POST":
        language = request.POST.get("language", "")
        if not request.POST.get("consent"):
            context["error"] = _("Please confirm that you agree to take part.")
        elif language not in languages:
            context["error"] = _("Please choose the language you speak natively.")
        else:
            rater = services.rater_get_or_create(
                platform=Rater.Platform.PANEL,
                external_id=f"{_browser_rater_id(request)}:{language}",
                language=language,
            )
            _remember(request, rater)
            try:
                session = services.session_start(test=test, rater=rater)
            except services.RatingError as exc:
                context["error"] = str(exc)
            else:
                return redirect("listening:session", token=session.token)
        return render(request, "listening/entry.html", context, status=400)
    if test.status != ListeningTest.Status.LIVE:
        context["error"] = _("This test is not open for rating.")
    return render(request, "listening/entry.html", context)


def _owned_session(request: HttpRequest, token: uuid.UUID) -> Session:
    session = get_object_or_404(Session.objects.select_related("test"), token=token)
    if session.rater_id not in request.session.get(_RATER_KEY, []):
        raise Http404("no such session in this browser")
    return session


def _render_next(
    request: HttpRequest, session: Session, error: str | None = None, status: int = 200
):
    if session.state == Session.State.COMPLETE:
        return render(request, "listening/done.html", {"session": session})
    if session.state == Session.State.ABANDONED:
        return render(request, "listening/expired.html", {"session": session}, status=410)
    assignment = services.assignment_next(session=session)
    if assignment is None:
        return render(request, "listening/done.html", {"session": session})
    total = session.assignments.filter(released=False).count()
    context = {
        "session": session,
        "assignment": assignment,
        "audio_url": storage.audio_url(assignment.stimulus.output.audio.name),
        "idempotency_key": uuid.uuid4(),
        "position": assignment.position + 1,
        "total": total,
        "labels": ACR_LABELS,
        "error": error,
    }
    return render(request, "listening/rate.html", context, status=status)


@never_cache
@require_GET
def session_page(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    return _render_next(request, _owned_session(request, token))


def _int_or_none(value: str | None) -> int | None:
    try:
        return max(0, int(value)) if value not in (None, "") else None
    except ValueError:
        return None


@never_cache
@require_POST
def vote(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    session = _owned_session(request, token)
    try:
        services.vote_record(
            session=session,
            stimulus_key=request.POST.get("stimulus"),
            score=request.POST.get("score"),
            idempotency_key=request.POST.get("idempotency_key"),
            time_on_page_ms=_int_or_none(request.POST.get("time_on_page_ms")),
            play_count=_int_or_none(request.POST.get("play_count")) or 0,
        )
    except services.RatingError as exc:
        session.refresh_from_db()
        status = 409 if exc.code in {"duplicate", "closed", "expired"} else 400
        return _render_next(request, session, error=str(exc), status=status)
    return redirect("listening:session", token=session.token)


@require_GET
def audio(request: HttpRequest, token: str) -> HttpResponse:
    try:
        name = storage.audio_token_read(token)
    except signing.BadSignature:
        raise Http404("audio link expired or invalid") from None
    if not default_storage.exists(name):
        raise Http404("audio not found")
    # Bytes, not a FileResponse: that would add a Content-Disposition naming the stored file.
    with default_storage.open(name, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="audio/flac")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
