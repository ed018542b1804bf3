"""An organizer in headless Chromium, with no shell: a corpus zip uploaded, systems added, a
test set made, a test designed, built and previewed, published and watched as it fills; then an
analyst from the report to its downloaded files.

Set AURICLE_SCREENSHOTS to a folder to save the organizer's path there as PNGs (the README's
are made so, into docs/screenshots/organizer/)."""

from __future__ import annotations

import os
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from enhancement.audio import mix_at_snr
from listening import services
from listening.models import Assignment, ListeningTest, Rater
from tests.browser.test_rater_page import orm
from tests.conftest import speech
from tests.listening.helpers import rating_session
from tests.services import chromium_launch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("AURICLE_SCREENSHOTS", "")
# Every vote on a clip is its system's score for that sentence, whoever gives it (so the
# figures do not hang on which rater got which clip).
SCORES = {"gating": {"en-01": 4, "en-02": 4, "en-03": 5},
          "noisy input": {"en-01": 2, "en-02": 1, "en-03": 2}}  # fmt: skip


@pytest.fixture
def desktop_page():
    @contextmanager
    def open_page() -> Iterator:
        with chromium_launch() as browser:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            try:
                yield context.new_page()
            finally:
                context.close()

    return open_page


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def user(role: str, password: str):
    person = get_user_model().objects.create_user(role, f"{role}@example.org", password)
    person.groups.add(Group.objects.get(name=role))
    person.is_staff = True
    person.save()
    return person


def corpus_zip(folder: Path) -> Path:
    """Three demo sentences in white noise at 5 dB SNR, zipped."""
    rng = np.random.default_rng(3)
    path = folder / "speech.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in (1, 2, 3):
            clean, rate = speech("en", number)
            noisy = mix_at_snr(clean, rng.standard_normal(len(clean)), 5.0, rate)
            flac = folder / f"en-{number:02d}.flac"
            sf.write(flac, noisy.astype(np.float32), rate)
            archive.write(flac, flac.name)
    return path


def log_in(page, url: str, name: str, password: str) -> None:
    page.goto(url)  # the admin's login, then back
    page.fill("#id_username", name)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(url)


def crowd_votes(test_name: str, raters: int) -> None:
    """Raters through the services the rater pages use, each vote its system's score."""
    test = ListeningTest.objects.get(name=test_name)
    then = timezone.now() - timedelta(minutes=30)
    for _ in range(raters):
        person = services.rater_get_or_create(
            platform=Rater.Platform.OPEN, external_id=uuid.uuid4().hex, language="en"
        )
        session = rating_session(test, person, now=then)
        clock = then + timedelta(minutes=20)
        while (assignment := services.assignment_next(session=session, now=clock)) is not None:
            Assignment.objects.filter(pk=assignment.pk, served_at=None).update(served_at=clock)
            clock += timedelta(seconds=30)
            stimulus = assignment.stimulus
            if stimulus.output:
                sentence = stimulus.utterance.rsplit(":", 1)[-1]
                score = SCORES[stimulus.output.system.name][sentence]
            else:  # gold and trap, answered right
                score = stimulus.accept_min
            services.vote_record(session=session, stimulus_key=stimulus.key,
                                 answer={"score": score}, idempotency_key=uuid.uuid4(),
                                 play_count=1, now=clock)  # fmt: skip
            session.refresh_from_db()


def add_system(page, base: str, name: str, kind: str) -> None:
    page.goto(base + "/organize/systems/add/")
    page.fill("#id_name", name)
    page.select_option("#id_kind", kind)
    page.click("#save")
    page.wait_for_url(base + "/organize/")


