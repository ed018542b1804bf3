"""A rater in headless Chromium: open the link, play the clip to its end, vote."""

from __future__ import annotations

from pathlib import Path

import pytest

from listening.models import Vote
from tests.services import CHROMIUM, CHROMIUM_FLAGS, missing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    if not Path(CHROMIUM).exists():
        missing(f"Chromium is not installed at {CHROMIUM} (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install playwright)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself between browser steps are synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    yield context.new_page()
    context.close()


def test_a_rater_plays_a_clip_to_the_end_votes_and_the_vote_is_stored(page, live_server):
    from tests.conftest import corpus_make, live_test_make, testset_make

    test = live_test_make(testset_make([corpus_make("en", 3)]))
    page.goto(f"{live_server.url}/t/{test.entry_token}/")
    page.select_option("#language", "en")
    page.check("#consent")
    page.click("#start")
    page.wait_for_selector("#play")
    assert page.is_disabled("#scale input[value='4']")
    assert page.is_disabled("#submit")
    page.click("#play")
    page.wait_for_selector("#scale:not([disabled])", timeout=30_000)
    page.keyboard.press("4")
    assert page.is_checked("#scale input[value='4']")
    page.click("#submit")
    page.wait_for_selector("text=Clip 2 of 3")

    vote = Vote.objects.select_related("stimulus", "rater").get()
    assert vote.score == 4
    assert vote.rater.language == "en"
    assert vote.stimulus.test_id == test.pk
    assert vote.play_count == 1
    assert vote.elapsed_ms >= vote.stimulus.duration * 1000
    assert vote.time_on_page_ms >= vote.stimulus.duration * 1000


def test_the_scale_stays_locked_until_the_clip_has_ended(page, live_server):
    from tests.conftest import corpus_make, live_test_make, testset_make

    test = live_test_make(testset_make([corpus_make("en", 1)]))
    page.goto(f"{live_server.url}/t/{test.entry_token}/")
    page.check("#consent")
    page.click("#start")
    page.click("#play")
    page.wait_for_timeout(500)
    # Half a second into a clip of about three seconds: still locked, and a key press does nothing.
    page.keyboard.press("5")
    assert page.is_disabled("#scale input[value='5']")
    assert not page.is_checked("#scale input[value='5']")
    assert not Vote.objects.exists()
