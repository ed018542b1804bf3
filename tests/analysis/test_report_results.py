"""One ReportResults behind the page, the files and the API: stored whole by a build, the API's
ranking the report's own, and a signed scale drawn on its own range."""

from __future__ import annotations

import json
import math
import re
from dataclasses import fields

import pandas as pd
import pytest
from django.urls import reverse

from analysis.results import report_results
from analysis.stored import _dump, _load, frame_dump, frame_load, results_dump, results_load
from listening.models import Rater, Vote
from tests.analysis.test_report_view import cast, one_utterance_test
from tests.analysis.test_screening_report import finished_session
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.listening.helpers import rater

pytestmark = pytest.mark.django_db


def test_results_go_through_json_and_come_back_whole(voted):
    built = report_results(test=voted, draws=20)
    back = results_load(json.loads(json.dumps(results_dump(built))))
    for field in fields(built):
        mine, theirs = getattr(built, field.name), getattr(back, field.name)
        if isinstance(mine, pd.DataFrame):
            pd.testing.assert_frame_equal(theirs, mine, check_index_type=False, obj=field.name)
        elif (
            isinstance(mine, dict) and mine and isinstance(next(iter(mine.values())), pd.DataFrame)
        ):
            assert set(theirs) == set(mine), field.name
            for name, frame in mine.items():
                pd.testing.assert_frame_equal(theirs[name], frame, check_index_type=False)
        else:
            assert theirs == mine, field.name
    assert len(back.votes) == 6 and back.draws == 20


def test_the_api_ranks_the_screened_votes_as_the_report_does(admin_client, live_test):
    careful = finished_session(live_test, rater(name="careful"))
    careless = finished_session(live_test, rater(name="careless"))
    Vote.objects.filter(session=careless, role="trap").update(passed=False)
    rating = Vote.objects.filter(session__test=live_test, role="rating")
    expected = mean_by_system(rating.filter(session=careful))  # what screening keeps
    # the careless rater votes far from the careful mean on every system both rated (allocation
    # decides which those are), so counting the excluded votes would move every shared mean
    for vote in rating.filter(session=careless).select_related("stimulus__output__system"):
        kept = expected.get(vote.stimulus.output.system.name, 5.0)
        Vote.objects.filter(pk=vote.pk).update(score=1 if kept >= 3 else 5)
    assert not mean_by_system(rating).equals(expected)  # what it excludes counts

    ranking = admin_client.get(reverse("api:test-ranking", args=[live_test.pk])).json()
    got = {row["system"]: row["mos"] for row in ranking["overall"]}
    assert got == pytest.approx(expected.to_dict())
    table = admin_client.get(reverse("api:test-table", args=[live_test.pk, "ranking"]))
    assert table.json()["rows"] == ranking["overall"]
    page = admin_client.get(reverse("analysis:report", args=[live_test.pk])).content.decode()
    shown = page[page.index('id="ranking"') :]
    for system, mos in expected.items():
        assert f'<td class="num">{system}</td>' in shown
        assert f'<td class="num">{mos:.2f}</td>' in shown


def mean_by_system(votes) -> pd.Series:
    rows = votes.values_list("stimulus__output__system__name", "score")
    return pd.DataFrame(list(rows), columns=["system", "score"]).groupby("system")["score"].mean()


