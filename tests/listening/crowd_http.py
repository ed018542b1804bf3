"""Raters who take a test over real HTTP, as a browser without JavaScript would: the entry page,
consent, qualification, setup, every clip (audio fetched, its length waited out) and the end.

A rater's answers come from its kind: good raters hear the truth with a little noise, trap
failers ignore spoken instructions, straight-liners give one answer to every rating clip, and
the deaf fail the hearing test.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field

import numpy as np
import requests

FIELD = re.compile(r'name="((?:hearing|bandwidth|two_ear|environment)-[0-9a-f-]{36})"')
HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|stimulus|idempotency_key)" value="([^"]+)"')
AUDIO = re.compile(r'<audio id="(?:clip|clip-\d)" preload="auto" src="([^"]+)"')
EXIT = re.compile(r'id="platform-exit" href="([^"]+)"')


@dataclass
class Rater:
    kind: str  # good, trap_failer, straight_liner, deaf
    seed: int
    http: requests.Session = field(default_factory=requests.Session)
    pages: list[str] = field(default_factory=list)

    def forget(self) -> None:
        """Clear every cookie, as a new browser would have none."""
        self.http = requests.Session()


@dataclass(frozen=True)
class Knowledge:
    """What the test harness knows about the test, to answer as each kind of rater would."""

    answers: dict[str, str]  # check field -> right answer
    stimuli: dict[str, dict]  # stimulus key -> role, duration, accept range, truth


def hidden(page: str) -> dict[str, str]:
    return dict(HIDDEN.findall(page))


def enter(rater: Rater, url: str, language: str = "en") -> requests.Response:
    """Open the entry link and agree; the answer is the first step's page (or a refusal)."""
    first = rater.http.get(url)
    if first.status_code != 200 or "csrfmiddlewaretoken" not in first.text:
        return first
    data = {"language": language, "consent": "1", **hidden(first.text)}
    return rater.http.post(url, data=data)


def checks(rater: Rater, response: requests.Response, knows: Knowledge) -> requests.Response:
    """Answer the qualification and the setup pages, whichever come."""
    for step in ("qualification", "setup"):
        page = response.text
        if f"/{step}/" not in page:
            continue
        answers = {f: _check_answer(rater, f, knows) for f in FIELD.findall(page)}
        extra = {"mother_tongue": "en", "headphones": "yes", "normal_hearing": "yes",
                 "level_confirmed": "1"}  # fmt: skip
        target = re.search(rf'action="([^"]*{step}/)"', page)
        url = requests.compat.urljoin(response.url, html.unescape(target.group(1)))
        response = rater.http.post(url, data={**answers, **extra, **hidden(page)})
    return response


def _check_answer(rater: Rater, field_name: str, knows: Knowledge) -> str:
    right = knows.answers[field_name]
    if rater.kind == "deaf" and field_name.startswith("hearing"):
        return "000" if right != "000" else "111"
    return right


def rate_all(rater: Rater, response: requests.Response, knows: Knowledge) -> requests.Response:
    """Rate every clip the session gives, then return the last answer (the end page, or the
    platform's completion page the rater was sent to)."""
    rng = np.random.default_rng(rater.seed)
    while 'name="stimulus"' in response.text:
        response = _vote(rater, response, knows, rng)
    return response


def _vote(rater, response, knows: Knowledge, rng) -> requests.Response:
    page = response.text
    fields = hidden(page)
    for src in AUDIO.findall(page):
        audio = rater.http.get(requests.compat.urljoin(response.url, html.unescape(src)))
        assert audio.status_code == 200, audio.status_code
    served = time.monotonic()  # the server counts a clip as served once its audio is fetched
    stimulus = knows.stimuli[fields["stimulus"]]
    time.sleep(max(0.0, stimulus["duration"] + 0.05 - (time.monotonic() - served)))
    score = answer(rater, stimulus, rng)
    names = set(re.findall(r'type="radio" name="(\w+)"', page))
    data = {**fields, **{name: str(score) for name in names}, "play_count": "1"}
    action = re.search(r'<form method="post" action="([^"]+)"', page)
    url = requests.compat.urljoin(
        response.url, html.unescape(action.group(1)) if action else "vote/"
    )
    return rater.http.post(url, data=data)


def answer(rater: Rater, stimulus: dict, rng) -> int:
    role = stimulus["role"]
    if role in ("trap", "gold") or (role == "training" and stimulus["accept"][0] is not None):
        low = stimulus["accept"][0]
        if rater.kind == "trap_failer" and role == "trap":
            return 1 if low != 1 else 5
        return int(low)
    if role == "training":
        return 3
    if rater.kind == "straight_liner":
        return 3
    return int(np.clip(round(stimulus["truth"] + rng.normal(0, 0.5)), 1, 5))


def exit_link(page: str) -> str | None:
    found = EXIT.search(page)
    return html.unescape(found.group(1)) if found else None
