"""The rater pages through Django's test client: flow, errors, and blinding."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from listening.models import Assignment, Session, Vote

pytestmark = pytest.mark.django_db


def start(client, test, language="en"):
    return client.post(
        reverse("listening:entry", args=[test.entry_token]), {"language": language, "consent": "1"}
    )


def rewind_serving(session: Session, seconds: float = 60) -> None:
    """Stand-in for the rater listening: move serving time into the past."""
    for assignment in Assignment.objects.filter(session=session, served_at__isnull=False):
        assignment.served_at -= timedelta(seconds=seconds)
        assignment.save()


def test_the_entry_page_asks_for_language_and_consent(client, live_test):
    page = client.get(reverse("listening:entry", args=[live_test.entry_token]))
    assert page.status_code == 200
    assert b'name="consent"' in page.content
    assert '<option value="de">Deutsch</option>' in page.content.decode()
    assert '<option value="en">English</option>' in page.content.decode()


def test_starting_without_consent_is_refused_and_opens_no_session(client, live_test):
    page = client.post(reverse("listening:entry", args=[live_test.entry_token]), {"language": "en"})
    assert page.status_code == 400
    assert b"agree to take part" in page.content
    assert not Session.objects.exists()


def test_an_unknown_test_link_is_404(client):
    assert client.get("/t/nope/").status_code == 404


def test_a_rater_rates_a_whole_session_and_gets_a_code(client, live_test):
    response = start(client, live_test)
    assert response.status_code == 302
    session = Session.objects.get()
    for position in range(1, live_test.stimuli_per_session + 1):
        page = client.get(response.url)
        assert f"Clip {position} of {live_test.stimuli_per_session}".encode() in page.content
        rewind_serving(session)
        key = re.search(rb'name="stimulus" value="([^"]+)"', page.content).group(1).decode()
        token = re.search(rb'name="idempotency_key" value="([^"]+)"', page.content).group(1)
        posted = client.post(
            reverse("listening:vote", args=[session.token]),
            {
                "stimulus": key,
                "score": "4",
                "idempotency_key": token.decode(),
                "play_count": "1",
                "time_on_page_ms": "5000",
            },
        )
        assert posted.status_code == 302
    done = client.get(response.url)
    session.refresh_from_db()
    assert session.completion_code.encode() in done.content
    assert Vote.objects.filter(session=session, score=4).count() == live_test.stimuli_per_session


def test_a_vote_posted_too_soon_shows_an_error_and_stores_nothing(client, live_test):
    session_url = start(client, live_test).url
    page = client.get(session_url)
    key = re.search(rb'name="stimulus" value="([^"]+)"', page.content).group(1).decode()
    session = Session.objects.get()
    posted = client.post(
        reverse("listening:vote", args=[session.token]),
        {"stimulus": key, "score": "5", "idempotency_key": "8f0c3a52-36a4-4c1c-9a5e-0d1b8f1f1a11"},
    )
    assert posted.status_code == 400
    assert b"before the clip could have been heard" in posted.content
    assert not Vote.objects.exists()


def test_a_session_link_opened_in_another_browser_is_404(client, django_user_model, live_test):
    from django.test import Client

    session_url = start(client, live_test).url
    assert Client().get(session_url).status_code == 404


def test_the_rating_page_and_audio_reveal_no_system_or_file_name(client, live_test):
    session_url = start(client, live_test).url
    page = client.get(session_url)
    html = page.content.decode().lower()
    # Audio on another origin (S3) is fetched without a referrer naming the session.
    assert page["Referrer-Policy"] == "same-origin"
    session = Session.objects.get()
    assignment = session.assignments.select_related(
        "stimulus__output__system", "stimulus__output__clip"
    ).first()
    output = assignment.stimulus.output
    for secret in [
        "noisy input",
        "gating",
        "unprocessed",
        "spectral",
        output.clip.name.lower(),
        output.audio.name.lower(),
    ]:
        assert secret not in html, secret
    audio_url = re.search(
        r'<audio id="clip" preload="auto" src="([^"]+)"', page.content.decode()
    ).group(1)
    audio = client.get(audio_url)
    assert audio.status_code == 200
    assert audio["Content-Type"] == "audio/flac"
    assert audio.content[:4] == b"fLaC"
    assert "Content-Disposition" not in audio.headers
    header_text = " ".join(f"{k}: {v}" for k, v in audio.headers.items()).lower()
    assert "gating" not in header_text and ".flac" not in header_text


def test_a_forged_audio_token_is_404(client):
    assert client.get(reverse("listening:audio", args=["forged:token"])).status_code == 404


def test_an_expired_audio_token_is_404(client, live_test, settings):
    from enhancement import storage

    output = live_test.stimuli.first().output
    url = storage.audio_url(output.audio.name)
    settings.AUDIO_URL_MAX_AGE = -1
    assert client.get(url).status_code == 404


def test_absurd_browser_counters_are_capped_not_a_server_error(client, live_test):
    session_url = start(client, live_test).url
    page = client.get(session_url)
    session = Session.objects.get()
    rewind_serving(session)
    key = re.search(rb'name="stimulus" value="([^"]+)"', page.content).group(1).decode()
    posted = client.post(
        reverse("listening:vote", args=[session.token]),
        {
            "stimulus": key,
            "score": "3",
            "idempotency_key": "8f0c3a52-36a4-4c1c-9a5e-0d1b8f1f1a11",
            "time_on_page_ms": "99999999999999",
            "play_count": "99999999",
        },
    )
    assert posted.status_code == 302
    vote = Vote.objects.get()
    assert (vote.time_on_page_ms, vote.play_count) == (2**31 - 1, 2**15 - 1)
