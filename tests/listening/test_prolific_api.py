"""The Prolific client against the local Prolific server, over real HTTP; no database."""

from __future__ import annotations

import logging
import socket
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from listening.platforms.prolific_api import (
    PayUnconfirmed,
    ProlificApi,
    ProlificError,
    ProlificUnavailable,
)
from tests.fakes.prolific import ProlificServer

TOKEN = "t0k"
PAY = r"/bulk-bonus-payments/\w+/pay/$"
START = datetime(2022, 4, 18, 11, 24, 51, 395000, tzinfo=UTC)


@pytest.fixture
def server():
    with ProlificServer(token=TOKEN) as running:
        yield running


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def api(server, waits) -> ProlificApi:
    return ProlificApi(base_url=server.url, token=TOKEN, sleep=waits.append)


def study_payload(**changes) -> dict:
    review = [{"action": "MANUALLY_REVIEW"}]
    payload = {
        "name": "Speech quality",
        "description": "Rate how natural short clips of speech sound.",
        "external_study_url": "https://auricle.example/p/?PROLIFIC_PID={{%PROLIFIC_PID%}}"
        "&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}",
        "prolific_id_option": "url_parameters",
        "completion_codes": [
            {"code": "DONE1", "code_type": "COMPLETED", "actions": review},
            {"code": "FAIL1", "code_type": "FAILED_ATTENTION_CHECK", "actions": review},
            {
                "code": "AUTO1",
                "code_type": "OTHER",
                "actions": [{"action": "AUTOMATICALLY_APPROVE"}],
            },
            {
                "code": "OUT1",
                "code_type": "FIXED_SCREENOUT",
                "actions": [{"action": "REQUEST_RETURN", "return_reason": "Screened out"}],
            },
        ],
        "estimated_completion_time": 12,
        "reward": 150,
        "total_available_places": 40,
        "device_compatibility": ["desktop"],
        "peripheral_requirements": ["audio"],
        "filters": [{"filter_id": "first-language", "selected_values": ["1"]}],
    }
    return {**payload, **changes}


def active_study(api: ProlificApi) -> str:
    study_id = api.study_create(study_payload())["id"]
    api.study_transition(study_id, "PUBLISH")
    return study_id


def finished(server: ProlificServer, study_id: str, count: int, code: str = "DONE1") -> list[str]:
    """count participants who took the study and came back with code, a minute apart."""
    ids = []
    for number in range(count):
        at = START + timedelta(minutes=number)
        submission_id = server.participant_start(study_id, f"pid{number:03d}", at=at)
        server.participant_finish(submission_id, code, at=at + timedelta(seconds=90))
        ids.append(submission_id)
    return ids


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Auth, account, filters


def test_it_refuses_a_wrong_token_at_once_with_prolifics_detail(server):
    api = ProlificApi(base_url=server.url, token="wrong", sleep=pytest.fail)
    with pytest.raises(ProlificError) as raised:
        api.me()
    assert raised.value.status == 401
    assert str(raised.value) == "Prolific GET /api/v1/users/me/: 401 Unauthorized: Invalid token."
    assert server.calls("GET", "users/me/") == 1


def test_the_right_token_reads_the_account(api):
    assert api.me()["email"] == "researcher@example.org"


def test_filters_list_the_first_language_choices(api):
    (language,) = [row for row in api.filters() if row["filter_id"] == "first-language"]
    assert language["choices"]["2"] == "German"


# Studies


def test_a_new_study_is_a_draft_with_a_24_hex_id_and_its_cost(api):
    study = api.study_create(study_payload())
    assert study["status"] == "UNPUBLISHED"
    assert len(study["id"]) == 24 and int(study["id"], 16) >= 0
    # 40 places at 150 pence: 6,000 to participants and a third of that, 2,000, in fees.
    assert study["total_cost"] == 8000
    assert api.study_get(study["id"])["name"] == "Speech quality"


def test_a_study_without_its_required_fields_is_refused_naming_them(api):
    payload = study_payload()
    del payload["reward"], payload["completion_codes"]
    with pytest.raises(ProlificError) as raised:
        api.study_create(payload)
    assert raised.value.status == 400
    assert "POST /api/v1/studies/" in str(raised.value)
    assert "reward: This field is required." in str(raised.value)
    assert "completion_codes: This field is required." in str(raised.value)


def test_a_zero_minute_estimate_and_a_fractional_reward_are_refused(api):
    with pytest.raises(ProlificError) as raised:
        api.study_create(study_payload(estimated_completion_time=0, reward=1.5))
    assert "estimated_completion_time: Ensure this value is greater than or equal to 1" in str(
        raised.value
    )
    assert "reward: A valid integer is required." in str(raised.value)


