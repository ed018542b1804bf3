"""Adaptive allocation on stored data: which clips a session gets once systems meet their
target, the minimum votes per clip, the vote budget, and estimates refreshed in the background."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.urls import reverse

from listening import services
from listening.allocation.policy import SystemEstimate
from listening.allocation.state import (
    AllocationState,
    _key,
    allocation_progress,
    allocation_state,
    allocation_store,
)
from listening.models import ListeningTest, Stimulus, Vote
from listening.platforms.estimate import sessions_needed
from listening.platforms.models import Recruitment
from listening.simulation import session_play
from listening.tasks import allocation_refresh
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.fakes.participants import prolific, study_publish
from tests.listening.helpers import rater, rating_session, rating_stimuli

__all__ = ["prolific"]  # the fixture, used by name
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _estimates_cleared():
    caches["allocation"].clear()


@pytest.fixture
def adaptive(db) -> ListeningTest:
    """6 English utterances × 2 systems; sessions of 3; at least 2 and at most 4 votes a clip."""
    return live_test_make(
        testset_make([corpus_make("en", 6)]),
        allocation="adaptive",
        min_votes_per_clip=2,
        max_votes_per_clip=4,
    )


def _systems(test: ListeningTest) -> list[int]:
    return sorted(
        set(test.stimuli.filter(role="rating").values_list("output__system_id", flat=True))
    )


def _estimates_store(test: ListeningTest, met: set[int]) -> None:
    estimates = {
        system: SystemEstimate(
            system, 12, 6, 6, 3.0, 0.05 if system in met else 0.5, 0, system in met
        )
        for system in _systems(test)
    }
    allocation_store(test=test, state=AllocationState(time.time(), 24, estimates))


def _reserve(test: ListeningTest, system: int, count: int) -> None:
    test.stimuli.filter(role="rating", output__system_id=system).update(reserved=count)


def test_a_system_that_met_its_target_gets_no_votes_past_the_minimum(adaptive):
    done, needy = _systems(adaptive)
    _reserve(adaptive, done, 2)
    _reserve(adaptive, needy, 2)
    _estimates_store(adaptive, met={done})
    session = rating_session(adaptive, rater())
    assert {s.output.system_id for s in rating_stimuli(session)} == {needy}


def test_a_met_systems_clips_under_the_minimum_are_taken_first(adaptive):
    done, needy = _systems(adaptive)
    _reserve(adaptive, needy, 2)
    _estimates_store(adaptive, met={done})
    session = rating_session(adaptive, rater())
    held = rating_stimuli(session)
    assert len(held) == 3 and {s.output.system_id for s in held} == {done}


def test_with_every_system_met_and_every_clip_at_its_minimum_new_raters_are_turned_away(adaptive):
    for system in _systems(adaptive):
        _reserve(adaptive, system, 2)
    _estimates_store(adaptive, met=set(_systems(adaptive)))
    with pytest.raises(services.RatingError) as refused:
        services.session_start(test=adaptive, rater=rater())
    assert refused.value.code == "exhausted"
    assert allocation_progress(test=adaptive)["complete"] is True


def test_before_any_estimate_sessions_spread_over_every_system(adaptive):
    session = rating_session(adaptive, rater())
    counts = [s.output.system_id for s in rating_stimuli(session)]
    assert len(counts) == 3 and set(counts) == set(_systems(adaptive))  # at most 2 of one system


def test_the_vote_budget_bounds_the_sessions_and_the_places(adaptive):
    ListeningTest.objects.filter(pk=adaptive.pk).update(vote_budget=4)
    adaptive.refresh_from_db()
    first = rating_session(adaptive, rater(name="a"))
    second = rating_session(adaptive, rater(name="b"))
    assert [len(rating_stimuli(s)) for s in (first, second)] == [3, 1]
    with pytest.raises(services.RatingError):
        services.session_start(test=adaptive, rater=rater(name="c"))
    progress = allocation_progress(test=adaptive)
    assert (progress["budget_left"], progress["complete"]) == (0, True)
    assert sessions_needed(test=adaptive) == 2  # ⌈4 votes / 3 per session⌉


def test_estimates_are_computed_from_stored_votes_after_commit_and_then_cached(
    adaptive, settings, django_capture_on_commit_callbacks
):
    settings.AURICLE_ALLOCATION_REFRESH_SECONDS = 3600
    for name in ("a", "b"):
        session = rating_session(adaptive, rater(name=name))
        session_play(session, clock=session.last_seen_at)
    caches["allocation"].clear()  # as after a restart: nothing cached, nothing queued
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert allocation_state(test=adaptive) is None
    assert len(queued) == 1
    state = allocation_state(test=adaptive)
    stored = Vote.objects.filter(stimulus__test=adaptive, role="rating")
    assert state.votes == stored.count() == 6
    for system in _systems(adaptive):
        assert (
            state.estimates[system].votes
            == stored.filter(stimulus__output__system_id=system).count()
        )
    with django_capture_on_commit_callbacks(execute=True) as again:
        allocation_state(test=adaptive)
    assert again == []  # fresh for the hour: the serving path reads the cache only


def test_a_fixed_test_keeps_its_quota_and_reports_no_allocation(live_test):
    rating_session(live_test, rater())
    assert allocation_progress(test=live_test) is None
    assert not Stimulus.objects.filter(test=live_test, reserved__gt=live_test.quota).exists()


def test_a_minimum_above_the_cap_is_refused_naming_the_field(adaptive):
    adaptive.min_votes_per_clip = 5
    with pytest.raises(ValidationError) as refused:
        adaptive.full_clean()
    assert "min_votes_per_clip" in refused.value.message_dict


def test_the_admin_shows_how_many_systems_met_their_target(admin_client, adaptive):
    done, _needy = _systems(adaptive)
    _estimates_store(adaptive, met={done})
    url = reverse("admin:listening_listeningtest_change", args=[adaptive.pk])
    page = admin_client.get(url).content.decode()
    assert "adaptive: 1/2 systems at their target" in page
    assert "at their target, complete" not in page


def test_a_complete_adaptive_test_pauses_its_prolific_study_once(prolific, adaptive):
    study_publish(adaptive)
    study = Recruitment.objects.get(test=adaptive).study_id
    allocation_refresh(adaptive.pk)  # nothing voted yet: the study keeps recruiting
    assert prolific.studies[study]["status"] == "ACTIVE"
    ListeningTest.objects.filter(pk=adaptive.pk).update(vote_budget=3)
    rating_session(adaptive, rater(name="a"))  # one session of 3 holds the whole budget
    allocation_refresh(adaptive.pk)
    assert prolific.studies[study]["status"] == "PAUSED"
    assert Recruitment.objects.get(test=adaptive).study_status == "PAUSED"
    allocation_refresh(adaptive.pk)  # already paused: not asked again
    assert prolific.calls("POST", r"studies/\w+/transition/") == 2  # publish, then pause


def test_a_broker_that_cannot_be_reached_does_not_stop_a_rater_entering(
    adaptive, settings, django_capture_on_commit_callbacks
):
    from config.celery import app

    app.conf.task_always_eager = False  # queued for real, to a broker nobody listens on
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    app.conf.task_publish_retry = False
    # connections and producers are pooled per broker: fresh pools for this one
    app._pool, app.amqp._producer_pool = None, None
    try:
        with django_capture_on_commit_callbacks(execute=True) as sent:
            session = rating_session(adaptive, rater())  # no estimates yet: one refresh
    finally:
        app.conf.task_always_eager, app.conf.task_publish_retry = True, True
        app.conf.broker_url = settings.CELERY_BROKER_URL
        app._pool, app.amqp._producer_pool = None, None
    assert len(rating_stimuli(session)) == 3 and len(sent) == 1
    # the refresh was not queued, so the next request may try again
    assert caches["allocation"].get(_key(adaptive.pk) + ":queued") is None
