"""Speaker similarity: the cosine similarity of the GE2E speaker embeddings of the output and
its clean reference, from Resemblyzer's encoder (its weights, pretrained.pt, ship inside the
`resemblyzer` wheel; nothing is downloaded). URGENT's downstream-dependent category: a
generative system that changes the speaker's voice scores low here however clean it sounds.

Both signals are resampled to the encoder's 16 kHz, then prepared as Resemblyzer prepares any
waveform (raised to -30 dBFS if quieter, long silences cut by its WebRTC VAD) and embedded as
the mean of its 1.6 s partial embeddings.
"""

from __future__ import annotations

import warnings

import numpy as np

from enhancement.audio import resample
from enhancement.metrics.base import (
    DOWNSTREAM_DEPENDENT,
    MetricInfo,
    MetricUnavailable,
    MetricUndefined,
)

RATE = 16000


def _resemblyzer():
    try:
        with warnings.catch_warnings():
            # resemblyzer 0.1.4 imports binary_dilation from SciPy's deprecated morphology module
            warnings.simplefilter("ignore", DeprecationWarning)
            import resemblyzer
    except ImportError as exc:
        raise MetricUnavailable(
            f"resemblyzer is not installed ({exc}): pip install --no-deps resemblyzer "
            "webrtcvad-wheels"
        ) from None
    return resemblyzer


def encoder_input(signal: np.ndarray, sample_rate: int) -> np.ndarray:
    """16 kHz float32 within [-1, 1]: Resemblyzer's VAD reads it as 16-bit PCM, where a sample
    past full scale would wrap around."""
    return np.clip(resample(signal, sample_rate, RATE), -1.0, 1.0).astype(np.float32)


class SpeakerSimilarity:
    metrics = (
        MetricInfo(
            "speaker_similarity",
            DOWNSTREAM_DEPENDENT,
            higher_is_better=True,
            needs_reference=True,
            rates="any rate; resampled to 16 kHz (the GE2E encoder's)",
        ),
    )

    def __init__(self) -> None:
        self._encoder = None

    def embedding(self, signal: np.ndarray, sample_rate: int) -> np.ndarray:
        if self._encoder is None:
            # On the CPU, as every metric (the default queue's workers); torch's threads follow
            # the scoring service's thread limit.
            self._encoder = _resemblyzer().VoiceEncoder(device="cpu", verbose=False)
        wav = encoder_input(signal, sample_rate)
        if not np.any(wav):
            raise MetricUndefined("a silent signal has no speaker")
        speech = _resemblyzer().preprocess_wav(wav)
        if len(speech) == 0:
            raise MetricUndefined("the voice activity detector found no speech")
        return self._encoder.embed_utterance(speech)

    def compute(self, estimate, sample_rate, reference) -> dict[str, float]:
        ours = self.embedding(estimate, sample_rate)
        theirs = self.embedding(reference, sample_rate)
        cosine = np.dot(ours, theirs) / (np.linalg.norm(ours) * np.linalg.norm(theirs))
        return {"speaker_similarity": float(cosine)}
