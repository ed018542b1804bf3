"""Lists are paged and filtered, and no answer carries a rater's raw platform id."""

from __future__ import annotations

import pytest
from django.utils import timezone

from listening import services
from listening.identity import participant_hash
from listening.models import Participation, Rater, Session
from tests.api.conftest import api_client
from tests.api.test_endpoints import BASE, READS, ids

pytestmark = pytest.mark.django_db


def test_stimuli_are_paged_and_filtered_by_role_and_system(world):
    client = api_client("analyst")
    url = f"{BASE}tests/{world['test'].pk}/stimuli/"
    every = client.get(url).json()
    assert every["count"] == world["test"].stimuli.count() and every["next"] is None
    page = client.get(url, {"page_size": 1, "page": 2}).json()
    assert len(page["results"]) == 1 and page["previous"] and page["next"]
    rating = client.get(url, {"role": "rating"}).json()["results"]
    assert {row["system"] for row in rating} == {"gating", "noisy input"}
    assert all(row["vote_count"] == 3 for row in rating)
    gating = client.get(url, {"system": world["test"].testset.systems.get(name="gating").pk})
    assert [row["system"] for row in gating.json()["results"]] == ["gating"]
    assert client.get(url, {"system": 2**70}).status_code == 400


def test_tests_and_raters_filter_by_status_and_by_test(world):
    client = api_client("analyst")
    assert client.get(f"{BASE}tests/", {"status": "live"}).json()["count"] == 1
    assert client.get(f"{BASE}tests/", {"status": "closed"}).json()["count"] == 0
    Rater.objects.create(platform="panel", external_id="elsewhere", language="de")
    raters = client.get(f"{BASE}raters/", {"test": world["test"].pk}).json()
    assert raters["count"] == world["test"].sessions.values("rater").distinct().count() == 6
    assert client.get(f"{BASE}raters/").json()["count"] == 7


def test_no_answer_holds_a_raw_participant_id_only_its_hash(world):
    raw = "5f3a9c0e1d2b3a4c5d6e7f80"
    rater = services.rater_get_or_create(platform="prolific", external_id=raw, language="en")
    now = timezone.now()
    session = Session.objects.create(
        test=world["test"], rater=rater, state="complete", started_at=now, last_seen_at=now
    )
    Participation.objects.create(session=session, participant_id=raw, submission_id="sub-1")
    client = api_client("organizer")
    answers = [client.get(BASE + path.format(**ids(world))) for path in READS]
    bodies = [b"".join(a.streaming_content) if a.streaming else a.content for a in answers]
    assert all(raw.encode() not in body for body in bodies)
    listed = client.get(f"{BASE}raters/", {"platform": "prolific"}).json()["results"]
    assert [row["rater_hash"] for row in listed] == [
        participant_hash(platform="prolific", participant_id=raw)
    ]
