"""The rater pages work under their Content-Security-Policy in Chromium: the audio plays, the
scale unlocks, and the browser reports no violation."""

from __future__ import annotations

import pytest

from tests.browser.test_rater_page import chromium_page, prequalified_cookie, rate_current
from tests.conftest import corpus_make, live_test_make, testset_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["chromium_page"]  # the fixture, used by name

WATCH = """() => {
  window.violations = [];
  document.addEventListener('securitypolicyviolation',
    e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
}"""


def test_a_rating_page_breaks_no_rule_of_its_policy(chromium_page, live_server):
    test = live_test_make(testset_make([corpus_make("en", 2)]), stimuli_per_session=1)
    cookie = prequalified_cookie(test, live_server)
    with chromium_page(cookie) as page:
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.add_init_script(f"({WATCH})()")
        page.goto(f"{live_server.url}/t/{test.entry_token}/")
        page.check("#consent")
        page.click("#start")
        page.wait_for_selector("#vote-form")
        rate_current(page, "4")
        page.wait_for_selector("#vote-form, #completion-code")
        violations = page.evaluate("window.violations")
    assert violations == []
    assert not [text for text in console if "Content Security Policy" in text], console
