"""A crowd worker's whole session in headless Chromium, once on a laptop in English and once
on a phone in German: the empty language choice, the progress bar, Play buttons that show
playing and played, the recording still to play named, typed answers and playback kept
across a reload, a ranged audio request, and the completion code copied.

Each step is photographed; with AURICLE_SCREENSHOTS=docs/screenshots/rater the pictures go
where docs/rater-pages.md shows them (otherwise into the test's temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from listening.models import Session, Vote
from tests.browser.test_rater_page import answers_now, fill_checks, session_token
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.services import chromium_launch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the pages say, per interface language.
WORDS = {
    "en": {"locale": "en-US", "name": "English", "steps": ["Qualification", "Headphone setup",
           "Training", "Rating"], "playing": "Playing", "played": "Played", "copied": "Copied"},
    "de": {"locale": "de-DE", "name": "Deutsch", "steps": ["Qualifikation", "Kopfhörer einrichten",
           "Übung", "Bewertung"], "playing": "Läuft", "played": "Gehört", "copied": "Kopiert"},
}  # fmt: skip
WALKS = [(1280, 800, "en"), (390, 844, "de")]


class Camera:
    """Viewport pictures of each step, reduced to a small palette so the PNGs stay small."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder, self.prefix, self.count = folder, prefix, 0
        folder.mkdir(parents=True, exist_ok=True)

    def shoot(self, page, name: str, full_page: bool = False) -> None:
        self.count += 1
        path = self.folder / f"{self.prefix}-{self.count}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        Image.open(path).convert("RGB").quantize(colors=48).save(path, optimize=True)


def current_step(page) -> str:
    return page.inner_text(".step[aria-current='step']")


def progress_value(page) -> int:
    return int(page.get_attribute("#progress-bar", "value"))


def play_fast(page, buttons) -> None:
    """Check recordings at 16x (the server does not time them), each to its end."""
    page.eval_on_selector_all("audio", "els => els.forEach(a => { a.playbackRate = 16; })")
    for button in buttons:
        button.click()
        page.wait_for_function(
            "id => document.getElementById(id).ended", arg=button.get_attribute("data-play")
        )


def stimulus_key(page) -> str | None:
    field = page.query_selector("input[name='stimulus']")
    return field.get_attribute("value") if field else None


def rate_one(page, words: dict, value: str = "4", while_playing=None) -> None:
    """Play the page's clips in real time, checking the playing and played states, then vote
    and wait for the next clip or the end."""
    key = page.eval_on_selector("input[name='stimulus']", "e => e.value")
    for button in page.query_selector_all("[data-play]"):
        selector = f"#{button.get_attribute('id')}"
        page.wait_for_selector(f"{selector}:not([disabled])")
        page.click(selector)
        page.wait_for_selector(f"{selector}.is-playing")
        assert words["playing"] in page.inner_text(selector)
        if while_playing:
            while_playing()
    page.wait_for_selector("#scale:not([disabled])", timeout=60_000)
    assert words["played"] in page.inner_text("[data-play]")
    for group in page.query_selector_all("fieldset.scale"):
        group.query_selector(f"input[value='{value}']").check()
    from playwright.sync_api import Error as PlaywrightError

    page.click("#submit")
    moved_on = (
        "key => document.getElementById('completion-code') || (document.querySelector("
        "\"input[name='stimulus']\") && document.querySelector(\"input[name='stimulus']\")"
        ".value !== key)"
    )
    try:
        page.wait_for_function(moved_on, arg=key, timeout=30_000)
    except PlaywrightError:  # the plain form post reloaded the page under the wait
        page.wait_for_load_state()
        page.wait_for_function(moved_on, arg=key, timeout=30_000)


def ranged_fetch(page) -> list:
    src = page.get_attribute("audio", "src")
    return page.evaluate(
        """async url => {
            const r = await fetch(url, {headers: {Range: "bytes=0-99"}});
            return [r.status, r.headers.get("content-range"), (await r.arrayBuffer()).byteLength];
        }""",
        src,
    )


