"""A Prolific participant in headless Chromium: in from the study's URL (PROLIFIC_PID,
STUDY_ID, SESSION_ID), through the clips, and out on Prolific's completion page (the local
Prolific server's) with the completed code. The rater qualified, set up and trained minutes
earlier, so the session starts at its first clip; the clips play in real time."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from listening import services
from listening.models import Qualification, Rater, Session, SetupResult, Stimulus
from listening.platforms import platform_for
from listening.platforms.models import Participation, Recruitment
from listening.platforms.services import recruitment_set
from tests.browser.test_rater_page import chromium_page, orm, rate_current
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.fakes.participants import TOKEN, pid_make
from tests.fakes.prolific import ProlificServer

__all__ = ["chromium_page"]  # the fixture, used by name
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def prolific(settings, live_server):
    with ProlificServer(token=TOKEN) as server:
        settings.PROLIFIC_TOKEN = TOKEN
        settings.PROLIFIC_API_URL = server.url
        settings.PROLIFIC_COMPLETION_URL = f"{server.url}/submissions/complete"
        settings.PROLIFIC_WORKSPACE_ID = "workspace-1"
        settings.AURICLE_BASE_URL = live_server.url
        yield server


def prequalified(test, pid: str) -> Rater:
    """The participant's rater, as it is after qualifying, setting up and training."""
    rater = services.rater_get_or_create(platform="prolific", external_id=pid, language="en")
    now = timezone.now() - timedelta(minutes=5)
    earlier = Session.objects.create(
        test=test, rater=rater, state="complete", started_at=now, last_seen_at=now, trained_at=now
    )
    Qualification.objects.create(rater=rater, session=earlier, taken_at=now, passed=True,
                                 hearing_correct=5, bandwidth_correct=4)  # fmt: skip
    SetupResult.objects.create(
        rater=rater, session=earlier, taken_at=now, level_confirmed=True, two_ear_correct=2,
        two_ear_total=2, environment_correct=4, environment_total=4, environment_passed=True,
    )  # fmt: skip
    return rater


def right_answer(key: str) -> str:
    """A careful rater's answer: a known answer where the clip has one (gold, trap)."""
    stimulus = Stimulus.objects.get(key=key)
    return "4" if stimulus.accept_min is None else str(int(stimulus.accept_min))


def test_a_participant_enters_from_prolific_and_lands_on_its_completion_page(
    chromium_page, prolific, live_server
):
    test = live_test_make(testset_make([corpus_make("en", 2)]), stimuli_per_session=1)
    recruitment_set(test=test, platform="prolific")
    platform_for(test).publish()
    recruitment = Recruitment.objects.get(test=test)
    pid = pid_make(1)
    rater = prequalified(test, pid)
    submission = prolific.participant_start(recruitment.study_id, pid)
    url = prolific.participant_url(submission)
    assert url.startswith(f"{live_server.url}/") and f"PROLIFIC_PID={pid}" in url

    with chromium_page() as page:
        page.goto(url)
        page.check("#consent")
        page.click("#start")
        for _clip in range(10):
            if "/submissions/complete" in page.url:
                break
            key = page.get_attribute("input[name='stimulus']", "value")
            rate_current(page, orm(lambda key=key: right_answer(key)))
        landed = page.url
        said = page.inner_text("h1")

    assert landed.startswith(f"{prolific.url}/submissions/complete?")
    assert parse_qs(urlsplit(landed).query)["cc"] == [recruitment.code_completed]
    assert said == "Submission complete" and prolific.completions == [recruitment.code_completed]
    participation = Participation.objects.get(submission_id=submission)
    assert participation.outcome == "completed" and participation.session.rater == rater
