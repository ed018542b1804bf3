"""A crowd: raters drawn from the mix, each let in by the test's platform, `concurrency` at a
time, until `raters` have taken part or the deadline has passed."""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
from django.db import connection
from django.urls import reverse

from listening.crowd.behaviour import crowd_draw
from listening.crowd.oracle import knowledge_read
from listening.crowd.rater import Rater, Result
from listening.models import ListeningTest
from listening.platforms import platform_for
from listening.selectors import listening_test_language_choices

PLATFORMS = ("open", "panel", "prolific")


class CrowdRefused(ValueError):
    """The crowd cannot be run against this test; the message says why."""


@dataclass
class Crowd:
    results: list[Result] = field(default_factory=list)
    began: float = field(default_factory=time.monotonic)
    seconds: float = 0.0

    @property
    def acknowledged(self) -> dict[str, float]:
        keys: dict[str, float] = {}
        for result in self.results:
            keys.update(result.acknowledged)
        return keys

    def summary(self) -> dict:
        statuses: Counter[int] = Counter()
        for result in self.results:
            statuses.update(result.statuses)
        served = sum(statuses.values())
        vote_ms = [ms for result in self.results for ms in result.vote_ms]
        return {
            "raters": len(self.results),
            "kinds": dict(Counter(r.kind for r in self.results)),
            "outcomes": dict(Counter(r.outcome for r in self.results)),
            "votes_acknowledged": len(self.acknowledged),
            "votes_refused_4xx": sum(sum(r.refused.values()) for r in self.results),
            "responses": served,
            "responses_5xx": sum(n for status, n in statuses.items() if status >= 500),
            "transport_errors": sum(r.transport_errors for r in self.results),
            "vote_ms_p50": round(float(np.percentile(vote_ms, 50)), 1) if vote_ms else None,
            "vote_ms_p95": round(float(np.percentile(vote_ms, 95)), 1) if vote_ms else None,
            "seconds": round(self.seconds, 1),
            "first_error": next((r.error for r in self.results if r.error), None),
        }


def entry_urls(*, test: ListeningTest, base_url: str, count: int, platform: str) -> list[str]:
    """One entry link per rater as the platform hands them out."""
    link = base_url.rstrip("/") + reverse("listening:entry", args=[test.entry_token])
    if platform == "open":
        return [link] * count
    if platform == "panel":
        from listening.platforms.panel import invitations_create

        batch = secrets.token_hex(4)
        people = [f"crowd-{batch}-{number}" for number in range(count)]
        made = invitations_create(test=test, people=people)
        return [f"{link}?{urlencode({'invite': invitation.token})}" for invitation in made]
    study = platform_for(test).recruitment.study_id
    if not study:
        raise CrowdRefused(f"test {test.name!r} has no Prolific study yet: publish it there first")
    return [f"{link}?" + urlencode({"PROLIFIC_PID": secrets.token_hex(12), "STUDY_ID": study,
                                    "SESSION_ID": secrets.token_hex(12)})
            for _ in range(count)]  # fmt: skip


def platform_check(*, test: ListeningTest, platform: str | None) -> str:
    actual = platform_for(test).code
    if platform and platform != actual:
        raise CrowdRefused(f"test {test.name!r} is on the {actual} platform, not {platform}")
    if actual not in PLATFORMS:
        raise CrowdRefused(f"the simulator drives {', '.join(PLATFORMS)} raters, not {actual}")
    return actual


def crowd_run(*, test: ListeningTest, raters: int, concurrency: int, base_url: str,
              platform: str | None = None, seed: int = 1,
              seconds: float | None = None) -> Crowd:  # fmt: skip
    """Run the crowd; with `seconds`, seats keep taking new raters (up to `raters`) until then."""
    code = platform_check(test=test, platform=platform)
    knows = knowledge_read(test=test)
    languages = [c for c, _name in listening_test_language_choices(test=test)]
    behaviours = crowd_draw(raters, seed=seed)
    urls = entry_urls(test=test, base_url=base_url, count=raters, platform=code)
    crowd, lock, turn = Crowd(), threading.Lock(), iter(range(raters))
    deadline = time.monotonic() + seconds if seconds else None

    def seat() -> None:
        try:
            while deadline is None or time.monotonic() < deadline:
                with lock:
                    number = next(turn, None)
                if number is None:
                    return
                rater = Rater(behaviours[number], knows, urls[number],
                              languages[number % len(languages)], base_url=base_url)  # fmt: skip
                result = rater.take_part()
                with lock:
                    crowd.results.append(result)
        finally:
            connection.close()  # this thread's oracle connection

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(seat) for _ in range(concurrency)]:
            future.result()
    crowd.seconds = time.monotonic() - crowd.began
    return crowd
