"""Rate limits: entry per address and per participant, votes per session, password logins per
address and username, API token failures per address. A limited request gets a 429 page in the
rater's language and changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse

from config.ratelimit import client_address
from listening.models import Participation, Rater, Session, Vote
from tests.security.pages import rewind_serving, vote_form

pytestmark = pytest.mark.django_db
PASSWORD = "a long and correct password"


@pytest.fixture
def limits(settings):
    settings.AURICLE_RATE_LIMITS = {**settings.AURICLE_RATE_LIMITS}
    return settings.AURICLE_RATE_LIMITS


def rows() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Rater, Session, Participation, Vote))


def enter(client, test, language="en", **extra):
    url = reverse("listening:entry", args=[test.entry_token])
    return client.post(url, {"language": language, "consent": "1"}, **extra)


def test_cookieless_entries_from_one_address_stop_at_the_limit(live_test, limits):
    limits["entry_address"] = (5, 600)
    statuses = [enter(Client(), live_test).status_code for _ in range(8)]
    assert statuses == [302] * 5 + [429] * 3
    assert rows()[:2] == (5, 5)
    other = enter(Client(REMOTE_ADDR="203.0.113.9"), live_test)
    assert other.status_code == 302


def test_a_limited_entry_says_so_in_the_raters_language_and_changes_nothing(live_test, limits):
    limits["entry_address"] = (1, 600)
    enter(Client(), live_test, language="de")
    before = rows()
    limited = enter(Client(), live_test, language="de")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) == 600
    assert "Zu viele Anfragen" in limited.content.decode()
    assert rows() == before


def test_one_participant_entering_again_and_again_is_limited(live_test, limits):
    """The same Prolific id from fresh browsers: the identity, not the cookie, is counted."""
    from listening.platforms.services import recruitment_set

    recruitment_set(test=live_test, platform="prolific", study_id="a" * 24)
    limits["entry_identity"] = (3, 600)
    query = f"?PROLIFIC_PID={'5f1e2d3c4b5a69788796a5b4'}&STUDY_ID={'a' * 24}&SESSION_ID=s1"
    url = reverse("listening:entry", args=[live_test.entry_token]) + query
    data = {"language": "en", "consent": "1"}
    statuses = [Client().post(url, data).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert rows()[:2] == (1, 1)


def at_rating(client, live_test):
    """The client enters and passes qualification and setup: (its entry answer, the session)."""
    from listening.simulation import check_answers

    start = enter(client, live_test)
    session = Session.objects.get()
    for step in ("qualification", "setup"):
        client.post(reverse(f"listening:{step}", args=[session.token]), check_answers(session))
        session.refresh_from_db()
    return start, session


def test_votes_of_one_session_are_limited_and_a_limited_vote_stores_nothing(
    client, live_test, limits
):
    start, session = at_rating(client, live_test)
    limits["vote_session"] = (2, 60)
    page = client.get(start.url)
    rewind_serving(session)
    form = vote_form(page)
    vote_url = reverse("listening:vote", args=[session.token])
    assert client.post(vote_url, {**form, "score": "9"}).status_code == 400
    assert client.post(vote_url, {**form, "score": "9"}).status_code == 400
    before = rows()
    limited = client.post(vote_url, form)
    assert limited.status_code == 429 and b"Too many requests" in limited.content
    assert rows() == before


def test_a_stranger_who_knows_the_session_link_does_not_spend_the_raters_vote_budget(
    client, live_test, limits
):
    start, session = at_rating(client, live_test)
    limits["vote_session"] = (2, 60)
    vote_url = reverse("listening:vote", args=[session.token])
    stranger = Client()
    # unknown to the stranger every time, counted or limited: their own budget
    assert [stranger.post(vote_url, {"score": "3"}).status_code for _ in range(5)] == [404] * 5
    page = client.get(start.url)
    rewind_serving(session)
    assert client.post(vote_url, vote_form(page)).status_code == 302  # stored, next page


def staff(django_user_model):
    return django_user_model.objects.create_user(
        username="organizer", password=PASSWORD, is_staff=True, is_superuser=True
    )


def login(client, username="organizer", password="wrong"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )


def test_thirty_wrong_passwords_lock_the_login_so_the_right_one_does_not_work(
    client, django_user_model
):
    staff(django_user_model)
    statuses = [login(client).status_code for _ in range(30)]
    assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}
    right = login(client, password=PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is locked out of this username too: the lock is the account's.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert login(elsewhere, password=PASSWORD).status_code == 429


def test_failures_over_many_usernames_lock_the_address(client, django_user_model, limits):
    staff(django_user_model)
    limits["login_address"] = (5, 900)
    for number in range(5):
        assert login(client, username=f"guess-{number}").status_code == 200
    assert login(client, password=PASSWORD).status_code == 429
    assert login(Client(REMOTE_ADDR="198.51.100.7"), password=PASSWORD).status_code == 302


def test_a_locked_username_is_refused_by_every_password_login(django_user_model, limits):
    """authenticate() itself refuses, before hashing: the token endpoint, any other caller."""
    from django.contrib.auth import authenticate

    user = staff(django_user_model)
    limits["login_username"] = (2, 900)
    request = RequestFactory().post("/")
    assert authenticate(request, username="organizer", password="x") is None
    assert authenticate(request, username="organizer", password="y") is None
    assert authenticate(request, username="organizer", password=PASSWORD) is None
    assert user.check_password(PASSWORD)


def test_a_right_password_clears_the_usernames_count(client, django_user_model, limits):
    staff(django_user_model)
    limits["login_username"] = (3, 900)
    login(client), login(client)
    assert login(client, password=PASSWORD).status_code == 302
    client.logout()
    login(client), login(client)
    assert login(client, password=PASSWORD).status_code == 302


def test_api_token_failures_are_throttled_per_address(limits):
    limits["api_auth_address"] = (3, 300)
    client = Client(HTTP_AUTHORIZATION="Token " + "0" * 40)
    statuses = [client.get("/api/v1/corpora/").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    assert "Too many failed authentications" in client.get("/api/v1/corpora/").json()["detail"]
    user = get_user_model().objects.create_user(username="analyst", password=PASSWORD)
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user)
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/corpora/").status_code == 429
    )
    elsewhere = Client(HTTP_AUTHORIZATION=f"Token {token.key}", REMOTE_ADDR="198.51.100.7")
    assert elsewhere.get("/api/v1/corpora/").status_code != 429


def test_the_address_behind_a_proxy_is_the_one_it_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5"
    )
    assert client_address(request) == "10.0.0.2"
    settings.AURICLE_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.5"  # the forged 1.1.1.1 is not believed
