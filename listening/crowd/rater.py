"""One simulated rater over HTTP: the entry link, then whatever page the server shows next
(qualification, setup, training and rating clips, the end), answered as its behaviour says.

A vote counts as acknowledged when the server answers its POST with the redirect to the next
page; the integrity check later looks for every acknowledged key in the database.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import numpy as np
import requests

from listening.crowd.behaviour import Behaviour, score_choose
from listening.crowd.browser import Browser
from listening.crowd.oracle import Knowledge
from listening.crowd.page import Form, Page, page_read

MAX_PAGES = 400
MARGIN_S = 0.05  # past the clip's length, as a player's end event comes a little after


@dataclass
class Result:
    kind: str
    outcome: str = "unfinished"
    acknowledged: dict[str, float] = field(default_factory=dict)  # key -> monotonic time
    refused: Counter[int] = field(default_factory=Counter)  # vote POSTs answered 4xx
    refusals: list[str] = field(default_factory=list)  # what those pages said, the first few
    vote_ms: list[float] = field(default_factory=list)  # each vote POST's answer time
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    completion: str | None = None
    error: str | None = None


class Rater:
    def __init__(self, behaviour: Behaviour, knows: Knowledge, entry_url: str, language: str,
                 *, base_url: str) -> None:  # fmt: skip
        self.behaviour, self.knows, self.language = behaviour, knows, language
        self.entry_url = entry_url
        self.browser = Browser(base_url)
        self.rng = np.random.default_rng(behaviour.seed)
        self.result = Result(kind=behaviour.kind)
        self.first_seen: dict[str, float] = {}
        self.rushed: set[str] = set()
        self.quit_after = int(self.rng.integers(1, 5)) if behaviour.kind == "abandoner" else None

    def take_part(self) -> Result:
        try:
            self._walk()
        except (requests.RequestException, KeyError, ValueError) as exc:
            self.result.outcome, self.result.error = "error", f"{type(exc).__name__}: {exc}"
        self.result.statuses = self.browser.statuses
        self.result.transport_errors = self.browser.transport_errors
        return self.result

    def _walk(self) -> None:
        response = self.browser.get(self.entry_url)
        for _ in range(MAX_PAGES):
            if response.is_redirect:  # left for the platform's completion page
                self.result.outcome, self.result.completion = "completed", "platform"
                return
            page = page_read(response.text)
            if page.vote_form is not None:
                if self.quit_after is not None and len(self.result.acknowledged) >= self.quit_after:
                    self.result.outcome = "abandoned"
                    return
                response = self._vote(response, page)
            elif (form := self._next_form(page)) is not None:
                response = self._submit(response.url, form, self._fill(form))
            else:
                self._ended(response, page)
                return

    def _next_form(self, page: Page) -> Form | None:
        return next((f for f in page.forms if f.method == "post"), None)

    def _submit(self, url: str, form: Form, data: dict) -> requests.Response:
        target = urljoin(url, form.action)
        return self.browser.follow(self.browser.request("POST", target, data=data))

    def _fill(self, form: Form) -> dict[str, str]:
        """An entry, qualification or setup form: every field a person would fill."""
        data = {**form.hidden, **dict(form.checkboxes.items())}
        for name, options in form.selects.items():
            wanted = self.language if name in ("language", "mother_tongue") else options[0]
            data[name] = wanted if wanted in options else options[0]
        for name, values in form.radios.items():
            data[name] = self.knows.answers.get(name) or ("yes" if "yes" in values else values[0])
        for name in form.texts:
            data[name] = self.knows.answers.get(name, "")
        return data

    def _ended(self, response: requests.Response, page: Page) -> None:
        if page.completion_code:
            self.result.outcome, self.result.completion = "completed", page.completion_code
        elif "failed-checks" in page.texts:
            self.result.outcome = "failed_checks"
        else:
            self.result.outcome = f"ended_{response.status_code}"

    # -- a rating page ------------------------------------------------------------------------
    def _vote(self, response: requests.Response, page: Page) -> requests.Response:
        form = page.vote_form
        key = form.hidden["stimulus"]
        for src in page.audio:  # the server counts a clip as served once its audio is fetched
            self.browser.request("GET", urljoin(response.url, src))
        self.first_seen.setdefault(key, time.monotonic())
        if self.behaviour.kind == "reloader":
            response = self.browser.get(response.url)
            form = page_read(response.text).vote_form or form
        rushed = self.behaviour.kind == "too_fast" and len(self.rushed) < 2
        if rushed and key not in self.rushed:
            self.rushed.add(key)
        else:
            self._wait_out(key)
        on_page = int(1000 * (time.monotonic() - self.first_seen[key]))
        data = {**form.hidden, **self._scores(response.url, form),
                "play_count": str(len(page.audio)), "time_on_page_ms": str(on_page)}  # fmt: skip
        target = urljoin(response.url, form.action)
        began = time.perf_counter()
        posted = self._post_vote(target, data)
        self.result.vote_ms.append(1000 * (time.perf_counter() - began))
        if posted.status_code == 302:
            self.result.acknowledged.setdefault(data["idempotency_key"], time.monotonic())
            del self.first_seen[key]  # a session may play the same clip again later
        elif posted.status_code >= 400:
            self.result.refused[posted.status_code] += 1
            if len(self.result.refusals) < 5:
                said = page_read(posted.text).alert
                self.result.refusals.append(f"{posted.status_code} {self.behaviour.kind}: {said}")
        return self.browser.follow(posted)

    def _wait_out(self, key: str) -> None:
        heard = time.monotonic() - self.first_seen[key]
        time.sleep(max(0.0, self.knows.clips[key].duration + MARGIN_S - heard))

    def _post_vote(self, target: str, data: dict) -> requests.Response:
        if self.behaviour.kind != "double_submitter":
            return self.browser.request("POST", target, data=data)
        second = self.browser.cookies_copy()
        other: list[requests.Response] = []
        click = threading.Thread(target=lambda: other.append(_quiet_post(second, target, data)))
        click.start()
        first = self.browser.request("POST", target, data=data)
        click.join()
        if other and other[0] is not None and other[0].status_code == 302:
            self.result.acknowledged.setdefault(data["idempotency_key"], time.monotonic())
        return first

    def _scores(self, url: str, form: Form) -> dict[str, str]:
        key = form.hidden["stimulus"]
        clip = self.knows.clips[key]
        session_token = urlsplit(url).path.rstrip("/").split("/")[-1]
        flip = self.knows.processed_first(session_token, key)
        scores = {}
        for name, values in form.radios.items():
            scale = [int(v) for v in values]
            stored = score_choose(self.behaviour, role=clip.role, truth=clip.truth,
                                  accept=clip.accept, values=scale, rng=self.rng)  # fmt: skip
            scores[name] = str(-stored if flip else stored)
        return scores


def _quiet_post(http: requests.Session, url: str, data: dict) -> requests.Response | None:
    try:
        return http.post(url, data=data, allow_redirects=False, timeout=30)
    except requests.RequestException:
        return None
