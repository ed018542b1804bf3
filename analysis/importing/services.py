"""The import's writes: a toolkit Batch file and its config become one closed listening test.

Everything is read and checked first (analysis.importing.batch and .config), then written in
one transaction, so a refused file leaves no row behind.

Imported clips have no audio, only the URLs the toolkit's HITs played. Their Clip and Output
rows are written here without a file (the URL is the clip's name) instead of through
enhancement's clips_create, which stores audio: the report, the exports and the API need each
vote's system and clip, which come through Output, and nothing ever plays or scores these.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction

from analysis.importing.batch import AssignmentDraft, Question, batch_parse
from analysis.importing.config import toolkit_config_parse
from analysis.importing.errors import ImportRefused, Problem
from analysis.importing.models import ImportedAssignment
from analysis.stats.toolkit_screening import clip_condition
from enhancement.models import Clip, Corpus, Output, System, TestSet
from enhancement.systems.kinds import IMPORTED
from listening.methods import spec
from listening.models import (
    Assignment,
    ListeningTest,
    Qualification,
    Rater,
    Session,
    SetupResult,
    Stimulus,
    Vote,
)
from listening.services import rater_get_or_create

NAME_LIMIT = 100  # System.name


def p808_import(
    *,
    batch_text: str,
    config_text: str,
    method: str,
    name: str,
    language: str = "en",
    condition_pattern: str | None = None,
    condition_keys: str | None = None,
) -> ListeningTest:
    """Import a Batch results file screened by its result_parser.cfg; returns the new test.
    Raises ImportRefused, naming every problem, and then writes nothing."""
    if method not in {"acr", "dcr", "ccr", "p835"}:
        raise ImportRefused("import", [Problem(None, f"unknown method {method!r}")])
    config = toolkit_config_parse(
        text=config_text,
        method=method,
        condition_pattern=condition_pattern,
        condition_keys=condition_keys,
    )
    drafts = batch_parse(text=batch_text, config=config)
    _check_new(name, drafts, config)
    with transaction.atomic():
        test = _test_create(name, method, config, language, drafts)
        stimuli = _stimuli_create(test, config, drafts)
        for draft in drafts:
            assignment_import(test=test, draft=draft, stimuli=stimuli, language=language)
    return test


def _check_new(name: str, drafts: list[AssignmentDraft], config: dict) -> None:
    problems = []
    if not name.strip():
        problems.append(Problem(None, "the test needs a name"))
    if ListeningTest.objects.filter(name=name).exists():
        problems.append(Problem(None, f"a listening test named {name!r} exists already"))
    ids = {draft.assignment_id: draft.line for draft in drafts}
    known = ImportedAssignment.objects.filter(assignment_id__in=list(ids)).select_related("test")
    for found in known:
        problems.append(
            Problem(
                ids[found.assignment_id],
                f"assignment imported already, into test {found.test.name!r}",
            )
        )
    for condition in _conditions(drafts, config):
        if len(_system_name(name, condition)) > NAME_LIMIT:
            problems.append(
                Problem(
                    None,
                    f"test name and condition {condition!r} are too long "
                    f"together for a system name ({NAME_LIMIT})",
                )
            )
    if problems:
        raise ImportRefused("import", sorted(problems, key=lambda p: p.line or 0))


def _conditions(drafts: list[AssignmentDraft], config: dict) -> set[str]:
    return {_condition(q.url, config) for d in drafts for q in d.questions if q.role == "rating"}


def _condition(url: str, config: dict) -> str:
    return clip_condition(url, config["condition_pattern"], config["condition_keys"])


def _system_name(test_name: str, condition: str) -> str:
    # System names are unique across the installation; a condition ("03") is not.
    return f"{test_name} · {condition}"


def _test_create(name, method, config, language, drafts) -> ListeningTest:
    testset = TestSet.objects.create(name=name, status=TestSet.Status.DONE)
    corpus = Corpus.objects.create(
        name=name, language=language, description="P.808 toolkit clips, known by their URLs"
    )
    testset.corpora.add(corpus)
    gold = config["gold"] or {}
    return ListeningTest.objects.create(
        name=name,
        method=method,
        testset=testset,
        status=ListeningTest.Status.CLOSED,
        stimuli_per_session=max(sum(q.role == "rating" for q in drafts[0].questions), 1),
        votes_per_stimulus=config["expected_votes"] or spec(method).default_votes,
        gold_tolerance=gold.get("variance") or 1,
        max_sessions_per_rater=max(config["accept"]["max_hits"], 1),
        screen_variance_min=config["use"]["variance"],
        screening_profile=ListeningTest.ScreeningProfile.TOOLKIT,
        screening_config=config,
    )


def _stimuli_create(test: ListeningTest, config: dict, drafts) -> dict[tuple[str, str], Stimulus]:
    """One stimulus per (role, URL); a rating one through a file-less Clip and Output of the
    System its condition names."""
    first = _first_questions(drafts)
    rating = [q for (role, _url), q in first.items() if role == "rating"]
    outputs = _outputs_create(test, config, rating)
    rows = [_stimulus(test, q, outputs.get(q.url), drafts) for q in first.values()]
    created = Stimulus.objects.bulk_create(rows)
    return {(s.role, s.utterance): s for s in created}


def _first_questions(drafts: Iterable[AssignmentDraft]) -> dict[tuple[str, str], Question]:
    first = {}
    for draft in drafts:
        for question in draft.questions:
            first.setdefault((question.role, question.url), question)
    return first


def _outputs_create(test: ListeningTest, config: dict, rating: list[Question]) -> dict:
    corpus, testset = test.testset.corpora.get(), test.testset
    systems = {}
    for condition in sorted({_condition(q.url, config) for q in rating}):
        systems[condition] = System.objects.create(
            name=_system_name(test.name, condition),
            kind=IMPORTED,
            params={"p808_condition": condition},
            description=f"Condition {condition} of the imported P.808 toolkit test {test.name}",
        )
    testset.systems.add(*systems.values())
    clips = Clip.objects.bulk_create(
        Clip(corpus=corpus, name=q.url, utterance=q.url, sample_rate=0, duration=0.0)
        for q in rating
    )
    outputs = Output.objects.bulk_create(
        Output(
            testset=testset,
            clip=clip,
            system=systems[_condition(clip.name, config)],
            sample_rate=0,
            duration=0.0,
        )
        for clip in clips
    )
    return {output.clip.name: output for output in outputs}


def _stimulus(test: ListeningTest, question: Question, output, drafts) -> Stimulus:
    accept = _accept_range(test, question, drafts)
    return Stimulus(
        test=test,
        output=output,
        role=question.role,
        language=test.testset.corpora.get().language,
        utterance=question.url,
        reference_audio=question.reference,
        duration=0.0,
        accept_min=accept[0],
        accept_max=accept[1],
    )


def _accept_range(test: ListeningTest, question: Question, drafts) -> tuple:
    """The right answers of a gold or trap clip, as its first assignment set them; each vote
    also keeps whether the toolkit counted it right."""
    method = spec(test.method)
    if question.role == "rating":
        return (None, None)
    if question.role == "trap" and method.trap.accept:
        return method.trap.accept
    draft = next(d for d in drafts if question in d.questions)
    expected = draft.checks.get(f"{question.role}_answer")
    if expected is None:
        return (None, None)
    slack = test.gold_tolerance if question.role == "gold" else 0
    return (expected - slack, expected + slack)


def assignment_import(
    *,
    test: ListeningTest,
    draft: AssignmentDraft,
    stimuli: dict[tuple[str, str], Stimulus],
    language: str,
) -> Session:
    """One assignment: its rater (by the worker id's keyed hash), a finished session with the
    assignment's times, its qualification and setup answers, a vote per question, and what the
    Batch adds (file line, MTurk ids, the toolkit's checks, the training answers)."""
    rater = rater_get_or_create(
        platform=Rater.Platform.MTURK, external_id=draft.worker_id, language=language
    )
    session = Session.objects.create(
        test=test,
        rater=rater,
        state=Session.State.COMPLETE,
        started_at=draft.accepted_at,
        last_seen_at=draft.submitted_at,
        completed_at=draft.submitted_at,
        trained_at=draft.accepted_at if draft.training else None,
    )
    _checks_create(session, draft, test.screening_config)
    _votes_create(session, draft, stimuli)
    ImportedAssignment.objects.create(
        test=test,
        session=session,
        assignment_id=draft.assignment_id,
        hit_id=draft.hit_id,
        line=draft.line,
        status=draft.status,
        work_seconds=draft.work_seconds,
        checks=draft.checks,
    )
    return session


def _checks_create(session: Session, draft: AssignmentDraft, config: dict) -> None:
    """The qualification and setup the assignment showed, as Auricle keeps its own: the
    bandwidth check is the qualification's pass, the math sum the two-ear check, and the four
    pairs the environment check (passed at the config's correct_cmp_bigger_equal)."""
    found = draft.checks
    if draft.qualification is not None:
        right = sum(
            draft.qualification.get(f"answer.comb_bw{i}") == a
            for i, a in enumerate(("dq", "dq", "dq", "sq", "sq"), start=1)
        )
        Qualification.objects.create(
            rater=session.rater,
            session=session,
            taken_at=draft.accepted_at,
            passed=bool(found["qualification"]),
            hearing_correct=0,
            bandwidth_correct=right,
            reasons=[] if found["qualification"] else ["bandwidth check"],
            answers=draft.qualification,
        )
    if draft.setup is not None:
        SetupResult.objects.create(
            rater=session.rater,
            session=session,
            taken_at=draft.accepted_at,
            level_confirmed=True,
            two_ear_correct=found["math"],
            two_ear_total=1,
            environment_correct=found["comparisons"],
            environment_total=4,
            environment_passed=found["comparisons"] >= config["use"]["comparisons"],
            answers=draft.setup,
        )


def _votes_create(session: Session, draft: AssignmentDraft, stimuli: dict) -> None:
    elapsed = draft.work_seconds * 1000  # MTurk times the assignment, not each question
    assignments = Assignment.objects.bulk_create(
        Assignment(
            session=session,
            stimulus=stimuli[q.role, q.url],
            position=q.position,
            processed_first=q.processed_first,
            served_at=draft.accepted_at,
        )
        for q in draft.questions
    )
    Vote.objects.bulk_create(
        _vote(session, assignment, question, draft, elapsed)
        for assignment, question in zip(assignments, draft.questions, strict=True)
    )


def _vote(session, assignment, question: Question, draft, elapsed: int) -> Vote:
    score = question.scores["score"]
    raw = None
    if question.processed_first is not None:  # CCR: the answer was second clip against first
        raw = -score if question.processed_first else score
    return Vote(
        assignment=assignment,
        session=session,
        rater=session.rater,
        stimulus=assignment.stimulus,
        role=question.role,
        score=score,
        raw_score=raw,
        sig=question.scores.get("sig"),
        bak=question.scores.get("bak"),
        processed_first=question.processed_first,
        passed=_passed(question, draft),
        idempotency_key=uuid.uuid4(),
        served_at=draft.accepted_at,
        received_at=draft.submitted_at,
        elapsed_ms=elapsed,
        play_count=question.played,
    )


def _passed(question: Question, draft: AssignmentDraft) -> bool | None:
    if question.role == "trap":
        return bool(draft.checks["traps"])
    if question.role == "gold":
        return bool(draft.checks["gold"])
    return None
