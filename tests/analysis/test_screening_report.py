"""Screening on stored votes: what the rater did in each step decides the tier."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.selectors import screening_for, sessions_frame
from listening.models import SetupResult, Vote
from listening.simulation import RaterProfile, session_play
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.listening.helpers import rater, rating_session

pytestmark = pytest.mark.django_db


def finished_session(test, person, *, now=None):
    """A careful rater's whole session; clips differ in quality, so votes spread."""
    session = rating_session(test, person, now=now)
    ids = test.stimuli.filter(role="rating", language="en").order_by("id").values_list("id")
    # At most two clips share a value, so no three-clip session votes all alike.
    truth = {stimulus_id: 1.0 + rank % 5 for rank, (stimulus_id,) in enumerate(ids)}
    session_play(session, clock=timezone.now(), profile=RaterProfile(0, 0.2, False), truth=truth)
    return session


def test_a_wrong_two_ear_check_rejects_the_sessions_it_covers(live_test):
    careful = finished_session(live_test, rater(name="careful"))
    deaf_ear = rater(name="one ear")
    session = finished_session(live_test, deaf_ear)
    SetupResult.objects.filter(rater=deaf_ear).update(two_ear_correct=0)
    frame = sessions_frame(test=live_test).set_index("session")
    assert frame.loc[session.pk, "two_ear_correct"] == 0
    assert bool(frame.loc[careful.pk, "qualified"]) and frame.loc[careful.pk, "number"] == 1
    screening = screening_for(test=live_test)
    assert screening.sessions("rejected") == {session.pk}
    assert set(screening.kept["session"]) == {careful.pk}
    assert set(screening.kept["role"]) == {"rating"}


def test_a_failed_trap_is_logged_and_its_votes_leave_the_report(admin_client, live_test):
    finished_session(live_test, rater(name="careful"))
    careless = finished_session(live_test, rater(name="careless"))
    trap = Vote.objects.get(session=careless, role="trap")
    Vote.objects.filter(pk=trap.pk).update(passed=False, score=(trap.score % 5) + 1)
    page = admin_client.get(reverse("analysis:report", args=[live_test.pk])).content.decode()
    kept = Vote.objects.filter(role="rating").exclude(session=careless).count()
    total = Vote.objects.filter(role="rating").count()
    assert f"{kept} of {total} rating votes used" in page
    reasons = page[page.index('id="screening-reasons"') : page.index("</table>", page.index(
        'id="screening-reasons"'))]  # fmt: skip
    # one row for the rule, its tier by label: one session, no single votes
    assert "<td>rejected (unpaid)</td><td>failed trap</td><td>1</td><td>0</td>" in reasons
    assert "<td>rejected</td>" not in page
    exclusions = admin_client.get(reverse("api:test-exclusions", args=[live_test.pk])).json()[
        "exclusions"
    ]
    assert exclusions == [
        {
            "session": careless.pk,
            "rater": careless.rater_id,
            "vote": None,
            "tier": "rejected",
            "reason": "failed trap",
        }
    ]
    mos = admin_client.get(reverse("api:test-mos", args=[live_test.pk])).json()
    assert mos["votes"] == kept


def test_the_session_number_counts_the_raters_sessions_in_order():
    test = live_test_make(testset_make([corpus_make("en", 6)]), stimuli_per_session=2)
    person = rater()
    early = timezone.now() - timedelta(hours=3)
    first = finished_session(test, person, now=early)
    second = finished_session(test, person)
    numbers = sessions_frame(test=test).set_index("session")["number"]
    assert (numbers[first.pk], numbers[second.pk]) == (1, 2)


def test_the_report_shows_clustered_intervals_once_there_are_enough_clips_and_raters(
    admin_client, django_capture_on_commit_callbacks
):
    import statsmodels.formula.api as smf

    test = live_test_make(testset_make([corpus_make("en", 6)]), votes_per_stimulus=4)
    url = reverse("analysis:report", args=[test.pk])
    build = reverse("analysis:report-build", args=[test.pk])
    finished_session(test, rater(name="first"))
    assert 'id="clustered-pending"' in admin_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(build)
    assert "Too few clips or raters" in admin_client.get(url).content.decode()
    for name in ("second", "third", "fourth"):
        finished_session(test, rater(name=name))
    newer = (
        Vote.objects.filter(session__test=test, role="rating").count() - test.reports.get().votes
    )
    assert f"{newer} votes came in after the latest build" in admin_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(build)
    page = admin_client.get(response.url).content.decode()
    assert "came in after the latest build" not in page
    kept = screening_for(test=test).kept.assign(g=0)
    model = smf.mixedlm(
        "score ~ 0 + C(system)",
        kept,
        groups="g",
        re_formula="0",
        vc_formula={"rater": "0 + C(rater)", "clip": "0 + C(clip)"},
    )
    # On so few raters one search of statsmodels' can stop short: the better REML optimum of
    # two searches is the reference
    fits = [
        model.fit(reml=True, method=m, maxiter=5000) for m in (["nm", "lbfgs"], ["powell", "lbfgs"])
    ]
    direct = max((f for f in fits if f.converged), key=lambda f: f.llf)
    table = page[page.index('id="clustered"') :]
    for system in kept["system"].unique():
        shown = re.search(rf'<td>{re.escape(system)}</td><td class="num">(-?[0-9.]+)', table)
        # the page rounds to two places
        assert float(shown.group(1)) == pytest.approx(
            direct.fe_params[f"C(system)[{system}]"], abs=0.0051
        )
    # Planning with the build's components, by hand: (h/z)² − clip/c must stay positive, and
    # the fewest raters r satisfy rater/r < (h/z)² − clip/c.
    components = test.reports.first().components
    precision = page[page.index('id="precision"') :]
    for system, group in kept.groupby("system"):
        clips, raters = group["clip"].nunique(), group["rater"].nunique()
        after_clips = (0.1 / 1.959964) ** 2 - components["clip"] / clips
        expected = (
            str(math.floor(components["rater"] / after_clips) + 1)
            if after_clips > 0
            else "more clips needed"
        )
        budget = after_clips - components["rater"] / raters
        votes = math.ceil(components["residual"] / budget) if budget > 0 else None
        plan = f"{votes} ({math.ceil(votes / clips)} a clip)" if votes else "out of reach"
        row = precision[precision.index(f"<td>{system}</td>") :]
        row = row[: row.index("</tr>")]
        assert f'<td class="plan">{expected}</td>' in row
        assert f'<td class="plan">{plan}' in row


