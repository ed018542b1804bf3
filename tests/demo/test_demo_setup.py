"""`manage.py demo_setup` builds a working demo and prints the three links."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from demo.sentences import SENTENCES
from enhancement.models import Corpus, TestSet
from listening.models import ListeningTest, Vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_output() -> str:
    out = io.StringIO()
    call_command(
        "demo_setup",
        base_url="http://127.0.0.1:8000",
        skip_metrics=True,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def test_the_demo_prints_the_admin_login_a_rater_link_and_a_report(demo_output, client):
    admin = re.search(r"Admin:\s+(\S+)\s+\(user (\S+), password (\S+)\)", demo_output)
    rater = re.search(r"Rater link: http://127.0.0.1:8000(\S+)", demo_output)
    report = re.search(r"Report:\s+http://127.0.0.1:8000(\S+)", demo_output)
    assert admin and rater and report, demo_output
    assert client.login(username=admin.group(2), password=admin.group(3))
    assert client.get("/admin/").status_code == 200
    page = client.get(report.group(1))
    assert page.status_code == 200
    assert b"These votes are simulated." in page.content
    client.logout()
    assert b'name="consent"' in client.get(rater.group(1)).content


def test_the_demo_has_speech_in_five_languages_and_a_finished_simulated_test(demo_output):
    assert (
        set(Corpus.objects.values_list("language", flat=True))
        == set(SENTENCES)
        >= {"en", "de", "fr", "es", "zh"}
    )
    assert TestSet.objects.get().status == TestSet.Status.DONE
    live = ListeningTest.objects.get(status=ListeningTest.Status.LIVE)
    assert not Vote.objects.filter(session__test=live).exists()
    finished = ListeningTest.objects.get(status=ListeningTest.Status.CLOSED)
    votes = Vote.objects.filter(session__test=finished)
    rating = finished.stimuli.filter(role="rating")
    assert votes.filter(role="rating").count() == rating.count() * finished.votes_per_stimulus
    # The simulated crowd went through training, gold and traps like a real one.
    assert {"training", "gold", "trap"} <= set(votes.values_list("role", flat=True))
    assert not votes.exclude(rater__platform="simulated").exists()
    assert votes.filter(elapsed_ms__lt=1000).count() == 0


def test_running_the_demo_again_changes_nothing(demo_output):
    votes = Vote.objects.count()
    again = io.StringIO()
    call_command("demo_setup", skip_metrics=True, stdout=again, stderr=io.StringIO())
    assert Vote.objects.count() == votes
    assert ListeningTest.objects.count() == 2


@pytest.mark.django_db(transaction=True)  # the report build is queued on commit
def test_the_demo_scores_its_outputs_and_the_report_ranks_systems(client):
    from enhancement.models import MetricScore

    out = io.StringIO()
    call_command("demo_setup", stdout=out, stderr=io.StringIO())
    report = re.search(r"Report:\s+http://127.0.0.1:8000(\S+)", out.getvalue()).group(1)
    assert MetricScore.objects.filter(value__isnull=False, metric="pesq").count() == 80
    client.login(username="organizer", password="auricle-demo")
    page = client.get(report).content.decode()
    assert 'id="ranking"' in page and "subjective score" in page and "intrusive score" in page
    assert "Report build: done" in out.getvalue()
    assert 'id="agreement"' in page and "<td>all</td><td>PESQ</td><td>clip</td>" in page
    assert 'id="clustered"' in page and 'id="language-chart"' in page
