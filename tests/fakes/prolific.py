"""A Prolific test server on loopback, speaking the shapes in shared/PROLIFIC.md.

    with ProlificServer(token="t0k") as server:
        api = ProlificApi(base_url=server.url, token="t0k")

The API (under /api/v1/) is what the adapter drives. The plain methods below play the other
sides: participants (participant_start, participant_finish, participant_return), faults
(fail_next, slow_next, hang_pay) and what a test reads back (pay_calls, paid, completions,
rejections, bulk_approve_calls, calls, group_members). Money is in cents, like Prolific's answers.
Where PROLIFIC.md says ASSUMPTION, this server behaves that way and no further.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

REQUIRED = (
    "name",
    "description",
    "external_study_url",
    "prolific_id_option",
    "completion_codes",
    "estimated_completion_time",
    "reward",
    "total_available_places",
)
OPTIONAL = (
    "internal_name",
    "maximum_allowed_time",
    "device_compatibility",
    "peripheral_requirements",
    "filters",
    "submissions_config",
)
READ_ONLY = ("id", "status", "places_taken", "total_cost", "currency_code", "date_created")
PUBLISHED_EDITABLE = {"internal_name", "total_available_places"}
ID_OPTIONS = {"url_parameters", "question", "not_required"}
DEVICES = {"desktop", "tablet", "mobile"}
PERIPHERALS = {"audio", "camera", "download", "microphone"}
CODE_TYPES = {
    "COMPLETED",
    "FAILED_ATTENTION_CHECK",
    "NO_CONSENT",
    "INCOMPATIBLE_DEVICE",
    "FIXED_SCREENOUT",
    "OTHER",
}
CODE_ACTIONS = {
    "AUTOMATICALLY_APPROVE",
    "MANUALLY_REVIEW",
    "ADD_TO_PARTICIPANT_GROUP",
    "REQUEST_RETURN",
}
REJECTION_CATEGORIES = {
    "TOO_QUICKLY",
    "TOO_SLOWLY",
    "FAILED_INSTRUCTIONS",
    "FAILED_CHECK",
    "LOW_EFFORT",
    "NO_CODE",
    "BAD_CODE",
    "NO_DATA",
    "UNSUPP_DEVICE",
    "OTHER",
}
MIN_REJECTION_MESSAGE = 100
BULK_APPROVE_MAX = 1000
# A submission in these statuses no longer holds a place, and its status cannot change again.
FINAL = {"APPROVED", "REJECTED", "RETURNED", "TIMED-OUT", "SCREENED OUT"}
PLACE_FREED = {"RETURNED", "TIMED-OUT", "REJECTED"}
# action: (the statuses it may leave, the status it enters; STOP decides by what is left).
STUDY_TRANSITIONS = {
    "PUBLISH": ({"UNPUBLISHED"}, "ACTIVE"),
    "PAUSE": ({"ACTIVE"}, "PAUSED"),
    "START": ({"PAUSED"}, "ACTIVE"),
    "STOP": ({"ACTIVE", "PAUSED"}, None),
}
LANGUAGES = {
    "1": "English",
    "2": "German",
    "3": "French",
    "4": "Spanish",
    "5": "Chinese",
    "6": "Japanese",
}
# The shape of prolific-oss/cli's model.Filter: filter_id, title, type, choices {id: label}.
FILTERS = [
    {
        "filter_id": "first-language",
        "title": "First language",
        "question": "What is your first language?",
        "type": "select",
        "data_type": "ChoiceID",
        "choices": LANGUAGES,
    }
]
GROUP_FILTERS = {"participant_group_allowlist", "participant_group_blocklist"}
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
COMPLETE_PAGE = (
    "<!doctype html><html><head><title>Submission complete</title></head>"
    "<body><h1>Submission complete</h1><p>Code {code}</p></body></html>"
)
ROUTES = [
    ("GET", r"users/me/", "_me"),
    ("GET", r"filters/", "_filters"),
    ("POST", r"studies/", "_study_create"),
    ("GET", r"studies/(\w+)/", "_study_get"),
    ("PATCH", r"studies/(\w+)/", "_study_update"),
    ("DELETE", r"studies/(\w+)/", "_study_delete"),
    ("POST", r"studies/(\w+)/transition/", "_study_transition"),
    ("GET", r"studies/(\w+)/submissions/", "_submission_list"),
    ("POST", r"study-cost-calculator/", "_cost"),
    ("POST", r"submissions/bulk-approve/", "_bulk_approve"),
    ("POST", r"submissions/bonus-payments/", "_bonus_create"),
    ("POST", r"submissions/(\w+)/transition/", "_submission_transition"),
    ("POST", r"submissions/(\w+)/request-return/", "_request_return"),
    ("POST", r"bulk-bonus-payments/(\w+)/pay/", "_bonus_pay"),
    ("GET", r"participant-groups/", "_group_list"),
    ("POST", r"participant-groups/", "_group_create"),
    ("GET", r"participant-groups/(\w+)/", "_group_get"),
    ("GET", r"participant-groups/(\w+)/participants/", "_group_members"),
    ("POST", r"participant-groups/(\w+)/participants/", "_group_add"),
    ("DELETE", r"participant-groups/(\w+)/participants/", "_group_remove"),
]


class Refusal(Exception):
    """An error answer in Prolific's shape; detail is a string, a list or {field: [msg]}."""

    def __init__(self, status: int, detail: Any):
        super().__init__(detail)
        self.status = status
        self.detail = detail