def test_the_tests_own_screening_thresholds_apply(live_test):
    for name in ("one", "two"):
        finished_session(live_test, rater(name=name))
    assert not screening_for(test=live_test).log.size
    live_test.screen_variance_min = 100.0
    live_test.save()
    reasons = set(screening_for(test=live_test).log["reason"])
    assert reasons and all(r.startswith("vote variance") and "below 100.0" in r for r in reasons)


@pytest.mark.parametrize(("method", "heading"), [("ccr", "CMOS"), ("dcr", "DMOS")])
def test_the_report_names_the_statistic_of_its_method(admin_client, method, heading):
    test = live_test_make(testset_make([corpus_make("en", 2)]), method=method)
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    assert f"<h2>{heading} per system</h2>" in page


def test_the_report_shows_each_rater_and_the_spread_of_their_crowd_correlations(
    admin_client, live_test
):
    for name in ("one", "two", "three", "four"):
        finished_session(live_test, rater(name=name))
    page = admin_client.get(reverse("analysis:report", args=[live_test.pk])).content.decode()
    table = page[page.index('id="raters"') :]
    assert table.count("<tr><td>") == 4
    histogram = page[page.index('id="rater-histogram"') : page.index('id="raters"')]
    counted = sum(int(n) for n in re.findall(r": (\d+)</title>", histogram))
    defined = len(re.findall(r'<td class="num">-?\d\.\d\d</td><td>\d+</td></tr>', table))
    assert counted == defined


def two_places(value: float) -> str:
    """As Django's floatformat:2 prints it: the float's shortest decimal form rounded half up
    (Python's format rounds the binary value, so 2.125 would read 2.12 there and 2.13 here)."""
    return str(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_a_p835_report_shows_signal_and_background_beside_the_overall(admin_client):
    test = live_test_make(testset_make([corpus_make("en", 6)]), method="p835")
    finished_session(test, rater(name="p835"))
    kept = screening_for(test=test).kept
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    assert "<h2>MOS (overall, P.835) per system</h2>" in page
    for heading, column in (("SIG (speech signal)", "sig"), ("BAK (background)", "bak")):
        table = page[page.index(f"<h3>{heading} per system</h3>") :]
        for system, mean in kept.groupby("system")[column].mean().items():
            assert f"<td>{system}</td><td>{(kept['system'] == system).sum()}</td>" in table
            assert f'<td class="num">{two_places(mean)}</td>' in table


@pytest.mark.django_db(transaction=True)  # the build is queued on commit and runs eagerly
def test_a_p835_build_gives_clustered_intervals_for_sig_and_bak_too(admin_client):
    import statsmodels.formula.api as smf

    test = live_test_make(testset_make([corpus_make("en", 6)]), method="p835", votes_per_stimulus=4)
    for name in ("one", "two", "three", "four"):
        finished_session(test, rater(name=f"p835-{name}"))
    admin_client.post(reverse("analysis:report-build", args=[test.pk]))
    rows = test.reports.get().clustered
    assert {row["scale"] for row in rows} == {"", "SIG", "BAK"}
    kept = screening_for(test=test).kept.assign(g=0)
    direct = smf.mixedlm(
        "sig ~ 0 + C(system)", kept, groups="g", re_formula="0",
        vc_formula={"rater": "0 + C(rater)", "clip": "0 + C(clip)"},
    ).fit(reml=True, method=["nm", "lbfgs"], maxiter=5000)  # fmt: skip
    assert direct.converged
    for row in (r for r in rows if r["scale"] == "SIG"):
        expected = direct.fe_params[f"C(system)[{row['system']}]"]
        assert row["mixed_estimate"] == pytest.approx(expected, abs=1e-3)
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    table = page[page.index('id="clustered"') :]
    assert "<td>BAK</td>" in table and "<td>OVRL</td>" in table
