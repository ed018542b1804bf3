"""The rater pages through Django's test client: flow, errors, and blinding."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enhancement.models import Output
from listening.models import Assignment, Qualification, Session, SetupResult, Vote
from listening.simulation import check_answers

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


def listen(client, page) -> None:
    """What a browser does with the page: fetch every clip's audio (which serves it)."""
    for url in re.findall(rb'<audio id="[^"]+" preload="auto" src="([^"]+)"', page.content):
        assert client.get(url.decode()).status_code == 200


def vote_on_page(client, session, page, answer=None):
    listen(client, page)
    rewind_serving(session)
    key = re.search(rb'name="stimulus" value="([^"]+)"', page.content).group(1).decode()
    token = re.search(rb'name="idempotency_key" value="([^"]+)"', page.content).group(1)
    return client.post(
        reverse("listening:vote", args=[session.token]),
        {
            "stimulus": key,
            "idempotency_key": token.decode(),
            "play_count": "1",
            "time_on_page_ms": "5000",
            **(answer or {"score": "4"}),
        },
    )


def to_rating(client, test) -> tuple[str, Session]:
    """Through the pages: consent, qualification, setup and training, as a careful rater."""
    session_url = start(client, test).url
    session = Session.objects.get()
    for step in ("qualification", "setup"):
        page = client.get(session_url)
        assert f'action="/s/{session.token}/{step}/"'.encode() in page.content
        posted = client.post(reverse(f"listening:{step}", args=[session.token]),
                             check_answers(session))  # fmt: skip
        assert posted.status_code == 302
        session.refresh_from_db()
    while session.state == Session.State.TRAINING:
        page = client.get(session_url)
        assert b"Training clip" in page.content
        assert vote_on_page(client, session, page).status_code == 302
        session.refresh_from_db()
    return session_url, session


def test_a_rater_goes_through_every_step_and_gets_a_code(client, live_test):
    session_url, session = to_rating(client, live_test)
    assert session.state == Session.State.RATING
    total = session.assignments.filter(phase="rating").count()
    for position in range(1, total + 1):
        page = client.get(session_url)
        assert f"Clip {position} of {total}".encode() in page.content
        assert vote_on_page(client, session, page).status_code == 302
    done = client.get(session_url)
    session.refresh_from_db()
    assert session.completion_code.encode() in done.content
    assert Vote.objects.filter(session=session, assignment__phase="rating").count() == total


def test_a_reload_resumes_at_the_same_step_and_clip(client, live_test):
    session_url = start(client, live_test).url
    first = client.get(session_url)
    again = client.get(session_url)
    hearing = re.findall(rb'name="(hearing-[^"]+)"', first.content)
    assert hearing and hearing == re.findall(rb'name="(hearing-[^"]+)"', again.content)
    session_url, _session = to_rating_from(client, session_url)
    page = client.get(session_url)
    key = re.search(rb'name="stimulus" value="([^"]+)"', page.content).group(1)
    assert (
        re.search(rb'name="stimulus" value="([^"]+)"', client.get(session_url).content).group(1)
        == key
    )


def to_rating_from(client, session_url):
    session = Session.objects.get()
    for step in ("qualification", "setup"):
        client.post(reverse(f"listening:{step}", args=[session.token]), check_answers(session))
        session.refresh_from_db()
    while session.state == Session.State.TRAINING:
        vote_on_page(client, session, client.get(session_url))
        session.refresh_from_db()
    return session_url, session


def test_a_failed_hearing_test_blocks_the_rater_for_14_days(client, live_test):
    session_url = start(client, live_test).url
    session = Session.objects.get()
    answers = check_answers(session)
    for field in [f for f in answers if f.startswith("hearing-")][:3]:
        answers[field] = "000" if answers[field] != "000" else "111"
    posted = client.post(reverse("listening:qualification", args=[session.token]), answers)
    assert posted.status_code == 302
    page = client.get(session_url)
    assert page.status_code == 403
    assert b"try again after" in page.content
    result = Qualification.objects.get()
    assert not result.passed and result.hearing_correct == 2
    assert any("hearing test 2/5" in reason for reason in result.reasons)
    again = start(client, live_test)
    assert again.status_code == 400
    assert b"did not pass the qualification" in again.content
    assert Session.objects.count() == 1


def test_a_qualification_with_a_blank_answer_is_refused_and_records_nothing(client, live_test):
    start(client, live_test)
    session = Session.objects.get()
    answers = check_answers(session)
    del answers[next(f for f in answers if f.startswith("bandwidth-"))]
    posted = client.post(reverse("listening:qualification", args=[session.token]), answers)
    assert posted.status_code == 400
    assert b"Please answer every question" in posted.content
    assert not Qualification.objects.exists()
    session.refresh_from_db()
    assert session.state == Session.State.QUALIFICATION