def test_a_study_is_published_paused_started_and_stopped(api):
    study_id = api.study_create(study_payload())["id"]
    assert api.study_transition(study_id, "PUBLISH")["status"] == "ACTIVE"
    assert api.study_transition(study_id, "PAUSE")["status"] == "PAUSED"
    assert api.study_transition(study_id, "START")["status"] == "ACTIVE"
    # Nothing to review, so stopping completes it; STOP is final.
    assert api.study_transition(study_id, "STOP")["status"] == "COMPLETED"
    with pytest.raises(ProlificError, match="A study that is COMPLETED cannot START"):
        api.study_transition(study_id, "START")


def test_a_draft_cannot_be_paused(api):
    study_id = api.study_create(study_payload())["id"]
    with pytest.raises(ProlificError) as raised:
        api.study_transition(study_id, "PAUSE")
    assert raised.value.status == 400


def test_a_stopped_study_awaits_review_until_its_last_submission_is_reviewed(api, server):
    study_id = active_study(api)
    (submission_id,) = finished(server, study_id, 1)
    assert api.study_transition(study_id, "STOP")["status"] == "AWAITING REVIEW"
    api.submission_transition(submission_id, "APPROVE")
    assert api.study_get(study_id)["status"] == "COMPLETED"


def test_a_published_study_takes_more_places_and_a_new_internal_name_only(api):
    study_id = active_study(api)
    study = api.study_update(study_id, {"total_available_places": 50, "internal_name": "run 2"})
    assert (study["total_available_places"], study["internal_name"]) == (50, "run 2")
    with pytest.raises(ProlificError, match="places can only be increased"):
        api.study_update(study_id, {"total_available_places": 45})
    with pytest.raises(ProlificError, match="reward: Cannot be changed once"):
        api.study_update(study_id, {"reward": 200})


def test_a_draft_takes_any_change(api):
    study_id = api.study_create(study_payload())["id"]
    # 40 places at 200: 8,000, and 8,000 / 3 = 2,666.67 in fees, so 10,667 in all.
    assert api.study_update(study_id, {"reward": 200})["total_cost"] == 10667


def test_cost_is_the_rewards_plus_a_third_in_fees_rounded_to_a_cent(api):
    # 7 places at 125: 875, and 875 / 3 = 291.67 in fees, so 1,167 in all.
    assert api.cost(reward=125, places=7) == 1167


# Submissions


def test_submissions_are_read_over_every_page_with_both_timestamp_formats(api, server):
    study_id = active_study(api)
    ids = finished(server, study_id, 12)
    rows = api.submissions(study_id)
    assert [row["id"] for row in rows] == ids
    assert server.calls("GET", "/submissions/$") == 3  # pages of 5, 5 and 2
    assert rows[7]["started_at"] == START + timedelta(minutes=7)
    assert rows[8]["completed_at"] == START + timedelta(minutes=8, seconds=90)
    assert all(row["started_at"].tzinfo is not None for row in rows)
    # The server answered in both of Prolific's forms; the client read them alike.
    raw = requests.get(
        f"{server.url}/api/v1/studies/{study_id}/submissions/",
        headers={"Authorization": f"Token {TOKEN}"},
        timeout=5,
    ).json()["results"]
    assert raw[0]["started_at"] == "2022-04-18T11:24:51.395000Z"
    assert raw[1]["started_at"] == "2022-04-18 11:25:51.395000+00:00"


def test_a_study_with_no_submissions_lists_none(api):
    assert api.submissions(active_study(api)) == []


def test_a_completion_code_decides_where_a_submission_goes(api, server):
    study_id = active_study(api)
    manual, automatic, screened, unknown = (
        server.participant_start(study_id, f"pid{number}") for number in range(4)
    )
    assert server.participant_finish(manual, "DONE1") == "AWAITING REVIEW"
    assert server.participant_finish(automatic, "AUTO1") == "APPROVED"
    assert server.participant_finish(screened, "OUT1") == "ACTIVE"
    assert server.participant_finish(unknown, "TYPO") == "AWAITING REVIEW"
    rows = {row["id"]: row for row in api.submissions(study_id)}
    assert rows[screened]["return_requested"] is True
    assert rows[unknown]["study_code"] == "TYPO"


def test_a_rejection_message_under_100_characters_is_refused_naming_the_rule(api, server):
    (submission_id,) = finished(server, active_study(api), 1)
    with pytest.raises(ProlificError) as raised:
        api.submission_transition(
            submission_id, "REJECT", message="x" * 99, category="FAILED_CHECK"
        )
    assert raised.value.status == 400
    assert "at least 100 characters" in str(raised.value)
    assert server.submissions[submission_id]["status"] == "AWAITING REVIEW"


