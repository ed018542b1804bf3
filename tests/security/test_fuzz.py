"""Hostile input on every rater endpoint: out-of-scale and non-numeric scores, other raters'
stimulus and session ids, replayed keys, huge bodies, wrong content types, missing CSRF tokens,
forged audio tokens and odd methods. Each gets a 4xx that says something, never a 5xx, and
changes nothing. Hypothesis draws the bodies; a few hundred requests in all."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listening.models import (
    Assignment,
    ListeningTest,
    Participation,
    Qualification,
    Rater,
    Session,
    SetupResult,
    Stimulus,
    Vote,
)
from listening.simulation import check_answers
from tests.security.pages import AUDIO_SRC, rewind_serving, vote_form

pytestmark = pytest.mark.django_db
ODD_METHODS = ["put", "delete", "patch", "options"]


def snapshot() -> tuple:
    """Everything a rater's request could write. (A refusal page that shows a clip again
    makes it a fresh audio link: a link is not data, so AudioLink is not counted.)"""
    models = (Rater, Session, Participation, Vote, Qualification, SetupResult, Assignment)
    counts = tuple(model.objects.count() for model in models)
    states = tuple(Session.objects.order_by("id").values_list("state", flat=True))
    reserved = tuple(Stimulus.objects.order_by("id").values_list("reserved", flat=True))
    return counts, states, reserved


def refused(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response.content.strip(), "a refusal says what was wrong"


class Arena:
    """Rater A at a rating clip (one vote already cast), rater B still at qualification."""

    def __init__(self, test: ListeningTest) -> None:
        self.test = test
        self.a, self.b = Client(), Client()
        self.entry = reverse("listening:entry", args=[test.entry_token])
        self.page_a = self.a.post(self.entry, {"language": "en", "consent": "1"}).url
        self.session_a = Session.objects.get()
        for step in ("qualification", "setup"):
            url = reverse(f"listening:{step}", args=[self.session_a.token])
            self.a.post(url, check_answers(self.session_a))
            self.session_a.refresh_from_db()
        page = self.a.get(self.page_a)
        rewind_serving(self.session_a)
        self.voted = vote_form(page)
        assert self.a.post(self.vote_url, self.voted).status_code == 302
        page = self.a.get(self.page_a)
        rewind_serving(self.session_a)
        self.form = vote_form(page)
        self.audio = [url for _id, url in AUDIO_SRC.findall(page.content.decode())]
        self.b.post(self.entry, {"language": "en", "consent": "1"})
        self.session_b = Session.objects.exclude(pk=self.session_a.pk).get()
        self.b_stimuli = [
            str(key)
            for key in Stimulus.objects.filter(test=test)
            .exclude(assignments__session=self.session_a)
            .values_list("key", flat=True)[:5]
        ]

    @property
    def vote_url(self) -> str:
        return reverse("listening:vote", args=[self.session_a.token])

    def urls(self) -> list[str]:
        a, b = self.session_a.token, self.session_b.token
        return [
            self.entry,
            self.page_a,
            self.vote_url,
            *self.audio,
            reverse("listening:qualification", args=[a]),
            reverse("listening:setup", args=[b]),
            reverse("listening:qualification", args=[b]),
        ]


@pytest.fixture
def arena(live_test, settings) -> Arena:
    # The limits would answer most of these with a 429; the fuzz is of what lies behind them.
    settings.AURICLE_RATE_LIMITS = {name: (10**6, 60) for name in settings.AURICLE_RATE_LIMITS}
    return Arena(live_test)


def _is_valid_score(value: str) -> bool:
    try:
        return int(str(value).strip()) in range(1, 6)
    except ValueError:
        return False


hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\x00",
            "3\x00",
            "NaN",
            "1e3",
            "4.0",
            "+5 ",
            "-0",
            "٣",
            "9" * 5000,
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "../../etc/passwd",
        ]
    ),
    st.integers().map(str),
)
bad_score = hostile_text.filter(lambda value: not _is_valid_score(value))


def _vote(arena: Arena, data) -> tuple:
    form = {**arena.form, "score": data.draw(bad_score, "score")}
    fields = st.sampled_from(["sig", "bak", "play_count", "time_on_page_ms"])
    form.update(data.draw(st.dictionaries(fields, hostile_text, max_size=4), "extra"))
    key = data.draw(st.sampled_from(["own", "replayed", "fresh", "hostile"]), "key")
    form["idempotency_key"] = {
        "own": arena.form["idempotency_key"],
        "fresh": str(uuid.uuid4()),
        "replayed": arena.voted["idempotency_key"],
    }.get(key) or data.draw(hostile_text, "key text")
    stimulus = data.draw(st.sampled_from(["own", "other rater's", "hostile"]), "stimulus")
    if stimulus == "other rater's":
        form["stimulus"] = data.draw(st.sampled_from(arena.b_stimuli))
    elif stimulus == "hostile":
        form["stimulus"] = data.draw(hostile_text, "stimulus text")
    # The same idempotency key again is the same submission: the stored vote stands (302).
    return arena.a, "post", arena.vote_url, form, key == "replayed"


def _check(arena: Arena, data) -> tuple:
    """A's qualification is behind it (409); B's gets bodies that answer nothing right."""
    body = data.draw(st.dictionaries(hostile_text, hostile_text, max_size=6), "body")
    who = data.draw(st.sampled_from(["a", "b"]), "who")
    step = data.draw(st.sampled_from(["qualification", "setup"]), "step")
    session, client = (arena.session_a, arena.a) if who == "a" else (arena.session_b, arena.b)
    return client, "post", reverse(f"listening:{step}", args=[session.token]), body, False


def _entry(arena: Arena, data) -> tuple:
    language = data.draw(hostile_text.filter(lambda value: value.strip() not in {"en", "de"}))
    body = {"language": language, "consent": data.draw(hostile_text, "consent")}
    return Client(), "post", arena.entry, body, False


def _forged(arena: Arena, data) -> tuple:
    token = data.draw(
        st.one_of(
            st.text(alphabet="ABCDEFabcdef0123456789-_", min_size=30, max_size=34),
            st.text(min_size=1, max_size=60),
        ),
        "token",
    )
    quoted = quote(token, safe="")
    path = data.draw(
        st.sampled_from(
            [f"/a/{quoted}", f"/t/{quoted}/", f"/s/{uuid.uuid4()}/", f"/s/{uuid.uuid4()}/vote/"]
        ),
        "path",
    )
    method = "post" if path.endswith("vote/") else "get"
    return arena.a, method, path, arena.form if method == "post" else None, False


KINDS = {"vote": _vote, "check": _check, "entry": _entry, "forged": _forged}


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_requests_get_a_clear_4xx_and_change_nothing(arena, data):
    kind = data.draw(st.sampled_from(sorted(KINDS)), "kind")
    client, method, url, body, replay = KINDS[kind](arena, data)
    before = snapshot()
    response = getattr(client, method)(url, body) if body is not None else client.get(url)
    if replay:
        assert response.status_code in (302, 400, 409), response.status_code
    else:
        refused(response)
    assert snapshot() == before


def test_other_sessions_odd_methods_huge_bodies_content_types_and_csrf(arena):
    """Each refused with a 4xx that says what was wrong; nothing written."""
    b = arena.session_b.token
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = arena.a.cookies
    before, tried = snapshot(), 0
    for name in ("session", "vote", "qualification", "setup"):  # B's session, from A's browser
        url = reverse(f"listening:{name}", args=[b])
        response = arena.a.get(url) if name == "session" else arena.a.post(url, arena.form)
        assert response.status_code == 404
        tried += 1
    for url in arena.urls():
        for method in ODD_METHODS:
            response = getattr(arena.a, method)(url)
            assert response.status_code == 405, (method, url)
            assert b"does not take" in response.content and response["Allow"]
            tried += 1
    huge = {**arena.form, "score": "4", "padding": "x" * (3 * 1024 * 1024)}
    many = {**arena.form, **{f"field-{n}": "1" for n in range(1200)}}
    for url in (arena.vote_url, arena.entry):
        for body in (huge, many):
            refused(arena.a.post(url, body))
            tried += 1
        for content_type, raw in WRONG_TYPES:
            refused(arena.a.post(url, raw, content_type=content_type))
            tried += 1
    for url in (arena.vote_url, arena.entry, *arena.urls()[-3:]):
        response = strict.post(url, {**arena.form, "language": "en", "consent": "1"})
        assert response.status_code == 403 and b"CSRF" in response.content
        tried += 1
    assert snapshot() == before
    assert tried >= 45


WRONG_TYPES = [
    ("application/json", json.dumps({"score": 4, "consent": 1, "language": "en"})),
    ("text/plain", "score=4&consent=1&language=en"),
    ("application/xml", "<vote><score>4</score></vote>"),
    ("multipart/form-data; boundary=x", "--x\r\nbroken"),
]
