"""The sync against the local Prolific server when Prolific throttles, fails, or refuses: it
backs off and carries on, a sync stopped by failures finishes when run again without paying
twice, and a refusal that names participants is stored without their ids."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from listening.platforms.models import Bonus, Participation, PlatformCall, Recruitment
from listening.platforms.prolific_api import ProlificUnavailable
from listening.platforms.sync import platform_sync, rejection_message
from tests.fakes.participants import Participant, pid_make, prolific, study_publish, take_part

__all__ = ["prolific"]  # the fixture, used by name
pytestmark = pytest.mark.django_db
BULK_APPROVE = r"submissions/bulk-approve/"


@pytest.fixture
def study(prolific, live_test):
    """Two good participants and a trap failer, finished and back on Prolific."""
    study_publish(live_test, bonus_min_sessions=1, bonus_sessions_amount=Decimal("0.50"))
    people = [Participant(pid_make(n), kind) for n, kind in
              enumerate(["good", "good", "trap_failer"])]  # fmt: skip
    for person in people:
        take_part(prolific, live_test, person)
    return live_test, people


def statuses(server, people) -> list[str]:
    return [server.submissions[p.submission]["status"] for p in people]


def test_throttling_and_server_errors_on_bulk_approve_are_waited_out(prolific, study):
    test, people = study
    prolific.fail_next(BULK_APPROVE, 503, times=2)
    prolific.fail_next(BULK_APPROVE, 429, times=1, retry_after=1)
    summary = platform_sync(test=test)
    assert summary["approved"] == 2 and summary["rejected"] == 1
    assert prolific.calls("POST", BULK_APPROVE) == 4  # two 503s, one 429, then done
    assert statuses(prolific, people) == ["APPROVED", "APPROVED", "REJECTED"]
    assert sum(prolific.pay_calls.values()) == 1
    assert {p.pid: cents for p, cents in zip(people, [50, 50, 0], strict=True) if cents} == dict(
        prolific.paid
    )


def test_a_sync_stopped_by_failures_after_prolific_approved_finishes_when_run_again(
    prolific, study
):
    test, people = study
    # Prolific approves, but every answer is lost: the sync gives up part way.
    prolific.fail_next(BULK_APPROVE, 503, times=6, retry_after=0, processed=True)
    with pytest.raises(ProlificUnavailable):
        platform_sync(test=test)
    assert statuses(prolific, people)[:2] == ["APPROVED", "APPROVED"]
    assert not Bonus.objects.exists()

    summary = platform_sync(test=test)
    assert summary["waiting"] == 0  # nothing left awaiting review on Prolific ...
    reviews = [Participation.objects.get(session=p.session).review for p in people]
    assert reviews == ["approved", "approved", "rejected"]  # ... and the review is written
    assert set(Bonus.objects.values_list("status", flat=True)) == {"paid"}
    platform_sync(test=test)
    assert list(prolific.pay_calls.values()) == [1]
    assert dict(prolific.paid) == {people[0].pid: 50, people[1].pid: 50}


def test_a_bonus_refused_for_an_unknown_participant_is_stored_without_any_id(
    prolific, study, caplog
):
    test, people = study
    # A participant id Prolific does not know for this study (mistyped, or another study's).
    stranger = pid_make(99)
    Participation.objects.filter(session=people[0].session).update(participant_id=stranger)
    with caplog.at_level(logging.DEBUG):
        summary = platform_sync(test=test)
    assert summary["bonuses"]["failed"] == 2 and sum(prolific.pay_calls.values()) == 0
    bonus = Bonus.objects.first()
    call = PlatformCall.objects.get(action="bonus_create")
    assert "Not participants of this study" in bonus.error and "Not participants" in call.error
    stored = [b.error for b in Bonus.objects.all()] + [call.error]
    said = [caplog.text, str(summary)]
    for text in stored + said:
        assert stranger not in text and all(p.pid not in text for p in people)
    assert "<participant>" in call.error


@pytest.mark.parametrize("reasons", [["failed trap"], ["clip not played to the end"],
                                     ["failed trap", "two-ear check wrong"]])  # fmt: skip
def test_a_rejection_message_is_long_enough_for_prolific_and_names_the_failed_check(reasons):
    message = rejection_message(reasons)
    assert len(message) >= 100
    assert all(reason in message for reason in reasons)


def test_a_trap_failer_is_rejected_with_the_check_named_and_kept_out_of_later_studies(
    prolific, study
):
    test, people = study
    platform_sync(test=test)
    failer = people[2]
    category, message = prolific.rejections[failer.submission]
    assert category == "FAILED_CHECK" and "failed trap" in message and len(message) >= 100
    group = Recruitment.objects.get(test=test).exclusion_group
    assert prolific.group_members(group) == {failer.pid}
    assert Participation.objects.get(session=failer.session).excluded
