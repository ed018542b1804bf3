"""Simultaneous first entries from one browser open one session (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from listening.models import Participation, Rater, Session
from listening.platforms.services import recruitment_set
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.integration.test_postgres import postgres  # noqa: F401 (the fixture)

pytestmark = pytest.mark.postgres
PID = "5f1e2d3c4b5a69788796a5b4"


def together(clients: list[Client], url: str) -> list[int]:
    """POST the consent form from every client at the same moment; their status codes."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    failures: list[BaseException] = []

    def enter(client: Client) -> None:
        try:
            barrier.wait()
            statuses.append(client.post(url, {"language": "en", "consent": "1"}).status_code)
        except BaseException as exc:  # reported below, with the thread's traceback
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    return statuses


def browser_copies(count: int, seed: Client) -> list[Client]:
    """One browser, six tabs: the same cookies in every client."""
    copies = []
    for _ in range(count):
        copy = Client()
        copy.cookies = seed.cookies
        copies.append(copy)
    return copies


@pytest.mark.django_db(transaction=True)
def test_six_simultaneous_first_entries_on_a_prolific_link_open_one_session(postgres):  # noqa: F811
    test = live_test_make(testset_make([corpus_make("en", 2)]))
    recruitment_set(test=test, platform="prolific", study_id="a" * 24)
    query = f"?PROLIFIC_PID={PID}&STUDY_ID={'a' * 24}&SESSION_ID=sub-1"
    url = reverse("listening:entry", args=[test.entry_token]) + query
    statuses = together(browser_copies(6, Client()), url)
    assert statuses == [302] * 6
    assert Rater.objects.count() == Session.objects.count() == Participation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_six_simultaneous_entries_from_one_open_link_browser_open_one_session(postgres):  # noqa: F811
    test = live_test_make(testset_make([corpus_make("en", 2)]))
    seed = Client()
    session = seed.session
    session["auricle_browser"] = "one-browser"
    session.save()
    seed.cookies["sessionid"] = session.session_key
    url = reverse("listening:entry", args=[test.entry_token])
    statuses = together(browser_copies(6, seed), url)
    assert statuses == [302] * 6
    assert Rater.objects.count() == Session.objects.count() == 1
