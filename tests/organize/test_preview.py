"""The organizer's preview: the rater's session at any step, whose votes are never counted."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from analysis.models import Report
from analysis.presenters.banks import banks_context
from analysis.services import report_run
from listening import services
from listening.admin import SessionAdmin
from listening.allocation.state import allocation_estimate
from listening.models import (
    Assignment,
    ListeningTest,
    Participation,
    Rater,
    Session,
    Stimulus,
    Vote,
)
from listening.services.preview import PreviewRefused, preview_session_start
from tests.analysis.test_report_view import cast, one_utterance_test
from tests.conftest import corpus_make, testset_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(db):
    return get_user_model().objects.create_superuser("org", "o@example.org", "pw-organizer")


def preview_votes(test, user, score: int) -> Session:
    """A preview taken from its rating step to its end, every clip answered with score."""
    then = timezone.now() - timedelta(hours=2)
    session = preview_session_start(test=test, user=user, language="en", step="rating", now=then)
    clock = then
    while (assignment := services.assignment_next(session=session, now=clock)) is not None:
        # as the rater's browser does in fetching the clip
        Assignment.objects.filter(pk=assignment.pk, served_at=None).update(served_at=clock)
        clock += timedelta(seconds=30)
        services.vote_record(
            session=session,
            stimulus_key=assignment.stimulus.key,
            answer={"score": score},
            idempotency_key=uuid.uuid4(),
            play_count=1,
            now=clock,
        )
        session.refresh_from_db()
    return session


def test_a_preview_of_a_full_test_votes_without_taking_a_place(organizer):
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    reserved = dict(Stimulus.objects.values_list("id", "reserved"))
    session = preview_votes(test, organizer, 1)
    assert session.state == Session.State.COMPLETE and session.rater.preview
    # a rating clip though the real raters filled every quota of 3 (one utterance: a session
    # never holds two of it), and its gold and trap
    assert session.votes.filter(role="rating").count() == 1
    assert session.votes.count() == 3
    assert dict(Stimulus.objects.values_list("id", "reserved")) == reserved
    assert not Participation.objects.filter(session=session).exists()


def test_a_preview_s_votes_reach_no_report_table_export_or_api_answer(client, organizer):
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    preview = preview_votes(test, organizer, 1)
    client.force_login(organizer)

    progress = client.get(reverse("api:test-progress", args=[test.pk])).json()
    assert (progress["votes"], progress["complete"]) == (6, 6)  # six real one-clip sessions
    stimuli = client.get(reverse("api:stimuli", args=[test.pk]), {"role": "rating"}).json()
    assert [row["vote_count"] for row in stimuli["results"]] == [3, 3]
    raters = client.get(reverse("api:rater-list"), {"test": test.pk}).json()
    assert raters["count"] == 6 and preview.rater.external_id not in json.dumps(raters)
    # gating's votes 4, 5, 3: mean 4 (the preview's 1 would make it 3.25)
    url = reverse("api:test-table", args=[test.pk, "votes_per_cond"])
    rows = {row["condition_name"]: row for row in client.get(url).json()["rows"]}
    assert (rows["gating"]["n"], rows["gating"]["MOS"]) == (3, 4.0)
    for name in ("mos", "ranking", "exclusions", "tables"):
        answer = client.get(reverse(f"api:test-{name}", args=[test.pk])).content.decode()
        assert str(preview.token) not in answer and preview.rater.external_id not in answer

    report = report_run(report_id=Report.objects.create(test=test, requested_at=timezone.now()).pk)
    assert report.status == Report.Status.DONE, report.error
    assert report.votes == 6
    stored = dict(zip(report.file_names, report.files, strict=True))
    with default_storage.open(stored["votes.csv"]) as handle:
        votes = pd.read_csv(io.BytesIO(handle.read()))
    preview_ids = set(Vote.objects.filter(rater=preview.rater).values_list("id", flat=True))
    assert len(votes) == 6 and not preview_ids & set(votes["vote"])
    with default_storage.open(stored["exclusions.csv"]) as handle:
        assert str(preview.pk) not in set(pd.read_csv(handle)["session"].astype(str))


def test_a_draft_can_be_previewed_at_any_step_once_its_stimuli_are_built(organizer):
    test = ListeningTest.objects.create(name="draft", testset=testset_make([corpus_make("en", 2)]))
    with pytest.raises(PreviewRefused, match="build them"):
        preview_session_start(test=test, user=organizer, language="en", step="rating")
    services.listening_test_prepare(test=test)
    for step in ("qualification", "setup", "training", "rating", "complete"):
        session = preview_session_start(test=test, user=organizer, language="en", step=step)
        assert session.state == step
    test.refresh_from_db()
    assert test.status == "draft"
    test.votes_per_stimulus = 3  # a quota the stimuli do not depend on may still change
    test.full_clean()
    test.method = "ccr"  # the stimuli were built for ACR: no reference beside them
    with pytest.raises(ValidationError, match="stimuli are built for it"):
        test.full_clean()
    test.refresh_from_db()
    with pytest.raises(PreviewRefused, match="'fr'"):
        preview_session_start(test=test, user=organizer, language="fr", step="rating")


def test_a_preview_is_in_no_completion_code_export_allocation_estimate_or_bank_count(
    admin_client, organizer
):
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    preview = preview_votes(test, organizer, 1)
    # the admin's export of every session's code: the six real ones, not the preview's
    changelist = reverse("admin:listening_session_changelist")
    answer = admin_client.post(
        changelist,
        {"action": SessionAdmin.export_completion_codes.__name__,
         "_selected_action": list(Session.objects.values_list("pk", flat=True))},
    )  # fmt: skip
    rows = answer.content.decode().strip().splitlines()[1:]
    assert len(rows) == 6 and not any(str(preview.token) in row for row in rows)
    # adaptive allocation judges the systems on the six real votes only
    assert allocation_estimate(test=test).votes == 6
    placed = {row["role"]: row["placed"] for row in banks_context(test=test)}
    real = Assignment.objects.filter(session__test=test, session__rater__preview=False)
    assert placed["gold"] == real.filter(stimulus__role="gold", phase="rating").count()
