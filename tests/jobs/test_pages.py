"""A job's page and status for people, and the admin's long actions starting jobs instead of
working inside the request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enhancement.models import TestSet
from jobs import services
from jobs.models import Job
from listening.models import ListeningTest
from tests.api.conftest import person_make
from tests.conftest import corpus_make, testset_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def testset(db) -> TestSet:
    return testset_make([corpus_make("en", 2)], generate=False)


def test_the_page_and_status_show_progress_and_errors_to_viewers_up(client, testset):
    job = services.job_create(kind="generate", params={}, target=testset)
    Job.objects.filter(pk=job.pk).update(
        status="running", done=1, total=4, errors=[{"item": "en-01.flac", "error": "<b>bad</b>"}]
    )
    page_url, status_url = (
        reverse("jobs:detail", args=[job.pk]),
        reverse("jobs:status", args=[job.pk]),
    )
    assert "/admin/login/" in client.get(page_url).url
    client.force_login(person_make("nobody"))
    assert client.get(status_url).status_code == 403
    client.force_login(person_make("viewer"))
    page = client.get(page_url).content.decode()
    assert '<progress id="job-progress" max="4" value="1">' in page
    assert "<td>en-01.flac</td><td>&lt;b&gt;bad&lt;/b&gt;</td>" in page
    assert "Cancel this job" not in page  # a viewer may not cancel a generation
    state = client.get(status_url).json()
    assert (state["status"], state["done"], state["total"]) == ("running", 1, 4)
    assert state["errors"] == [{"item": "en-01.flac", "error": "<b>bad</b>"}]
    assert client.post(reverse("jobs:cancel", args=[job.pk])).status_code == 403
    assert not Job.objects.get(pk=job.pk).cancel_requested


def test_an_organizer_cancels_from_the_page(client, testset):
    job = services.job_create(kind="generate", params={}, target=testset)
    Job.objects.filter(pk=job.pk).update(status="running")
    client.force_login(person_make("organizer"))
    assert "Cancel this job" in client.get(reverse("jobs:detail", args=[job.pk])).text
    answer = client.post(reverse("jobs:cancel", args=[job.pk]), follow=True)
    assert "it stops after the item it is on" in answer.text
    assert Job.objects.get(pk=job.pk).cancel_requested
    assert client.get(reverse("jobs:status", args=[99999999])).status_code == 404


def test_the_admin_generate_action_starts_a_job_and_shows_its_page(client, testset):
    client.force_login(person_make("organizer"))
    answer = client.post(
        reverse("admin:enhancement_testset_changelist"),
        {"action": "generate", "_selected_action": [testset.pk]},
    )
    job = Job.objects.get(kind="generate", target_id=testset.pk)
    assert answer.status_code == 302 and answer.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.created_by.username == "organizer-user"
    assert testset.outputs.count() == 4


def test_the_admin_publish_action_is_a_job_and_a_live_test_is_refused_first(client, testset):
    from enhancement.services import testset_generate

    testset_generate(testset=testset)
    test = ListeningTest.objects.create(name="to-publish", testset=testset)
    client.force_login(person_make("organizer"))
    url = reverse("admin:listening_listeningtest_changelist")
    answer = client.post(url, {"action": "publish", "_selected_action": [test.pk]})
    job = Job.objects.get(kind="publish")
    assert answer.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.message
    assert ListeningTest.objects.get(pk=test.pk).status == ListeningTest.Status.LIVE
    answer = client.post(url, {"action": "publish", "_selected_action": [test.pk]}, follow=True)
    assert "cannot publish a test that is live" in answer.text
    assert Job.objects.filter(kind="publish").count() == 1


def test_the_admin_makes_a_noisy_copy_of_a_corpus_as_a_job(client):
    corpus = corpus_make("en", 2)
    client.force_login(person_make("organizer"))
    url = reverse("admin:enhancement_corpus_changelist")
    answer = client.post(url, {"action": "simulate", "_selected_action": [corpus.pk]})
    job = Job.objects.get(kind="simulate")
    assert answer.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.result["clips"] == 2
    again = client.post(url, {"action": "simulate", "_selected_action": [corpus.pk]}, follow=True)
    assert "a corpus named &#x27;corpus-en-2 noisy (seed 0)&#x27; exists already" in again.text
    assert Job.objects.filter(kind="simulate").count() == 1
