"""The report page and its JSON: numbers checked by hand, simulated votes declared."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from listening import services
from listening.models import Rater
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.listening.helpers import rating_session

pytestmark = pytest.mark.django_db


def cast(test, platform: str, scores_by_system: dict[str, list[int]]) -> None:
    """Raters take sessions through the same services the rater pages use; each session holds
    one clip (the test has one utterance) and the rater gives the next score queued for the
    system that made it."""
    queues = {system: list(scores) for system, scores in scores_by_system.items()}
    then = timezone.now() - timedelta(hours=1)
    while any(queues.values()):
        person = services.rater_get_or_create(
            platform=platform, external_id=uuid.uuid4().hex, language="en"
        )
        session = rating_session(test, person, now=then)
        clock = then + timedelta(minutes=20)
        while (assignment := services.assignment_next(session=session, now=clock)) is not None:
            stimulus = assignment.stimulus
            if stimulus.role == "rating":
                score = queues[stimulus.output.system.name].pop()
            else:  # gold and trap, answered right; they never reach the statistics
                score = stimulus.accept_min
            clock += timedelta(seconds=30)
            services.vote_record(
                session=session,
                stimulus_key=stimulus.key,
                answer={"score": score},
                idempotency_key=uuid.uuid4(),
                play_count=1,
                now=clock,
            )
            session.refresh_from_db()


def one_utterance_test(votes: int):
    return live_test_make(testset_make([corpus_make("en", 1)]), votes_per_stimulus=votes)


@pytest.fixture
def voted_test(db):
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    return test


def test_the_report_needs_a_staff_login(client, voted_test):
    response = client.get(reverse("analysis:report", args=[voted_test.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_the_report_shows_mos_and_t_interval_per_system(admin_client, voted_test):
    page = admin_client.get(reverse("analysis:report", args=[voted_test.pk])).content.decode()
    # gating: mean 4, s 1, t(0.975,2)=4.302653 → ±2.48 → 1.52 – 6.48, cut at the scale's 5
    assert "4.00" in page and "1.52 – 5.00 (±2.48, clipped)" in page
    assert 'id="clipped-note"' in page and "6.48" not in page
    # noisy input: mean 5/3, s = 0.57735, half = 4.302653·0.57735/√3 = 1.434218 → 0.23 – 3.10,
    # cut at the scale's 1
    assert "1.67" in page and "1.00 – 3.10 (±1.43, clipped)" in page
    assert "simulated" not in page.lower()


def test_an_interval_that_cannot_be_computed_shows_as_a_dash(admin_client):
    test = one_utterance_test(1)
    cast(test, Rater.Platform.PANEL, {"gating": [4], "noisy input": [2]})
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    assert "nan" not in page.lower().replace("nanoseconds", "")
    assert "– – – (±–)" in page


def test_the_report_says_plainly_when_votes_are_simulated(admin_client):
    test = one_utterance_test(1)
    cast(test, Rater.Platform.SIMULATED, {"gating": [4], "noisy input": [2]})
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    assert "These votes are simulated." in page


def test_the_api_returns_the_same_numbers_with_null_for_missing_intervals(admin_client, voted_test):
    data = admin_client.get(reverse("api:test-mos", args=[voted_test.pk])).json()
    rows = {row["system"]: row for row in data["by_system"]}
    assert rows["gating"]["mos"] == pytest.approx(4.0)
    assert rows["gating"]["ci_half_width"] == pytest.approx(2.484138, abs=1e-5)
    assert rows["noisy input"]["ci_half_width"] == pytest.approx(1.434218, abs=1e-5)
    assert data["votes"] == 6 and data["simulated_votes"] == 0


def test_the_api_refuses_anonymous_callers(client, voted_test):
    assert client.get(reverse("api:test-mos", args=[voted_test.pk])).status_code in {
        401,
        403,
    }


def test_human_mos_joins_the_ranking_as_the_subjective_category(voted_test):
    from analysis.selectors import ranking_tables, votes_frame
    from enhancement.selectors import metric_scores_frame

    table = ranking_tables(
        votes=votes_frame(test=voted_test),
        scores=metric_scores_frame(testset=voted_test.testset),
    )["overall"].set_index("system")
    assert table.loc["gating", "mos"] == pytest.approx(4.0)
    assert table.loc["noisy input", "mos"] == pytest.approx(5 / 3)
    assert table.loc["gating", "subjective_score"] == 1
    assert list(table.index) == ["gating", "noisy input"]


def test_the_report_shows_paired_differences_and_rater_agreement(admin_client):
    import krippendorff
    import numpy as np

    from analysis.selectors import votes_frame

    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    assert 'id="pairs"' in page
    # one clip, both systems: mean difference 4 − 5/3 = 2.33 on a single pair of clip means
    assert "<td>gating</td><td>noisy input</td><td>1</td>" in page
    assert "2.33" in page
    votes = votes_frame(test=test)
    matrix = votes.pivot_table(index="rater", columns="stimulus", values="score").to_numpy()
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal")
    assert np.isfinite(expected)  # each stimulus has three votes: pairable
    assert f"over all votes: {expected:.3f}" in page


def test_the_report_groups_systems_and_plans_votes_for_the_target(admin_client, voted_test):
    page = admin_client.get(reverse("analysis:report", args=[voted_test.pk])).content.decode()
    # One shared clip: no pair can differ significantly, so both systems share group a.
    assert page.count('<td class="group">a</td>') == 2
    precision = page[page.index('id="precision"') :]
    # gating s = 1: (1.959964·1/0.1)² = 384.15 → 385, 382 more than its 3.
    assert "<td>gating</td><td>3</td>" in precision and "<td>385</td><td>382</td>" in precision
    # noisy input s = 0.57735: (1.959964·0.57735/0.1)² = 128.05 → 129, 126 more.
    assert "<td>129</td><td>126</td>" in precision
