"""What the rater pages tell a crowd worker: the language choice, the consent facts, the
session's progress and time left, the completion code, and the error pages, in the rater's
language."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from listening.models import CheckItem, Session, Stimulus
from listening.simulation import check_answers
from listening.views import errors
from tests.conftest import corpus_make, live_test_make, testset_make

pytestmark = pytest.mark.django_db


def entry_url(test) -> str:
    return reverse("listening:entry", args=[test.entry_token])


def start(client, test, language="en"):
    return client.post(entry_url(test), {"language": language, "consent": "1"})


def selected(page) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', page.content.decode())


def test_the_language_choice_starts_empty_and_the_browser_only_suggests(client, live_test):
    page = client.get(entry_url(live_test), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    text = page.content.decode()
    assert selected(page) == [""]  # nothing chosen for the rater
    assert '<option value="de">Deutsch</option>' in text
    assert 'id="language-suggestion"' in text and "Deutsch" in text.split("language-suggestion")[1]
    # A browser language the test lacks suggests nothing.
    page = client.get(entry_url(live_test), HTTP_ACCEPT_LANGUAGE="ja")
    assert selected(page) == [""] and b"language-suggestion" not in page.content
    # Starting with the empty choice names what is missing and opens nothing.
    page = client.post(entry_url(live_test), {"language": "", "consent": "1"})
    assert page.status_code == 400
    assert b"choose the language you speak natively" in page.content
    assert not Session.objects.exists()


def test_a_test_in_one_language_offers_only_that_one(client):
    test = live_test_make(testset_make([corpus_make("en", 2)]))
    page = client.get(entry_url(test))
    assert re.findall(r'<option value="([^"]*)"', page.content.decode()) == ["en"]


def test_the_consent_page_shows_the_studys_facts_in_the_raters_language(client, live_test):
    durations_set(live_test, check=2.0, clip=4.0)
    page = client.get(entry_url(live_test))
    # Without a set duration it is estimated: 322 s in all (see the progress test), 6 min.
    assert re.search(r'id="consent-minutes">about 6 min<', page.content.decode())
    live_test.consent_minutes = 12
    live_test.consent_pay = "£1.80"
    live_test.consent_researcher = "Dr. A. Researcher, Example University"
    live_test.consent_contact = "study@example.org"
    live_test.consent_data_use = "Answers are kept for five years."
    live_test.save()
    page = client.get(entry_url(live_test), HTTP_ACCEPT_LANGUAGE="de")
    text = page.content.decode()
    assert "etwa 12 Min." in text and "£1.80" in text
    assert "Dr. A. Researcher, Example University" in text
    assert 'href="mailto:study@example.org"' in text
    assert "Answers are kept for five years." in text
    assert "jederzeit" in text  # withdrawal, translated


def durations_set(test, *, check: float, clip: float) -> None:
    CheckItem.objects.filter(test=test).update(duration=check)
    Stimulus.objects.filter(test=test).update(duration=clip)


def progress(page) -> tuple[list[str], str, str]:
    text = page.content.decode()
    steps = re.findall(r'<li class="step step-(\w+)"', text)
    value = re.search(r'<progress id="progress-bar" max="100" value="(\d+)"', text).group(1)
    left = re.search(r'id="time-left" data-minutes="(\d+)"', text).group(1)
    return steps, value, left


def test_the_progress_bar_shows_the_step_and_the_time_left(client, live_test):
    durations_set(live_test, check=2.0, clip=4.0)
    session_url = start(client, live_test).url
    # By hand, each trial is its audio plus 8 s to answer: qualification 30 + 5x10 + 4x10
    # = 120 s; setup 1x10 + 2x10 + 4x10 = 70 s; training 6 anchors x 12 = 72 s; rating
    # (3 + 1 gold + 1 trap) x 12 = 60 s; 322 s in all.
    assert Stimulus.objects.filter(test=live_test, role="training", language="en").count() == 6
    assert progress(client.get(session_url)) == (["current", "todo", "todo", "todo"], "0", "6")
    session = Session.objects.get()
    client.post(reverse("listening:qualification", args=[session.token]), check_answers(session))
    # Left: 202 s, 4 minutes; done 120 of 322 s, 37%.
    assert progress(client.get(session_url)) == (["done", "current", "todo", "todo"], "37", "4")


def test_the_completion_page_offers_to_copy_the_code(client, live_test):
    session_url = start(client, live_test).url
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(state="complete", completion_code="C0DE1234")
    page = client.get(session_url).content.decode()
    assert 'id="completion-code"' in page and "C0DE1234" in page
    assert 'id="copy-code"' in page


def test_a_session_opened_in_another_browser_gets_a_404_page_in_its_language(client, live_test):
    session_url = start(client, live_test, "de").url
    page = Client().get(session_url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404
    assert 'lang="de"' in page.content.decode()
    assert "Diese Seite ist nicht verfügbar" in page.content.decode()


def test_an_unknown_address_gets_a_404_page_in_the_browsers_language(client):
    page = client.get("/t/nope/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 404
    assert 'lang="fr"' in page.content.decode() and b'id="error-title"' in page.content


def test_the_403_and_500_pages_speak_the_active_language():
    request = RequestFactory().get("/somewhere/")
    with translation.override("ja"):
        forbidden = errors.forbidden(request)
        failed = errors.server_error(request)
    assert forbidden.status_code == 403 and failed.status_code == 500
    assert 'lang="ja"' in forbidden.content.decode() and 'lang="ja"' in failed.content.decode()
    assert "Something went wrong" not in failed.content.decode()


def test_the_favicon_is_served_from_the_static_files(client):
    page = client.get("/favicon.ico")
    assert page.status_code == 302 and page["Location"].endswith("listening/favicon.ico")
    assert finders.find("listening/favicon.ico")
    with open(finders.find("listening/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file's header
