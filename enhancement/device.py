"""Which torch device the enhancement systems run on (AURICLE_DEVICE)."""

from __future__ import annotations

import re

_DEVICE = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


def device_resolve(setting: str):
    """Turn 'auto', 'cpu', 'cuda' or 'cuda:N' into a torch.device, refusing what cannot run."""
    import torch

    value = (setting or "auto").strip().lower()
    if not _DEVICE.match(value):
        raise ValueError(f"AURICLE_DEVICE must be auto, cpu, cuda or cuda:N; got {setting!r}")
    if value == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if value.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ValueError(f"AURICLE_DEVICE={setting} but no CUDA device is available")
        index = int(value.split(":")[1]) if ":" in value else 0
        if index >= torch.cuda.device_count():
            raise ValueError(
                f"AURICLE_DEVICE={setting} but only {torch.cuda.device_count()} CUDA devices exist"
            )
    return torch.device(value)
