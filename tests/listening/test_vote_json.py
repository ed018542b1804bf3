"""The vote as the page's script sends it (JSON in, the next clip out), serving time taken from
the audio's first fetch, and the queries a vote may cost."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from listening.models import Assignment, Session, Vote
from listening.services.errors import KeyReused
from listening.views.common import OWNER_COOKIE, owner_value
from tests.listening.helpers import rater, rating_session

pytestmark = pytest.mark.django_db

STIMULUS = re.compile(r'name="stimulus" value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')
AUDIO = re.compile(r'<audio id="[^"]+" preload="auto" src="([^"]+)"')


@pytest.fixture
def session(client, live_test) -> Session:
    """A session at its first rating clip, owned by the test client's browser."""
    found = rating_session(live_test, rater(name="json-voter"))
    client.cookies[OWNER_COOKIE] = owner_value([found.rater_id])
    return found


def page_step(client, session) -> dict:
    page = client.get(reverse("listening:session", args=[session.token])).content.decode()
    return {
        "stimulus": STIMULUS.search(page).group(1),
        "idempotency_key": IDEMPOTENCY.search(page).group(1),
        "urls": AUDIO.findall(page),
    }


def assignment_of(session, key) -> Assignment:
    return Assignment.objects.select_related("stimulus").get(session=session, stimulus__key=key)


def heard(client, session, step, seconds_ago: float = 60) -> Assignment:
    """Fetch the step's audio, then move its serving time back as if listened to."""
    for url in step["urls"]:
        assert client.get(url).status_code == 200
    assignment = assignment_of(session, step["stimulus"])
    assert assignment.served_at is not None
    Assignment.objects.filter(pk=assignment.pk).update(
        served_at=assignment.served_at - timedelta(seconds=seconds_ago)
    )
    return assignment


def post_json(client, session, step, score=4, **extra):
    body = {"stimulus": step["stimulus"], "idempotency_key": step["idempotency_key"],
            "score": score, "play_count": 1, **extra}  # fmt: skip
    return client.post(
        reverse("listening:vote", args=[session.token]),
        json.dumps(body),
        content_type="application/json",
        headers={"accept": "application/json"},
    )


def test_a_json_vote_is_stored_and_answered_with_the_next_clip(client, session):
    step = page_step(client, session)
    heard(client, session, step)
    answer = post_json(client, session, step, score=2)
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"] == "application/json"
    stored = Vote.objects.get(idempotency_key=step["idempotency_key"])
    assert stored.score == 2 and str(stored.stimulus.key) == step["stimulus"]
    following = answer.json()["next"]
    expected = (
        Assignment.objects.filter(session=session, phase="rating", vote__isnull=True)
        .order_by("position")
        .select_related("stimulus")
        .first()
    )
    assert following["stimulus"] == str(expected.stimulus.key)
    assert following["stimulus"] != step["stimulus"]
    assert set(following) == {
        "stimulus",
        "idempotency_key",
        "clips",
        "position",
        "total",
        "training",
        "label",
    }
    assert following["training"] is False and following["position"] == 2
    assert following["label"] == f"Clip 2 of {following['total']}"
    assert following["total"] == session.assignments.filter(phase="rating").count()
    assert [clip["id"] for clip in following["clips"]] == ["clip"]
    assert uuid.UUID(following["idempotency_key"]) != uuid.UUID(step["idempotency_key"])
    # The next clip's link is live and is that stimulus's audio.
    audio = client.get(following["clips"][0]["url"])
    assert audio.status_code == 200 and audio.getvalue()[:4] == b"fLaC"


def test_the_whole_rating_phase_goes_by_json_and_ends_with_the_code_page(client, session):
    step = page_step(client, session)
    for _ in range(session.assignments.filter(phase="rating").count()):
        heard(client, session, step)
        answer = post_json(client, session, step).json()
        if answer["next"] is None:
            break
        following = answer["next"]
        step = {**following, "urls": [clip["url"] for clip in following["clips"]]}
    assert answer == {"stored": True, "next": None, "redirect": f"/s/{session.token}/"}
    session.refresh_from_db()
    assert session.state == Session.State.COMPLETE and session.completion_code
    assert Vote.objects.filter(session=session, role="rating").count() == 3
    end = client.get(answer["redirect"])
    assert session.completion_code.encode() in end.content


