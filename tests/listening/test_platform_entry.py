"""Who comes in through a platform's link, who is refused at the door, and what a paused test
says."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from listening.identity import participant_hash
from listening.models import ListeningTest, Participation, Rater, Session
from listening.platforms import errors
from listening.platforms.estimate import reward_cents
from listening.platforms.prolific import Prolific
from listening.platforms.services import recruitment_set

PID = "5f1e2d3c4b5a69788796a5b4"


@pytest.fixture
def prolific_test(live_test):
    recruitment_set(test=live_test, platform="prolific", study_id="a" * 24)
    return live_test


def entry_url(test, **query) -> str:
    from urllib.parse import urlencode

    return reverse("listening:entry", args=[test.entry_token]) + "?" + urlencode(query)


def consent(client, url):
    return client.post(url, {"language": "en", "consent": "1"})


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"STUDY_ID": "a" * 24, "SESSION_ID": "s1"},
        {"PROLIFIC_PID": PID, "SESSION_ID": "s1"},
        {"PROLIFIC_PID": PID, "STUDY_ID": "b" * 24, "SESSION_ID": "s1"},
        {"PROLIFIC_PID": "not-an-id", "STUDY_ID": "a" * 24, "SESSION_ID": "s1"},
        {"PROLIFIC_PID": PID, "STUDY_ID": "a" * 24, "SESSION_ID": "<script>"},
    ],
)
def test_a_prolific_link_without_its_details_gets_a_clear_page_and_no_session(
    client, prolific_test, query
):
    for response in (client.get(entry_url(prolific_test, **query)),
                     consent(client, entry_url(prolific_test, **query))):  # fmt: skip
        assert response.status_code == 400
        assert b"missing your Prolific details" in response.content
        assert b'id="entry-form"' not in response.content
    assert Session.objects.count() == Rater.objects.count() == Participation.objects.count() == 0


def test_a_prolific_participant_is_stored_only_as_a_keyed_hash(client, prolific_test, settings):
    url = entry_url(prolific_test, PROLIFIC_PID=PID, STUDY_ID="a" * 24, SESSION_ID="sub-1")
    assert consent(client, url).status_code == 302
    rater = Rater.objects.get()
    assert rater.platform == "prolific" and PID not in rater.external_id
    import hashlib
    import hmac

    expected = hmac.new(settings.AURICLE_RATER_ID_KEY.encode(), f"prolific\x00{PID}".encode(),
                        hashlib.sha256).hexdigest()  # fmt: skip
    assert rater.external_id == expected
    assert expected == participant_hash(platform="prolific", participant_id=PID)
    participation = Participation.objects.get()
    assert participation.submission_id == "sub-1" and participation.participant_id == PID


def test_the_same_participant_in_a_new_browser_resumes_their_session(client, prolific_test):
    from django.test import Client

    url = entry_url(prolific_test, PROLIFIC_PID=PID, STUDY_ID="a" * 24, SESSION_ID="sub-1")
    first = consent(client, url)
    second = consent(Client(), url)
    assert first["Location"] == second["Location"]
    assert Session.objects.count() == 1


def test_another_submission_cannot_take_over_a_session(client, prolific_test):
    url = entry_url(prolific_test, PROLIFIC_PID=PID, STUDY_ID="a" * 24, SESSION_ID="sub-1")
    consent(client, url)
    other = entry_url(prolific_test, PROLIFIC_PID=PID, STUDY_ID="a" * 24, SESSION_ID="sub-2")
    response = consent(client, other)
    assert response.status_code == 400
    assert Participation.objects.get().submission_id == "sub-1"


def test_a_paused_test_takes_no_more_votes_and_says_so(client, live_test):
    response = consent(client, reverse("listening:entry", args=[live_test.entry_token]))
    session = Session.objects.get()
    # The session is at its first step; pausing stops it there.
    ListeningTest.objects.filter(pk=live_test.pk).update(status=ListeningTest.Status.PAUSED)
    page = client.get(response["Location"])
    assert page.status_code == 409
    assert b"paused or closed" in page.content
    vote = client.post(reverse("listening:vote", args=[session.token]),
                       {"stimulus": "x", "idempotency_key": "y", "score": "3"})  # fmt: skip
    assert vote.status_code == 409
    assert session.votes.count() == 0


def test_a_reward_below_prolifics_minimum_is_refused_with_the_numbers(live_test):
    recruitment = recruitment_set(test=live_test, platform="prolific", hourly_rate=Decimal("5.50"))
    with pytest.raises(errors.PlatformError) as refused:
        Prolific(recruitment).study_payload()
    message = str(refused.value)
    assert "5.50 GBP" in message and "minimum of 6.00 GBP an hour" in message
    assert "min" in message and "cents" in message


def test_the_reward_pays_the_hourly_rate_rounded_up():
    # 9.00 an hour for 7 minutes: 900 * 7 / 60 = 105 pence; 8.00 for 13 minutes: 173.33 -> 174.
    assert reward_cents(hourly_rate=Decimal("9.00"), minutes=7) == 105
    assert reward_cents(hourly_rate=Decimal("8.00"), minutes=13) == 174
