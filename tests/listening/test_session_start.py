"""Assignment on the server: balanced, quota-bound, one utterance per session, no repeats."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from listening import services
from listening.models import Assignment, ListeningTest, Rater, Stimulus
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.listening.helpers import rater, rating_session, rating_stimuli

pytestmark = pytest.mark.django_db


def test_a_session_gets_n_stimuli_plus_gold_and_trap_from_distinct_utterances():
    live_test = live_test_make(testset_make([corpus_make("en", 6)]))
    session = rating_session(live_test, rater("en"))
    held = [a.stimulus for a in session.assignments.filter(phase="rating")]
    roles = Counter(s.role for s in held)
    assert roles == {"rating": live_test.stimuli_per_session, "gold": 1, "trap": 1}
    assert {s.language for s in held} == {"en"}
    rated = {s.utterance for s in held if s.role == "rating"}
    assert len(rated) == live_test.stimuli_per_session
    gold = next(s for s in held if s.role == "gold")
    assert gold.utterance not in rated  # 4 gold utterances, 3 rated: one is always free


def test_the_gold_and_trap_are_not_always_at_the_same_positions(live_test):
    positions = set()
    for number in range(6):
        session = rating_session(live_test, rater(name=f"p{number}"))
        ordered = list(session.assignments.filter(phase="rating").order_by("position"))
        positions.add(tuple(a.stimulus.role for a in ordered))
        session.state = session.State.COMPLETE
        session.save()
    assert len(positions) > 1


def test_reopening_returns_the_same_open_session(live_test):
    someone = rater()
    first = services.session_start(test=live_test, rater=someone)
    assert services.session_start(test=live_test, rater=someone).pk == first.pk


def test_no_stimulus_goes_past_its_quota_and_no_rater_sees_one_twice(live_test):
    # 8 English stimuli (4 utterances x 2 systems), 2 votes each = 16 places; sessions of 3.
    seen: dict[int, list[int]] = {}
    for number in range(12):
        person = rater(name=f"r{number}")
        while True:
            try:
                session = rating_session(live_test, person)
            except services.RatingError as exc:
                assert exc.code == "exhausted"
                break
            seen.setdefault(person.id, []).extend(s.id for s in rating_stimuli(session))
            session.state = session.State.COMPLETE
            session.save()
    per_stimulus = Counter(i for ids in seen.values() for i in ids)
    english = live_test.stimuli.filter(language="en", role="rating")
    assert set(per_stimulus) == set(english.values_list("id", flat=True))
    assert all(count == live_test.quota for count in per_stimulus.values())
    for ids in seen.values():
        assert len(ids) == len(set(ids))


def test_a_condition_balanced_session_holds_one_clip_of_every_system():
    testset = testset_make([corpus_make("en", 4)])
    test = live_test_make(
        testset, condition_balanced=True, stimuli_per_session=10, votes_per_stimulus=4
    )
    for number in range(4):
        session = rating_session(test, rater(name=f"b{number}"))
        stimuli = rating_stimuli(session)
        systems = [s.output.system_id for s in stimuli]
        assert sorted(systems) == sorted(testset.systems.values_list("id", flat=True))
        assert len({s.utterance for s in stimuli}) == len(stimuli)
        session.state = session.State.COMPLETE
        session.save()


def test_an_abandoned_session_gives_its_stimuli_back(live_test):
    live_test.votes_per_stimulus = 1
    live_test.save()
    start = timezone.now() - timedelta(hours=3)
    held = []
    with pytest.raises(services.RatingError, match="nothing left"):
        for number in range(20):
            held.append(rating_session(live_test, rater(name=f"h{number}"), now=start))
    assert sum(len(rating_stimuli(s)) for s in held) == 8
    session = rating_session(live_test, rater())
    assert len(rating_stimuli(session)) == live_test.stimuli_per_session
    released = Assignment.objects.filter(session__in=held, released=True)
    assert released.filter(stimulus__role="rating").count() == 8
    for s in held:
        s.refresh_from_db()
        # A session trained after the last place went has nothing to hold and just ends.
        assert s.state == (s.State.ABANDONED if rating_stimuli(s) else s.State.COMPLETE)


def test_a_closed_test_refuses_new_sessions(live_test):
    live_test.status = ListeningTest.Status.CLOSED
    live_test.save()
    with pytest.raises(services.RatingError, match="not open"):
        services.session_start(test=live_test, rater=rater())


def test_a_rater_whose_language_the_test_lacks_is_told_so(live_test):
    with pytest.raises(services.RatingError, match=r"no clips in your language \(ja\)"):
        services.session_start(test=live_test, rater=rater("ja"))


def test_a_rater_past_the_session_limit_is_refused(live_test):
    live_test.max_sessions_per_rater = 2
    live_test.save()
    person = rater()
    for _ in range(2):
        session = rating_session(live_test, person)
        session.state = session.State.COMPLETE
        session.save()
    with pytest.raises(services.RatingError) as caught:
        services.session_start(test=live_test, rater=person)
    assert caught.value.code == "session_limit"
    assert live_test.sessions.filter(rater=person).count() == 2


def test_publishing_before_generation_is_refused_and_changes_nothing():
    testset = testset_make([corpus_make("en", 2)], generate=False)
    test = ListeningTest.objects.create(name="early", testset=testset)
    with pytest.raises(services.PublishError, match="generate it first"):
        services.listening_test_publish(test=test)
    test.refresh_from_db()
    assert test.status == ListeningTest.Status.DRAFT and not test.stimuli.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_raters_never_push_a_stimulus_past_its_quota():
    """Threads on separate connections race for 8 stimuli x 1 vote (SKIP LOCKED on PostgreSQL,
    IMMEDIATE transactions on SQLite), each past qualification, setup and training."""
    test = live_test_make(testset_make([corpus_make("en", 4)]), votes_per_stimulus=1)
    raters = [rater(name=f"c{number}") for number in range(8)]
    ready = []
    for person in raters:  # up to the rating step, one by one
        session = rating_session(test, person)
        Assignment.objects.filter(session=session, phase="rating").delete()
        Stimulus.objects.filter(test=test).update(reserved=0)
        session.state = session.State.TRAINING
        session.save()
        ready.append(session)
    barrier = threading.Barrier(len(ready))
    errors: list[BaseException] = []

    def start(session) -> None:
        try:
            barrier.wait()
            services.session_advance(session=session, now=timezone.now())
        except services.RatingError:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=start, args=(session,)) for session in ready]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    counts = Counter(
        Assignment.objects.filter(session__test=test, stimulus__role="rating").values_list(
            "stimulus_id", flat=True
        )
    )
    assert max(counts.values()) == 1
    assert sum(counts.values()) == 8
    assert all(s.reserved == 1 for s in Stimulus.objects.filter(test=test, role="rating"))


def test_a_rater_who_was_assigned_a_stimulus_never_gets_it_again(live_test):
    person = rater()
    first = rating_session(live_test, person)
    first_ids = {s.id for s in rating_stimuli(first)}
    first.state = first.State.COMPLETE
    first.save()
    second = rating_session(live_test, person)
    assert not first_ids & {s.id for s in rating_stimuli(second)}
    assert isinstance(person, Rater)
