"""A rater in headless Chromium: open the link, play the clip to its end, vote.

Playwright's sync API runs an event loop in the test's thread; Django gives ORM calls made under
a running loop a connection of their own that nobody closes. So each test drives the browser in a
`with` block and checks the database after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from listening.models import Vote
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.services import CHROMIUM, CHROMIUM_FLAGS, missing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium_page():
    if not Path(CHROMIUM).exists():
        missing(f"Chromium is not installed at {CHROMIUM} (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install playwright)")

    @contextmanager
    def open_page() -> Iterator:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
            try:
                yield context.new_page()
            finally:
                context.close()
                browser.close()

    return open_page


def start_session(page, url: str) -> None:
    page.goto(url)
    page.select_option("#language", "en")
    page.check("#consent")
    page.click("#start")
    page.wait_for_selector("#play")


def test_a_rater_plays_a_clip_to_the_end_votes_and_the_vote_is_stored(chromium_page, live_server):
    test = live_test_make(testset_make([corpus_make("en", 3)]))
    with chromium_page() as page:
        start_session(page, f"{live_server.url}/t/{test.entry_token}/")
        locked_before = page.is_disabled("#scale input[value='4']") and page.is_disabled("#submit")
        page.click("#play")
        page.wait_for_selector("#scale:not([disabled])", timeout=30_000)
        page.keyboard.press("4")
        checked = page.is_checked("#scale input[value='4']")
        page.click("#submit")
        page.wait_for_selector("text=Clip 2 of 3")
    assert locked_before and checked
    vote = Vote.objects.select_related("stimulus", "rater").get()
    assert vote.score == 4
    assert vote.rater.language == "en"
    assert vote.stimulus.test_id == test.pk
    assert vote.play_count == 1
    assert vote.elapsed_ms >= vote.stimulus.duration * 1000
    assert vote.time_on_page_ms >= vote.stimulus.duration * 1000


def test_the_scale_stays_locked_until_the_clip_has_ended(chromium_page, live_server):
    test = live_test_make(testset_make([corpus_make("en", 1)]))
    with chromium_page() as page:
        start_session(page, f"{live_server.url}/t/{test.entry_token}/")
        page.click("#play")
        page.wait_for_timeout(500)
        # Half a second into a clip of about three seconds: a key press does nothing yet.
        page.keyboard.press("5")
        locked = page.is_disabled("#scale input[value='5']")
        checked = page.is_checked("#scale input[value='5']")
    assert locked and not checked
    assert not Vote.objects.exists()
