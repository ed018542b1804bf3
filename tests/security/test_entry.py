"""A refused entry stores nobody: no rater, no session, no participation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from listening.models import ListeningTest, Participation, Rater, Session

pytestmark = pytest.mark.django_db


def rows() -> tuple[int, int, int]:
    return Rater.objects.count(), Session.objects.count(), Participation.objects.count()


def enter(client, test, language="en"):
    url = reverse("listening:entry", args=[test.entry_token])
    return client.post(url, {"language": language, "consent": "1"})


@pytest.mark.parametrize("status", ["closed", "paused", "draft"])
def test_an_entry_to_a_test_that_is_not_live_stores_no_rater_and_no_session(
    client, live_test, status
):
    ListeningTest.objects.filter(pk=live_test.pk).update(status=status)
    response = enter(client, live_test)
    assert response.status_code == 400
    assert b"not open for rating" in response.content
    assert rows() == (0, 0, 0)


def test_an_entry_in_a_language_without_clips_stores_nobody(client, live_test):
    live_test.stimuli.filter(language="de", role="rating").delete()
    response = enter(client, live_test, language="de")
    assert response.status_code == 400
    assert rows() == (0, 0, 0)


def test_an_entry_when_every_quota_is_full_stores_nobody(client, live_test):
    live_test.stimuli.filter(role="rating").update(reserved=live_test.quota)
    response = enter(client, live_test)
    assert response.status_code == 400
    assert b"nothing left for you to rate" in response.content
    assert rows() == (0, 0, 0)


def test_a_second_entry_from_one_browser_resumes_its_session(client, live_test):
    first, second = enter(client, live_test), enter(client, live_test)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert rows() == (1, 1, 1)