class _Hung(Exception):
    """The handler was told to leave this request unanswered."""


@dataclass
class Reply:
    status: int
    payload: Any = None
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    pattern: re.Pattern
    times: int
    status: int = 0
    seconds: float = 0.0
    retry_after: float | None = None
    processed: bool = False


def _hex_id() -> str:
    return secrets.token_hex(12)


def _now() -> datetime:
    return datetime.now(UTC)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fee(cents: int | Decimal) -> int:
    """Prolific's service fee, taken as one third (the docs' example implies it)."""
    return int((Decimal(cents) / 3).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _error_body(status: int, detail: Any) -> dict:
    title = TITLES.get(status, "Error")
    return {
        "error": {"status": status, "error_code": status * 1000, "title": title, "detail": detail}
    }


def _timestamp(moment: datetime | None, index: int) -> str | None:
    # Prolific answers in both forms; alternate so every page a client reads carries both.
    if moment is None:
        return None
    if index % 2:
        return moment.isoformat(sep=" ", timespec="microseconds")
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.fake.handle(self)

    do_POST = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows what a failing test needs."""


class _HttpServer(ThreadingHTTPServer):
    def __init__(self, fake: ProlificServer):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up on a slow answer closed its socket: expected, not worth a trace.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ProlificServer:
    def __init__(self, *, token: str = "t0k", page_size: int = 5):
        self.token = token
        self.page_size = page_size
        self.studies: dict[str, dict] = {}
        self.submissions: dict[str, dict] = {}
        self.bonuses: dict[str, dict] = {}
        self.groups: dict[str, dict] = {}
        self.pay_calls: Counter[str] = Counter()
        self.paid: Counter[str] = Counter()  # cents per participant, summed over every pay
        self.completions: list[str] = []
        self.rejections: dict[str, tuple[str, str]] = {}  # submission id: (category, message)
        self.bulk_approve_calls: list[list[str]] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, in order
        self._faults: list[Fault] = []
        self._hangs: list[str] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._httpd: _HttpServer | None = None

    # Life cycle

    def start(self) -> ProlificServer:
        self._httpd = _HttpServer(self)
        serve = functools.partial(self._httpd.serve_forever, poll_interval=0.05)
        threading.Thread(target=serve, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases handlers held by hang_pay or slow_next
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> ProlificServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # Test controls: the participants' side

    def participant_start(
        self, study_id: str, participant_id: str, *, at: datetime | None = None
    ) -> str:
        """A participant takes a place in an ACTIVE study; returns the submission id (the
        SESSION_ID). The same participant coming back to an unfinished submission gets it again."""
        with self._lock:
            study = self.studies[study_id]
            if study["status"] != "ACTIVE":
                raise ValueError(f"study {study_id} is {study['status']}, not ACTIVE")
            for submission in self._study_submissions(study_id):
                if submission["participant_id"] == participant_id:
                    if submission["status"] != "ACTIVE":
                        raise ValueError(f"{participant_id} already took part in {study_id}")
                    return submission["id"]
            if self._places_taken(study_id) >= study["total_available_places"]:
                raise ValueError(f"study {study_id} has no places left")
            return self._submission_make(study_id, participant_id, at or _now())

    def participant_url(self, submission_id: str) -> str:
        """The study's external URL as Prolific sends this participant there."""
        with self._lock:
            submission = self.submissions[submission_id]
            url = self.studies[submission["study_id"]]["external_study_url"]
        return (
            url.replace("{{%PROLIFIC_PID%}}", submission["participant_id"])
            .replace("{{%STUDY_ID%}}", submission["study_id"])
            .replace("{{%SESSION_ID%}}", submission_id)
        )

    def participant_finish(
        self, submission_id: str, code: str, *, at: datetime | None = None
    ) -> str:
        """The participant returns to Prolific with a completion code; returns the new status."""
        with self._lock:
            submission = self.submissions[submission_id]
            if submission["status"] != "ACTIVE":
                raise ValueError(f"submission {submission_id} is {submission['status']}")
            actions = self._code_actions(submission["study_id"], code)
            submission["study_code"] = code
            self._actions_apply(submission, actions, at or _now())
            self._study_settle(submission["study_id"])
            return submission["status"]

    def participant_return(self, submission_id: str) -> None:
        """The participant gives their place back (after a return request, or of their own)."""
        with self._lock:
            submission = self.submissions[submission_id]
            if submission["status"] not in {"ACTIVE", "AWAITING REVIEW"}:
                raise ValueError(f"submission {submission_id} is {submission['status']}")
            submission["status"] = "RETURNED"
            self._study_settle(submission["study_id"])

    # Test controls: faults

    def fail_next(
        self,
        path_regex: str,
        status: int,
        times: int = 1,
        retry_after: float | None = None,
        *,
        processed: bool = False,
    ) -> None:
        """The next `times` requests whose path matches answer `status` (with Retry-After when
        given). processed=True carries each out first, as a server that fails after the work."""
        fault = Fault(re.compile(path_regex), times, status, 0.0, retry_after, processed)
        with self._lock:
            self._faults.append(fault)

    def slow_next(self, path_regex: str, seconds: float, times: int = 1) -> None:
        """The next `times` matching requests wait `seconds`, then are carried out and answered
        (even when the client has given up by then, as a slow real server would)."""
        with self._lock:
            self._faults.append(Fault(re.compile(path_regex), times, seconds=seconds))

    def hang_pay(self, mode: str) -> None:
        """The next bonus pay call gets no answer until the server stops: "before" it is carried
        out (nothing paid, not counted) or "after" (paid and counted)."""
        if mode not in {"before", "after"}:
            raise ValueError(f"hang_pay mode is 'before' or 'after', not {mode!r}")
        with self._lock:
            self._hangs.append(mode)

    # Test controls: what happened

    def calls(self, method: str, path_regex: str) -> int:
        with self._lock:
            return sum(
                1 for made, path in self.requests if made == method and re.search(path_regex, path)
            )

    def group_members(self, group_id: str) -> set[str]:
        with self._lock:
            return set(self.groups[group_id]["members"])

    # HTTP

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        raw = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        with self._lock:
            self.requests.append((request.command, parts.path))
        try:
            reply = self._reply(request, parts.path, parse_qs(parts.query), raw)
        except _Hung:
            request.close_connection = True
            return
        self._send(request, reply)

    def _send(self, request: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.html:
            data, kind = reply.html.encode(), "text/html; charset=utf-8"
        elif reply.payload is None:
            data, kind = b"", ""
        else:
            data, kind = json.dumps(reply.payload).encode(), "application/json"
        request.send_response(reply.status)
        for name, value in {**reply.headers, "Content-Type": kind}.items():
            if value:
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _reply(self, request: BaseHTTPRequestHandler, path: str, query: dict, raw: bytes) -> Reply:
        fault = self._fault_take(path)
        if fault and fault.seconds:
            self._stopping.wait(fault.seconds)
        if fault and fault.status and not fault.processed:
            return self._fault_reply(fault)
        try:
            reply = self._routed(request, path, query, raw)
        except Refusal as refusal:
            reply = Reply(refusal.status, _error_body(refusal.status, refusal.detail))
        return self._fault_reply(fault) if fault and fault.status else reply

    def _fault_reply(self, fault: Fault) -> Reply:
        headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        detail = "Injected by the test."
        return Reply(fault.status, _error_body(fault.status, detail), headers=headers)

    def _fault_take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and fault.pattern.search(path):
                    fault.times -= 1
                    return fault
        return None

    def _routed(self, request: BaseHTTPRequestHandler, path: str, query: dict, raw: bytes) -> Reply:
        if request.command == "GET" and path.rstrip("/") == "/submissions/complete":
            return self._completion_page(query)
        if not path.startswith("/api/v1/"):
            raise Refusal(404, "Not found.")
        if request.headers.get("Authorization") != f"Token {self.token}":
            raise Refusal(401, "Invalid token.")
        method, args = self._route(request.command, path.removeprefix("/api/v1/"))
        body = self._body(raw)
        hang = self._hang_take() if method == "_bonus_pay" else None
        if hang == "before":
            self._hold()
        with self._lock:
            reply = getattr(self, method)(*args, body=body, query=query)
        if hang == "after":
            self._hold()
        return reply

    def _route(self, command: str, rest: str) -> tuple[str, tuple[str, ...]]:
        allowed = False
        for verb, pattern, method in ROUTES:
            match = re.fullmatch(pattern, rest)
            if match and verb == command:
                return method, match.groups()
            allowed = allowed or bool(match)
        raise (
            Refusal(405, f'Method "{command}" not allowed.')
            if allowed
            else Refusal(404, "Not found.")
        )

    def _body(self, raw: bytes) -> dict:
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise Refusal(400, f"JSON parse error - {exc}") from None
        if not isinstance(body, dict):
            raise Refusal(400, "Expected a JSON object.")
        return body

    def _hang_take(self) -> str | None:
        with self._lock:
            return self._hangs.pop(0) if self._hangs else None

    def _hold(self) -> None:
        self._stopping.wait()
        raise _Hung

    def _completion_page(self, query: dict) -> Reply:
        code = query.get("cc", [""])[0]
        with self._lock:
            self.completions.append(code)
        return Reply(200, html=COMPLETE_PAGE.format(code=code))

    # API: account and filters

    def _me(self, *, body: dict, query: dict) -> Reply:
        me = {"id": _hex_id(), "email": "researcher@example.org", "name": "Test Researcher"}
        return Reply(200, {**me, "user_type": "researcher", "currency_code": "GBP"})

    def _filters(self, *, body: dict, query: dict) -> Reply:
        links = {"next": {"href": None}, "previous": {"href": None}}
        return Reply(200, {"results": FILTERS, "_links": links, "meta": {"count": len(FILTERS)}})

    # API: studies

    def _study_create(self, *, body: dict, query: dict) -> Reply:
        missing = [name for name in REQUIRED if name not in body]
        if missing:
            raise Refusal(400, {name: ["This field is required."] for name in missing})
        self._study_check(body)
        study = {name: body[name] for name in REQUIRED + OPTIONAL if name in body}
        study.setdefault("internal_name", study["name"])
        # ASSUMPTION: Prolific's own default for the time limit is not documented.
        study.setdefault("maximum_allowed_time", 3 * study["estimated_completion_time"] + 2)
        study.update(id=_hex_id(), status="UNPUBLISHED", currency_code="GBP")
        study["date_created"] = _now().isoformat()
        self.studies[study["id"]] = study
        return Reply(201, self._study_view(study))

    def _study_get(self, study_id: str, *, body: dict, query: dict) -> Reply:
        return Reply(200, self._study_view(self._study(study_id)))

    def _study_update(self, study_id: str, *, body: dict, query: dict) -> Reply:
        study = self._study(study_id)
        fixed = [name for name in READ_ONLY if name in body]
        if fixed:
            raise Refusal(400, {name: ["This field cannot be changed."] for name in fixed})
        if study["status"] == "UNPUBLISHED":
            self._study_check(body)
        else:
            self._published_check(study, body)
        study.update({name: body[name] for name in REQUIRED + OPTIONAL if name in body})
        return Reply(200, self._study_view(study))

    def _study_delete(self, study_id: str, *, body: dict, query: dict) -> Reply:
        study = self._study(study_id)
        if study["status"] != "UNPUBLISHED":
            raise Refusal(400, f"A {study['status']} study cannot be deleted, only a draft.")
        del self.studies[study_id]
        return Reply(204)

    def _study_transition(self, study_id: str, *, body: dict, query: dict) -> Reply:
        study = self._study(study_id)
        action = body.get("action")
        if action not in STUDY_TRANSITIONS:
            raise Refusal(400, {"action": [f'"{action}" is not a valid choice.']})
        sources, target = STUDY_TRANSITIONS[action]
        if study["status"] not in sources:
            raise Refusal(400, f"A study that is {study['status']} cannot {action}.")
        study["status"] = target or "AWAITING REVIEW"
        self._study_settle(study_id)
        return Reply(200, self._study_view(study))

    def _cost(self, *, body: dict, query: dict) -> Reply:
        names = ("reward", "total_available_places")
        wrong = {
            name: ["A valid integer is required."] for name in names if not _is_int(body.get(name))
        }
        if wrong:
            raise Refusal(400, wrong)
        return Reply(200, {"total_cost": self._total_cost(body["reward"], body[names[1]])})

    def _study_check(self, fields: dict) -> None:
        errors = {}
        for name, value in fields.items():
            check = getattr(self, f"_check_{name}", None)
            message = check(value) if check else None
            if message:
                errors[name] = [message]
        if errors:
            raise Refusal(400, errors)

    def _published_check(self, study: dict, fields: dict) -> None:
        frozen = sorted(set(fields) - PUBLISHED_EDITABLE)
        if frozen:
            detail = "Cannot be changed once the study is published."
            raise Refusal(400, {name: [detail] for name in frozen})
        places = fields.get("total_available_places", study["total_available_places"])
        if not _is_int(places) or places < study["total_available_places"]:
            detail = "Once the study is published, places can only be increased."
            raise Refusal(400, {"total_available_places": [detail]})

    def _study_view(self, study: dict) -> dict:
        return {
            **study,
            "places_taken": self._places_taken(study["id"]),
            "total_cost": self._total_cost(study["reward"], study["total_available_places"]),
        }

    def _study(self, study_id: str) -> dict:
        if study_id not in self.studies:
            raise Refusal(404, "Study not found.")
        return self.studies[study_id]

    def _total_cost(self, reward: int, places: int) -> int:
        return reward * places + _fee(reward * places)

    def _study_settle(self, study_id: str) -> None:
        """A stopped study with nothing left to review is COMPLETED."""
        study = self.studies[study_id]
        open_ = {"ACTIVE", "AWAITING REVIEW"}
        if study["status"] == "AWAITING REVIEW" and not any(
            submission["status"] in open_ for submission in self._study_submissions(study_id)
        ):
            study["status"] = "COMPLETED"

    # Study field checks: each returns what is wrong, or None

    def _check_name(self, value: Any) -> str | None:
        return None if isinstance(value, str) and value.strip() else "This field may not be blank."

    _check_description = _check_internal_name = _check_name

    def _check_external_study_url(self, value: Any) -> str | None:
        if isinstance(value, str) and re.match(r"https?://[^/\s]+", value):
            return None
        return "Enter a valid URL."

    def _check_prolific_id_option(self, value: Any) -> str | None:
        return None if value in ID_OPTIONS else f'"{value}" is not a valid choice.'

    def _check_estimated_completion_time(self, value: Any) -> str | None:
        if not _is_int(value):
            return "A valid integer is required."
        return None if value >= 1 else "Ensure this value is greater than or equal to 1."

    _check_maximum_allowed_time = _check_total_available_places = _check_estimated_completion_time

    def _check_reward(self, value: Any) -> str | None:
        if not _is_int(value):
            return "A valid integer is required."
        return None if value >= 0 else "Ensure this value is greater than or equal to 0."

    def _check_device_compatibility(self, value: Any) -> str | None:
        return self._choices_error(value, DEVICES)

    def _check_peripheral_requirements(self, value: Any) -> str | None:
        return self._choices_error(value, PERIPHERALS)

    def _check_submissions_config(self, value: Any) -> str | None:
        return None if isinstance(value, dict) else "Expected a dictionary of items."

    def _choices_error(self, value: Any, choices: set[str]) -> str | None:
        if not isinstance(value, list):
            return "Expected a list of items."
        wrong = [item for item in value if item not in choices]
        return f"Not valid choices: {wrong}." if wrong else None

    def _check_completion_codes(self, value: Any) -> str | None:
        if not isinstance(value, list) or not value:
            return "Expected a non-empty list of completion codes."
        codes = [entry.get("code") for entry in value if isinstance(entry, dict)]
        if len(codes) != len(value) or len(set(codes)) != len(codes):
            return "Each completion code is an object with a code of its own."
        for entry in value:
            wrong = self._code_error(entry)
            if wrong:
                return f"{entry['code']}: {wrong}"
        return None

    def _code_error(self, entry: dict) -> str | None:
        if not isinstance(entry["code"], str) or not entry["code"]:
            return "code may not be blank."
        if entry.get("code_type") not in CODE_TYPES:
            return f'"{entry.get("code_type")}" is not a valid code_type.'
        actions = entry.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            return "actions is a list of objects."
        for action in actions:
            if action.get("action") not in CODE_ACTIONS:
                return f'"{action.get("action")}" is not a valid action.'
            group = action.get("participant_group")
            if action["action"] == "ADD_TO_PARTICIPANT_GROUP" and group not in self.groups:
                return f"participant group {group} does not exist."
        return None

    def _check_filters(self, value: Any) -> str | None:
        if not isinstance(value, list) or not all(isinstance(f, dict) for f in value):
            return "Expected a list of filters."
        for one in value:
            wrong = self._filter_error(one)
            if wrong:
                return f"{one.get('filter_id')}: {wrong}"
        return None

    def _filter_error(self, one: dict) -> str | None:
        known = {entry["filter_id"]: set(entry["choices"]) for entry in FILTERS}
        known |= {name: set(self.groups) for name in GROUP_FILTERS}
        if one.get("filter_id") not in known:
            return "no such filter."
        values = one.get("selected_values")
        if not isinstance(values, list) or not values:
            return "selected_values is a non-empty list of choice ids."
        wrong = [item for item in values if item not in known[one["filter_id"]]]
        return f"not valid choices: {wrong}." if wrong else None

    # API: submissions

    def _submission_list(self, study_id: str, *, body: dict, query: dict) -> Reply:
        self._study(study_id)
        try:
            limit = int(query.get("limit", [self.page_size])[0])
            offset = int(query.get("offset", [0])[0])
        except ValueError:
            raise Refusal(400, "limit and offset are integers.") from None
        rows = self._study_submissions(study_id)
        page = [self._submission_view(row) for row in rows[offset : offset + limit]]
        return Reply(
            200,
            {
                "results": page,
                "_links": self._links(f"studies/{study_id}/submissions/", limit, offset, len(rows)),
                "meta": {"count": len(rows)},
            },
        )

    def _links(self, path: str, limit: int, offset: int, count: int) -> dict:
        def href(start: int) -> str:
            return f"{self.url}/api/v1/{path}?limit={limit}&offset={start}"

        following = href(offset + limit) if offset + limit < count else None
        before = href(max(offset - limit, 0)) if offset > 0 else None
        last = href(max((count - 1) // limit * limit, 0))
        return {
            "self": {"href": href(offset), "title": "Current"},
            "next": {"href": following, "title": "Next"},
            "previous": {"href": before, "title": "Previous"},
            "last": {"href": last, "title": "Last"},
        }

    def _submission_transition(self, submission_id: str, *, body: dict, query: dict) -> Reply:
        submission = self._submission(submission_id)
        action = body.get("action")
        if action not in {"APPROVE", "REJECT"}:
            raise Refusal(400, {"action": [f'"{action}" is not a valid choice.']})
        if action == "REJECT":
            self._rejection_check(body)
        target = "APPROVED" if action == "APPROVE" else "REJECTED"
        if submission["status"] != target:
            self._reviewable_check(submission)
            submission["status"] = target
            if action == "REJECT":
                self.rejections[submission_id] = (body["rejection_category"], body["message"])
            self._study_settle(submission["study_id"])
        return Reply(200, self._submission_view(submission))

    def _rejection_check(self, body: dict) -> None:
        errors = {}
        message = body.get("message")
        if not isinstance(message, str) or len(message) < MIN_REJECTION_MESSAGE:
            errors["message"] = [
                f"A rejection message must be at least {MIN_REJECTION_MESSAGE} characters long."
            ]
        if body.get("rejection_category") not in REJECTION_CATEGORIES:
            category = body.get("rejection_category")
            errors["rejection_category"] = [f'"{category}" is not a valid choice.']
        if errors:
            raise Refusal(400, errors)

    def _reviewable_check(self, submission: dict) -> None:
        if submission["status"] in FINAL:
            raise Refusal(400, f"The submission is {submission['status']}; that is final.")
        if submission["status"] != "AWAITING REVIEW":
            raise Refusal(400, f"A submission that is {submission['status']} cannot be reviewed.")

    def _request_return(self, submission_id: str, *, body: dict, query: dict) -> Reply:
        submission = self._submission(submission_id)
        reasons = body.get("request_return_reasons")
        if not isinstance(reasons, list) or not reasons:
            raise Refusal(400, {"request_return_reasons": ["This field is required."]})
        if submission["status"] not in {"ACTIVE", "AWAITING REVIEW"}:
            raise Refusal(400, f"A submission that is {submission['status']} cannot be returned.")
        submission["return_requested"] = True
        return Reply(200, self._submission_view(submission))

    def _bulk_approve(self, *, body: dict, query: dict) -> Reply:
        ids = body.get("submission_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise Refusal(400, {"submission_ids": ["Expected a non-empty list of ids."]})
        if len(ids) > BULK_APPROVE_MAX:
            raise Refusal(400, {"submission_ids": [f"At most {BULK_APPROVE_MAX} ids a call."]})
        self.bulk_approve_calls.append(list(ids))
        # ASSUMPTION: Prolific approves asynchronously; here it is done before the answer.
        for submission_id in ids:
            submission = self.submissions.get(submission_id)
            if submission and submission["status"] == "AWAITING REVIEW":
                submission["status"] = "APPROVED"
                self._study_settle(submission["study_id"])
        return Reply(200, "The request to bulk approve has been handled successfully.")

    def _submission(self, submission_id: str) -> dict:
        if submission_id not in self.submissions:
            raise Refusal(404, "Submission not found.")
        return self.submissions[submission_id]

    def _submission_view(self, submission: dict) -> dict:
        index = submission["index"]
        return {
            **{key: value for key, value in submission.items() if key != "index"},
            "started_at": _timestamp(submission["started_at"], index),
            "completed_at": _timestamp(submission["completed_at"], index),
        }

    def _study_submissions(self, study_id: str) -> list[dict]:
        return [row for row in self.submissions.values() if row["study_id"] == study_id]

    def _places_taken(self, study_id: str) -> int:
        rows = self._study_submissions(study_id)
        return sum(1 for row in rows if row["status"] not in PLACE_FREED)

    def _submission_make(self, study_id: str, participant_id: str, at: datetime) -> str:
        submission = {
            "id": _hex_id(),
            "study_id": study_id,
            "participant_id": participant_id,
            "status": "ACTIVE",
            "started_at": at,
            "completed_at": None,
            "study_code": "",
            "return_requested": False,
            "index": len(self._study_submissions(study_id)),
        }
        self.submissions[submission["id"]] = submission
        return submission["id"]

    def _code_actions(self, study_id: str, code: str) -> list[dict]:
        for entry in self.studies[study_id]["completion_codes"]:
            if entry["code"] == code:
                return entry["actions"]
        return [{"action": "MANUALLY_REVIEW"}]  # an unknown code is left for the researcher

    def _actions_apply(self, submission: dict, actions: list[dict], at: datetime) -> None:
        kinds = {action["action"] for action in actions}
        for action in actions:
            if action["action"] == "ADD_TO_PARTICIPANT_GROUP":
                self._members_add(action["participant_group"], [submission["participant_id"]])
        if "REQUEST_RETURN" in kinds:
            submission["return_requested"] = True
            return
        submission["completed_at"] = at
        approve = "AUTOMATICALLY_APPROVE" in kinds
        submission["status"] = "APPROVED" if approve else "AWAITING REVIEW"

    # API: bonuses

    def _bonus_create(self, *, body: dict, query: dict) -> Reply:
        study_id = body.get("study_id")
        if study_id not in self.studies:
            raise Refusal(400, {"study_id": ["Study not found."]})
        rows = self._bonus_rows(body.get("csv_bonuses"))
        taking_part = {row["participant_id"] for row in self._study_submissions(study_id)}
        strangers = sorted({pid for pid, _ in rows} - taking_part)
        if strangers:
            detail = f"Not participants of this study: {', '.join(strangers)}."
            raise Refusal(400, {"csv_bonuses": [detail]})
        amount = sum(cents for _, cents in rows)
        bonus = {"id": _hex_id(), "study": study_id, "amount": amount, "fees": _fee(amount)}
        bonus.update(vat=0, total_amount=amount + bonus["fees"])
        self.bonuses[bonus["id"]] = {**bonus, "rows": rows}
        return Reply(201, bonus)

    def _bonus_rows(self, csv: Any) -> list[tuple[str, int]]:
        if not isinstance(csv, str) or not csv.strip():
            raise Refusal(400, {"csv_bonuses": ["This field is required."]})
        rows = []
        for number, line in enumerate(csv.strip().splitlines(), start=1):
            rows.append(self._bonus_row(number, line))
        return rows

    def _bonus_row(self, number: int, line: str) -> tuple[str, int]:
        parts = [part.strip() for part in line.split(",")]
        try:
            amount = Decimal(parts[1]) if len(parts) == 2 and parts[0] else None
        except InvalidOperation:
            amount = None
        if (
            amount is None
            or not amount.is_finite()
            or amount <= 0
            or amount.as_tuple().exponent < -2
        ):
            detail = f"Line {number} is not <participant id>,<amount in pounds, e.g. 4.25>."
            raise Refusal(400, {"csv_bonuses": [detail]})
        return parts[0], int(amount * 100)

    def _bonus_pay(self, bonus_id: str, *, body: dict, query: dict) -> Reply:
        if bonus_id not in self.bonuses:
            raise Refusal(404, "Bonus payment not found.")
        self.pay_calls[bonus_id] += 1
        for participant_id, cents in self.bonuses[bonus_id]["rows"]:
            self.paid[participant_id] += cents
        return Reply(202)

    # API: participant groups

    def _group_create(self, *, body: dict, query: dict) -> Reply:
        blank = [name for name in ("name", "workspace_id") if not body.get(name)]
        if blank:
            raise Refusal(400, {name: ["This field is required."] for name in blank})
        group = {"id": _hex_id(), "name": body["name"], "workspace_id": body["workspace_id"]}
        self.groups[group["id"]] = {**group, "members": {}}
        self._members_add(group["id"], self._participant_ids(body, required=False))
        return Reply(201, self._group_view(group["id"]))

    def _group_list(self, *, body: dict, query: dict) -> Reply:
        workspace = query.get("workspace_id", [None])[0]
        views = [
            self._group_view(group_id)
            for group_id, group in self.groups.items()
            if workspace in (None, group["workspace_id"])
        ]
        return Reply(200, {"results": views, "meta": {"count": len(views)}})

    def _group_get(self, group_id: str, *, body: dict, query: dict) -> Reply:
        self._group(group_id)
        return Reply(200, self._group_view(group_id))

    def _group_members(self, group_id: str, *, body: dict, query: dict) -> Reply:
        members = self._group(group_id)["members"]
        results = [{"participant_id": pid, "datetime_created": at} for pid, at in members.items()]
        return Reply(200, {"results": results, "meta": {"count": len(results)}})

    def _group_add(self, group_id: str, *, body: dict, query: dict) -> Reply:
        self._group(group_id)
        self._members_add(group_id, self._participant_ids(body))
        return self._group_members(group_id, body=body, query=query)

    def _group_remove(self, group_id: str, *, body: dict, query: dict) -> Reply:
        members = self._group(group_id)["members"]
        for participant_id in self._participant_ids(body):
            members.pop(participant_id, None)
        return self._group_members(group_id, body=body, query=query)

    def _participant_ids(self, body: dict, *, required: bool = True) -> list[str]:
        ids = body.get("participant_ids", None if required else [])
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            raise Refusal(400, {"participant_ids": ["Expected a list of participant ids."]})
        return ids

    def _members_add(self, group_id: str, participant_ids: list[str]) -> None:
        members = self.groups[group_id]["members"]
        for participant_id in participant_ids:
            members.setdefault(participant_id, _now().isoformat())

    def _group(self, group_id: str) -> dict:
        if group_id not in self.groups:
            raise Refusal(404, "Participant group not found.")
        return self.groups[group_id]

    def _group_view(self, group_id: str) -> dict:
        group = self.groups[group_id]
        view = {key: value for key, value in group.items() if key != "members"}
        return {**view, "description": "", "participant_count": len(group["members"])}
