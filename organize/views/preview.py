"""The organizer takes the rater's session: any step, any language of the test."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from access.roles import Role, role_required
from config.security import methods_only
from listening.models import ListeningTest, Session
from listening.selectors import listening_test_language_choices
from listening.services.preview import PREVIEW_STEPS, PreviewRefused, preview_session_start
from listening.views.common import remember


def _page(request, test, status: int = 200) -> HttpResponse:
    previews = Session.objects.filter(test=test, rater__preview=True).order_by("-started_at")
    context = {
        "test": test,
        "languages": listening_test_language_choices(test=test),
        "steps": PREVIEW_STEPS,
        "previews": previews[:10],
        "built": test.stimuli.filter(role="training").exists(),
    }
    return render(request, "organize/preview.html", context, status=status)


@role_required(Role.ORGANIZER)
@methods_only("GET", "POST")
def preview(request: HttpRequest, test_id: int) -> HttpResponse:
    test = get_object_or_404(ListeningTest, pk=test_id)
    if request.method != "POST":
        return _page(request, test)
    try:
        session = preview_session_start(
            test=test,
            user=request.user,
            language=request.POST.get("language", ""),
            step=request.POST.get("step", ""),
        )
    except PreviewRefused as exc:
        messages.error(request, f"No preview: {exc}.")
        return _page(request, test, status=400)
    return remember(request, redirect("listening:session", token=session.token), session.rater)
