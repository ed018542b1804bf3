"""The guide's steps for one test, each with its state, what is missing and what went wrong,
in words the organizer can act on."""

from __future__ import annotations

from dataclasses import dataclass, field

from enhancement.models import MetricScore, TestSet
from enhancement.selectors import testset_languages
from listening.models import ListeningTest, Session, Stimulus
from listening.platforms.models import Recruitment
from listening.services.publish import REFERENCE_KINDS

Status = ListeningTest.Status
DONE, TODO, BLOCKED, RUNNING = "done", "to do", "blocked", "running"


@dataclass
class Step:
    key: str
    title: str
    state: str = TODO
    summary: str = ""
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def test_steps(*, test: ListeningTest) -> list[Step]:
    testset = test.testset
    return [
        _corpora(testset),
        _systems(test),
        _testset(testset),
        _design(test),
        _preview(test),
        _publish(test),
        _monitor(test),
        _close(test),
        _report(test),
    ]


def _corpora(testset: TestSet) -> Step:
    step = Step("corpora", "Corpora and languages")
    corpora = list(testset.corpora.order_by("name"))
    for corpus in corpora:
        if not corpus.clips.exists():
            step.missing.append(f"corpus {corpus.name!r} has no clips: upload its zip again")
    if not corpora:
        step.missing.append("the test set names no corpus: add one to the test set")
    languages = sorted({corpus.language for corpus in corpora})
    step.summary = f"{len(corpora)} corpora in {', '.join(languages) or 'no language'}"
    step.state = TODO if step.missing else DONE
    return step


def _systems(test: ListeningTest) -> Step:
    step = Step("systems", "Systems")
    systems = list(test.testset.systems.order_by("name"))
    step.summary = ", ".join(s.name for s in systems) or "none"
    if not systems:
        step.missing.append("the test set names no system: add at least one")
    if test.is_paired:
        kind = REFERENCE_KINDS[test.reference_condition]
        if not any(s.kind == kind for s in systems):
            step.missing.append(
                f"{test.method.upper()} against the {test.reference_condition} input needs a "
                f"system of kind {kind!r} in the test set"
            )
    step.state = TODO if step.missing else DONE
    return step


def _testset(testset: TestSet) -> Step:
    step = Step("testset", f"Test set {testset.name}")
    step.summary = (
        f"{testset.status}: {testset.progress_done}/{testset.progress_total} outputs; "
        f"{_metric_count(testset)} metric scores"
    )
    if testset.status == TestSet.Status.DONE:
        step.state = DONE
    elif testset.status == TestSet.Status.RUNNING:
        step.state = RUNNING
    else:
        step.missing.append("generate the outputs (every system on every clip)")
    if testset.error:
        step.errors.append(f"generation: {testset.error}")
    failed = MetricScore.objects.filter(output__testset=testset).exclude(error="").count()
    if failed:
        step.errors.append(f"{failed} metric scores failed; see the test set's metric scores")
    return step


def _metric_count(testset: TestSet) -> int:
    return MetricScore.objects.filter(output__testset=testset, error="").count()


def _design(test: ListeningTest) -> Step:
    step = Step("design", "Design", state=DONE)
    platform = _platform_name(test)
    step.summary = (
        f"{test.get_method_display()}; {test.quota} votes per clip (target half-width "
        f"{test.target_half_width:g}); {test.stimuli_per_session} clips, "
        f"{test.gold_per_session} gold and {test.traps_per_session} traps per session; "
        f"platform: {platform}"
    )
    problem = _platform_problem(test)
    if problem:
        step.state = TODO
        step.missing.append(problem)
    return step


def _preview(test: ListeningTest) -> Step:
    step = Step("preview", "Preview")
    built = test.stimuli.filter(role=Stimulus.Role.TRAINING).exists()
    previews = Session.objects.filter(test=test, rater__preview=True).count()
    step.summary = f"{previews} preview sessions" if built else "stimuli not built yet"
    if not built:
        step.missing.append("build the stimuli, then take the rater's session yourself")
    step.state = DONE if previews else TODO
    return step


def _publish(test: ListeningTest) -> Step:
    step = Step("publish", "Publish")
    if test.status != Status.DRAFT:
        step.state, step.summary = DONE, f"published ({test.status})"
        return step
    step.missing = publish_blockers(test=test)
    step.state = BLOCKED if step.missing else TODO
    step.summary = "ready to publish" if not step.missing else "cannot be published yet"
    return step


def publish_blockers(*, test: ListeningTest) -> list[str]:
    """Why the test cannot be published now, each in words the organizer can act on; empty
    when it can. Reads only."""
    from listening.stimuli import build
    from listening.stimuli.speech import SpeechUnavailable

    found = []
    testset = test.testset
    if testset.status != TestSet.Status.DONE:
        found.append(f"the test set {testset.name!r} is {testset.status}: generate it first")
    languages = testset_languages(testset=testset)
    if not languages:
        found.append("the test set has no clips in any language")
    for language in languages:
        try:
            build.languages_check([language])
        except SpeechUnavailable as exc:
            found.append(f"language {language!r} has no spoken prompts for traps: {exc}")
    problem = _platform_problem(test)
    if problem:
        found.append(problem)
    return found


def _platform_name(test: ListeningTest) -> str:
    recruitment = Recruitment.objects.filter(test=test).first()
    return recruitment.get_platform_display() if recruitment else "open link"


def _platform_problem(test: ListeningTest) -> str | None:
    from listening.platforms import platform_for
    from listening.platforms.errors import PlatformError
    from listening.platforms.prolific_api import ProlificError

    if not Recruitment.objects.filter(test=test).exists():
        return None
    try:
        platform_for(test).ready_check()
    except (PlatformError, ProlificError) as exc:
        return f"the platform is not configured: {exc}"
    return None


def _monitor(test: ListeningTest) -> Step:
    from listening.selectors import listening_test_progress

    step = Step("monitor", "Monitor")
    if test.status == Status.DRAFT:
        step.summary = "opens once the test is published"
        return step
    progress = listening_test_progress(test=test)
    step.summary = f"{progress['votes']}/{progress['target']} votes ({progress['percent']:.0f}%)"
    step.state = RUNNING if test.status in (Status.LIVE, Status.PAUSED) else DONE
    return step


def _close(test: ListeningTest) -> Step:
    step = Step("close", "Close")
    step.state = DONE if test.status == Status.CLOSED else TODO
    step.summary = {Status.CLOSED: "closed", Status.DRAFT: "not published yet"}.get(
        test.status, f"{test.status}: close it when the votes are in"
    )
    return step


def _report(test: ListeningTest) -> Step:
    from analysis.selectors import report_latest_done

    step = Step("report", "Report")
    built = report_latest_done(test=test)
    step.state = DONE if built else TODO
    step.summary = f"built {built.finished_at:%Y-%m-%d %H:%M}" if built else "no build yet"
    failed = test.reports.filter(status="failed").first()
    if failed and (built is None or failed.requested_at > built.requested_at):
        step.errors.append(f"the latest build failed: {failed.error}")
    return step
