"""The organizer's platform desk in the admin, against the local Prolific server: publish,
pause, resume, stop, places, sync and the completion list; what it says when Prolific cannot be
used; and the settling of bonuses whose pay is unconfirmed."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from listening.models import ListeningTest
from listening.platforms.models import Bonus, Participation, Recruitment
from listening.platforms.services import recruitment_set
from tests.fakes.participants import Participant, pid_make, prolific, take_part

__all__ = ["prolific"]  # the fixture, used by name
pytestmark = pytest.mark.django_db
CHANGELIST = "admin:listening_recruitment_changelist"


@pytest.fixture
def recruitment(prolific, live_test) -> Recruitment:
    return recruitment_set(test=live_test, platform="prolific", hourly_rate=Decimal("9"))


def act(admin_client, recruitment: Recruitment, action: str, url: str = CHANGELIST) -> str:
    """Run an admin action on the recruitment; returns the page it lands on, unescaped (the
    admin capitalises a message's first letter)."""
    response = admin_client.post(
        reverse(url), {"action": action, "_selected_action": [recruitment.pk]}, follow=True
    )
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def status(test: ListeningTest) -> str:
    return ListeningTest.objects.get(pk=test.pk).status


def test_publish_pause_resume_and_stop_move_the_study_and_the_test_together(
    admin_client, prolific, recruitment
):
    test = recruitment.test
    assert "publish done" in act(admin_client, recruitment, "publish")
    recruitment.refresh_from_db()
    study = prolific.studies[recruitment.study_id]
    assert study["status"] == "ACTIVE" and recruitment.study_status == "ACTIVE"
    assert status(test) == "live"

    # A participant is part way through when the organizer pauses.
    submission = prolific.participant_start(recruitment.study_id, pid_make(1))
    browser = Client()
    started = browser.post(prolific.participant_url(submission), {"language": "en",
                                                                  "consent": "1"})  # fmt: skip
    assert "pause done" in act(admin_client, recruitment, "pause")
    assert study["status"] == "PAUSED" and status(test) == "paused"
    page = browser.get(started["Location"])
    assert page.status_code == 409 and "paused or closed" in page.content.decode()
    entry = Client().get(prolific.participant_url(submission)).content.decode()
    assert "This test is not open for rating." in entry

    assert "resume done" in act(admin_client, recruitment, "resume")
    assert study["status"] == "ACTIVE" and status(test) == "live"
    assert browser.get(started["Location"]).status_code == 200

    assert "stop done" in act(admin_client, recruitment, "stop")
    assert study["status"] in {"AWAITING REVIEW", "COMPLETED"} and status(test) == "closed"
    refused = act(admin_client, recruitment, "resume")  # stopping is final, on Prolific too
    assert "cannot START" in refused and status(test) == "closed"


def test_raising_places_adds_them_to_the_study_and_lowering_is_refused(
    admin_client, prolific, recruitment
):
    act(admin_client, recruitment, "publish")
    recruitment.refresh_from_db()
    before = recruitment.places
    change = reverse("admin:listening_recruitment_change", args=[recruitment.pk])
    admin_client.post(change, form_data(recruitment, places=before + 5))
    assert prolific.studies[recruitment.study_id]["total_available_places"] == before + 5
    assert Recruitment.objects.get(pk=recruitment.pk).places == before + 5
    assert prolific.calls("PATCH", r"studies/\w+/$") == 1

    recruitment.refresh_from_db()
    page = admin_client.post(change, form_data(recruitment, places=before), follow=True)
    assert "Places can only grow on Prolific; asked to add -5" in html.unescape(
        page.content.decode()
    )
    assert prolific.studies[recruitment.study_id]["total_available_places"] == before + 5
    assert Recruitment.objects.get(pk=recruitment.pk).places == before + 5


def form_data(recruitment: Recruitment, **changes) -> dict:
    data = {name: getattr(recruitment, name) for name in (
        "platform", "places", "places_margin", "hourly_rate", "currency", "bonus_min_sessions",
        "bonus_sessions_amount", "bonus_top_percent", "bonus_top_amount")}  # fmt: skip
    data.update(test=recruitment.test_id, desktop_only="on" if recruitment.desktop_only else "")
    return {**data, **changes}


def test_sync_now_reviews_and_pays_as_a_job(
    admin_client, prolific, recruitment, django_capture_on_commit_callbacks
):
    Recruitment.objects.filter(pk=recruitment.pk).update(
        bonus_min_sessions=1, bonus_sessions_amount=Decimal("0.25")
    )
    act(admin_client, recruitment, "publish")
    person = take_part(prolific, recruitment.test, Participant(pid_make(2), "good"))
    with django_capture_on_commit_callbacks(execute=True):
        page = act(admin_client, recruitment, "sync_now")
    assert "Platform review and payment started" in page and "approved 1" in page
    assert prolific.submissions[person.submission]["status"] == "APPROVED"
    assert dict(prolific.paid) == {person.pid: 25}
    assert Recruitment.objects.get(pk=recruitment.pk).synced_at is not None
    assert Participation.objects.get(session=person.session).review == "approved"


def test_without_a_token_prolific_actions_say_so_and_do_nothing(
    admin_client, prolific, recruitment, settings, django_capture_on_commit_callbacks
):
    settings.PROLIFIC_TOKEN = ""
    for action in ("publish", "sync_now"):
        with django_capture_on_commit_callbacks(execute=True):
            page = act(admin_client, recruitment, action)
        assert "PROLIFIC_TOKEN is not set" in page, action
    assert prolific.studies == {} and prolific.requests == []
    assert Recruitment.objects.get(pk=recruitment.pk).study_id == ""
    assert status(recruitment.test) == "live"


def test_without_a_workspace_publishing_says_what_it_is_for(
    admin_client, prolific, recruitment, settings
):
    settings.PROLIFIC_WORKSPACE_ID = ""
    page = act(admin_client, recruitment, "publish")
    assert "PROLIFIC_WORKSPACE_ID is not set" in page and "participant group" in page
    assert prolific.studies == {}


def test_a_rate_below_prolifics_minimum_is_refused_with_its_numbers(
    admin_client, prolific, recruitment
):
    Recruitment.objects.filter(pk=recruitment.pk).update(hourly_rate=Decimal("5.00"))
    page = act(admin_client, recruitment, "publish")
    assert "an hourly rate of 5.00 GBP is below Prolific's minimum of 6.00 GBP an hour" in page
    assert prolific.studies == {}
    assert Recruitment.objects.get(pk=recruitment.pk).study_id == ""


def test_a_test_without_stimuli_cannot_become_a_study(admin_client, prolific, live_test):
    draft = ListeningTest.objects.create(name="draft", testset=live_test.testset)
    recruitment = recruitment_set(test=draft, platform="prolific")
    page = act(admin_client, recruitment, "publish")
    assert "has no stimuli yet" in page and prolific.studies == {}
    assert status(draft) == "draft"


def test_the_bonus_settle_actions_move_only_what_is_unsettled(admin_client, prolific, recruitment):
    act(admin_client, recruitment, "publish")
    test = recruitment.test
    people = [take_part(prolific, test, Participant(pid_make(n), "good")) for n in (3, 4)]
    entries = [Participation.objects.get(session=p.session) for p in people]

    def bonus(entry, rule, state, batch=""):
        return Bonus.objects.create(test=test, rater=entry.session.rater, participation=entry,
                                    rule=rule, amount=Decimal("1.00"), status=state,
                                    batch_id=batch, error="lost")  # fmt: skip

    unconfirmed = bonus(entries[0], "quantity", "unconfirmed", "batch-1")
    failed = bonus(entries[0], "quality", "failed", "batch-2")
    paid = bonus(entries[1], "quantity", "paid", "batch-3")
    url = "admin:listening_bonus_changelist"
    page = admin_client.post(reverse(url), {"action": "settle_paid",
                                            "_selected_action": [unconfirmed.pk, paid.pk]},
                             follow=True).content.decode()  # fmt: skip
    assert "1 bonus(es) marked paid" in page
    page = admin_client.post(reverse(url), {"action": "settle_unpaid",
                                            "_selected_action": [failed.pk, paid.pk]},
                             follow=True).content.decode()  # fmt: skip
    assert "1 bonus(es) will be paid at the next sync" in page
    rows = {b.pk: (b.status, b.batch_id, b.error) for b in Bonus.objects.all()}
    assert rows[unconfirmed.pk] == ("paid", "batch-1", "")
    assert rows[failed.pk] == ("planned", "", "")
    assert rows[paid.pk] == ("paid", "batch-3", "lost")
