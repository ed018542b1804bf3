"""One imported assignment written as Auricle keeps a native session: its rater, the session,
the qualification and setup it showed, and a vote per question."""

from __future__ import annotations

import uuid

from analysis.importing.batch import AssignmentDraft, Question
from analysis.importing.models import ImportedAssignment
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
