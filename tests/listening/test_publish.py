"""Publishing builds rating stimuli and the platform's own clips in every language."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from django.core.files.storage import default_storage

from enhancement.models import Clip, System
from listening import services
from listening.models import CheckItem, ListeningTest, Stimulus
from tests.conftest import corpus_make, live_test_make, testset_make

pytestmark = pytest.mark.django_db


def read(name: str) -> tuple[np.ndarray, int]:
    with default_storage.open(name, "rb") as handle:
        return sf.read(handle, dtype="float32")


def test_it_builds_gold_traps_training_and_checks_for_every_language(live_test):
    for language in ("en", "de"):
        stimuli = live_test.stimuli.filter(language=language)
        roles = set(stimuli.values_list("role", flat=True))
        assert roles == {"rating", "gold", "trap", "training"}
        kinds = set(
            CheckItem.objects.filter(test=live_test, language=language).values_list(
                "kind", flat=True
            )
        )
        assert kinds == {"hearing", "bandwidth", "calibration", "two_ear", "environment"}
    gold = live_test.stimuli.filter(role="gold")
    assert {(g.accept_min, g.accept_max) for g in gold} == {(1, 2), (4, 5)}
    for trap in live_test.stimuli.filter(role="trap"):
        assert trap.accept_min == trap.accept_max and 1 <= trap.accept_min <= 5


def test_a_trap_is_the_start_of_a_clip_then_a_spoken_instruction(live_test):
    trap = live_test.stimuli.filter(role="trap", language="de").first()
    audio, rate = read(trap.audio)
    assert trap.duration == pytest.approx(len(audio) / rate)
    # 3 s of the clip, a 0.4 s pause, then several seconds of instruction.
    assert len(audio) / rate > 3.4 + 1.5
    pause = audio[int(3.05 * rate) : int(3.35 * rate)]
    assert np.max(np.abs(pause)) < 1e-4


def test_a_two_ear_trial_speaks_one_digit_in_each_ear_in_turn(live_test):
    item = CheckItem.objects.filter(test=live_test, kind="two_ear").first()
    audio, _rate = read(item.audio)
    assert audio.shape[1] == 2
    left_active = np.flatnonzero(np.abs(audio[:, 0]) > 1e-3)
    right_active = np.flatnonzero(np.abs(audio[:, 1]) > 1e-3)
    assert left_active.size and right_active.size
    assert left_active.max() < right_active.min()
    assert 2 <= int(item.answer) <= 18


def test_a_bandwidth_pair_marked_different_differs_above_the_cutoff(live_test):
    for item in CheckItem.objects.filter(test=live_test, kind="bandwidth"):
        first, rate = read(item.audio)
        second, _ = read(item.audio_b)

        def high_band(x, rate=rate):
            spectrum = np.abs(np.fft.rfft(x)) ** 2
            freqs = np.fft.rfftfreq(len(x), 1 / rate)
            return spectrum[freqs > 5000].sum() / spectrum.sum()

        ratio = high_band(first) / max(high_band(second), 1e-12)
        if item.answer == "same":
            assert ratio == pytest.approx(1.0, rel=1e-3)
        else:
            assert ratio > 100 or ratio < 1 / 100


def test_a_hearing_trial_holds_three_digits_and_says_which(live_test):
    for item in CheckItem.objects.filter(test=live_test, kind="hearing"):
        assert len(item.answer) == 3 and item.answer.isdigit()
        assert item.duration > 2.0


def test_dcr_pairs_each_output_with_its_unprocessed_input():
    testset = testset_make([corpus_make("en", 3)])
    test = live_test_make(testset, method="dcr")
    rating = test.stimuli.filter(role="rating").select_related("output__system")
    # The unprocessed outputs are the yardstick, not a condition.
    assert {s.output.system.kind for s in rating} == {"spectral_gating"}
    for stimulus in rating:
        reference = stimulus.output.clip.outputs.get(system__kind="unprocessed")
        assert stimulus.reference_audio == reference.audio.name
        assert stimulus.duration == pytest.approx(stimulus.output.duration + reference.duration)
    assert {(s.accept_min, s.accept_max) for s in test.stimuli.filter(role="trap")} == {(4, 5)}


def test_ccr_gold_and_traps_use_the_ccr_scale():
    test = live_test_make(testset_make([corpus_make("en", 3)]), method="ccr")
    assert {(s.accept_min, s.accept_max) for s in test.stimuli.filter(role="gold")} == {(-3, -2)}
    traps = test.stimuli.filter(role="trap")
    assert {(s.accept_min, s.accept_max) for s in traps} == {(-1, 1)}
    assert all(s.reference_audio == s.audio for s in traps)


def test_ccr_against_the_clean_reference_needs_a_clean_reference_system():
    testset = testset_make([corpus_make("en", 2)])
    test = ListeningTest.objects.create(
        name="ccr clean", testset=testset, method="ccr", reference_condition="clean"
    )
    with pytest.raises(services.PublishError, match="clean_reference"):
        services.listening_test_publish(test=test)
    test.refresh_from_db()
    assert test.status == "draft" and not test.stimuli.exists()


def test_a_language_the_platform_cannot_speak_is_refused_by_name():
    testset = testset_make([corpus_make("en", 2)], generate=False)
    corpus = testset.corpora.get()
    corpus.language = "xx"
    corpus.save()
    from enhancement.services import testset_generate

    testset_generate(testset=testset)
    test = ListeningTest.objects.create(name="xx", testset=testset)
    with pytest.raises(services.PublishError, match="'xx'"):
        services.listening_test_publish(test=test)
    assert not Stimulus.objects.filter(test=test).exists()


def test_publishing_twice_builds_nothing_new(live_test):
    before = live_test.stimuli.count(), CheckItem.objects.filter(test=live_test).count()
    services.listening_test_publish(test=live_test)
    after = live_test.stimuli.count(), CheckItem.objects.filter(test=live_test).count()
    assert before == after


def test_ccr_with_clean_reference_compares_with_the_clean_output():
    testset = testset_make([corpus_make("en", 2)], generate=False)
    testset.systems.add(System.objects.get_or_create(name="clean", kind="clean_reference")[0])
    from enhancement.services import testset_generate

    testset_generate(testset=testset)
    test = live_test_make(testset, method="ccr", reference_condition="clean")
    kinds = set(test.stimuli.filter(role="rating").values_list("output__system__kind", flat=True))
    assert kinds == {"unprocessed", "spectral_gating"}


def stored_files(root) -> set:
    return {path for path in root.rglob("*") if path.is_file()}


def test_a_publish_that_fails_part_way_leaves_no_stimulus_and_no_audio(testset, media_root):
    # Languages build in order (de, then en): with the English clean references gone from
    # storage, English fails after every German clip was stored.
    for clip in Clip.objects.filter(corpus__language="en"):
        default_storage.delete(clip.reference.name)
    before = stored_files(media_root)
    test = ListeningTest.objects.create(name="fails part way", testset=testset)
    with pytest.raises(FileNotFoundError):
        services.listening_test_publish(test=test)
    test.refresh_from_db()
    assert test.status == "draft"
    assert not Stimulus.objects.filter(test=test).exists()
    assert not CheckItem.objects.filter(test=test).exists()
    assert stored_files(media_root) == before
