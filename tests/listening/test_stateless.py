"""Two web hosts behind one PostgreSQL: a rater whose every request lands on the other host
(as a load balancer without sticky sessions sends it) takes a whole session, so nothing a
request needs lives in one process's memory."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import cycle

import pytest
import requests

from listening.models import Assignment, Session, Vote
from listening.simulation import check_answers
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.faults.procs import gunicorn
from tests.integration.test_postgres import postgres  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.usefixtures("postgres"),
    pytest.mark.django_db(transaction=True),
]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STIMULUS = re.compile(r'name="stimulus" value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')
AUDIO = re.compile(r'<audio id="[^"]+" preload="auto" src="([^"]+)"')


def listened(session: Session) -> None:
    """Stand-in for the clip's length passing: move the fetched clips' serving back."""
    for assignment in Assignment.objects.filter(session=session, served_at__isnull=False):
        Assignment.objects.filter(pk=assignment.pk).update(
            served_at=assignment.served_at - timedelta(minutes=1)
        )


def step_of(page: str) -> dict:
    return {
        "stimulus": STIMULUS.search(page)[1],
        "idempotency_key": IDEMPOTENCY.search(page)[1],
        "urls": [url.replace("&amp;", "&") for url in AUDIO.findall(page)],
    }


def form_post(browser, url: str, page: str, data: dict) -> requests.Response:
    data = {**data, "csrfmiddlewaretoken": CSRF.search(page)[1]}
    return browser.post(url, data=data, allow_redirects=False)


def checks_through(browser, hosts, test) -> tuple[str, Session]:
    """Entry and the two check pages, each request on the next host."""
    entry = f"/t/{test.entry_token}/"
    first = browser.get(next(hosts) + entry).text
    started = form_post(browser, next(hosts) + entry, first, {"language": "en", "consent": "1"})
    assert started.status_code == 302, started.text[:300]
    path = started.headers["Location"]
    session = Session.objects.get(test=test)
    for step in ("qualification", "setup"):
        page = browser.get(next(hosts) + path).text
        session.refresh_from_db()
        posted = form_post(browser, next(hosts) + f"{path}{step}/", page, check_answers(session))
        assert posted.status_code == 302, posted.text[:300]
    return path, session


def test_a_session_whose_requests_alternate_between_two_hosts_completes(media_root, tmp_path):
    test = live_test_make(testset_make([corpus_make("en", 3)]), stimuli_per_session=1)
    with (
        gunicorn(media_root, tmp_path / "a.log", workers=1) as (_a, host_a),
        gunicorn(media_root, tmp_path / "b.log", workers=1) as (_b, host_b),
    ):
        hosts = cycle([host_a, host_b])
        browser = requests.Session()  # its cookies go to both: the hosts differ only by port
        path, session = checks_through(browser, hosts, test)
        page = browser.get(next(hosts) + path).text
        step, csrf, vote_hosts = step_of(page), CSRF.search(page)[1], []
        for number in range(20):
            # The audio from one host, the vote (which needs that fetch) to the other.
            fetch_host, vote_host = (host_a, host_b) if number % 2 else (host_b, host_a)
            for url in step["urls"]:
                assert browser.get(fetch_host + url).status_code == 200
            listened(session)
            vote_hosts.append(vote_host)
            body = {"stimulus": step["stimulus"], "idempotency_key": step["idempotency_key"]}
            answer = browser.post(
                vote_host + f"{path}vote/", headers={"X-CSRFToken": csrf}, json={**body, "score": 4}
            ).json()
            assert "error" not in answer, answer
            if answer["next"] is not None:
                step = {**answer["next"], "urls": [c["url"] for c in answer["next"]["clips"]]}
                continue
            page = browser.get(next(hosts) + answer["redirect"]).text
            if not STIMULUS.search(page):
                break
            step = step_of(page)
    session.refresh_from_db()
    assert session.state == Session.State.COMPLETE and session.completion_code in page
    assert set(vote_hosts) == {host_a, host_b}
    votes = Vote.objects.filter(session=session)
    assert votes.count() == session.assignments.count() == len(vote_hosts)
