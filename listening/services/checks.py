"""Qualification and setup: graded on the server against trials the session was given."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from listening.models import CheckItem, Qualification, Session, SetupResult
from listening.services.errors import AnswerMissing, AnswerTooLong, StepDone
from listening.services.sessions import session_advance


def _locked(session: Session, state: str) -> Session:
    session = Session.objects.select_for_update().select_related("test", "rater").get(pk=session.pk)
    if session.state != state:
        raise StepDone(f"the session is at {session.state}, not at {state}")
    return session


def check_items(*, session: Session, kind: str) -> list[CheckItem]:
    """The session's trials of one kind, in the order it was given them."""
    keys = session.check_items.get(kind, [])
    items = {str(i.key): i for i in CheckItem.objects.filter(key__in=keys)}
    return [items[key] for key in keys if key in items]


def _answers(session: Session, kind: str, data: Mapping) -> tuple[int, dict[str, str]]:
    """How many of a kind's trials were answered right, and the answers as given. A trial
    left blank is a bad request, not a wrong answer."""
    correct, given = 0, {}
    for item in check_items(session=session, kind=kind):
        field = f"{kind}-{item.key}"
        value = str(data.get(field, "")).strip().lower().replace(" ", "")
        if not value:
            raise AnswerMissing(f"{kind} is incomplete")
        if len(value) > 16:
            raise AnswerTooLong(f"{kind}: the answer is too long")
        given[str(item.key)] = value
        correct += value == item.answer
    return correct, given


def _yes(data: Mapping, field: str) -> bool:
    value = str(data.get(field, "")).strip().lower()
    if value not in {"yes", "no"}:
        raise AnswerMissing(f"{field} is missing")
    return value == "yes"


def qualification_submit(
    *, session: Session, data: Mapping, now: datetime | None = None
) -> Qualification:
    """Grade the qualification. A pass moves the session on; a failure blocks the rater."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked(session, Session.State.QUALIFICATION)
        test = session.test
        tongue = str(data.get("mother_tongue", "")).strip()
        if not tongue:
            raise AnswerMissing("mother tongue is missing")
        headphones, hearing_ok = _yes(data, "headphones"), _yes(data, "normal_hearing")
        hearing, hearing_given = _answers(session, "hearing", data)
        bandwidth, bandwidth_given = _answers(session, "bandwidth", data)
        reasons = [
            reason
            for reason, failed in (
                ("mother tongue differs from the test language", tongue != session.rater.language),
                ("no headphones", not headphones),
                ("reports impaired hearing", not hearing_ok),
                (f"hearing test {hearing}/{test.hearing_trials}", hearing < test.hearing_pass),
                (f"bandwidth {bandwidth}/{test.bandwidth_trials}", bandwidth < test.bandwidth_pass),
            )
            if failed
        ]
        result = Qualification.objects.create(
            rater=session.rater,
            session=session,
            taken_at=now,
            passed=not reasons,
            hearing_correct=hearing,
            bandwidth_correct=bandwidth,
            reasons=reasons,
            answers={
                "mother_tongue": tongue[:16],
                "hearing": hearing_given,
                "bandwidth": bandwidth_given,
            },
        )
        if reasons:
            session.state = Session.State.BLOCKED
            session.last_seen_at = now
            session.save(update_fields=["state", "last_seen_at"])
        else:
            session_advance(session=session, now=now)
    return result


def setup_submit(*, session: Session, data: Mapping, now: datetime | None = None) -> SetupResult:
    """Record the setup checks and move on; screening decides what a poor result means."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked(session, Session.State.SETUP)
        test = session.test
        if str(data.get("level_confirmed", "")) != "1":
            raise AnswerMissing("the volume was not confirmed")
        two_ear, two_ear_given = _answers(session, "two_ear", data)
        environment, environment_given = _answers(session, "environment", data)
        result = SetupResult.objects.create(
            rater=session.rater,
            session=session,
            taken_at=now,
            level_confirmed=True,
            two_ear_correct=two_ear,
            two_ear_total=len(two_ear_given),
            environment_correct=environment,
            environment_total=len(environment_given),
            environment_passed=environment >= test.environment_pass,
            answers={"two_ear": two_ear_given, "environment": environment_given},
        )
        session_advance(session=session, now=now)
    return result
