"""The rater pages work under their Content-Security-Policy in Chromium: the check recordings
play, the script unlocks the form, the form posts, and the browser reports no violation."""

from __future__ import annotations

import pytest

from tests.browser.test_rater_page import (
    answers_now,
    chromium_page,
    fast_checks,
    fill_checks,
    session_token,
    start_session,
)
from tests.conftest import corpus_make, live_test_make, testset_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["chromium_page"]  # the fixture, used by name

WATCH = """() => {
  window.violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
}"""


def test_the_qualification_plays_and_posts_breaking_no_rule_of_its_policy(
    chromium_page, live_server
):
    test = live_test_make(testset_make([corpus_make("en", 2)]))
    with chromium_page() as page:
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.add_init_script(f"({WATCH})()")
        start_session(page, f"{live_server.url}/t/{test.entry_token}/")
        page.wait_for_selector("h1:text('Qualification')")
        fill_checks(page, answers_now(session_token(page)))
        fast_checks(page)
        violations = page.evaluate("window.violations")
        page.click("#submit")
        page.wait_for_selector("h1:text('Setting up your headphones')")
        violations += page.evaluate("window.violations")
    assert violations == []
    assert not [text for text in console if "Content Security Policy" in text], console