def test_a_passed_qualification_and_setup_are_not_asked_again(client, live_test):
    _session_url, session = to_rating(client, live_test)
    Session.objects.filter(pk=session.pk).update(state=Session.State.COMPLETE)
    second = start(client, live_test)
    session = Session.objects.exclude(pk=session.pk).get()
    # Setup is valid 30 minutes and training an hour: straight to rating.
    assert session.state == Session.State.RATING
    assert b"Clip 1 of" in client.get(second.url).content


def test_setup_is_asked_again_after_30_minutes_and_training_after_an_hour(client, live_test):
    _session_url, session = to_rating(client, live_test)
    Session.objects.filter(pk=session.pk).update(state=Session.State.COMPLETE)
    SetupResult.objects.update(taken_at=timezone.now() - timedelta(minutes=31))
    start(client, live_test)
    second = Session.objects.exclude(pk=session.pk).get()
    assert second.state == Session.State.SETUP
    Session.objects.filter(pk=second.pk).update(state=Session.State.COMPLETE)
    SetupResult.objects.update(taken_at=timezone.now())
    Session.objects.update(trained_at=timezone.now() - timedelta(minutes=61))
    start(client, live_test)
    third = Session.objects.exclude(pk__in=[session.pk, second.pk]).get()
    assert third.state == Session.State.TRAINING


def test_a_qualification_older_than_30_days_is_asked_again(client, live_test):
    _session_url, session = to_rating(client, live_test)
    Session.objects.filter(pk=session.pk).update(state=Session.State.COMPLETE)
    Qualification.objects.update(taken_at=timezone.now() - timedelta(days=31))
    start(client, live_test)
    assert Session.objects.exclude(pk=session.pk).get().state == Session.State.QUALIFICATION


def test_a_vote_posted_too_soon_shows_an_error_and_stores_nothing(client, live_test):
    session_url, _session = to_rating(client, live_test)
    page = client.get(session_url)
    listen(client, page)
    key = re.search(rb'name="stimulus" value="([^"]+)"', page.content).group(1).decode()
    session = Session.objects.get()
    posted = client.post(
        reverse("listening:vote", args=[session.token]),
        {"stimulus": key, "score": "5", "idempotency_key": "8f0c3a52-36a4-4c1c-9a5e-0d1b8f1f1a11"},
    )
    assert posted.status_code == 400
    assert b"before the clip could have been heard" in posted.content
    assert not Vote.objects.filter(assignment__phase="rating").exists()


def test_a_session_link_opened_in_another_browser_is_404(client, django_user_model, live_test):
    from django.test import Client

    session_url = start(client, live_test).url
    assert Client().get(session_url).status_code == 404


def test_the_rating_page_and_audio_reveal_no_system_or_file_name(client, live_test):
    session_url, _session = to_rating(client, live_test)
    page = client.get(session_url)
    html = page.content.decode().lower()
    # Audio on another origin (S3) is fetched without a referrer naming the session.
    assert page["Referrer-Policy"] == "same-origin"
    session = Session.objects.get()
    key = re.search(r'name="stimulus" value="([^"]+)"', page.content.decode()).group(1)
    assignment = session.assignments.select_related(
        "stimulus__output__system", "stimulus__output__clip"
    ).get(stimulus__key=key)
    stimulus = assignment.stimulus  # a rating clip, or the gold or trap
    clip_names = [o.clip.name.lower() for o in Output.objects.select_related("clip")]
    for secret in ["noisy input", "gating", "unprocessed", "spectral", "gold", "trap",
                   stimulus.audio.lower(), *clip_names]:  # fmt: skip
        assert secret not in html, secret
    audio_url = re.search(
        r'<audio id="clip" preload="auto" src="([^"]+)"', page.content.decode()
    ).group(1)
    audio = client.get(audio_url)
    assert audio.status_code == 200
    assert audio["Content-Type"] == "audio/flac"
    assert audio.getvalue()[:4] == b"fLaC"
    assert "Content-Disposition" not in audio.headers
    header_text = " ".join(f"{k}: {v}" for k, v in audio.headers.items()).lower()
    assert "gating" not in header_text and ".flac" not in header_text


def test_a_forged_audio_token_is_404(client):
    assert client.get(reverse("enhancement:audio", args=["forged:token"])).status_code == 404


def test_an_expired_audio_token_is_404(client, live_test, settings):
    from enhancement import storage

    output = live_test.stimuli.first().output
    url = storage.audio_url(output.audio.name)
    settings.AUDIO_URL_MAX_AGE = -1
    assert client.get(url).status_code == 404


def test_absurd_browser_counters_are_capped_not_a_server_error(client, live_test):
    session_url, _session = to_rating(client, live_test)
    page = client.get(session_url)
    session = Session.objects.get()
    listen(client, page)
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
    vote = Vote.objects.get(assignment__phase="rating")
    assert (vote.time_on_page_ms, vote.play_count) == (2**31 - 1, 2**15 - 1)
