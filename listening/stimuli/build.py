"""Builds every stimulus a published test needs besides its outputs, for each of its languages:
gold, trapping and training clips, and the trials of the qualification and setup checks.

All of it is synthesised here from the test set's clips, their clean references and espeak-ng;
nothing is downloaded. Stored names are random, like every other stimulus.

The gold and trap banks are as large as a rater could need: the test's session limit times the
gold (or traps) per session, as far as the test set has clips. Gold comes from every clean
reference (spread over the set when there are more than needed); traps from every clip of the
set, each from its own offset into the clip, in one of two wordings, with answers spread over
the scale. So a rater meets the same gold or trap again only when the test set is too small.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from enhancement import storage
from enhancement.models import Clip
from enhancement.storage import StoredFiles
from listening.methods import spec
from listening.models import CheckItem, ListeningTest, Stimulus
from listening.stimuli import audio as sig
from listening.stimuli import speech

# The smallest banks, built from fewer sources over again when the test set is small.
GOLD_SOURCES = 4
TRAP_COUNT = 6
# A trap plays this many seconds of its clip, from a random offset into it, then the
# instruction.
TRAP_HEAD_SECONDS = 3.0
DIN_SNR_DB = (-2.0, -4.0, -6.0, -8.0)
DIN_BANK = 12
PAIR_BANK = 8
CHECK_RATE = 16000


@dataclass(frozen=True)
class Source:
    """Clean speech in the test's language, and the utterance it came from."""

    utterance: str
    audio: np.ndarray
    rate: int


def languages_check(languages: list[str]) -> None:
    """Refuse, before anything is written, a language the platform cannot speak."""
    for language in languages:
        speech.trap_text(language, 1, every_scale=False)


def stimuli_build(*, test: ListeningTest, language: str, files: StoredFiles) -> int:
    """Gold, trap and training stimuli and check trials for one language, their audio stored
    through files; returns how many stimuli were made. A language already built is left
    alone."""
    if test.stimuli.filter(language=language).exclude(role=Stimulus.Role.RATING).exists():
        return 0
    rng = np.random.default_rng([zlib.crc32(language.encode()), test.pk])
    gold_needed = test.max_sessions_per_rater * test.gold_per_session
    sources = _clean_sources(test, language, max(gold_needed, GOLD_SOURCES))
    built = Builder(test, language, rng, files)
    built.gold(sources, one_each=len(sources) >= gold_needed)
    trap_needed = max(test.max_sessions_per_rater * test.traps_per_session, TRAP_COUNT)
    built.traps(_clip_sources(test, language, trap_needed) or sources, trap_needed)
    built.training(sources[0])
    Stimulus.objects.bulk_create(built.stimuli)
    CheckItem.objects.bulk_create(checks_build(test, language, sources[0], rng, files))
    return len(built.stimuli)


def _spread(clips: list[Clip], limit: int) -> list[Clip]:
    """At most limit of the clips, evenly over the list (so over its corpora and names)."""
    if len(clips) <= limit:
        return clips
    return [clips[i] for i in np.linspace(0, len(clips) - 1, limit).round().astype(int)]


def _language_clips(test: ListeningTest, language: str):
    return Clip.objects.filter(corpus__testsets=test.testset, corpus__language=language).order_by(
        "corpus_id", "name"
    )


def _clean_sources(test: ListeningTest, language: str, limit: int) -> list[Source]:
    clips = _spread(list(_language_clips(test, language).exclude(reference="")), limit)
    sources = []
    for clip in clips:
        audio, rate = storage.audio_load(clip.reference.name)
        sources.append(Source(f"{clip.corpus_id}:{clip.utterance}", audio, rate))
    if not sources:  # real recordings with no clean reference: a synthetic sentence stands in
        spoken = speech.speak(language, speech.calibration_text(language))
        sources.append(Source("platform:calibration", spoken, speech.RATE))
    return sources


def _clip_sources(test: ListeningTest, language: str, limit: int) -> list[Source]:
    """The test set's clips as raters hear them rated (the input), for traps."""
    sources = []
    for clip in _spread(list(_language_clips(test, language)), limit):
        audio, rate = storage.audio_load(clip.audio.name)
        sources.append(Source(f"{clip.corpus_id}:{clip.utterance}", audio, rate))
    return sources


