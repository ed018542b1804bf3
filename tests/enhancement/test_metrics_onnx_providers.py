"""Every ONNX session says which execution provider it really got: ONNX Runtime falls back to
the CPU silently when the CUDA provider is missing."""

from __future__ import annotations

import logging

import numpy as np
import onnxruntime as ort
import pytest
import torch

from enhancement.metrics.dnsmos import Dnsmos
from enhancement.systems.nsnet2 import Nsnet2
from enhancement.systems.onnx import SESSIONS
from tests.conftest import speech


def test_a_metric_s_onnx_sessions_log_their_provider(caplog):
    clean, rate = speech("en", 1)
    with caplog.at_level(logging.INFO, logger="auricle.enhancement"):
        # a thread count no other test uses, so the sessions are opened here (once per count)
        Dnsmos(threads=3).compute(clean, rate)
    assert "dnsmos: ONNX execution provider CPUExecutionProvider" in caplog.text
    assert SESSIONS["dnsmos_p808"][0] == "CPUExecutionProvider"


@pytest.mark.skipif(
    "CUDAExecutionProvider" in ort.get_available_providers(), reason="this build has CUDA"
)
def test_a_system_asked_for_cuda_on_a_cpu_build_warns_that_it_got_the_cpu(caplog):
    clean, rate = speech("en", 1)
    with caplog.at_level(logging.INFO, logger="auricle.enhancement"):
        (out,) = Nsnet2(device=torch.device("cuda")).enhance([clean], rate)
    assert len(out) == len(clean) and np.isfinite(out).all()
    warning = next(r for r in caplog.records if r.levelno == logging.WARNING)
    assert warning.getMessage().startswith(
        "nsnet2@16000 on cuda: asked for CUDA, ONNX Runtime gave CPUExecutionProvider"
    )
    assert "onnxruntime-gpu" in warning.getMessage()