def test_a_rejection_needs_a_known_category(api, server):
    (submission_id,) = finished(server, active_study(api), 1)
    with pytest.raises(ProlificError, match='rejection_category: "LAZY" is not a valid'):
        api.submission_transition(submission_id, "REJECT", message="x" * 100, category="LAZY")


def test_a_rejection_is_idempotent_and_final(api, server):
    (submission_id,) = finished(server, active_study(api), 1)
    message = "The two-ear check was failed: " + "x" * 70
    for _ in range(2):
        answer = api.submission_transition(
            submission_id, "REJECT", message=message, category="FAILED_CHECK"
        )
        assert answer["status"] == "REJECTED"
    assert server.rejections[submission_id] == ("FAILED_CHECK", message)
    with pytest.raises(ProlificError, match="REJECTED; that is final"):
        api.submission_transition(submission_id, "APPROVE")


def test_an_active_submission_cannot_be_approved(api, server):
    submission_id = server.participant_start(active_study(api), "pid1")
    with pytest.raises(ProlificError, match="ACTIVE cannot be reviewed"):
        api.submission_transition(submission_id, "APPROVE")


def test_bulk_approve_sends_2500_ids_in_three_calls_and_approves_only_those_awaiting(api, server):
    study_id = active_study(api)
    awaiting = finished(server, study_id, 3)
    still_active = server.participant_start(study_id, "late")
    others = [f"{number:024x}" for number in range(2496)]
    api.bulk_approve([*awaiting, still_active, *others])
    assert [len(ids) for ids in server.bulk_approve_calls] == [1000, 1000, 500]
    statuses = [server.submissions[i]["status"] for i in [*awaiting, still_active]]
    assert statuses == ["APPROVED", "APPROVED", "APPROVED", "ACTIVE"]


# Retries


def test_a_429_is_retried_after_the_seconds_retry_after_asks(api, server, waits):
    server.fail_next("users/me/", 429, times=2, retry_after=7)
    assert api.me()["email"]
    assert waits == [7.0, 7.0]


def test_a_429_without_retry_after_backs_off_doubling_from_backoff(api, server, waits):
    server.fail_next("users/me/", 429, times=3)
    api.me()
    assert waits == [0.5, 1.0, 2.0]


def test_every_wait_is_capped_at_max_wait(server, waits):
    api = ProlificApi(base_url=server.url, token=TOKEN, backoff=8, max_wait=20, sleep=waits.append)
    server.fail_next("users/me/", 429, times=1, retry_after=120)
    server.fail_next("filters/", 503, times=3)
    api.me()
    api.filters()
    assert waits == [20.0, 8.0, 16.0, 20.0]


def test_a_503_is_retried(api, server, waits):
    server.fail_next("studies/", 503)
    assert api.study_create(study_payload())["status"] == "UNPUBLISHED"
    assert len(server.studies) == 1
    assert waits == [0.5]


def test_a_call_that_keeps_failing_is_unavailable_after_its_tries(server, waits):
    api = ProlificApi(base_url=server.url, token=TOKEN, tries=3, sleep=waits.append)
    server.fail_next("users/me/", 503, times=10)
    with pytest.raises(ProlificUnavailable) as raised:
        api.me()
    assert "GET /api/v1/users/me/" in str(raised.value)
    assert "3 tries" in str(raised.value) and "503" in str(raised.value)
    assert server.calls("GET", "users/me/") == 3
    assert waits == [0.5, 1.0]


def test_a_time_out_is_retried(server, waits):
    api = ProlificApi(base_url=server.url, token=TOKEN, timeout=0.3, sleep=waits.append)
    server.slow_next("users/me/", 2.0)
    assert api.me()["email"]
    assert server.calls("GET", "users/me/") == 2


def test_a_refused_connection_is_retried_then_unavailable(waits):
    api = ProlificApi(
        base_url=f"http://127.0.0.1:{closed_port()}", token=TOKEN, tries=2, sleep=waits.append
    )
    with pytest.raises(ProlificUnavailable, match="ConnectionError"):
        api.me()
    assert waits == [0.5]


# Bonuses


def bonus(api: ProlificApi, server: ProlificServer) -> str:
    study_id = active_study(api)
    finished(server, study_id, 2)
    return api.bonus_create(study_id, [("pid000", Decimal("4.25")), ("pid001", Decimal("1.5"))])


def test_a_bonus_is_made_in_major_units_and_answered_in_cents(api, server):
    made = bonus(api, server)
    # 4.25 + 1.50 = 575 pence; a third in fees is 191.67, so 192; 767 in all.
    assert (made["amount"], made["fees"], made["total_amount"]) == (575, 192, 767)
    assert server.pay_calls[made["id"]] == 0


