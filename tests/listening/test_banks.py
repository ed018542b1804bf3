"""Gold and trap banks that do not repeat: built from the test set's clean references and
clips, as large as the session limit needs, so a rater meets none twice; the report counts the
times one was met again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from listening.models import Assignment
from listening.simulation import session_play
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.listening.helpers import rater, rating_session

pytestmark = pytest.mark.django_db


def _sessions(test, person, count: int) -> list[int]:
    """The gold and trap stimuli placed before the rater over count sessions, in order."""
    for _ in range(count):
        session = rating_session(test, person)
        session_play(session, clock=session.last_seen_at)
    return list(
        Assignment.objects.filter(
            session__rater=person, phase="rating", stimulus__role__in=["gold", "trap"]
        ).values_list("stimulus_id", flat=True)
    )


@pytest.fixture
def eight_clips(db):
    """8 English utterances × 2 systems; a rater may take 4 sessions of 3 clips, 1 gold and
    1 trap each."""
    return live_test_make(testset_make([corpus_make("en", 8)]), max_sessions_per_rater=4)


def test_the_banks_come_from_distinct_utterances_with_both_gold_ends_and_varied_trap_answers(
    eight_clips,
):
    gold = list(eight_clips.stimuli.filter(role="gold"))
    traps = list(eight_clips.stimuli.filter(role="trap"))
    # gold: the limit's 4 sessions need 4, one a clean reference, worst and best in turn
    assert len(gold) == 4 and len({g.utterance for g in gold}) == 4
    assert sorted((g.accept_min, g.accept_max) for g in gold) == [(1, 2), (1, 2), (4, 5), (4, 5)]
    # traps: at least 6, one a clip of the set, every answer of the scale among the first 5
    assert len(traps) == 6 and len({t.utterance for t in traps}) == 6
    assert {t.accept_min for t in traps} == {1, 2, 3, 4, 5}


def test_a_rater_meets_no_gold_or_trap_twice_within_the_session_limit(eight_clips):
    met = _sessions(eight_clips, rater(), 4)
    assert len(met) == 8 and len(set(met)) == 8


def test_the_report_counts_a_gold_met_again_when_the_test_set_is_too_small(admin_client):
    # one utterance: a gold bank of 2 (its MNRU anchor and itself); 2 sessions of 2 gold each
    test = live_test_make(
        testset_make([corpus_make("en", 1)]), max_sessions_per_rater=2, gold_per_session=2
    )
    assert test.stimuli.filter(role="gold").count() == 2
    _sessions(test, rater(), 2)
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    table = page.split('id="bank-table"', 1)[1].split("</table>", 1)[0]
    assert "<td>gold</td><td>2</td><td>4</td><td>2 (50 %)</td>" in table
    assert "<td>trap</td><td>6</td><td>2</td><td>0 (0 %)</td>" in table