class Builder:
    def __init__(
        self, test: ListeningTest, language: str, rng: np.random.Generator, files: StoredFiles
    ) -> None:
        self.test, self.language, self.rng, self.files = test, language, rng, files
        self.method = spec(test.method)
        self.target = test.testset.target_level_db
        self.stimuli: list[Stimulus] = []
        # The bottom of the method's scale, where the strongest anchor belongs.
        self.worst = self.method.low
        self.tolerance = test.gold_tolerance
        self.spoken: dict[tuple[int, int], np.ndarray] = {}  # (answer, wording) → speech

    # -- stimuli -------------------------------------------------------------------------------
    def add(self, role, utterance, audio, rate, *, reference=None, accept=None) -> None:
        same = reference is audio
        audio = sig.level(audio, rate, self.target)
        name = self.files.audio_save(audio=audio, sample_rate=rate)
        duration = len(audio) / rate
        reference_name = ""
        if reference is not None:
            if same:
                reference_name = name
            else:
                reference = sig.level(reference, rate, self.target)
                reference_name = self.files.audio_save(audio=reference, sample_rate=rate)
            duration += len(reference) / rate
        low, high = accept if accept is not None else (None, None)
        self.stimuli.append(
            Stimulus(
                test=self.test,
                role=role,
                language=self.language,
                utterance=utterance,
                audio=name,
                reference_audio=reference_name,
                duration=duration,
                accept_min=low,
                accept_max=high,
            )
        )

    def pair_or_single(self, role, source: Source, processed: np.ndarray, accept) -> None:
        reference = source.audio if self.test.is_paired else None
        self.add(role, source.utterance, processed, source.rate, reference=reference, accept=accept)

    def gold(self, sources: list[Source], *, one_each: bool) -> None:
        """A strong MNRU anchor (worst) of each source, and for single-clip methods the clean
        source (best) too; with one_each (sources enough for the bank), one gold a source,
        worst and best in turn."""
        t = self.tolerance
        worst = (self.worst, self.worst + t)
        best = (self.method.high - t, self.method.high)
        for index, source in enumerate(sources):
            wanted = ["worst"] if self.test.is_paired else ["worst", "best"]
            if one_each and not self.test.is_paired:
                wanted = [wanted[index % 2]]
            if "worst" in wanted:
                anchor = sig.mnru(source.audio, source.rate, sig.ANCHOR_Q_DB, seed=index)
                self.pair_or_single(Stimulus.Role.GOLD, source, anchor, worst)
            if "best" in wanted:
                self.pair_or_single(Stimulus.Role.GOLD, source, source.audio, best)

    def traps(self, sources: list[Source], count: int) -> None:
        """count traps (at least TRAP_COUNT), at most one a source while the sources last."""
        count = max(TRAP_COUNT, min(count, len(sources)))
        scale = np.arange(self.method.low, self.method.high + 1)
        answers = np.concatenate(
            [self.rng.permutation(scale) for _ in range(-(-count // len(scale)))]
        )
        for number in range(count):
            source = sources[number % len(sources)]
            self.add_trap(Stimulus.Role.TRAP, source, answer=int(answers[number]), wording=number)

    def _instruction(self, answer: int, wording: int, rate: int) -> np.ndarray:
        """The spoken instruction, synthesised once per answer and wording."""
        key = (answer, wording % speech.WORDINGS)
        if key not in self.spoken:
            every_scale = bool(self.method.side_scales)
            text = speech.trap_text(self.language, answer, every_scale=every_scale, wording=key[1])
            self.spoken[key] = speech.speak(self.language, text)
        return sig.at_rate(self.spoken[key], speech.RATE, rate)

    def _head(self, source: Source) -> np.ndarray:
        """TRAP_HEAD_SECONDS of the clip from a random offset into it."""
        length = int(TRAP_HEAD_SECONDS * source.rate)
        start = int(self.rng.integers(0, max(1, len(source.audio) - length)))
        return source.audio[start : start + length]

    def add_trap(self, role, source: Source, *, answer: int | None = None, wording: int = 0):
        trap = self.method.trap
        if not trap.spoken:  # the reference against itself, judged by the method's rule
            return self.add(role, source.utterance, source.audio, source.rate,
                            reference=source.audio, accept=trap.accept)  # fmt: skip
        if answer is None:
            answer = int(self.rng.integers(self.method.low, self.method.high + 1))
        instruction = self._instruction(answer, wording, source.rate)
        head = self._head(source)
        audio = sig.trap(head, instruction, source.rate, head_seconds=TRAP_HEAD_SECONDS)
        return self.add(role, source.utterance, audio, source.rate, accept=(answer, answer))

    def training(self, source: Source) -> None:
        """Clips spanning the scale, best to worst, then a trap."""
        self.pair_or_single(Stimulus.Role.TRAINING, source, source.audio, None)
        for q_db in sig.TRAINING_Q_DB:
            degraded = sig.mnru(source.audio, source.rate, q_db, seed=int(q_db))
            self.pair_or_single(Stimulus.Role.TRAINING, source, degraded, None)
        self.add_trap(Stimulus.Role.TRAINING, source)


# -- qualification and setup trials ---------------------------------------------------------
def checks_build(
    test: ListeningTest,
    language: str,
    source: Source,
    rng: np.random.Generator,
    files: StoredFiles,
) -> list[CheckItem]:
    digits = [
        sig.at_rate(speech.speak(language, speech.digit_text(language, d)), speech.RATE, CHECK_RATE)
        for d in range(10)
    ]
    items = []
    for number in range(DIN_BANK):
        triplet = [int(d) for d in rng.choice(10, size=3, replace=True)]
        snr = DIN_SNR_DB[number % len(DIN_SNR_DB)]
        clip = sig.digits_in_noise([digits[d] for d in triplet], CHECK_RATE, snr, rng)
        answer = "".join(map(str, triplet))
        items.append(_item(files, test, language, "hearing", clip, CHECK_RATE, answer))
    for _ in range(PAIR_BANK):
        left, right = (int(d) for d in rng.integers(1, 10, size=2))
        clip = sig.two_ear(digits[left], digits[right], CHECK_RATE)
        items.append(_item(files, test, language, "two_ear", clip, CHECK_RATE, str(left + right)))
    wide = speech.speak(language, speech.calibration_text(language))
    items.append(_item(files, test, language, "calibration", wide, speech.RATE, ""))
    items += _pairs(files, test, language, "bandwidth", wide, rng, _bandwidth_pair)
    items += _pairs(files, test, language, "environment", wide, rng, _jnd_pair)
    return items


def _bandwidth_pair(x, number, rng):
    if number % 2:
        return x, x, "same"
    return (x, sig.band_limited(x, speech.RATE), "different")


def _jnd_pair(x, number, rng):
    degraded = sig.mnru(x, speech.RATE, sig.JND_Q_DB[number % len(sig.JND_Q_DB)], seed=number)
    return x, degraded, "a"


def _pairs(files, test, language, kind, x, rng, make) -> list[CheckItem]:
    items = []
    for number in range(PAIR_BANK):
        first, second, answer = make(x, number, rng)
        if answer in ("a", "b") and rng.random() < 0.5:
            first, second, answer = second, first, "b"
        elif answer == "different" and rng.random() < 0.5:
            first, second = second, first
        items.append(_item(files, test, language, kind, first, speech.RATE, answer, second=second))
    return items


def _item(files, test, language, kind, audio, rate, answer, *, second=None) -> CheckItem:
    target = test.testset.target_level_db
    if audio.ndim == 1:
        audio = sig.level(audio, rate, target)
    duration = len(audio) / rate
    name_b = ""
    if second is not None:
        second = sig.level(second, rate, target)
        name_b = files.audio_save(audio=second, sample_rate=rate)
        duration += len(second) / rate
    return CheckItem(
        test=test,
        language=language,
        kind=kind,
        audio=files.audio_save(audio=audio, sample_rate=rate),
        audio_b=name_b,
        answer=answer,
        duration=duration,
    )
