"""Writes of the organizer's pages. Long work goes to the jobs app: a background job with its
progress, as the admin's actions start."""

from __future__ import annotations

from django.db import transaction

from enhancement.models import Corpus, System, TestSet
from jobs.errors import JobRefused
from jobs.models import Job
from jobs.runners.corpora import upload_store
from jobs.services import job_start
from listening import lifecycle
from listening.identity import scrubbed
from listening.models import ListeningTest
from listening.platforms import platform_for
from listening.platforms.errors import PlatformError
from listening.platforms.prolific_api import ProlificError
from listening.platforms.services import recruitment_set
from organize.selectors import publish_blockers


class Refused(Exception):
    """An organizer's action the test cannot take now; the message says why and what to do."""


def _job(kind: str, *, params: dict, target=None, user=None) -> Job:
    try:
        return job_start(kind=kind, params=params, target=target, user=user)
    except JobRefused as exc:
        raise Refused(str(exc)) from None


def corpus_upload(*, data: dict, user=None):
    """Ingest an uploaded zip into a corpus, as a job; returns the job."""
    fields = {key: data[key] for key in ("name", "language", "kind", "channel")}
    return _job("ingest", params={**fields, "upload": upload_store(data["upload"])}, user=user)


def testset_create(*, name: str, corpora: list[Corpus], systems: list[System], user=None):
    """A test set of these corpora and systems, its generation started."""
    with transaction.atomic():
        testset = TestSet.objects.create(name=name)
        testset.corpora.set(corpora)
        testset.systems.set(systems)
    testset_generate(testset=testset, user=user)
    return testset


def testset_generate(*, testset: TestSet, user=None) -> None:
    _job("generate", params={}, target=testset, user=user)


def testset_score(*, testset: TestSet, user=None) -> None:
    _job("metrics", params={}, target=testset, user=user)


def design_save(*, form, platform: str) -> ListeningTest:
    """The design form's test, and its platform."""
    with transaction.atomic():
        test = form.save()
        current = getattr(getattr(test, "recruitment", None), "platform", "open")
        if platform != current:
            try:
                recruitment_set(test=test, platform=platform)
            except PlatformError as exc:
                raise Refused(str(exc)) from None
    return test


def test_prepare(*, test: ListeningTest, user=None) -> int | None:
    """Build a draft's stimuli so it can be previewed, as a job; publishing keeps them. The
    count built once the job is done (at once with an eager Celery), None while it runs."""
    if test.status != ListeningTest.Status.DRAFT:
        raise Refused(f"the test is {test.status}: its stimuli were built when it was published")
    job = _job("prepare", params={}, target=test, user=user)
    job.refresh_from_db()
    if job.status == job.Status.FAILED:
        raise Refused(job.message or "the stimuli could not be built")
    return job.result.get("stimuli") if job.status == job.Status.DONE else None


def test_publish(*, test: ListeningTest, user=None) -> None:
    """Publish the test, then open its study on the platform. Refused, naming each reason,
    while the test set is incomplete, a language has no spoken prompts or the platform is
    not configured."""
    blockers = publish_blockers(test=test)
    if blockers:
        raise Refused("not published: " + "; ".join(blockers))
    # the job publishes the study too, once the test is live
    job = _job("publish", params={"platform": True}, target=test, user=user)
    job.refresh_from_db()
    test.refresh_from_db()
    if job.status == job.Status.FAILED:  # at once with an eager Celery; else on its page
        raise Refused(job.message)


# The platform's action that goes with each of the test's moves.
PLATFORM_VERB = {"pause": "pause", "resume": "resume", "close": "stop"}


def test_move(*, test: ListeningTest, action: str) -> None:
    """Pause, resume or close the test and its study."""
    if action not in PLATFORM_VERB:
        raise Refused(f"{action!r} is not one of {', '.join(PLATFORM_VERB)}")
    try:
        lifecycle.listening_test_move(test=test, action=action)
    except lifecycle.StatusRefused as exc:
        raise Refused(str(exc)) from None
    _platform(test, PLATFORM_VERB[action])


def _platform(test: ListeningTest, verb: str) -> None:
    try:
        getattr(platform_for(test), verb)()
    except (PlatformError, ProlificError) as exc:
        raise Refused(
            f"the test is {test.status}, but the platform's {verb} failed: {scrubbed(str(exc))}; "
            "retry from the recruitment page"
        ) from None
