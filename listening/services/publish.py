"""Publishing a test: a stimulus for every output, and the platform's own clips per language."""

from __future__ import annotations

from django.db import transaction

from enhancement import storage
from enhancement.models import Output, TestSet
from enhancement.selectors import testset_languages
from listening.models import ListeningTest, Stimulus
from listening.services.errors import (
    LanguageUnspoken,
    ReferenceMissing,
    SpeechFailed,
    UngeneratedTestSet,
)
from listening.stimuli import build
from listening.stimuli.speech import SpeechUnavailable

# The system kind that plays the reference in DCR and CCR, per reference choice.
REFERENCE_KINDS = {
    ListeningTest.Reference.UNPROCESSED: "unprocessed",
    ListeningTest.Reference.CLEAN: "clean_reference",
}


def listening_test_publish(*, test: ListeningTest) -> int:
    """Build what listening_test_prepare builds (what a preview built already is kept) and
    open the test to raters. Returns the rating stimulus count."""
    count = listening_test_prepare(test=test)
    test.status = ListeningTest.Status.LIVE
    test.save(update_fields=["status"])
    return count


def listening_test_prepare(*, test: ListeningTest) -> int:
    """Make a stimulus of every output and build gold, trap, training and check clips in every
    language, leaving the status alone (a draft can be previewed so). Returns the rating
    stimulus count. Nothing is written unless all of it can be built: no row, and no audio
    file either; what was built before is left as it is."""
    if test.testset.status != TestSet.Status.DONE:
        raise UngeneratedTestSet(
            f"test set {test.testset.name!r} is {test.testset.status}, not done: generate it first"
        )
    languages = testset_languages(testset=test.testset)
    try:
        build.languages_check(languages)
    except SpeechUnavailable as exc:
        raise LanguageUnspoken(f"cannot build trapping and hearing clips: {exc}") from None
    with storage.files_for_rows() as files, transaction.atomic():
        _rating_stimuli_create(test)
        try:
            for language in languages:
                build.stimuli_build(test=test, language=language, files=files)
        except SpeechUnavailable as exc:
            raise SpeechFailed(f"cannot build platform clips: {exc}") from None
    return test.stimuli.filter(role=Stimulus.Role.RATING).count()


def _rating_stimuli_create(test: ListeningTest) -> None:
    outputs = list(
        Output.objects.filter(testset=test.testset).select_related("clip__corpus", "system")
    )
    references = _references(test, outputs)
    existing = set(test.stimuli.values_list("output_id", flat=True))
    stimuli = []
    for output in outputs:
        if output.id in existing or (references and output.id in references["own"]):
            continue
        reference = references[output.clip_id] if references else None
        stimuli.append(
            Stimulus(
                test=test,
                output=output,
                language=output.clip.corpus.language,
                utterance=f"{output.clip.corpus_id}:{output.clip.utterance}",
                audio=output.audio.name,
                reference_audio=reference.audio.name if reference else "",
                duration=output.duration + (reference.duration if reference else 0.0),
            )
        )
    Stimulus.objects.bulk_create(stimuli)


def _references(test: ListeningTest, outputs: list[Output]) -> dict | None:
    """For DCR and CCR: each clip's reference output, keyed by clip id, and under "own" the
    ids of the reference outputs themselves (they are the yardstick, not a condition)."""
    if not test.is_paired:
        return None
    kind = REFERENCE_KINDS[test.reference_condition]
    found = {o.clip_id: o for o in outputs if o.system.kind == kind}
    if not found:
        raise ReferenceMissing(
            f"{test.get_method_display().split(' ')[0]} against the "
            f"{test.reference_condition} input needs the test set to include a {kind!r} system"
        )
    missing = {o.clip_id for o in outputs} - set(found)
    if missing:
        raise ReferenceMissing(
            f"{len(missing)} clip(s) have no {kind!r} output to compare with; regenerate the "
            "test set"
        )
    return {**found, "own": {o.id for o in found.values()}}