def test_a_page_that_was_shown_serves_nothing_until_its_audio_is_fetched(client, session):
    step = page_step(client, session)
    assignment = assignment_of(session, step["stimulus"])
    assert assignment.served_at is None
    before = timezone.now()
    assert client.get(step["urls"][0]).status_code == 200
    after = timezone.now()
    assignment.refresh_from_db()
    assert before <= assignment.served_at <= after
    # A second fetch (a replay, a range request) does not move it.
    assert client.get(step["urls"][0], headers={"range": "bytes=0-9"}).status_code == 206
    first = assignment.served_at
    assignment.refresh_from_db()
    assert assignment.served_at == first


def test_a_vote_for_a_clip_whose_audio_was_never_fetched_is_refused(client, session):
    step = page_step(client, session)
    answer = post_json(client, session, step)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "not_served",
        "message": "That clip has not been played yet.",
        "detail": "the clip's audio was never fetched in this session",
    }
    assert not Vote.objects.filter(session=session, role="rating").exists()
    # The plain form says the same on the page.
    form = client.post(
        reverse("listening:vote", args=[session.token]),
        {"stimulus": step["stimulus"], "idempotency_key": step["idempotency_key"], "score": "4"},
    )
    assert form.status_code == 400 and b"That clip has not been played yet." in form.content
    assert not Vote.objects.filter(session=session, role="rating").exists()


def test_listening_time_counts_from_the_fetch_not_the_page(client, session):
    step = page_step(client, session)
    # The page was shown long ago; the audio was fetched only now.
    Session.objects.filter(pk=session.pk).update(last_seen_at=timezone.now() - timedelta(hours=1))
    for url in step["urls"]:
        client.get(url)
    answer = post_json(client, session, step)
    assert answer.status_code == 400 and answer.json()["error"] == "too_fast"
    assert not Vote.objects.filter(session=session, role="rating").exists()
    # Once the clip's length has passed since the fetch, the same vote is taken.
    assignment = assignment_of(session, step["stimulus"])
    Assignment.objects.filter(pk=assignment.pk).update(
        served_at=assignment.served_at - timedelta(seconds=assignment.stimulus.duration + 0.1)
    )
    assert post_json(client, session, step).status_code == 200


def test_a_repeated_json_vote_is_stored_once(client, session):
    step = page_step(client, session)
    heard(client, session, step)
    first = post_json(client, session, step, score=5)
    again = post_json(client, session, step, score=1)
    assert first.status_code == again.status_code == 200
    assert Vote.objects.filter(idempotency_key=step["idempotency_key"]).get().score == 5
    # The repeat does not hand out a second next clip: it sends the page to the server's step.
    assert again.json() == {"stored": True, "next": None, "redirect": f"/s/{session.token}/"}


@pytest.mark.parametrize("cookie", ["none", "forged", "another rater"])
def test_a_vote_from_a_browser_that_did_not_enter_the_session_is_404(client, session, cookie):
    step = page_step(client, session)
    heard(client, session, step)
    stranger = Client()
    if cookie == "forged":  # the rater's own id, unsigned: the signature is what counts
        stranger.cookies[OWNER_COOKIE] = str(session.rater_id)
    elif cookie == "another rater":
        stranger.cookies[OWNER_COOKIE] = owner_value([rater(name="someone else").id])
    for as_json in (True, False):
        answer = (
            post_json(stranger, session, step)
            if as_json
            else stranger.post(reverse("listening:vote", args=[session.token]),
                               {"stimulus": step["stimulus"], "score": 3,
                                "idempotency_key": step["idempotency_key"]})
        )  # fmt: skip
        assert answer.status_code == 404, (cookie, as_json)
    assert not Vote.objects.filter(session=session, role="rating").exists()
    assert post_json(client, session, step).status_code == 200  # its own browser still votes