def test_a_bonus_for_someone_outside_the_study_is_refused_naming_them(api, server):
    study_id = active_study(api)
    finished(server, study_id, 1)
    with pytest.raises(ProlificError, match="Not participants of this study: stranger"):
        api.bonus_create(study_id, [("pid000", Decimal("1.00")), ("stranger", Decimal("1.00"))])


def test_a_bonus_is_paid_once_by_one_pay_call(api, server):
    bonus_id = bonus(api, server)["id"]
    api.bonus_pay(bonus_id)
    assert server.pay_calls[bonus_id] == 1
    assert (server.paid["pid000"], server.paid["pid001"]) == (425, 150)


def test_a_throttled_pay_is_retried_and_pays_once(api, server, waits):
    bonus_id = bonus(api, server)["id"]
    server.fail_next(PAY, 429, retry_after=3)
    api.bonus_pay(bonus_id)
    assert waits == [3.0]
    assert server.pay_calls[bonus_id] == 1


def test_a_pay_answered_500_is_unconfirmed_and_never_repeated(api, server, waits):
    bonus_id = bonus(api, server)["id"]
    server.fail_next(PAY, 500, times=5, processed=True)
    with pytest.raises(PayUnconfirmed, match="may have been paid") as raised:
        api.bonus_pay(bonus_id)
    assert raised.value.status == 500
    assert server.calls("POST", PAY) == 1
    assert server.pay_calls[bonus_id] == 1
    assert waits == []


def test_a_pay_left_unanswered_after_paying_is_unconfirmed_and_paid_once(server, waits):
    api = ProlificApi(base_url=server.url, token=TOKEN, timeout=0.3, sleep=waits.append)
    bonus_id = bonus(api, server)["id"]
    server.hang_pay("after")
    with pytest.raises(PayUnconfirmed, match="ReadTimeout"):
        api.bonus_pay(bonus_id)
    assert server.calls("POST", PAY) == 1
    assert server.pay_calls[bonus_id] == 1
    assert waits == []


def test_a_pay_left_unanswered_before_paying_is_unconfirmed_too(server):
    api = ProlificApi(base_url=server.url, token=TOKEN, timeout=0.3, sleep=pytest.fail)
    bonus_id = bonus(api, server)["id"]
    server.hang_pay("before")
    with pytest.raises(PayUnconfirmed):
        api.bonus_pay(bonus_id)
    assert server.pay_calls[bonus_id] == 0


def test_a_pay_whose_connection_drops_unanswered_is_unconfirmed(server, waits):
    api = ProlificApi(base_url=server.url, token=TOKEN, timeout=10, sleep=waits.append)
    bonus_id = bonus(api, server)["id"]
    server.hang_pay("after")
    # Stopping the server releases the held pay, which closes its connection without an answer.
    threading.Timer(0.3, server.stop).start()
    with pytest.raises(PayUnconfirmed, match="ConnectionError"):
        api.bonus_pay(bonus_id)
    assert server.pay_calls[bonus_id] == 1
    assert waits == []


def test_a_pay_that_never_reached_prolific_is_retried(waits):
    api = ProlificApi(
        base_url=f"http://127.0.0.1:{closed_port()}", token=TOKEN, tries=3, sleep=waits.append
    )
    with pytest.raises(ProlificUnavailable):
        api.bonus_pay("0" * 24)
    assert waits == [0.5, 1.0]


def test_a_bonus_must_be_in_whole_cents(api):
    with pytest.raises(ValueError, match="whole cents"):
        api.bonus_create("0" * 24, [("pid000", Decimal("0.125"))])


# Participant groups


def test_a_group_ignores_participants_already_in_it(api, server):
    group = api.group_create(name="failed raters", workspace_id="w1", participant_ids=["a", "b"])
    assert group["participant_count"] == 2
    api.group_add(group["id"], ["b", "c"])
    assert server.group_members(group["id"]) == {"a", "b", "c"}


# Around the API


def test_the_completion_page_records_the_code(server):
    page = requests.get(f"{server.url}/submissions/complete?cc=DONE1", timeout=5)
    assert page.status_code == 200 and "Submission complete" in page.text
    assert server.completions == ["DONE1"]


def test_the_log_names_each_call_and_its_status_but_no_participant(api, server, caplog):
    caplog.set_level(logging.INFO, logger="listening.platforms.prolific_api")
    bonus(api, server)
    api.group_create(name="failed", workspace_id="w1", participant_ids=["pid000"])
    assert "POST /api/v1/submissions/bonus-payments/: 201" in caplog.text
    assert "POST /api/v1/participant-groups/: 201" in caplog.text
    assert "pid000" not in caplog.text and "4.25" not in caplog.text
