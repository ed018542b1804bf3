"""A browser without JavaScript, as patient as a person: it keeps its cookies, follows the
server's redirects on the server's own host (a redirect elsewhere, such as a platform's
completion page, is where the rater leaves), and sends a request again, unchanged, when the
connection fails or the server answers 5xx or 429 — the rater's reload or second click.
Sending a vote again is safe: it carries the same idempotency key.
"""

from __future__ import annotations

import time
from collections import Counter
from urllib.parse import urljoin, urlsplit

import requests

RETRIED = {429, 500, 502, 503, 504}


class Browser:
    def __init__(self, base_url: str, *, patience: float = 60.0) -> None:
        self.http = requests.Session()
        self.host = urlsplit(base_url).netloc
        self.patience = patience
        self.statuses: Counter[int] = Counter()
        self.transport_errors = 0

    def request(self, method: str, url: str, data: dict | None = None) -> requests.Response:
        """One request, sent again through transient failures for up to `patience` seconds;
        raises the last connection error when the server stays away."""
        deadline, delay = time.monotonic() + self.patience, 0.2
        while True:
            try:
                response = self.http.request(method, url, data=data, allow_redirects=False,
                                             timeout=30)  # fmt: skip
            except (requests.ConnectionError, requests.Timeout):
                self.transport_errors += 1
                if time.monotonic() + delay > deadline:
                    raise
            else:
                self.statuses[response.status_code] += 1
                wait = _retry_after(response, delay)
                if response.status_code not in RETRIED or time.monotonic() + wait > deadline:
                    return response
                delay = wait
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def follow(self, response: requests.Response) -> requests.Response:
        """Follow redirects on this host; stop at one that leaves it."""
        for _ in range(10):
            if not response.is_redirect:
                return response
            target = urljoin(response.url, response.headers["Location"])
            if urlsplit(target).netloc != self.host:
                return response
            response = self.request("GET", target)
        return response

    def get(self, url: str) -> requests.Response:
        return self.follow(self.request("GET", url))

    def cookies_copy(self) -> requests.Session:
        """A second connection with this browser's cookies (a second tab)."""
        other = requests.Session()
        other.cookies.update(self.http.cookies)
        return other


def _retry_after(response: requests.Response, delay: float) -> float:
    if response.status_code != 429:
        return delay
    try:
        return float(response.headers.get("Retry-After", delay))
    except ValueError:
        return delay