def test_an_organizer_goes_from_a_corpus_zip_to_a_monitored_test_and_an_analyst_to_its_files(
    live_server, desktop_page, tmp_path, monkeypatch
):
    monkeypatch.setattr("organize.views.monitor.REFRESH_SECONDS", 1)
    user("organizer", "organize-it")
    user("analyst", "read-it")
    base = live_server.url
    zipped = corpus_zip(tmp_path)

    with desktop_page() as page:
        log_in(page, base + "/organize/", "organizer", "organize-it")
        shot(page, "01-tests")
        page.click("#add-corpus")
        page.fill("#id_name", "speech-en")
        page.fill("#id_language", "en")
        page.set_input_files("#id_upload", str(zipped))
        page.click("#save")
        page.goto(base + "/organize/")
        assert "speech-en" in page.locator("#step-corpora").inner_text()

        add_system(page, base, "gating", "spectral_gating")
        add_system(page, base, "noisy input", "unprocessed")
        page.click("#add-testset")
        page.fill("#id_name", "set-en")
        page.check("text=speech-en")
        page.check("text=gating")
        page.check("text=noisy input")
        shot(page, "02-test-set")
        page.click("#save")
        page.wait_for_url(base + "/organize/")
        assert "done" in page.locator("#step-testset").inner_text()  # no broker: generated

        page.click("#add-test")
        page.fill("#id_name", "first test")
        page.select_option("#id_testset", label="set-en")
        page.fill("#id_votes_per_stimulus", "2")
        page.fill("#id_stimuli_per_session", "3")
        shot(page, "03-design")
        page.click("#save")
        page.wait_for_selector("#step-publish")
        guide = page.url
        assert "ready to publish" in page.locator("#step-publish").inner_text()

        page.click("#act-prepare")
        page.wait_for_url(guide)
        assert "Stimuli built (6 to rate)" in page.locator(".messages").inner_text()
        shot(page, "04-guide")
        page.click("#open-preview")
        shot(page, "05-preview")
        page.click("#preview-rating")
        page.wait_for_selector("[data-play]")  # the rater's own rating page
        shot(page, "06-preview-rating")
        page.goto(guide)
        assert "1 preview sessions" in page.locator("#step-preview").inner_text()

        page.click("#act-publish")
        page.wait_for_url(guide)
        assert "the test is live" in page.locator(".messages").inner_text()
        orm(lambda: crowd_votes("first test", 4))  # four sessions of three fill every quota
        page.click("#open-monitor")
        panel = page.locator("#monitor-panel")
        assert "12 / 12 votes" in " ".join(panel.locator("#tile-votes").inner_text().split())
        page.evaluate("() => { window.notReloaded = true; }")
        first = page.locator("#read-at").inner_text()
        page.wait_for_function(
            "first => document.getElementById('read-at').textContent !== first", arg=first
        )
        assert page.evaluate("() => window.notReloaded") is True
        assert page.locator("#votes-by-cell svg").count() == 2
        shot(page, "07-monitor")
        page.goto(guide)
        page.click("#act-close")
        page.wait_for_url(guide)
        assert "closed" in page.locator("#step-close").inner_text()
        shot(page, "08-closed")

    test_id = orm(lambda: ListeningTest.objects.get(name="first test").pk)
    report = f"{base}/reports/{test_id}/"
    with desktop_page() as page:
        log_in(page, report, "analyst", "read-it")
        page.click("#build-report")  # a job (run at once: no broker), then back to the report
        page.wait_for_load_state()
        page.goto(report)
        assert "done" in page.locator("#builds").inner_text()
        shot(page, "09-report")
        with page.expect_download() as download:
            page.click("text=votes_per_cond.csv")
        table = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
        # two votes a clip: gating 4, 4, 4, 4, 5, 5: MOS 13/3, s = √((4/9 + 8/9) / 5) = 0.5164;
        # noisy input 2, 2, 1, 1, 2, 2: MOS 5/3 (the preview only looked: it voted nothing)
        assert any(line.startswith("gating,6,4.333333") for line in table), table
        assert any(",0.5163977" in line for line in table if line.startswith("gating")), table
        assert any(line.startswith("noisy input,6,1.666666") for line in table), table