def test_a_ccr_report_draws_its_scores_on_the_minus_3_to_3_scale(admin_client):
    test = live_test_make(testset_make([corpus_make("en", 1)]), method="ccr", votes_per_stimulus=3)
    cast(test, Rater.Platform.PANEL, {"gating": [-2, -2, -2]})  # CCR rates gating against input
    # stored processed against reference whichever clip came first: CMOS −2
    Vote.objects.filter(session__test=test, role="rating").update(score=-2)
    # cast answers the checks with their lowest accepted value, which CCR's random order can
    # flip; screening is not what this test is about, so they count as passed
    Vote.objects.filter(session__test=test).exclude(role="rating").update(passed=True)
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    table = page[page.index("<h2>CMOS per system</h2>") :]
    assert '<th class="bar">-3 … 3</th>' in table
    # three equal votes (no spread): mean and interval at (−2 − −3)/(3 − −3) = 16.67 %
    row = table[table.index("<td>gating</td>") :]
    row = row[: row.index("</tr>")]
    assert 'x1="16.67" x2="16.67"' in row and 'cx="16.67"' in row
    chart = page[page.index('id="language-chart"') :]
    chart = chart[: chart.index("</svg>")]
    ticks = re.findall(r'<text x="[0-9.]+" y="[0-9.]+" text-anchor="middle">(-?\d)</text>', chart)
    assert ticks == ["-3", "-2", "-1", "0", "1", "2", "3"]
    # the axis runs from x=150 (−3) to x=630 (+3), 80 per point: −2 at 230
    assert re.findall(r'cx="([0-9.]+)"[^>]*><title>en gating: -2.00<', chart) == ["230.0"]


def test_before_any_build_the_page_says_its_results_are_computed_now(admin_client):
    test = one_utterance_test(1)
    cast(test, Rater.Platform.PANEL, {"gating": [4], "noisy input": [2]})
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    assert "No build yet: the results below are computed now" in page
    data = admin_client.get(reverse("api:test-mos", args=[test.pk])).json()
    assert data["build"] is None


def test_after_a_build_the_page_and_the_api_show_its_stored_results(
    admin_client, voted, django_capture_on_commit_callbacks
):
    from analysis.results import REPORT_DRAWS

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("analysis:report-build", args=[voted.pk]))
    report = voted.reports.get()
    stored = report.report_results
    assert stored.draws == REPORT_DRAWS and len(stored.votes) == 6
    page = admin_client.get(reverse("analysis:report", args=[voted.pk])).content.decode()
    assert f"Results of build {report.pk} " in page
    data = admin_client.get(reverse("api:test-mos", args=[voted.pk])).json()
    assert data["build"] == report.pk
    # gating's votes 4, 5, 3: mean 4
    assert {row["system"]: row["mos"] for row in data["by_system"]}["gating"] == 4.0


def test_an_infinite_paired_t_is_stored_as_json_can_hold_it():
    # every clip differs by the same amount between two systems: no spread, t = inf; JSON has no
    # Infinity, and SQLite's JSON_VALID refused the build's row that held one
    frame = pd.DataFrame({"pair": ["a–b", "a–c"], "t": [math.inf, -math.inf], "n": [3, 3]})
    stored = json.dumps({"frame": frame_dump(frame), "t": _dump(-math.inf)}, allow_nan=False)
    back = json.loads(stored)
    pd.testing.assert_frame_equal(frame_load(back["frame"]), frame)
    assert _load(back["t"]) == -math.inf


def test_an_infinite_paired_t_reaches_the_api_as_null(admin_client):
    # gating is exactly 2 above the noisy input on both clips (4 and 2 on the first, 5 and 3 on
    # the second): no spread, t = inf, which strict JSON cannot write; the answer must still
    # come, with null where the number cannot go
    test = live_test_make(testset_make([corpus_make("en", 2)]), votes_per_stimulus=1)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 4], "noisy input": [2, 2]})
    Vote.objects.filter(session__test=test).exclude(role="rating").update(passed=True)
    first = test.testset.outputs.order_by("clip_id").first().clip_id
    for vote in Vote.objects.filter(session__test=test, role="rating").select_related(
        "stimulus__output__system"
    ):
        low = 2 if vote.stimulus.output.system.name == "noisy input" else 4
        vote.score = low + (vote.stimulus.output.clip_id != first)
        vote.save(update_fields=["score"])
    results = report_results(test=test, draws=0)
    assert math.isinf(results.pairs["t"].iloc[0])
    listed = admin_client.get(reverse("api:test-tables", args=[test.pk])).json()["tables"]
    for name in listed:
        response = admin_client.get(reverse("api:test-table", args=[test.pk, name]))
        assert response.status_code == 200, name
    rows = admin_client.get(reverse("api:test-table", args=[test.pk, "pairs"])).json()["rows"]
    assert [(row["t"], row["clips"], row["p_t"]) for row in rows] == [(None, 2, 0.0)]
