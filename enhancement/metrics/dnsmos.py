"""DNSMOS P.835 (SIG, BAK, OVRL) and P.808, and PLCMOS v2, from the ONNX models the `speechmos`
wheel ships (DNSMOS: the same files URGENT uses). The models take 16 kHz audio; other rates are
resampled.

speechmos opens its ONNX sessions with default options: a pool of busy-waiting threads in every
process. With several worker processes on a few cores those pools fight each other (measured on
2 cores: two processes each ran DNSMOS at half speed). So its sessions are replaced by Auricle's,
which log the execution provider they got, and given `threads` have that many threads that do
not spin.
"""

from __future__ import annotations

import os

import numpy as np

from enhancement.audio import resample
from enhancement.metrics.base import NON_INTRUSIVE, MetricInfo, MetricUnavailable

RATE = 16000
_RATES = "16 kHz; other rates resampled to 16 kHz"


def model_input(estimate, sample_rate: int):
    """16 kHz float32 within [-1, 1], as a WAV file would hold it: speechmos refuses anything
    else, and resampling can overshoot a peak that was just under full scale."""
    return np.clip(resample(estimate, sample_rate, RATE), -1.0, 1.0).astype("float32")


def _session(path: str, name: str, threads: int | None):
    """A CPU session (metrics run on the default queue's CPU workers), logged with the provider
    it got; given threads, that many that do not spin."""
    import onnxruntime as ort

    from enhancement.systems.onnx import session_open

    options = ort.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return session_open(path, name=name, options=options)


def _own_sessions(model, sessions: dict[str, tuple[str, str]], threads: int | None) -> None:
    """Replace speechmos's sessions (attribute → (name, model path)) by ours, once."""
    if getattr(model, "_auricle_threads", "none yet") == threads:
        return
    if not all(hasattr(model, attribute) for attribute in sessions):
        return  # a speechmos release laid out differently: keep its own sessions
    for attribute, (name, path) in sessions.items():
        setattr(model, attribute, _session(path, name, threads))
    model._auricle_threads = threads


def _speechmos(name: str):
    try:
        import speechmos
        from speechmos import dnsmos, plcmos
    except ImportError as exc:
        raise MetricUnavailable(f"speechmos is not installed: {exc}") from None
    return {"dnsmos": dnsmos, "plcmos": plcmos, "root": os.path.dirname(speechmos.__file__)}[name]


class Dnsmos:
    metrics = (
        MetricInfo("dnsmos_ovrl", NON_INTRUSIVE, True, False, _RATES),
        MetricInfo("dnsmos_sig", NON_INTRUSIVE, True, False, _RATES),
        MetricInfo("dnsmos_bak", NON_INTRUSIVE, True, False, _RATES),
        MetricInfo("dnsmos_p808", NON_INTRUSIVE, True, False, _RATES),
    )

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads

    def compute(self, estimate, sample_rate, reference=None) -> dict[str, float]:
        dnsmos = _speechmos("dnsmos")
        scores = dnsmos.run(model_input(estimate, sample_rate), RATE)
        model = dnsmos.dnsmos
        p808 = os.path.join(_speechmos("root"), "dnsmos_models", "model_v8.onnx")
        primary = getattr(model, "primary_model_path", "")
        _own_sessions(
            model,
            {"onnx_sess": ("dnsmos", primary), "p808_onnx_sess": ("dnsmos_p808", p808)},
            self.threads,
        )
        return {
            "dnsmos_ovrl": float(scores["ovrl_mos"]),
            "dnsmos_sig": float(scores["sig_mos"]),
            "dnsmos_bak": float(scores["bak_mos"]),
            "dnsmos_p808": float(scores["p808_mos"]),
        }


class Plcmos:
    """PLCMOS v2, a learned MOS predictor whose model ships in the `speechmos` wheel.

    Trained for packet-loss concealment; reported beside DNSMOS and left out of the ranking."""

    metrics = (MetricInfo("plcmos", NON_INTRUSIVE, True, False, _RATES),)

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads

    def compute(self, estimate, sample_rate, reference=None) -> dict[str, float]:
        plcmos = _speechmos("plcmos")
        scores = plcmos.run(model_input(estimate, sample_rate), RATE)
        model = plcmos.plcmos
        path = getattr(model, "model_path", "")
        _own_sessions(model, {"session": ("plcmos", path)}, self.threads)
        return {"plcmos": float(scores["plcmos"])}
