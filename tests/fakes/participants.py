"""The participants' side of a small study on the local Prolific server, for tests that need a
study's aftermath quickly rather than raters over real HTTP (crowd_http does that).

Each participant takes a place on the server, opens the study's real entry URL in a Django test
client of their own (their browser), agrees, goes through the steps by the services the pages
call (on a virtual clock, so no clip is waited out), and opens the session page at the end,
which sends them on with a completion code; they hand that code to the server as Prolific's
participants do.

    prolific fixture: a running ProlificServer, with the settings pointed at it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from listening import services
from listening.methods import spec
from listening.models import ListeningTest, Session
from listening.platforms import platform_for
from listening.platforms.models import Recruitment
from listening.platforms.services import recruitment_set
from listening.simulation import session_to_rating
from tests.fakes.prolific import ProlificServer
from tests.listening.crowd_http import exit_link

TOKEN = "prolific-test-token"


@pytest.fixture
def prolific(settings):
    with ProlificServer(token=TOKEN, page_size=2) as server:
        settings.PROLIFIC_TOKEN = TOKEN
        settings.PROLIFIC_API_URL = server.url
        settings.PROLIFIC_COMPLETION_URL = f"{server.url}/submissions/complete"
        settings.PROLIFIC_WORKSPACE_ID = "workspace-1"
        settings.AURICLE_BASE_URL = "http://testserver"
        yield server


@dataclass
class Participant:
    pid: str
    kind: str  # good, trap_failer
    submission: str = ""
    session: Session | None = None
    code: str | None = None
    page: str = ""  # what the last page said


def study_publish(test: ListeningTest, **fields):
    """Make the test a Prolific study on the local server and publish it; returns its adapter."""
    recruitment_set(test=test, platform="prolific", **fields)
    platform = platform_for(test)
    platform.publish()
    return platform


def pid_make(number: int) -> str:
    """A Prolific-shaped participant id (24 hex characters) that no other text contains."""
    return f"5eed{number:04d}" + uuid.uuid4().hex[:16]


def take_part(server: ProlificServer, test: ListeningTest, person: Participant) -> Participant:
    study = Recruitment.objects.get(test=test).study_id
    person.submission = server.participant_start(study, person.pid)
    url = server.participant_url(person.submission)
    browser = Client()
    assert browser.get(url).status_code == 200
    started = browser.post(url, {"language": "en", "consent": "1"})
    assert started.status_code == 302, started.content[:400]
    person.session = Session.objects.get(token=started["Location"].rstrip("/").split("/")[-1])
    session_play(person.session, fail_traps=person.kind == "trap_failer")
    end = browser.get(started["Location"])
    link = end["Location"] if end.status_code == 302 else exit_link(end.content.decode())
    person.page = "" if end.status_code == 302 else end.content.decode()
    person.code = parse_qs(urlsplit(link).query)["cc"][0] if link else None
    if person.code:
        server.participant_finish(person.submission, person.code)
    return person


def session_play(session: Session, *, fail_traps: bool) -> None:
    """Pass the checks as a careful rater, then answer every clip: a known answer where the
    clip has one (a trap failer gives another to the traps), the middle of the scale or one
    either side of it elsewhere."""
    clock = session_to_rating(session, clock=timezone.now())
    scales = spec(session.test.method).scales
    number = 0
    while (assignment := services.assignment_next(session=session, now=clock)) is not None:
        stimulus = assignment.stimulus
        clock += timedelta(seconds=stimulus.duration + 2)
        score = 2 + number % 3 if stimulus.accept_min is None else int(stimulus.accept_min)
        if fail_traps and stimulus.role == "trap":
            score = 5 if score != 5 else 1
        services.vote_record(session=session, stimulus_key=stimulus.key,
                             answer={scale.name: score for scale in scales},
                             idempotency_key=uuid.uuid4(), play_count=1, now=clock)  # fmt: skip
        session.refresh_from_db()
        number += 1
