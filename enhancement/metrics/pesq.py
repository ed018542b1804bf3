"""PESQ (ITU-T P.862.2 wideband at 16 kHz, P.862 narrowband at 8 kHz) through the `pesq` package."""

from __future__ import annotations

from enhancement.audio import resample
from enhancement.metrics.base import INTRUSIVE, MetricInfo, MetricUndefined, aligned


class Pesq:
    metrics = (
        MetricInfo(
            "pesq",
            INTRUSIVE,
            higher_is_better=True,
            needs_reference=True,
            rates="8 kHz narrowband; 16 kHz wideband; other rates resampled to 16 kHz, wideband",
        ),
    )

    def compute(self, estimate, sample_rate, reference) -> dict[str, float]:
        from pesq import NoUtterancesError, pesq

        rate, mode = (8000, "nb") if sample_rate == 8000 else (16000, "wb")
        ref, est = aligned(
            resample(reference, sample_rate, rate), resample(estimate, sample_rate, rate)
        )
        try:
            return {"pesq": float(pesq(rate, ref, est, mode))}
        except NoUtterancesError:
            raise MetricUndefined("PESQ detected no utterance in the reference") from None
