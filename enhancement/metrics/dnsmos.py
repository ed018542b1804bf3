"""DNSMOS P.835 (SIG, BAK, OVRL) and P.808, from the ONNX models the `speechmos` wheel ships
(the same files URGENT uses). The models take 16 kHz audio; other rates are resampled."""

from __future__ import annotations

from enhancement.metrics.base import NON_INTRUSIVE, MetricInfo, MetricUnavailable, resample

RATE = 16000
_RATES = "16 kHz; other rates resampled to 16 kHz"


class Dnsmos:
    metrics = (
        MetricInfo("dnsmos_ovrl", NON_INTRUSIVE, True, False, _RATES),
        MetricInfo("dnsmos_sig", NON_INTRUSIVE, True, False, _RATES),
        MetricInfo("dnsmos_bak", NON_INTRUSIVE, True, False, _RATES),
        MetricInfo("dnsmos_p808", NON_INTRUSIVE, True, False, _RATES),
    )

    def compute(self, estimate, sample_rate, reference=None) -> dict[str, float]:
        try:
            from speechmos import dnsmos
        except ImportError as exc:
            raise MetricUnavailable(f"speechmos is not installed: {exc}") from None
        scores = dnsmos.run(resample(estimate, sample_rate, RATE).astype("float32"), RATE)
        return {
            "dnsmos_ovrl": float(scores["ovrl_mos"]),
            "dnsmos_sig": float(scores["sig_mos"]),
            "dnsmos_bak": float(scores["bak_mos"]),
            "dnsmos_p808": float(scores["p808_mos"]),
        }


class Plcmos:
    """PLCMOS v2, a learned MOS predictor whose ONNX model ships in the `speechmos` wheel.

    Trained for packet-loss concealment; reported beside DNSMOS, and left out of the ranking."""

    metrics = (MetricInfo("plcmos", NON_INTRUSIVE, True, False, _RATES),)

    def compute(self, estimate, sample_rate, reference=None) -> dict[str, float]:
        try:
            from speechmos import plcmos
        except ImportError as exc:
            raise MetricUnavailable(f"speechmos is not installed: {exc}") from None
        scores = plcmos.run(resample(estimate, sample_rate, RATE).astype("float32"), RATE)
        return {"plcmos": float(scores["plcmos"])}
