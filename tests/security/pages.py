"""A rater taken through a whole session by the test client, every response kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enhancement.models import AudioLink
from listening.models import Assignment, Session
from listening.services.serving import tagged_assignment
from listening.simulation import check_answers

AUDIO_SRC = re.compile(r'<audio id="([^"]+)" preload="auto" src="([^"]+)"')
STIMULUS = re.compile(r'name="stimulus" value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')


@dataclass
class Visit:
    """Every response a rater's browser received, audio included."""

    client: Client = field(default_factory=Client)
    responses: list = field(default_factory=list)

    def get(self, url: str, **extra):
        response = self.client.get(url, **extra)
        if response.streaming:  # audio is sent from the file: keep its bytes as the body
            whole = HttpResponse(response.getvalue(), status=response.status_code)
            whole.headers = response.headers
            response = whole
        self.responses.append(response)
        return response

    def post(self, url: str, data: dict, **extra):
        response = self.client.post(url, data, **extra)
        self.responses.append(response)
        return response

    def audio_of(self, page) -> list[str]:
        urls = [url for _id, url in AUDIO_SRC.findall(page.content.decode())]
        for url in urls:
            self.get(url)
        return urls


def rewind_serving(session: Session, seconds: float = 60) -> None:
    """Stand-in for fetching the shown clips' audio and listening to the end: serving time
    moves into the past (a shown clip whose audio was not fetched counts as fetched now)."""
    now = timezone.now()
    linked = [
        tagged_assignment(tag)
        for tag in AudioLink.objects.exclude(tag="").values_list("tag", flat=True)
    ]
    shown = Assignment.objects.filter(session=session).filter(
        Q(pk__in=linked) | Q(served_at__isnull=False)
    )
    for assignment in shown:
        assignment.served_at = (assignment.served_at or now) - timedelta(seconds=seconds)
        assignment.save(update_fields=["served_at"])


def vote_form(page, score: str = "4") -> dict[str, str]:
    text = page.content.decode()
    return {
        "stimulus": STIMULUS.search(text).group(1),
        "idempotency_key": IDEMPOTENCY.search(text).group(1),
        "play_count": "1",
        "time_on_page_ms": "5000",
        "score": score,
        "sig": score,
        "bak": score,
    }


def session_through(visit: Visit, test, *, language: str = "en", score: str = "3") -> Session:
    """Entry, qualification, setup, training and every rating clip, fetching every clip."""
    entry = reverse("listening:entry", args=[test.entry_token])
    visit.get(entry)
    started = visit.post(entry, {"language": language, "consent": "1"})
    assert started.status_code == 302, started.content[:400]
    session = Session.objects.get(token=started.url.strip("/").split("/")[-1])
    page_url = started.url
    for _step in range(200):
        page = visit.get(page_url)
        visit.audio_of(page)
        session.refresh_from_db()
        if session.state in ("qualification", "setup"):
            posted = visit.post(
                reverse(f"listening:{session.state}", args=[session.token]),
                check_answers(session),
            )
        elif session.state in ("training", "rating") and STIMULUS.search(page.content.decode()):
            rewind_serving(session)
            posted = visit.post(
                reverse("listening:vote", args=[session.token]), vote_form(page, score)
            )
        else:
            return session
        assert posted.status_code == 302, posted.content[:400]
    raise AssertionError("the session did not end")
