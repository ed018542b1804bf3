"""A published test keeps its design, and its status moves only through the actions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enhancement.models import Corpus
from listening import lifecycle
from listening.models import ListeningTest, Rater, Session
from tests.api.conftest import api_client
from tests.conftest import testset_make

pytestmark = pytest.mark.django_db

Status = ListeningTest.Status


@pytest.fixture
def draft(db) -> ListeningTest:
    testset = testset_make([Corpus.objects.create(name="empty", language="en")], generate=False)
    return ListeningTest.objects.create(name="draft", testset=testset)


def published(test: ListeningTest) -> ListeningTest:
    """As publishing leaves it (the stimuli do not matter to these guards)."""
    ListeningTest.objects.filter(pk=test.pk).update(status=Status.LIVE)
    test.refresh_from_db()
    return test


@pytest.fixture
def organizer(client):
    client.force_login(User.objects.create_superuser("boss", password="pw-long-enough"))
    return client


def test_a_published_test_refuses_a_new_design_naming_each_field(draft):
    test = published(draft)
    test.method, test.votes_per_stimulus, test.name = "ccr", 3, "a new name is fine"
    with pytest.raises(ValidationError) as refused:
        test.clean()
    assert set(refused.value.message_dict) == {"method", "votes_per_stimulus"}
    assert "method is frozen: the test was published (live)" in refused.value.messages


def test_a_status_set_by_hand_is_refused(draft):
    draft.status = Status.LIVE
    with pytest.raises(ValidationError, match="publish, pause, resume and close"):
        draft.clean()
    with pytest.raises(ValidationError, match="status"):
        ListeningTest(name="new", testset=draft.testset, status=Status.LIVE).clean()


def test_the_api_refuses_a_design_change_after_publishing_and_never_takes_a_status(draft):
    client = api_client("organizer")
    url = f"/api/v1/tests/{draft.pk}/"
    assert client.patch(url, {"status": "live"}, format="json").json()["status"] == "draft"
    published(draft)
    answer = client.patch(url, {"method": "ccr", "stimuli_per_session": 4}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"method", "stimuli_per_session"}
    draft.refresh_from_db()
    assert (draft.method, draft.stimuli_per_session) == ("acr", 10)


def test_the_admin_shows_a_published_design_read_only_and_no_status_input(organizer, draft):
    add = organizer.get(reverse("admin:listening_listeningtest_add")).content.decode()
    assert 'name="status"' not in add and 'name="method"' in add
    published(draft)
    change = reverse("admin:listening_listeningtest_change", args=[draft.pk])
    page = organizer.get(change).content.decode()
    for field in (*ListeningTest.DESIGN_FIELDS, "status"):
        assert f'name="{field}"' not in page, field
    assert 'name="hearing_trials"' in page  # the rest stays editable


def test_status_moves_only_forward_through_the_actions_and_a_refusal_says_why(draft):
    with pytest.raises(lifecycle.StatusRefused, match="cannot pause a test that is draft"):
        lifecycle.listening_test_move(test=draft, action="pause")
    published(draft)
    for action, status in [("pause", Status.PAUSED), ("resume", Status.LIVE)]:
        assert lifecycle.listening_test_move(test=draft, action=action).status == status
    lifecycle.listening_test_move(test=draft, action="close")
    with pytest.raises(lifecycle.StatusRefused, match="closed"):
        lifecycle.listening_test_move(test=draft, action="resume")
    with pytest.raises(lifecycle.StatusRefused, match="only a test that is draft"):
        lifecycle.listening_test_open(test=draft)
    draft.refresh_from_db()
    assert draft.status == Status.CLOSED


def test_the_admin_pauses_resumes_and_closes_by_its_actions(organizer, draft):
    published(draft)
    url = reverse("admin:listening_listeningtest_changelist")
    for action, status in [("pause", Status.PAUSED), ("resume", Status.LIVE), ("close", "closed")]:
        organizer.post(url, {"action": action, "_selected_action": [draft.pk]})
        draft.refresh_from_db()
        assert draft.status == status
    page = organizer.post(url, {"action": "pause", "_selected_action": [draft.pk]}, follow=True)
    assert "cannot pause a test that is closed" in page.content.decode()


def test_publishing_an_ungenerated_set_is_refused_with_its_reason(draft):
    answer = api_client("organizer").post(f"/api/v1/tests/{draft.pk}/publish/")
    assert answer.status_code == 409
    assert "generate it first" in answer.json()["detail"]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.stimuli.exists()


def test_the_test_set_form_takes_no_progress(organizer):
    page = organizer.get(reverse("admin:enhancement_testset_add")).content.decode()
    assert 'name="name"' in page
    for field in ("progress_done", "progress_total", "status", "error"):
        assert f'name="{field}"' not in page, field


def test_sessions_are_found_by_completion_code_and_list_it(organizer, draft):
    now = timezone.now()
    for number, code in enumerate(["C0FFEE1234", "BADC0DE999"]):
        rater = Rater.objects.create(platform="panel", external_id=f"hash{number}", language="en")
        Session.objects.create(test=draft, rater=rater, state="complete", started_at=now,
                               last_seen_at=now, completion_code=code)  # fmt: skip
    url = reverse("admin:listening_session_changelist")
    page = organizer.get(url, {"q": "c0ffee"}).content.decode()
    assert "C0FFEE1234" in page and "BADC0DE999" not in page
    assert "hash1" in organizer.get(url, {"q": "hash1"}).content.decode()
