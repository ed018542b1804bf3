"""A small client for Prolific's REST API (facts in shared/PROLIFIC.md); no Django here.

Every call but one is safe to repeat, so transient failures (429, 5xx, time-outs, dropped
connections) are retried with back-off. The exception is paying a bonus: a repeat pays everyone
again, so a pay whose outcome is unknown raises PayUnconfirmed instead of being retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

log = logging.getLogger(__name__)

STUDY_ACTIONS = ("PUBLISH", "PAUSE", "START", "STOP")
SUBMISSION_ACTIONS = ("APPROVE", "REJECT")
BULK_APPROVE_MAX = 1000  # Prolific takes about this many ids a call
TIMESTAMP_KEYS = ("started_at", "completed_at")
# What a failed attempt was: an answer, or the exception raised before one came.
Outcome = requests.Response | requests.RequestException


class ProlificError(Exception):
    """Prolific refused a call, or did not answer it; the message names the call and why."""

    def __init__(self, call: str, *, status: int | None = None, title: str = "", detail: str = ""):
        self.call = call
        self.status = status
        self.title = title
        self.detail = detail
        super().__init__(self._text())

    def _text(self) -> str:
        answer = f"{self.status or ''} {self.title}".strip()
        return ": ".join(part for part in (f"Prolific {self.call}", answer, self.detail) if part)


class ProlificUnavailable(ProlificError):
    """Every try of a call met a transient failure (429, 5xx, time-out, connection error)."""

    def _text(self) -> str:
        return f"Prolific {self.call} unavailable: {self.detail}"


class PayUnconfirmed(ProlificError):
    """A bonus pay call may or may not have been carried out; repeating it could pay twice."""

    def _text(self) -> str:
        return (
            f"Prolific {self.call}: outcome unknown ({self.detail}); the bonus may have been "
            "paid. Check it on Prolific before paying it again."
        )


class ProlificApi:
    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: float = 15.0,
        tries: int = 6,
        backoff: float = 0.5,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.tries = tries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    # Account and filters

    def me(self) -> dict:
        return self._call("GET", "users/me/")

    def filters(self) -> list[dict]:
        return list(self._pages("filters/"))

    # Studies

    def study_create(self, payload: dict) -> dict:
        return self._call("POST", "studies/", body=payload)

    def study_get(self, study_id: str) -> dict:
        return self._call("GET", f"studies/{study_id}/")

    def study_update(self, study_id: str, fields: dict) -> dict:
        return self._call("PATCH", f"studies/{study_id}/", body=fields)

    def study_transition(self, study_id: str, action: str) -> dict:
        if action not in STUDY_ACTIONS:
            raise ValueError(f"A study's action is one of {', '.join(STUDY_ACTIONS)}: {action!r}")
        return self._call("POST", f"studies/{study_id}/transition/", body={"action": action})

    def cost(self, *, reward: int, places: int) -> int:
        """What a study of places at reward (cents) costs in all, fees included, in cents."""
        body = {"reward": reward, "total_available_places": places}
        answer = self._call("POST", "study-cost-calculator/", body=body)
        return int(answer["total_cost"] if isinstance(answer, dict) else answer)

    # Submissions

    def submissions(self, study_id: str) -> list[dict]:
        return [_timestamps_parsed(row) for row in self._pages(f"studies/{study_id}/submissions/")]

    def submission_transition(
        self, submission_id: str, action: str, *, message: str = "", category: str = ""
    ) -> dict:
        if action not in SUBMISSION_ACTIONS:
            raise ValueError(f"A submission's action is APPROVE or REJECT: {action!r}")
        body = {"action": action}
        if message:
            body["message"] = message
        if category:
            body["rejection_category"] = category
        return self._call("POST", f"submissions/{submission_id}/transition/", body=body)

    def bulk_approve(self, submission_ids: list[str]) -> None:
        for start in range(0, len(submission_ids), BULK_APPROVE_MAX):
            chunk = submission_ids[start : start + BULK_APPROVE_MAX]
            self._call("POST", "submissions/bulk-approve/", body={"submission_ids": chunk})

    # Bonuses: made in one call, paid in another that must never run twice

    def bonus_create(self, study_id: str, rows: list[tuple[str, Decimal]]) -> dict:
        """Sets up (does not pay) bonuses for a study's participants, amounts in major units."""
        body = {"study_id": study_id, "csv_bonuses": _bonus_csv(rows)}
        return self._call("POST", "submissions/bonus-payments/", body=body)

    def bonus_pay(self, bonus_id: str) -> None:
        """Pays a bonus made by bonus_create. Raises PayUnconfirmed when it may have been paid."""
        self._call("POST", f"bulk-bonus-payments/{bonus_id}/pay/", repeatable=False)

    # Participant groups

    def group_create(self, *, name: str, workspace_id: str, participant_ids: list[str]) -> dict:
        body = {"name": name, "workspace_id": workspace_id, "participant_ids": participant_ids}
        return self._call("POST", "participant-groups/", body=body)

    def group_add(self, group_id: str, participant_ids: list[str]) -> None:
        body = {"participant_ids": participant_ids}
        self._call("POST", f"participant-groups/{group_id}/participants/", body=body)

    # Transport

    def _pages(self, path: str) -> Iterator[dict]:
        """Every row of a list, following _links.next (limit/offset) to the last page."""
        url: str | None = self._url(path)
        while url:
            answer = self._call("GET", url)
            if isinstance(answer, list):  # a list that is not paginated
                yield from answer
                return
            yield from answer.get("results", [])
            href = ((answer.get("_links") or {}).get("next") or {}).get("href")
            url = self._next_url(href) if href and answer.get("results") else None

    def _next_url(self, href: str) -> str:
        # The token goes with every request, so a next page must stay on Prolific's host.
        url = urljoin(self.base_url, href)
        if urlsplit(url).netloc != urlsplit(self.base_url).netloc:
            raise ProlificError("GET next page", detail=f"it points off {self.base_url}")
        return url

    def _url(self, path: str) -> str:
        return path if "://" in path else urljoin(self.base_url, f"api/v1/{path}")

    def _call(
        self, method: str, path: str, *, body: dict | None = None, repeatable: bool = True
    ) -> Any:
        url = self._url(path)
        call = f"{method} {urlsplit(url).path}"
        outcome: Outcome | None = None
        for attempt in range(1, self.tries + 1):
            if attempt > 1:
                self.sleep(self._wait(attempt - 1, outcome))
            outcome = self._attempt(method, url, call, body)
            if isinstance(outcome, requests.Response) and outcome.status_code < 400:
                return _decoded(outcome)
            if not _transient(outcome):
                raise _refusal(call, outcome)
            if not repeatable and not _surely_unprocessed(outcome):
                raise PayUnconfirmed(call, status=_status(outcome), detail=_what(outcome))
        raise ProlificUnavailable(
            call, status=_status(outcome), detail=f"{self.tries} tries, the last {_what(outcome)}"
        )

    def _attempt(self, method: str, url: str, call: str, body: dict | None) -> Outcome:
        try:
            response = self.session.request(method, url, json=body, timeout=self.timeout)
        except (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            log.info("Prolific %s: %s", call, type(exc).__name__)
            return exc
        log.info("Prolific %s: %s", call, response.status_code)
        return response

    def _wait(self, failures: int, outcome: Outcome | None) -> float:
        """Retry-After when the answer has one, else back-off doubling per failure; capped."""
        wait = self.backoff * 2 ** (failures - 1)
        asked = _retry_after(outcome) if isinstance(outcome, requests.Response) else None
        return min(wait if asked is None else asked, self.max_wait)


def _transient(outcome: Outcome) -> bool:
    if isinstance(outcome, requests.Response):
        return outcome.status_code == 429 or outcome.status_code >= 500
    return True


def _surely_unprocessed(outcome: Outcome) -> bool:
    """Whether the request certainly did nothing: throttled, or no connection was ever made."""
    if isinstance(outcome, requests.Response):
        return outcome.status_code == 429
    if isinstance(outcome, requests.ConnectTimeout):
        return True
    cause = outcome.args[0] if outcome.args else None
    return isinstance(cause, MaxRetryError) and isinstance(cause.reason, NewConnectionError)


def _retry_after(response: requests.Response) -> float | None:
    # Only the seconds form; an HTTP date falls back to the back-off.
    try:
        return max(float(response.headers.get("Retry-After", "")), 0.0)
    except ValueError:
        return None


def _status(outcome: Outcome | None) -> int | None:
    return outcome.status_code if isinstance(outcome, requests.Response) else None


def _what(outcome: Outcome | None) -> str:
    if isinstance(outcome, requests.Response):
        return f"{outcome.status_code} {_error(outcome).get('title') or outcome.reason}"
    return type(outcome).__name__


def _refusal(call: str, response: requests.Response) -> ProlificError:
    error = _error(response)
    return ProlificError(
        call,
        status=response.status_code,
        title=str(error.get("title") or response.reason or ""),
        detail=_flattened(error.get("detail", "")),
    )


def _error(response: requests.Response) -> dict:
    """The `error` object of Prolific's error body, {} when the body is not one."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def _flattened(detail: Any) -> str:
    """Prolific's detail (a string, a list, or {field: [messages]}) as one line."""
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {_flattened(value)}" for field, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_flattened(item) for item in detail)
    return str(detail)


def _decoded(response: requests.Response) -> Any:
    return response.json() if response.content.strip() else None


def _bonus_csv(rows: list[tuple[str, Decimal]]) -> str:
    if not rows:
        raise ValueError("A bonus needs at least one participant.")
    lines = []
    for participant_id, amount in rows:
        if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"A bonus is a positive amount in whole cents, not {amount}.")
        lines.append(f"{participant_id},{amount:.2f}\n")
    return "".join(lines)


def _timestamps_parsed(row: dict) -> dict:
    return {**row, **{key: _aware(row.get(key)) for key in TIMESTAMP_KEYS}}


def _aware(value: str | None) -> datetime | None:
    """ISO-8601 or Prolific's "2022-04-18 11:24:51.395000+00:00", as an aware datetime."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