def walk(browser, base: str, test, width: int, height: int, language: str, camera) -> dict:
    """One rater's session; returns what the checks after the browser closes need."""
    words, seen = WORDS[language], {}
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale=words["locale"],
        permissions=["clipboard-read", "clipboard-write"],
    )  # fmt: skip
    page = context.new_page()
    page.goto(f"{base}/t/{test.entry_token}/")
    seen["empty choice"] = page.eval_on_selector("#language", "e => e.value")
    seen["suggestion"] = page.inner_text("#language-suggestion")
    seen["phone note"] = page.is_visible("#phone-note")
    camera.shoot(page, "entry", full_page=width < 640)
    page.select_option("#language", language)
    page.check("#consent")
    page.click("#start")

    # Qualification: answers typed, all but the last recording played, then a reload.
    page.wait_for_selector("#check-form")
    token = session_token(page)
    seen["steps"] = [current_step(page)]
    answers = answers_now(token)
    fill_checks(page, answers)
    buttons = page.query_selector_all("[data-play]")
    seen["buttons"] = len(buttons)
    play_fast(page, buttons[:-1])
    last = buttons[-1].get_attribute("data-name")
    seen["hint"] = page.inner_text("#unplayed")
    seen["locked"] = page.is_disabled("#submit")
    page.locator("#check-status").scroll_into_view_if_needed()
    camera.shoot(page, "qualification-unplayed")
    page.reload()
    seen["kept"] = {
        field: page.eval_on_selector(f"[name='{field}']", "e => e.value")
        for field in answers
        if field.startswith("hearing-")
    }
    seen["kept radios"] = page.eval_on_selector_all(
        "input[type=radio]:checked", "els => els.map(e => e.name + '=' + e.value)"
    )
    seen["played after reload"] = len(page.query_selector_all("[data-play].is-played"))
    seen["hint after reload"] = page.inner_text("#unplayed")
    play_fast(page, page.query_selector_all("[data-play]")[-1:])
    page.wait_for_selector("#submit:not([disabled])")
    page.click("#submit")

    # Setup.
    page.wait_for_selector("#level_confirmed")
    seen["steps"].append(current_step(page))
    seen["progress"] = [progress_value(page)]
    fill_checks(page, answers_now(token))
    play_fast(page, page.query_selector_all("[data-play]"))
    camera.shoot(page, "setup")
    page.click("#submit")

    # Training, then rating, in real time.
    page.wait_for_selector("#vote-form")
    seen["steps"].append(current_step(page))
    seen["progress"].append(progress_value(page))
    seen["range"] = ranged_fetch(page)
    rate_one(page, words, while_playing=lambda: camera.shoot(page, "training-playing"))
    while current_step(page) == words["steps"][2]:
        rate_one(page, words)
    seen["steps"].append(current_step(page))
    seen["progress"].append(progress_value(page))
    camera.shoot(page, "rating")
    while not page.query_selector("#completion-code"):
        rate_one(page, words)
    page.click("#copy-code")
    page.wait_for_selector(f"#copy-status:text('{words['copied']}')")
    seen["clipboard"] = page.evaluate("navigator.clipboard.readText()")
    seen["code"] = page.inner_text("#completion-code")
    camera.shoot(page, "done")
    context.close()
    seen.update(token=token, answers=answers, last=last)
    return seen


@pytest.fixture
def chromium():
    """Opens Chromium in a `with` block: Playwright runs an event loop in the test's thread,
    so the database is written before the block and read after it."""
    return chromium_launch


def test_a_rater_walks_a_whole_session_on_a_laptop_and_on_a_phone(chromium, live_server, tmp_path):
    test = live_test_make(
        testset_make([corpus_make("en", 3), corpus_make("de", 3)]), stimuli_per_session=1
    )
    folder = Path(os.environ.get("AURICLE_SCREENSHOTS") or tmp_path)
    with chromium() as browser:
        results = {
            language: walk(browser, live_server.url, test, width, height, language,
                           Camera(folder, f"{width}-{language}"))
            for width, height, language in WALKS
        }  # fmt: skip
    for width, _height, language in WALKS:
        seen, words = results[language], WORDS[language]
        assert seen["empty choice"] == ""
        assert words["name"] in seen["suggestion"]
        assert seen["phone note"] == (width < 640)
        assert seen["steps"] == words["steps"]
        assert seen["progress"] == sorted(seen["progress"]) and seen["progress"][0] > 0
        assert seen["locked"] and seen["hint"].strip() == seen["last"]
        assert seen["kept"] == {f: v for f, v in seen["answers"].items() if f in seen["kept"]}
        radios = {f"{f}={v}" for f, v in seen["answers"].items() if v in ("same", "different")}
        assert radios and radios <= set(seen["kept radios"])
        assert seen["played after reload"] == seen["buttons"] - 1  # all but the last
        assert seen["hint after reload"].strip() == seen["last"]
        status, content_range, length = seen["range"]
        assert status == 206 and content_range.startswith("bytes 0-99/") and length == 100
        assert seen["clipboard"] == seen["code"]
        session = Session.objects.get(token=seen["token"])
        assert session.state == "complete" and session.completion_code == seen["code"]
        assert session.rater.language == language
        assert Vote.objects.filter(session=session).count() == 6 + 3  # training, 1 + gold + trap
