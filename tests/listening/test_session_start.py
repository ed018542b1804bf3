"""Assignment on the server: balanced, quota-bound, one utterance per session, no repeats."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from listening import services
from listening.models import Assignment, ListeningTest, Rater, Stimulus
from tests.conftest import corpus_make, live_test_make, testset_make

pytestmark = pytest.mark.django_db


def rater(language: str = "en", name: str | None = None) -> Rater:
    return services.rater_get_or_create(
        platform=Rater.Platform.PANEL, external_id=name or uuid.uuid4().hex, language=language
    )


def test_a_session_gets_n_stimuli_in_the_raters_language_from_distinct_utterances(live_test):
    session = services.session_start(test=live_test, rater=rater("en"))
    stimuli = [a.stimulus for a in session.assignments.select_related("stimulus")]
    assert len(stimuli) == live_test.stimuli_per_session
    assert {s.language for s in stimuli} == {"en"}
    assert len({s.utterance for s in stimuli}) == len(stimuli)


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
                session = services.session_start(test=live_test, rater=person)
            except services.RatingError as exc:
                assert exc.code == "exhausted"
                break
            ids = list(session.assignments.values_list("stimulus_id", flat=True))
            seen.setdefault(person.id, []).extend(ids)
            session.state = session.State.COMPLETE
            session.save()
    per_stimulus = Counter(i for ids in seen.values() for i in ids)
    english = live_test.stimuli.filter(language="en")
    assert set(per_stimulus) == set(english.values_list("id", flat=True))
    assert all(count == live_test.votes_per_stimulus for count in per_stimulus.values())
    for ids in seen.values():
        assert len(ids) == len(set(ids))


def test_an_abandoned_session_gives_its_stimuli_back(live_test):
    live_test.votes_per_stimulus = 1
    live_test.save()
    start = timezone.now() - timedelta(hours=3)
    held = []
    with pytest.raises(services.RatingError, match="nothing left"):
        for _ in range(9):
            held.append(services.session_start(test=live_test, rater=rater(), now=start))
    assert sum(s.assignments.count() for s in held) == 8
    session = services.session_start(test=live_test, rater=rater())
    assert session.assignments.count() == live_test.stimuli_per_session
    assert Assignment.objects.filter(session__in=held, released=True).count() == 8
    for s in held:
        s.refresh_from_db()
        assert s.state == s.State.ABANDONED


def test_a_closed_test_refuses_new_sessions(live_test):
    live_test.status = ListeningTest.Status.CLOSED
    live_test.save()
    with pytest.raises(services.RatingError, match="not open"):
        services.session_start(test=live_test, rater=rater())


def test_a_rater_whose_language_the_test_lacks_is_told_so(live_test):
    with pytest.raises(services.RatingError, match=r"no clips in your language \(ja\)"):
        services.session_start(test=live_test, rater=rater("ja"))


def test_publishing_before_generation_is_refused_and_changes_nothing():
    testset = testset_make([corpus_make("en", 2)], generate=False)
    test = ListeningTest.objects.create(name="early", testset=testset)
    with pytest.raises(services.RatingError, match="generate it first"):
        services.test_publish(test=test)
    test.refresh_from_db()
    assert test.status == ListeningTest.Status.DRAFT and not test.stimuli.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_raters_never_push_a_stimulus_past_its_quota():
    """Threads on separate connections race for 8 stimuli x 1 vote (SKIP LOCKED on PostgreSQL,
    IMMEDIATE transactions on SQLite)."""
    test = live_test_make(testset_make([corpus_make("en", 4)]), votes_per_stimulus=1)
    raters = [rater(name=f"c{number}") for number in range(8)]
    barrier = threading.Barrier(len(raters))
    errors: list[BaseException] = []

    def start(person: Rater) -> None:
        try:
            barrier.wait()
            services.session_start(test=test, rater=person)
        except services.RatingError:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=start, args=(person,)) for person in raters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    counts = Counter(
        Assignment.objects.filter(session__test=test).values_list("stimulus_id", flat=True)
    )
    assert max(counts.values()) == 1
    assert sum(counts.values()) == 8
    assert all(s.reserved == 1 for s in Stimulus.objects.filter(test=test))
