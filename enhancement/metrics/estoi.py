"""Extended STOI through `pystoi` (which resamples to 10 kHz itself)."""

from __future__ import annotations

from enhancement.metrics.base import INTRUSIVE, MetricInfo, aligned


class Estoi:
    metrics = (
        MetricInfo(
            "estoi",
            INTRUSIVE,
            higher_is_better=True,
            needs_reference=True,
            rates="any; pystoi resamples to 10 kHz",
        ),
    )

    def compute(self, estimate, sample_rate, reference) -> dict[str, float]:
        from pystoi import stoi

        ref, est = aligned(reference, estimate)
        return {"estoi": float(stoi(ref, est, sample_rate, extended=True))}
