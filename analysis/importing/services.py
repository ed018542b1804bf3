"""The import's writes: a toolkit Batch file and its config become one closed listening test.

Everything is read and checked first (analysis.importing.batch and .config), then written in
one transaction, so a refused file leaves no row behind.

Imported clips have no audio, only the URLs the toolkit's HITs played. Their Clip and Output
rows are written here without a file (the URL is the clip's name) instead of through
enhancement's clips_create, which stores audio: the report, the exports and the API need each
vote's system and clip, which come through Output, and nothing ever plays or scores these.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from analysis.importing.assignments import assignment_import
from analysis.importing.batch import AssignmentDraft, Question, batch_parse
from analysis.importing.config import toolkit_config_parse
from analysis.importing.errors import ImportRefused, Problem
from analysis.importing.models import ImportedAssignment
from analysis.stats.toolkit_tables import clip_condition
from enhancement.models import Clip, Corpus, Output, System, TestSet
from enhancement.systems.kinds import IMPORTED
from listening.methods import spec
from listening.models import (
    ListeningTest,
    Stimulus,
)

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
    """Refuse what would clash with rows there already, naming each clash."""
    problems = _names_taken(name, _conditions(drafts, config)) + _imported_already(drafts)
    if problems:
        raise ImportRefused("import", sorted(problems, key=lambda p: p.line or 0))


def _names_taken(name: str, conditions: set[str]) -> list[Problem]:
    if not name.strip() or len(name) > NAME_LIMIT:
        return [Problem(None, f"the test needs a name of 1 to {NAME_LIMIT} characters")]
    problems = []
    for model in (ListeningTest, TestSet, Corpus):
        if model.objects.filter(name=name).exists():
            what = model._meta.verbose_name
            problems.append(Problem(None, f"a {what} named {name!r} exists already"))
    systems = sorted(_system_name(name, condition) for condition in conditions)
    for system in systems:
        if len(system) > NAME_LIMIT:
            problems.append(
                Problem(
                    None,
                    f"system name {system!r} is over {NAME_LIMIT} "
                    "characters: choose a shorter test name",
                )
            )
    for taken in System.objects.filter(name__in=systems).values_list("name", flat=True):
        problems.append(Problem(None, f"a system named {taken!r} exists already"))
    return problems


def _imported_already(drafts: list[AssignmentDraft]) -> list[Problem]:
    lines = {draft.assignment_id: draft.line for draft in drafts}
    known = ImportedAssignment.objects.filter(assignment_id__in=list(lines))
    return [
        Problem(
            lines[found.assignment_id],
            f"assignment imported already, into test {found.test.name!r}",
        )
        for found in known.select_related("test")
    ]


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
    language = test.testset.corpora.get().language
    rows = [_stimulus(test, q, outputs.get(q.url), drafts, language) for q in first.values()]
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


def _stimulus(test: ListeningTest, question: Question, output, drafts, language) -> Stimulus:
    accept = _accept_range(test, question, drafts)
    return Stimulus(
        test=test,
        output=output,
        role=question.role,
        language=language,
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
