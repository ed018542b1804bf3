"""The organizer's guided page, its actions and the monitoring, through the test client."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from jobs.models import Job
from jobs.services import job_execute
from listening.models import Bonus, ListeningTest, Participation, Rater, Recruitment, Session
from listening.platforms.services import recruitment_set
from organize.selectors.monitor import monitor_read
from tests.analysis.test_report_view import cast, one_utterance_test
from tests.conftest import corpus_make, testset_make
from tests.fakes.participants import prolific
from tests.organize.test_preview import preview_votes

__all__ = ["prolific"]  # the fixture, used by name
pytestmark = pytest.mark.django_db


def user_with(role: str):
    user = get_user_model().objects.create_user(role, f"{role}@example.org", "pw")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def organizer_client(client):
    client.force_login(user_with("organizer"))
    return client


def test_each_page_needs_its_role(client):
    test = ListeningTest.objects.create(
        name="t", testset=testset_make([corpus_make()], generate=False)
    )
    guide = reverse("organize:test", args=[test.pk])
    monitor = reverse("organize:monitor", args=[test.pk])
    assert "/admin/login/" in client.get(guide).url  # anonymous: the login
    client.force_login(user_with("viewer"))
    assert client.get(guide).status_code == 403
    assert (
        client.post(reverse("organize:act", args=[test.pk]), {"action": "publish"}).status_code
        == 403
    )
    assert client.get(monitor).status_code == 200  # a viewer reads progress
    client.force_login(user_with("analyst"))
    assert client.get(reverse("organize:preview", args=[test.pk])).status_code == 403


def test_publishing_an_ungenerated_set_is_refused_naming_the_reason(organizer_client):
    testset = testset_make([corpus_make()], generate=False)
    test = ListeningTest.objects.create(name="t", testset=testset)
    page = organizer_client.get(reverse("organize:test", args=[test.pk])).content.decode()
    assert "the test set &#x27;" in page and "is pending: generate it first" in page
    response = organizer_client.post(reverse("organize:act", args=[test.pk]), {"action": "publish"})
    assert response.status_code == 409
    assert "not published: the test set" in response.content.decode()
    test.refresh_from_db()
    assert test.status == "draft" and not test.stimuli.exists()


def test_a_paired_design_without_its_reference_system_says_which_kind_is_missing(
    organizer_client,
):
    testset = testset_make([corpus_make()], generate=False)
    testset.systems.filter(kind="unprocessed").delete()
    test = ListeningTest.objects.create(name="t", testset=testset, method="ccr")
    page = organizer_client.get(reverse("organize:test", args=[test.pk])).content.decode()
    assert "needs a system of kind &#x27;unprocessed&#x27;" in page


def test_the_organizer_builds_previews_and_publishes_a_draft(organizer_client):
    test = ListeningTest.objects.create(name="t", testset=testset_make([corpus_make("en", 2)]))
    act = reverse("organize:act", args=[test.pk])
    assert organizer_client.post(act, {"action": "prepare"}).status_code == 302
    preview = reverse("organize:preview", args=[test.pk])
    response = organizer_client.post(preview, {"language": "en", "step": "training"})
    session = Session.objects.get(test=test)
    assert response.url == reverse("listening:session", args=[session.token])
    page = organizer_client.get(response.url)  # the rater's own page, though a draft
    assert page.status_code == 200 and 'name="stimulus"' in page.content.decode()
    refused = organizer_client.post(preview, {"language": "xx", "step": "rating"})
    assert refused.status_code == 400 and "no clips in &#x27;xx&#x27;" in refused.content.decode()

    assert organizer_client.post(act, {"action": "publish"}).status_code == 302
    test.refresh_from_db()
    assert test.status == "live"
    assert organizer_client.post(act, {"action": "close"}).status_code == 302
    test.refresh_from_db()
    assert test.status == "closed"


def test_monitoring_counts_votes_per_cell_and_leaves_previews_out(organizer_client):
    test = one_utterance_test(4)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    preview_votes(test, get_user_model().objects.get(username="organizer"), 1)
    url = reverse("organize:monitor", args=[test.pk])
    page = organizer_client.get(url).content.decode()
    assert 'data-url="' + url + '?panel=1"' in page and "organize/monitor.js" in page
    panel = organizer_client.get(url, {"panel": 1}).content.decode()
    assert "<html" not in panel
    # 3 of 4 votes per system, 6 of 8 in all; the preview's vote is not one of them
    assert panel.count(">3/4<") == 2 and "6</span> / 8 votes" in panel
    # gating: 4, 5, 3: t(0.975, 2) · 1 / √3 = 4.302653 · 0.57735 = 2.48
    assert "±2.48" in panel
    assert "6</strong> started" in panel and "6</strong> completed" in panel
    # the six votes came in within the hour: 6 an hour, 2 left: done in 20 minutes
    assert "(6 votes/h over the last hour, 2 left)" in panel
    assert "tile-money" not in panel  # the open link pays nothing


def test_monitoring_counts_money_committed_and_paid(organizer_client):
    test = one_utterance_test(2)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5], "noisy input": [2, 1]})
    Recruitment.objects.create(test=test, platform="panel", reward=150, currency="GBP")
    sessions = list(Session.objects.filter(test=test).order_by("pk"))
    reviews = ["approved", "", "rejected", ""]
    for session, review in zip(sessions, reviews, strict=True):
        Participation.objects.create(session=session, outcome="completed", review=review)
    first = sessions[0].participation
    Bonus.objects.create(test=test, rater=sessions[0].rater, participation=first,
                         rule="quality", amount=Decimal("0.50"), status="paid")  # fmt: skip
    panel = organizer_client.get(reverse("organize:monitor", args=[test.pk]), {"panel": 1})
    # committed: three sessions not rejected at 1.50, and the bonus: 5.00; paid: 1.50 + 0.50
    assert "5.00</span> GBP committed · 2.00 paid" in panel.content.decode()
    # a viewer reads progress, not money and not the systems' means
    viewer = Client()
    viewer.force_login(user_with("viewer"))
    seen = viewer.get(reverse("organize:monitor", args=[test.pk]), {"panel": 1}).content.decode()
    assert "tile-money" not in seen and "GBP" not in seen
    assert "<td>4.50</td>" in panel.content.decode() and "<td>4.50</td>" not in seen


def test_an_upload_that_is_no_zip_is_refused_naming_the_problem(organizer_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enhancement.models import Corpus

    upload = SimpleUploadedFile("speech.zip", b"not a zip at all", content_type="application/zip")
    data = {"name": "speech", "language": "en", "kind": "speech", "upload": upload}
    response = organizer_client.post(reverse("organize:corpus-add"), data)
    assert response.status_code == 400
    assert "zip" in response.content.decode().split('class="error"', 1)[1][:300].lower()
    assert not Corpus.objects.exists()


def test_publishing_a_prolific_test_from_the_guide_publishes_its_study_once(
    organizer_client, prolific
):
    # the publish job opens the test, then the study: the page's own call after a queued job
    # found the test still a draft and never made the study
    test = ListeningTest.objects.create(name="p", testset=testset_make([corpus_make("en", 2)]))
    recruitment_set(test=test, platform="prolific")
    act = reverse("organize:act", args=[test.pk])
    assert organizer_client.post(act, {"action": "publish"}).status_code == 302
    test.refresh_from_db()
    recruitment = Recruitment.objects.get(test=test)
    assert test.status == "live" and recruitment.study_status == "ACTIVE"
    assert prolific.studies[recruitment.study_id]["status"] == "ACTIVE"
    job = Job.objects.get(kind="publish", target_id=test.pk)
    job_execute(job_id=job.pk)  # delivered again, as after a lost worker: done, nothing twice
    assert prolific.calls("POST", r"studies/$") == 1
    assert prolific.calls("POST", r"studies/\w+/transition/") == 1


def test_an_adaptive_tests_monitoring_counts_against_its_minimum_and_its_budget(
    organizer_client,
):
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    ListeningTest.objects.filter(pk=test.pk).update(
        allocation="adaptive", min_votes_per_clip=2, vote_budget=10
    )  # as if it had been adaptive all along
    test.refresh_from_db()
    seen = monitor_read(test=test)
    # one clip per system, each at least 2 votes: 3 of 2 each; the budget is what it expects
    assert [(c["votes"], c["target"]) for c in seen["cells"]] == [(3, 2), (3, 2)]
    assert seen["target"] == 10 and seen["eta"]["remaining"] == 4  # 10 planned, 6 in