def test_a_key_stored_for_one_clip_and_sent_again_for_another_is_refused(client, session):
    step = page_step(client, session)
    heard(client, session, step)
    assert post_json(client, session, step, score=5).status_code == 200
    following = page_step(client, session)
    heard(client, session, following)
    again = post_json(client, session, {**following, "idempotency_key": step["idempotency_key"]})
    assert again.status_code == 400 and again.json()["error"] == KeyReused.code
    assert not Vote.objects.filter(stimulus__key=following["stimulus"]).exists()


def test_a_full_cookie_keeps_the_rater_who_entered_last(rf):
    from django.http import HttpResponse

    from listening.views.common import owner_ids, remember

    request = rf.get("/")
    # Twenty raters, numbered past any the test database has made (PostgreSQL's sequences
    # keep counting across tests, so the returning rater's id could be among small ones).
    first = 10**9
    request.COOKIES[OWNER_COOKIE] = owner_value(list(range(first, first + 20)))
    returning = rater(name="returning")
    response = remember(request, HttpResponse(), returning)
    later = rf.get("/")
    later.COOKIES[OWNER_COOKIE] = response.cookies[OWNER_COOKIE].value
    kept = owner_ids(later)
    assert len(kept) == 20 and kept[-1] == returning.pk
    assert first not in kept and first + 1 in kept  # the oldest entry made room


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be an object"),
        (b"x" * 5000, "over"),
        (b'{"score": 3, "time_on_page_ms": 1e999}', "not valid JSON"),  # inf, once parsed
        (b'{"score": 3, "play_count": NaN}', "not valid JSON"),
        (b'{"score": Infinity}', "not valid JSON"),
    ],
)
def test_a_malformed_json_body_is_a_clear_400_and_stores_nothing(client, session, body, said):
    page_step(client, session)
    answer = client.post(
        reverse("listening:vote", args=[session.token]), body, content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_id" and said in answer.json()["detail"]
    assert not Vote.objects.filter(session=session).exclude(role="training").exists()


def test_a_json_vote_is_bounded_in_queries(client, session, django_assert_max_num_queries):
    """Five on PostgreSQL: the session found, checked against the browser's cookie and
    locked, with test, rater and the voted assignment (with its vote) in the same row; the
    insert; the next assignment with the session's last-seen time (two statements on
    SQLite); where the next stands in the phase; and the next clip's link (tagged with its
    assignment). Then the sweep of expired links that one link in 64 runs, and the savepoint
    and its release that the test's own transaction adds around the vote's."""
    statements = 5 if connection.vendor == "postgresql" else 6
    step = page_step(client, session)
    heard(client, session, step)
    with django_assert_max_num_queries(statements + 3):
        answer = post_json(client, session, step)
    assert answer.status_code == 200 and answer.json()["next"]
    with django_assert_max_num_queries(2):  # the link, the serving stamp
        assert client.get(answer.json()["next"]["clips"][0]["url"]).status_code == 200


def test_on_s3_the_clip_link_redirects_to_the_bucket_and_still_serves(client, session, settings):
    """On S3 the processed clip (and its reference, so the two look alike) go through this
    server once, to be stamped, then to a presigned URL; here the local storage stands in."""
    from django.core.files.storage import default_storage

    settings.AUDIO_STORAGE = "s3"
    settings.AWS_S3_ENDPOINT_URL = "https://audio.example.org/"
    step = page_step(client, session)
    assignment = assignment_of(session, step["stimulus"])
    fetched = client.get(step["urls"][0])
    assert fetched.status_code == 302 and fetched["Cache-Control"] == "no-store"
    assert fetched["Location"] == default_storage.url(assignment.stimulus.audio)
    assignment.refresh_from_db()
    assert assignment.served_at is not None


def test_a_forged_count_past_the_database_integer_is_kept_within_it(client, session):
    step = page_step(client, session)
    heard(client, session, step)
    answer = post_json(client, session, step, time_on_page_ms=10**400, play_count=10**30)
    assert answer.status_code == 200
    vote = Vote.objects.get(session=session, stimulus__key=step["stimulus"])
    assert (vote.time_on_page_ms, vote.play_count) == (2**31 - 1, 2**15 - 1)
