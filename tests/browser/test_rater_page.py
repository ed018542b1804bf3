"""Raters in headless Chromium: the whole journey, CCR, a failed hearing test, a reload, and
the scale that stays locked until playback ends.

Playwright's sync API runs an event loop in the test's thread; Django gives ORM calls made under
a running loop a connection of their own that nobody closes. So the browser is driven in a
`with` block, and database reads inside it run on a short-lived thread (`orm`) that closes its
connection; the rest is checked after the block.

Qualification and setup recordings play at 16x (the server does not time them); rating and
training clips play in real time, because the server refuses a vote sooner than the clip.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone

from listening import services
from listening.models import Qualification, Rater, Session, SetupResult, Vote
from listening.simulation import check_answers
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.services import chromium_launch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium_page():
    @contextmanager
    def open_page(cookie: dict | None = None) -> Iterator:
        with chromium_launch() as browser:
            context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
            if cookie:
                context.add_cookies([cookie])
            try:
                yield context.new_page()
            finally:
                context.close()

    return open_page


def orm(function):
    """Run a database read on its own thread and connection, closed afterwards."""
    result: list = []

    def run() -> None:
        try:
            result.append(function())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return result[0]


def start_session(page, url: str, language: str = "en") -> None:
    page.goto(url)
    page.select_option("#language", language)
    page.check("#consent")
    page.click("#start")


def fast_checks(page) -> None:
    """Play every check recording at 16x and wait until the form may be sent."""
    page.eval_on_selector_all("audio", "els => els.forEach(a => { a.playbackRate = 16; })")
    for button in page.query_selector_all("[data-play]"):
        button.click()
        page.wait_for_function(
            "id => document.getElementById(id).ended", arg=button.get_attribute("data-play")
        )
    page.wait_for_selector("#submit:not([disabled])")


def fill_checks(page, answers: dict[str, str]) -> None:
    for field, value in answers.items():
        element = page.query_selector(f"[name='{field}']")
        if element is None:
            continue
        kind = element.get_attribute("type")
        if kind == "radio":
            page.check(f"[name='{field}'][value='{value}']")
        elif kind == "checkbox":
            page.check(f"[name='{field}']")
        elif element.evaluate("e => e.tagName") == "SELECT":
            page.select_option(f"[name='{field}']", value)
        else:
            page.fill(f"[name='{field}']", value)


def answers_now(token: str) -> dict[str, str]:
    return orm(lambda: check_answers(Session.objects.get(token=token)))


def session_token(page) -> str:
    return page.url.rstrip("/").split("/")[-1]


def rate_current(page, value: str) -> None:
    """Play every clip on the page to its end, choose value on every scale, submit."""
    for button in page.query_selector_all("[data-play]"):
        page.wait_for_selector(f"#{button.get_attribute('id')}:not([disabled])")
        button.click()
    page.wait_for_selector("#scale:not([disabled])", timeout=60_000)
    for group in page.query_selector_all("fieldset.scale"):
        group.query_selector(f"input[value='{value}']").check()
    page.click("#submit")
    # The vote goes as JSON: the page shows the next clip in place, or moves to the next page.
    page.wait_for_function("() => !document.querySelector('#vote-form[data-sending]')")
    page.wait_for_load_state()


def prequalified_cookie(test, live_server) -> dict:
    """A browser whose rater qualified, set up and trained minutes ago: straight to rating."""
    store = SessionStore()
    store["auricle_browser"] = "prequalified"
    now = timezone.now() - timedelta(minutes=5)
    rater = services.rater_get_or_create(
        platform=Rater.Platform.OPEN, external_id="prequalified:en", language="en"
    )
    earlier = Session.objects.create(
        test=test, rater=rater, state="complete", started_at=now, last_seen_at=now, trained_at=now
    )
    Qualification.objects.create(
        rater=rater, session=earlier, taken_at=now, passed=True, hearing_correct=5,
        bandwidth_correct=4,
    )  # fmt: skip
    SetupResult.objects.create(
        rater=rater, session=earlier, taken_at=now, level_confirmed=True, two_ear_correct=2,
        two_ear_total=2, environment_correct=4, environment_total=4, environment_passed=True,
    )  # fmt: skip
    store.create()
    return {"name": "sessionid", "value": store.session_key, "url": live_server.url}


def test_a_rater_passes_every_step_rates_and_gets_the_completion_code(chromium_page, live_server):
    test = live_test_make(testset_make([corpus_make("en", 3)]), stimuli_per_session=1)
    with chromium_page() as page:
        start_session(page, f"{live_server.url}/t/{test.entry_token}/")
        token = session_token(page)
        for step in ("Qualification", "Setting up your headphones"):
            page.wait_for_selector(f"h1:text('{step}')")
            fill_checks(page, answers_now(token))
            fast_checks(page)
            page.click("#submit")
        while not page.query_selector("#completion-code"):
            rate_current(page, "4")
        code = page.inner_text("#completion-code")
    session = Session.objects.get(token=token)
    assert session.state == "complete" and session.completion_code == code
    assert Qualification.objects.get().passed
    assert SetupResult.objects.get().two_ear_correct == test.two_ear_trials
    votes = Vote.objects.filter(session=session)
    assert votes.filter(role="training").count() == 6
    assert set(votes.exclude(role="training").values_list("role", flat=True)) == {
        "rating", "gold", "trap"
    }  # fmt: skip
    for vote in votes:
        assert vote.play_count == 1
        assert vote.elapsed_ms >= vote.stimulus.duration * 1000


def test_a_rater_who_fails_the_hearing_test_is_blocked(chromium_page, live_server):
    test = live_test_make(testset_make([corpus_make("en", 2)]))
    with chromium_page() as page:
        start_session(page, f"{live_server.url}/t/{test.entry_token}/")
        token = session_token(page)
        page.wait_for_selector("h1:text('Qualification')")
        answers = answers_now(token)
        for field in [f for f in answers if f.startswith("hearing-")]:
            answers[field] = "000" if answers[field] != "000" else "999"
        fill_checks(page, answers)
        fast_checks(page)
        page.click("#submit")
        page.wait_for_selector("#blocked")
        page.goto(f"{live_server.url}/t/{test.entry_token}/")
        start_session(page, f"{live_server.url}/t/{test.entry_token}/")
        refused = page.inner_text(".error")
    assert "did not pass the qualification" in refused
    assert not Qualification.objects.get().passed
    assert Session.objects.count() == 1 and not Vote.objects.exists()


def test_a_ccr_session_plays_both_clips_in_order_and_stores_the_sign_corrected_vote(
    chromium_page, live_server
):
    test = live_test_make(testset_make([corpus_make("en", 3)]), method="ccr", stimuli_per_session=1)
    cookie = prequalified_cookie(test, live_server)
    with chromium_page(cookie) as page:
        page.goto(f"{live_server.url}/t/{test.entry_token}/")
        page.check("#consent")
        page.click("#start")
        page.wait_for_selector("#play-1")
        second_locked = page.is_disabled("#play-2")
        labels = page.inner_text("#vote-form")
        while not page.query_selector("#completion-code"):
            rate_current(page, "2")
    assert second_locked
    assert "Reference" not in labels and "First clip" in labels and "Second clip" in labels
    votes = Vote.objects.filter(session__test=test, role__in=["rating", "gold", "trap"])
    assert votes.count() == 3
    for vote in votes:
        assert vote.raw_score == 2
        assert vote.score == (-2 if vote.processed_first else 2)
        assert vote.elapsed_ms >= vote.stimulus.duration * 1000


def test_a_reload_in_the_middle_of_a_session_resumes_at_the_same_clip(chromium_page, live_server):
    test = live_test_make(testset_make([corpus_make("en", 4)]), stimuli_per_session=2)
    cookie = prequalified_cookie(test, live_server)
    with chromium_page(cookie) as page:
        page.goto(f"{live_server.url}/t/{test.entry_token}/")
        page.check("#consent")
        page.click("#start")
        rate_current(page, "3")
        before = page.inner_text(".progress")
        key = page.get_attribute("input[name='stimulus']", "value")
        page.reload()
        after = page.inner_text(".progress")
        key_after = page.get_attribute("input[name='stimulus']", "value")
        rate_current(page, "3")
        progress = page.inner_text(".progress")
    assert before == after == "Clip 2 of 4" and key == key_after
    assert progress == "Clip 3 of 4"
    assert Vote.objects.filter(session__test=test).count() == 2


def test_the_scale_stays_locked_until_the_clip_has_ended(chromium_page, live_server):
    test = live_test_make(testset_make([corpus_make("en", 2)]))
    cookie = prequalified_cookie(test, live_server)
    with chromium_page(cookie) as page:
        page.goto(f"{live_server.url}/t/{test.entry_token}/")
        page.check("#consent")
        page.click("#start")
        page.click("#play")
        page.wait_for_timeout(500)
        # Half a second into a clip of several seconds: a key press does nothing yet.
        page.keyboard.press("5")
        locked = page.is_disabled("#scale input[value='5']")
        checked = page.is_checked("#scale input[value='5']")
        submit_locked = page.is_disabled("#submit")
        page.wait_for_selector("#scale:not([disabled])", timeout=30_000)
        page.keyboard.press("4")
        checked_after = page.is_checked("#scale input[value='4']")
    assert locked and not checked and submit_locked
    assert checked_after
    assert not Vote.objects.filter(session__test=test).exists()


def test_a_rater_can_rate_with_the_keyboard_alone(chromium_page, live_server):
    test = live_test_make(testset_make([corpus_make("en", 2)]))
    cookie = prequalified_cookie(test, live_server)
    with chromium_page(cookie) as page:
        page.goto(f"{live_server.url}/t/{test.entry_token}/")
        page.focus("#consent")
        page.keyboard.press("Space")
        page.keyboard.press("Tab")  # to Start
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-play]")
        key = page.get_attribute("input[name='stimulus']", "value")
        for _ in range(10):  # Tab until the first Play button has the focus
            if page.evaluate("document.activeElement.dataset.play !== undefined"):
                break
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_selector("#scale:not([disabled])", timeout=60_000)
        # The scale takes the focus when it unlocks; a digit picks the answer, Enter sends it.
        page.keyboard.press("4")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "key => document.querySelector(\"input[name='stimulus']\").value !== key", arg=key
        )
    vote = Vote.objects.get(session__test=test)
    assert vote.raw_score == 4 and str(vote.stimulus.key) == key
